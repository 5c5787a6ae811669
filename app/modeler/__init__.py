"""The BPMN modeler (流程建模) for supervisors: drafts, validation, diff, deploy, roll back and
moving open cases to a new version. See docs/modeler.md."""
