"""A case's workflow state as JSON, without the process spec (stored once per version).

SpiffWorkflow's serializer embeds the whole spec in every document; this one leaves the spec and
the called processes' specs out and restores the workflow onto the already parsed specs. Tasks
and called processes go through the converters of `taskcodec` (the same document, faster).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.task import Task

from app.engine import taskcodec
from app.engine.taskcodec import (
    FastSubWorkflowConverter,
    FastTaskConverter,
    Fragments,
    Ids,
    convert,
    tasks_from_dict,
    workflow_to_dict,
)

FORMAT = "hcp-state-1"  # our envelope; the inner dict is SpiffWorkflow serializer format 1.5
_ORJSON = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
           | orjson.OPT_PASSTHROUGH_DATACLASS)


class StateSerializer:
    """Dump and load workflows of one process definition."""

    def __init__(self, spec: Any, subprocess_specs: dict[str, Any]) -> None:
        outer = self

        class StateConverter(BpmnWorkflowConverter):
            def to_dict(self, workflow: BpmnWorkflow, ids: Ids | None = None,
                        ) -> dict[str, Any]:
                ids = ids or Ids()
                dct = workflow_to_dict(self, workflow, ids)
                dct["subprocesses"] = {ids.name(k): convert(self.registry, sub, ids)
                                       for k, sub in workflow.subprocesses.items()}
                dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
                return dct

            def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
                workflow = self.target_class(outer.spec, outer.subprocess_specs,
                                             deserializing=True)
                ids = Ids(Fragments.of(workflow))
                tasks_from_dict(self, dct["tasks"], workflow, ids)
                workflow.task_tree = workflow.tasks.get(ids.uuid(dct["root"]))
                self.set_default_attributes(workflow, dct)
                self.subprocesses_from_dict(dct["subprocesses"], workflow, ids=ids)
                workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
                return workflow

            def subprocesses_from_dict(self, dct: dict[str, Any], workflow: Any,
                                       top_workflow: Any = None, ids: Ids | None = None,
                                       ) -> None:
                """SpiffWorkflow's, with the document's ids: called processes in the order
                of their tasks, so that a process's caller is there before it."""
                top_workflow = top_workflow or workflow
                ids = ids or Ids()
                for task in list(workflow.tasks.values()):
                    if (isinstance(task.task_spec, SubWorkflowTask)
                            and ids.name(task.id) in dct):
                        sub = self.registry.restore(dct.pop(ids.name(task.id)), task=task,
                                                    top_workflow=top_workflow, ids=ids)
                        top_workflow.subprocesses[task.id] = sub
                        sub.completed_event.connect(task.task_spec._on_subworkflow_completed,
                                                    task)
                        self.subprocesses_from_dict(dct, sub, top_workflow, ids)

        self.spec, self.subprocess_specs = spec, subprocess_specs
        config = dict(DEFAULT_CONFIG)
        config[BpmnWorkflow] = StateConverter
        config[BpmnSubWorkflow] = FastSubWorkflowConverter
        config[Task] = FastTaskConverter
        self.registry = BpmnWorkflowSerializer.configure(config)
        self._encoder = create_encoder(self.registry, None)
        self._default = self._encoder().default
        self._converting = threading.Lock()

    def dumps(self, workflow: BpmnWorkflow) -> str:
        """The workflow's state; its finished tasks' conversions are kept with it (see
        `taskcodec.Fragments`) for the next dump."""
        with self._converting:  # the registry's encoder mode is shared by the threads
            self.registry._encoder_mode = True
            try:
                dct = convert(self.registry, workflow, Ids(Fragments.of(workflow)))
                if taskcodec.VERIFY:
                    full = convert(self.registry, workflow, Ids())
                    assert dct == full, "a kept task conversion differs from a new one"
            finally:
                self.registry._encoder_mode = False
        dct["format"] = FORMAT
        return self._text(dct)

    def _text(self, dct: dict[str, Any]) -> str:
        """The JSON text json.dumps writes (compact, Chinese as it is), by orjson, about
        fifteen times faster; json itself for what orjson refuses (integers over 64 bits, lone
        surrogates), so that both accept and refuse the same values. Values the registry left
        unconverted go to the encoder's `default` in both (sets, callables; datetimes and
        dataclasses too, which orjson would otherwise write its own way). Two differences: a
        float may be spelled otherwise (1e-7 for 1e-07, read back the same), and NaN and
        infinities, which JSON has no words for, are written as null (json writes NaN). json
        reads the state back: orjson would read integers over 64 bits as floats."""
        try:
            return orjson.dumps(dct, default=self._default, option=_ORJSON).decode()
        except orjson.JSONEncodeError:
            return json.dumps(dct, cls=self._encoder, ensure_ascii=False, separators=(",", ":"))

    def loads(self, text: str) -> BpmnWorkflow:
        dct = json.loads(text)
        if dct.pop("format", None) != FORMAT:
            raise ValueError("not a workflow state written by this application")
        return self.registry.restore(dct)

