"""Process definitions (流程版本): a deployed set of BPMN files, parsed once and cached by the
hash of their contents, with what the application needs to know of each user task."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from app.engine.forms import FormField, from_spec_field, schema_for
from app.engine.state import StateSerializer

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# Lane name (exactly as drawn) → the group that works the lane's tasks. See docs/process.md.
LANE_GROUPS = {
    "12345热线": "hotline",
    "责任部门": "department",
    "政务服务管理机构": "agency",
    "人员管理单位": "personnel",
}
# Groups named only by camunda:candidateGroups, not by a lane: `supervisor`, the responsible
# department's supervisors (部门负责人), who confirm a determination (确认认定).
GROUPS = frozenset(LANE_GROUPS.values()) | {"supervisor"}


class DiagramError(ValueError):
    """A diagram that cannot be used: `file` and `element` say where."""

    def __init__(self, message: str, file: str | None = None, element: str | None = None):
        where = ":".join(p for p in (file, element) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.element, self.detail = file, element, message


@dataclass(frozen=True)
class TaskInfo:
    """A user task of the definition: step id (BPMN id), title, the group that works it,
    its form and its documentation."""

    process_id: str
    step: str
    title: str
    group: str | None
    form: tuple[FormField, ...]
    documentation: str | None
    schema: Any = None


def content_hash(files: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _candidate_groups(files: Mapping[str, str]) -> dict[str, str]:
    """Element id → camunda:candidateGroups (not kept by SpiffWorkflow's parser)."""
    found = {}
    for text in files.values():
        root = etree.fromstring(text.encode(), _SAFE)
        for node in root.iter(f"{{{BPMN_NS}}}userTask"):
            groups = node.get(f"{{{CAMUNDA_NS}}}candidateGroups")
            if groups:
                found[node.get("id")] = groups.split(",")[0].strip()
    return found


class ProcessDefinition:
    """The parsed diagrams of one version: the top process `process_id` and its called
    processes. Build with `definition_for` to share the parse between cases."""

    def __init__(self, process_id: str, files: Mapping[str, str]) -> None:
        self.process_id = process_id
        self.files = dict(files)
        self.content_hash = content_hash(self.files)
        self.spec, self.subprocess_specs = self._parse()
        self.tasks = self._user_tasks(_candidate_groups(self.files))
        self.serializer = StateSerializer(self.spec, self.subprocess_specs)

    def _parse(self) -> tuple[Any, dict[str, Any]]:
        parser = CamundaParser()
        for name, text in sorted(self.files.items()):
            try:
                parser.add_bpmn_str(text.encode(), filename=name)
            except ValidationException as exc:
                raise DiagramError(str(exc), getattr(exc, "file_name", name),
                                   getattr(exc, "id", None)) from exc
            except etree.XMLSyntaxError as exc:
                raise DiagramError(f"not well-formed XML: {exc}", name) from exc
        try:
            return (parser.get_spec(self.process_id),
                    parser.get_subprocess_specs(self.process_id))
        except ValidationException as exc:
            raise DiagramError(str(exc), getattr(exc, "file_name", None),
                               getattr(exc, "id", None)) from exc
        except (SpiffWorkflowException, KeyError) as exc:
            raise DiagramError(f"process {self.process_id!r}: {exc}") from exc

    def _user_tasks(self, candidates: Mapping[str, str]) -> dict[tuple[str, str], TaskInfo]:
        tasks = {}
        for spec in (self.spec, *self.subprocess_specs.values()):
            for task_spec in spec.task_specs.values():
                if not isinstance(task_spec, UserTask):
                    continue
                step = task_spec.bpmn_id
                group = candidates.get(step) or LANE_GROUPS.get(task_spec.lane or "")
                form = tuple(from_spec_field(f) for f in task_spec.form.fields)
                tasks[(spec.name, step)] = TaskInfo(
                    spec.name, step, task_spec.bpmn_name or step, group, form,
                    task_spec.documentation, schema_for(form))
        return tasks

    def task(self, process_id: str, step: str) -> TaskInfo:
        return self.tasks[(process_id, step)]

    def steps(self) -> dict[str, str]:
        """Step id → title, for every user task of the definition."""
        return {info.step: info.title for info in self.tasks.values()}


_cache: dict[tuple[str, str], ProcessDefinition] = {}
_lock = threading.Lock()


def parsed(process_id: str, digest: str) -> ProcessDefinition | None:
    """The definition parsed from files whose `content_hash` is `digest`, if it was."""
    with _lock:
        return _cache.get((process_id, digest))


def definition_for(process_id: str, files: Mapping[str, str]) -> ProcessDefinition:
    """The parsed definition for these files, from the cache when they were parsed before."""
    key = (process_id, content_hash(files))
    with _lock:
        found = _cache.get(key)
    if found is None:
        found = ProcessDefinition(process_id, files)
        with _lock:
            _cache[key] = found
    return found
