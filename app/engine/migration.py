"""Moving a running case to another version of its process (流程版本迁移).

Running cases keep the version they started on. One can be moved to a newer version when
SpiffWorkflow's diff (`SpiffWorkflow.bpmn.util.diff`) says nothing it stands on changed:
- every task of the workflow and of its called processes still has its spec (by BPMN id);
- no open task (READY, WAITING, STARTED: a step waiting for a person, a pending timer, a
  running call activity) changed but in its wording (WORDING: name, instructions, form), nor
  the boundary events on an open step: SpiffWorkflow would have to reset them, re-evaluating
  their timers and losing the deadlines;
- every called process that ran still exists.
Otherwise `assess` gives the reasons (in Chinese, for the supervisor) and `migrate` refuses.

`migrate` does what `migrate_workflow` does without its reset of open tasks: each task gets its
aligned spec, then the tasks not yet reached are predicted again from the new specs (a task
inserted after the current step is reached), and the result is serialized and loaded with the
target definition, so a run it returns is one that loads again.
"""

from __future__ import annotations

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

# SpiffWorkflow's spec attributes → words for the reasons.
ATTRIBUTE_LABELS = {
    "typename": "类型", "bpmn_name": "名称", "bpmn_id": "编号", "name": "编号",
    "documentation": "说明", "lane": "泳道", "event_definition": "计时器",
    "inputs": "前序连线", "outputs": "后续连线", "cond_task_specs": "分支条件",
    "default_task_spec": "默认分支", "form": "表单", "script": "脚本",
    "prescript": "前置脚本", "postscript": "后置脚本", "spec": "被调用流程",
    "cancel_activity": "是否中断", "extensions": "扩展属性",
}


class MigrationRefused(ValueError):
    """The case cannot be moved safely; `reasons` say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
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


def _label(spec: Any) -> str:
    return spec.bpmn_name or spec.bpmn_id or spec.name


def _task_label(task: Any) -> str:
    """「超期预警」 of a boundary event reads 「联系评价人」的「超期预警」."""
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) \
            and hasattr(task.task_spec, "event_definition"):
        main = next((t for t in parent.children
                     if not hasattr(t.task_spec, "event_definition")), None)
        if main is not None:
            return f"「{_label(main.task_spec)}」的「{_label(task.task_spec)}」"
    return f"「{_label(task.task_spec)}」"


def _process(workflow: Any) -> str:
    """A process for the reasons: 「差评处置」流程."""
    return f"「{workflow.spec.description or workflow.spec.name}」流程"


def _what(changes: list[str]) -> str:
    return "、".join(dict.fromkeys(ATTRIBUTE_LABELS.get(c, c) for c in changes))


def _removed_reasons(part: _Part) -> list[str]:
    reasons = []
    for task in part.diff.removed:
        if task.has_state(TaskState.FINISHED_MASK):
            when = "已办理的"
        elif task.has_state(OPEN):
            when = "当前的"
        else:
            when = "后续的"
        reasons.append(f"{_process(part.workflow)}中{when}{_task_label(task)}在目标版本中已删除")
    return reasons


def _open_changed_reasons(part: _Part) -> list[str]:
    reasons = []
    changed = part.spec_diff.changed
    for task in part.diff.changed:
        if task.has_state(OPEN) and not set(changed[task.task_spec]) <= WORDING:
            what = _what(changed[task.task_spec])
            reasons.append(f"{_process(part.workflow)}中进行中的{_task_label(task)}"
                           f"已修改（{what}），迁移需重置该步骤并丢失其时限")
    for task in part.workflow.get_tasks(state=TaskState.READY | TaskState.STARTED,
                                        skip_subprocesses=True):
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) \
                and parent.task_spec in changed:
            reasons.append(f"{_process(part.workflow)}中进行中的{_task_label(task)}"
                           "上的边界事件（计时器）已增删")
    return reasons


def _reasons(part: _Part) -> list[str]:
    if part.diff is None:
        return [f"被调用的流程 {part.workflow.spec.name} 在目标版本中已不存在"]
    return _removed_reasons(part) + _open_changed_reasons(part)


def _group_reasons(run: CaseRun, target: ProcessDefinition) -> list[str]:
    """Open steps whose group changed by camunda:candidateGroups, which SpiffWorkflow does not
    keep (so its diff cannot see it)."""
    reasons = []
    for view in run.user_tasks():
        new = target.tasks.get((view.info.process_id, view.step))
        if new is not None and new.group != view.info.group:
            old_name, new_name = (GROUP_NAMES.get(g or "", g) for g in (view.info.group, new.group))
            reasons.append(f"进行中的「{view.info.title}」改由其他岗位办理"
                           f"（{old_name} → {new_name}）")
    return reasons


def assess(run: CaseRun, target: ProcessDefinition) -> list[str]:
    """Why the run cannot be moved to `target` (empty when it can, and when it is already on
    it: nothing to do)."""
    if _same(run, target):
        return []
    if target.process_id != run.definition.process_id:
        return [f"目标版本的流程是 {target.process_id}，不是 {run.definition.process_id}"]
    reasons: list[str] = []
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
