"""A case's workflow state as JSON, without the process spec (stored once per version).

SpiffWorkflow's serializer embeds the whole spec in every document; this one leaves the spec and
the called processes' specs out and restores the workflow onto the already parsed specs.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG

FORMAT = "hcp-state-1"  # our envelope; the inner dict is SpiffWorkflow serializer format 1.5


class StateSerializer:
    """Dump and load workflows of one process definition."""

    def __init__(self, spec: Any, subprocess_specs: dict[str, Any]) -> None:
        outer = self

        class StateConverter(BpmnWorkflowConverter):
            def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
                dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
                dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
                dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
                return dct

            def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
                dct.pop("spec", None)
                dct.pop("subprocess_specs", None)
                workflow = self.target_class(outer.spec, outer.subprocess_specs,
                                             deserializing=True)
                workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
                workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
                self.set_default_attributes(workflow, dct)
                self.subprocesses_from_dict(dct["subprocesses"], workflow)
                workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
                return workflow

        self.spec, self.subprocess_specs = spec, subprocess_specs
        config = dict(DEFAULT_CONFIG)
        config[BpmnWorkflow] = StateConverter
        self.registry = BpmnWorkflowSerializer.configure(config)
        self._encoder = create_encoder(self.registry, None)

    def dumps(self, workflow: BpmnWorkflow) -> str:
        self.registry._encoder_mode = True
        try:
            dct = self.registry.convert(workflow)
        finally:
            self.registry._encoder_mode = False
        dct["format"] = FORMAT
        return json.dumps(dct, cls=self._encoder, ensure_ascii=False, separators=(",", ":"))

    def loads(self, text: str) -> BpmnWorkflow:
        dct = json.loads(text)
        if dct.pop("format", None) != FORMAT:
            raise ValueError("not a workflow state written by this application")
        return self.registry.restore(dct)

