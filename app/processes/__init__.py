"""Process versions (流程版本): the BPMN diagrams deployed per jurisdiction, stored once each."""
