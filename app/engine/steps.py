"""Engine steps (引擎自动步骤): what SpiffWorkflow's `BpmnWorkflow.do_engine_steps` does, with
a cheaper way to find the ready tasks.

SpiffWorkflow finds them by walking the task tree (`get_tasks(state=READY)`), once for every
called process and once for the top workflow on every pass, and a completion takes several
passes. Usually one task or none is ready, and a scan of the workflows' task tables finds it
for much less. When the scan finds more than one, they are taken from the tree walk, in its
order, as SpiffWorkflow runs them. The passes are SpiffWorkflow 3.2's: called processes
deepest first, each until nothing more runs, then its calling task updated, then the top
workflow, until a pass runs nothing and starts no called process; then the timers are
refreshed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.util.task import TaskState

READY = TaskState.READY
VERIFY = False
"""Tests set this: every scan is checked against the tree walk (AssertionError if they
differ)."""


def ready_tasks(workflow: Any, manual: bool) -> list[Any]:
    """The ready tasks of `workflow` (the top workflow or a called process, with the called
    processes inside it) that people work (`manual`) or the engine runs, in tree order."""
    tables = _tables(workflow)
    if tables is None:
        return _walk(workflow, manual)
    found = [task for table in tables for task in table.values()
             if task.state == READY and bool(task.task_spec.manual) is manual]
    if len(found) > 1:
        return _walk(workflow, manual)
    if VERIFY:
        walked = _walk(workflow, manual)
        assert found == walked, f"scan {found} != tree walk {walked}"
    return found


def engine_task_ready(workflow: Any) -> bool:
    """Whether the engine has a task to run in the top `workflow` or a called process."""
    return any(task.state == READY and not task.task_spec.manual
               for table in _all_tables(workflow) for task in table.values())


def _walk(workflow: Any, manual: bool) -> list[Any]:
    return [task for task in workflow.get_tasks(state=READY)
            if bool(task.task_spec.manual) is manual]


def _tables(workflow: Any) -> list[dict] | None:
    """The task tables the tree walk from `workflow` reaches: from the top workflow, every
    called process's too; from a called process, its own, unless processes are nested in it
    (not in our diagrams; None: walk the tree)."""
    top = workflow.top_workflow
    if workflow is top:
        return _all_tables(top)
    if any(sub.depth > workflow.depth for sub in top.subprocesses.values()):
        return None
    return [workflow.tasks]


def _all_tables(top: Any) -> list[dict]:
    return [top.tasks, *(sub.tasks for sub in top.subprocesses.values())]


def run_engine_steps(workflow: Any, did_complete_task: Callable[[Any], None] | None = None,
                     ) -> None:
    """`workflow.do_engine_steps(did_complete_task=...)`, on the top workflow."""
    while _one_pass(workflow, did_complete_task):
        pass
    workflow.refresh_timers()


def _one_pass(top: Any, done: Callable[[Any], None] | None) -> bool:
    active = top.get_active_subprocesses()
    for sub in sorted(active, key=lambda s: s.depth, reverse=True):
        while _run_ready(sub, done):
            pass
        if sub.parent_task_id is not None:
            caller = top.get_task_from_id(sub.parent_task_id)
            caller.task_spec._update(caller)
    ran = _run_ready(top, done)
    return ran > 0 or len(top.get_active_subprocesses()) > len(active)


def _run_ready(workflow: Any, done: Callable[[Any], None] | None) -> int:
    tasks = ready_tasks(workflow, manual=False)
    for task in tasks:
        task.run()
        if done is not None:
            done(task)
    return len(tasks)
