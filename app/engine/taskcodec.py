"""Workflows and their tasks to and from the state document, the same document as
SpiffWorkflow's converters write (serializer format 1.5), in less time.

SpiffWorkflow's converters pass every value through their registry, and parse a task's id
again wherever it appears (the task itself, its parent's children, its children's parent),
formatting it again on the way out. A state holds some forty to a hundred tasks, and the
scheduler loads and saves one for every timer it fires. Here a document's ids are parsed and
formatted once each, and plain JSON values are copied without asking the registry; anything
with a `typename` still goes through it. tests/engine compares both ways with SpiffWorkflow's
own converters on every path of the process.

A workflow kept between changes (see `Fragments`) also keeps its finished tasks converted:
only the tasks that moved since are converted again.
"""

from __future__ import annotations

from copy import copy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState

_PLAIN = (str, int, float, bool, type(None))
_MUTABLE = (dict, list, set)


FINISHED = TaskState.FINISHED_MASK
VERIFY = False
"""Tests set this: every dump made with fragments is checked against a full conversion."""


class Fragments:
    """A workflow's finished tasks as last converted (or loaded), by task id, each with what
    its conversion read: its state, timestamps, spec, children, and its own and its parent's
    data dicts. A finished task whose parent is finished too is not touched by SpiffWorkflow
    again (its data is copied, not changed, by the tasks after it), so its conversion is
    reused while all of these are the same objects (or equal)."""

    ATTRIBUTE = "_hcp_fragments"

    def __init__(self) -> None:
        self._items: dict[UUID, tuple[tuple, dict[str, Any]]] = {}

    @classmethod
    def of(cls, workflow: Any) -> Fragments:
        """The fragments kept with a (top) workflow, created on first use."""
        found = workflow.__dict__.get(cls.ATTRIBUTE)
        if found is None:
            found = cls()
            setattr(workflow, cls.ATTRIBUTE, found)
        return found

    def convert(self, registry: Any, task: Any, ids: Ids) -> dict[str, Any]:
        key = _key(task)
        if key is None:
            return convert(registry, task, ids)
        hit = self._items.get(task.id)
        if hit is not None and hit[0] == key:
            return hit[1]
        dct = convert(registry, task, ids)
        self._items[task.id] = (key, dct)
        return dct

    def keep(self, task: Any, dct: dict[str, Any]) -> None:
        """`dct`, the loaded document of `task`, as its conversion."""
        key = _key(task)
        if key is not None:
            self._items[task.id] = (key, dct)


def _key(task: Any) -> tuple | None:
    """What a finished task's conversion depends on; None for a task that may still change."""
    if not task.state & FINISHED:
        return None
    parent = task.parent
    if parent is not None and not parent.state & FINISHED:
        return None
    return (task.state, task.last_state_change, task.triggered, task.task_spec,
            tuple(task._children), task.data, len(task.internal_data),
            parent.data if parent is not None else None)


class Ids:
    """The task ids of one document: each parsed, or formatted, once; with the fragments of
    the workflow it is converted from, or loaded into, if any."""

    def __init__(self, fragments: Fragments | None = None) -> None:
        self._parsed: dict[str, UUID] = {}
        self._names: dict[int, str] = {}  # by id(): the same UUID objects recur in a workflow
        self.fragments = fragments

    def uuid(self, text: str) -> UUID:
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = UUID(text)
        return found

    def name(self, value: UUID) -> str:
        found = self._names.get(id(value))
        if found is None:
            found = self._names[id(value)] = str(value)
        return found


def restore(registry: Any, value: Any) -> Any:
    """`registry.restore` for a JSON value: dicts and lists rebuilt, objects with a
    `typename` restored by the registry, everything else as it is."""
    kind = type(value)
    if kind is dict:
        if "typename" in value:
            return registry.restore(value)
        return {k: v if type(v) in _PLAIN else restore(registry, v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else restore(registry, v) for v in value]
    return value


class FastTaskConverter(TaskConverter):
    """SpiffWorkflow's TaskConverter: data stored as the delta from the parent's data."""

    def to_dict(self, task: Any, ids: Ids | None = None) -> dict[str, Any]:
        ids = ids or Ids()
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            before, after = parent.data, task.data
            data = {}
            delta = {"updates": {k: v for k, v in after.items()
                                 if k not in before or v != before[k]},
                     "deletions": [k for k in before if k not in after]}
        return {
            "id": ids.name(task.id),
            "parent": ids.name(task._parent) if parent is not None else None,
            "children": [ids.name(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any, ids: Ids | None = None) -> Any:
        ids = ids or Ids()
        spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, spec, state=dct["state"], id=ids.uuid(dct["id"]))
        task._parent = ids.uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [ids.uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = restore(self.registry, dct["internal_data"])
        if isinstance(spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta, parent = dct.get("delta"), task.parent
        if delta and parent is not None:
            data = {k: copy(v) if isinstance(v, _MUTABLE) else v for k, v in parent.data.items()}
            data.update(restore(self.registry, delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = restore(self.registry, dct["data"])
        task.data = data
        return task


def convert(registry: Any, obj: Any, ids: Ids) -> dict[str, Any]:
    """`registry.convert(obj)` (its typename added) for a task or a called process, with the
    document's `ids`, which the registry would not pass on."""
    return registry.convert_to_dict[registry.typenames[type(obj)]](obj, ids=ids)


def workflow_to_dict(converter: Any, workflow: Any, ids: Ids) -> dict[str, Any]:
    """WorkflowConverter.to_dict, the tasks converted with `ids`."""
    registry = converter.registry
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": ids.name(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "tasks": {ids.name(k): (ids.fragments.convert(registry, task, ids) if ids.fragments
                                else convert(registry, task, ids))
                  for k, task in workflow.tasks.items()},
        "root": ids.name(workflow.task_tree.id),
    }


def tasks_from_dict(converter: Any, tasks: dict[str, Any], workflow: Any, ids: Ids) -> None:
    """Restore `tasks` into `workflow.tasks` (each task adds itself, parents first), by
    their typenames' converters (the registry would copy each dict first)."""
    restorers = converter.registry.convert_from_dict
    restored = [(restorers[dct["typename"]](dct, workflow=workflow, ids=ids), dct)
                for dct in tasks.values()]
    if ids.fragments is not None:
        for task, dct in restored:
            ids.fragments.keep(task, dct)


class FastSubWorkflowConverter(BpmnSubWorkflowConverter):
    """A called process's workflow (调用活动: 申诉, 工作人员差评复核)."""

    def to_dict(self, workflow: Any, ids: Ids | None = None) -> dict[str, Any]:
        ids = ids or Ids()
        dct = workflow_to_dict(self, workflow, ids)
        dct["parent_task_id"] = ids.name(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any,
                  ids: Ids | None = None) -> Any:
        ids = ids or Ids()
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        tasks_from_dict(self, dct["tasks"], subprocess, ids)
        subprocess.task_tree = subprocess.tasks.get(ids.uuid(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess
