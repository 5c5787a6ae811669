"""Moving a running case to another version of its process (流程版本迁移).

Running cases keep the version they started on. One can be moved to a newer version when
SpiffWorkflow's diff (`SpiffWorkflow.bpmn.util.diff`) says nothing it stands on changed:
- every task of the workflow and of its called processes still has its spec (by BPMN id);
- no open task (READY, WAITING, STARTED: a step waiting for a person, a pending timer, a
  running call activity) changed but in its wording (WORDING: name, instructions, form), nor
  the boundary events on an open step: SpiffWorkflow would have to reset them, re-evaluating
  their timers and losing the deadlines;
- every called process that ran still exists.
Otherwise `assess` gives the reasons (`Reason`: a Chinese message id and its parameters, which
the web layer translates; str() is the Chinese text) and `migrate` refuses.

`migrate` does what `migrate_workflow` does without its reset of open tasks: each task gets its
aligned spec, then the tasks not yet reached are predicted again from the new specs (a task
inserted after the current step is reached), and the result is serialized and loaded with the
target definition, so a run it returns is one that loads again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.util.task import TaskState

from app.engine.definitions import LANE_GROUPS, ProcessDefinition
from app.engine.runs import CaseRun

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# What an open step may change and still move: the words its doer reads (its name, its
# instructions, its form's labels and fields, which the completion validates against the new
# form). Its state, data and timers stay as they are; its task row takes the new name.
WORDING = frozenset({"bpmn_name", "documentation", "form"})
GROUP_NAMES = {group: lane for lane, group in LANE_GROUPS.items()}


def N_(text: str) -> str:
    """Marks a message id for extraction (pybabel) without Flask; the web layer translates."""
    return text


# SpiffWorkflow's spec attributes → words for the reasons.
ATTRIBUTE_LABELS = {
    "typename": N_("类型"), "bpmn_name": N_("名称"), "bpmn_id": N_("编号"), "name": N_("编号"),
    "documentation": N_("说明"), "lane": N_("泳道"), "event_definition": N_("计时器"),
    "inputs": N_("前序连线"), "outputs": N_("后续连线"), "cond_task_specs": N_("分支条件"),
    "default_task_spec": N_("默认分支"), "form": N_("表单"), "script": N_("脚本"),
    "prescript": N_("前置脚本"), "postscript": N_("后置脚本"), "spec": N_("被调用流程"),
    "cancel_activity": N_("是否中断"), "extensions": N_("扩展属性"),
}
# Translators: joins the changed attributes of a step (计时器、后续连线).
LIST_SEPARATOR = N_("、")


@dataclass(frozen=True)
class Reason:
    """Why a case cannot move (迁移被拒原因), said in the reader's language: `msgid` is the
    Chinese text with %(name)s parameters and `params` their values. A value that is a Reason
    (a word of the interface, a step's or a group's label) is translated too, one that is a
    tuple lists Reasons, and a str (an id) is data shown as it is. str() is the Chinese."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, msgid: str, **params: Any) -> Reason:
        return cls(msgid, tuple(params.items()))

    def text(self, translate: Callable[[str], str] = str) -> str:
        """The reason with each message id passed through `translate` (gettext)."""
        said = translate(self.msgid)
        if not self.params:
            return said
        return said % {name: _said(value, translate) for name, value in self.params}

    def __str__(self) -> str:
        return self.text()


def _said(value: Any, translate: Callable[[str], str]) -> str:
    if isinstance(value, Reason):
        return value.text(translate)
    if isinstance(value, tuple):
        return translate(LIST_SEPARATOR).join(_said(v, translate) for v in value)
    return str(value)


class MigrationRefused(ValueError):
    """The case cannot be moved safely; `reasons` say why."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__("；".join(map(str, reasons)))
        self.reasons = list(reasons)


@dataclass(frozen=True)
class _Part:
    """One workflow of the run (the top process or a called one) against its new spec."""

    workflow: Any
    new_spec: Any | None  # None: the called process is gone
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


def _same(run: CaseRun, target: ProcessDefinition) -> bool:
    return run.definition is target or (run.definition.process_id == target.process_id
                                        and run.definition.content_hash == target.content_hash)


def _parts(run: CaseRun, target: ProcessDefinition) -> list[_Part]:
    """The top workflow and every called process that ran, each diffed against the target
    (as `diff_workflow` does, keeping the spec diffs for the reasons)."""
    registry = run.definition.serializer.registry
    workflow = run.workflow
    spec_diff = SpecDiff(registry, workflow.spec, target.spec)
    parts = [_Part(workflow, target.spec, spec_diff, WorkflowDiff(workflow, spec_diff))]
    for sub in workflow.subprocesses.values():
        new_spec = target.subprocess_specs.get(sub.spec.name)
        if new_spec is None:
            parts.append(_Part(sub, None, None, None))
            continue
        sub_diff = SpecDiff(registry, sub.spec, new_spec)
        parts.append(_Part(sub, new_spec, sub_diff, WorkflowDiff(sub, sub_diff)))
    return parts


def _label(spec: Any) -> Reason | str:
    """A step's label, through the catalog (the shipped diagrams' words are in it; one a
    supervisor typed shows as typed), else its id."""
    return Reason(spec.bpmn_name) if spec.bpmn_name else (spec.bpmn_id or spec.name)


def _task_label(task: Any) -> Reason:
    """「超期预警」 of a boundary event reads 「联系评价人」的「超期预警」."""
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) \
            and hasattr(task.task_spec, "event_definition"):
        main = next((t for t in parent.children
                     if not hasattr(t.task_spec, "event_definition")), None)
        if main is not None:
            return Reason.of(N_("「%(step)s」的「%(event)s」"), step=_label(main.task_spec),
                             event=_label(task.task_spec))
    return Reason.of(N_("「%(step)s」"), step=_label(task.task_spec))


def _process(workflow: Any) -> Reason:
    """A process for the reasons: 「差评处置」流程."""
    name = workflow.spec.description
    return Reason.of(N_("「%(name)s」流程"), name=Reason(name) if name else workflow.spec.name)


def _what(changes: list[str]) -> tuple[Reason | str, ...]:
    return tuple(dict.fromkeys(Reason(ATTRIBUTE_LABELS[c]) if c in ATTRIBUTE_LABELS else c
                               for c in changes))


def _removed_reasons(part: _Part) -> list[Reason]:
    reasons = []
    for task in part.diff.removed:
        if task.has_state(TaskState.FINISHED_MASK):
            when = N_("已办理的")
        elif task.has_state(OPEN):
            when = N_("当前的")
        else:
            when = N_("后续的")
        reasons.append(Reason.of(N_("%(process)s中%(when)s%(step)s在目标版本中已删除"),
                                 process=_process(part.workflow), when=Reason(when),
                                 step=_task_label(task)))
    return reasons


def _open_changed_reasons(part: _Part) -> list[Reason]:
    reasons = []
    changed = part.spec_diff.changed
    for task in part.diff.changed:
        if task.has_state(OPEN) and not set(changed[task.task_spec]) <= WORDING:
            reasons.append(Reason.of(
                N_("%(process)s中进行中的%(step)s已修改（%(what)s），迁移需重置该步骤并丢失其时限"),
                process=_process(part.workflow), step=_task_label(task),
                what=_what(changed[task.task_spec])))
    for task in part.workflow.get_tasks(state=TaskState.READY | TaskState.STARTED,
                                        skip_subprocesses=True):
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) \
                and parent.task_spec in changed:
            reasons.append(Reason.of(N_("%(process)s中进行中的%(step)s上的边界事件（计时器）已增删"),
                                     process=_process(part.workflow), step=_task_label(task)))
    return reasons


def _reasons(part: _Part) -> list[Reason]:
    if part.diff is None:
        return [Reason.of(N_("被调用的流程 %(process)s 在目标版本中已不存在"),
                          process=part.workflow.spec.name)]
    return _removed_reasons(part) + _open_changed_reasons(part)


def _group(group: str | None) -> Reason | str:
    """A group by its lane's name (translated), else by its id."""
    lane = GROUP_NAMES.get(group or "")
    return Reason(lane) if lane else str(group)


def _group_reasons(run: CaseRun, target: ProcessDefinition) -> list[Reason]:
    """Open steps whose group changed by camunda:candidateGroups, which SpiffWorkflow does not
    keep (so its diff cannot see it)."""
    reasons = []
    for view in run.user_tasks():
        new = target.tasks.get((view.info.process_id, view.step))
        if new is not None and new.group != view.info.group:
            title = view.info.title
            reasons.append(Reason.of(
                N_("进行中的「%(step)s」改由其他岗位办理（%(old)s → %(new)s）"),
                step=Reason(title) if title else view.step, old=_group(view.info.group),
                new=_group(new.group)))
    return reasons


def assess(run: CaseRun, target: ProcessDefinition) -> list[Reason]:
    """Why the run cannot be moved to `target` (empty when it can, and when it is already on
    it: nothing to do)."""
    if _same(run, target):
        return []
    if target.process_id != run.definition.process_id:
        return [Reason.of(N_("目标版本的流程是 %(target)s，不是 %(source)s"),
                          target=target.process_id, source=run.definition.process_id)]
    reasons: list[Reason] = []
    for part in _parts(run, target):
        reasons += _reasons(part)
    reasons += _group_reasons(run, target)
    return list(dict.fromkeys(reasons))


def _swap_specs(part: _Part) -> None:
    """Give the workflow and each of its tasks the aligned spec of the target."""
    part.workflow.spec = part.new_spec
    for task in part.workflow.tasks.values():
        new = part.diff.alignment.get(task)
        if new is not None:
            task.task_spec = new


def _predict_again(workflow: Any) -> None:
    """Predict the tasks not reached yet from the new specs: below each first unfinished task
    of a path (an open step, a pending timer, a waiting join), its predicted descendants are
    dropped and predicted anew. Open tasks themselves are kept, with their data and timers."""
    frontier = [task for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK,
                                                    skip_subprocesses=True)
                if task.parent is None or task.parent.has_state(TaskState.FINISHED_MASK)]
    for task in frontier:
        if task.id in workflow.tasks:
            task._drop_children()
            task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)


def migrate(run: CaseRun, target: ProcessDefinition) -> CaseRun:
    """The same case on `target` (MigrationRefused when `assess` finds reasons). `run` itself
    is left as it was: the move works on a copy loaded from its state."""
    if _same(run, target):
        return CaseRun.resume(target, run.workflow, run.clock)
    reasons = assess(run, target)
    if reasons:
        raise MigrationRefused(reasons)
    copy = CaseRun.load(run.definition, run.dump(), run.clock)
    parts = _parts(copy, target)
    for part in parts:
        _swap_specs(part)
    copy.workflow.subprocess_specs = target.subprocess_specs
    for part in parts:
        _predict_again(part.workflow)
    return CaseRun.load(target, target.serializer.dumps(copy.workflow), run.clock)
