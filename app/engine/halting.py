"""A process that cannot go on (流程无法继续): an error inside the diagram's own work.

After a person completes a task, or a timer fires, the engine runs the diagram's automatic
parts: scripts, gateway conditions, and the timers of the steps that become ready, whose
instants come from the rule files (`deadline("feedback")`). When one of them fails (a rule key
the rule files no longer define, a script that breaks on this case's data), nobody's input
is at fault and nothing of the change may be kept. `halting` turns SpiffWorkflow's exception
into `ProcessHalted`, naming the element and the reason, so the callers can say so (and roll
back) instead of failing with an internal error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from SpiffWorkflow.exceptions import WorkflowException


class ProcessHalted(RuntimeError):
    """The diagram's automatic work failed at `element` (a BPMN id, named `name`) for
    `reason`; `step` and `step_name`: the activity a failing boundary timer sits on."""

    def __init__(self, element: str | None, name: str | None, reason: str,
                 step: str | None = None, step_name: str | None = None) -> None:
        self.element, self.name, self.reason = element, name, reason
        self.step, self.step_name = step, step_name
        where = _label(element, name)
        if step:
            where += f" of {_label(step, step_name)}"
        super().__init__(f"the process cannot go on at {where}: {reason}")


def _label(element: str | None, name: str | None) -> str:
    return f"{element} ({name})" if name and name != element else (element or "?")


@contextmanager
def halting(attached: Callable[[Any], Any] | None = None) -> Iterator[None]:
    """Run engine work; a SpiffWorkflow error in it is raised as ProcessHalted. `attached`
    gives the activity a boundary event's task sits on (None for other tasks)."""
    try:
        yield
    except WorkflowException as exc:
        raise _halted(exc, attached) from exc


def _halted(exc: WorkflowException, attached: Callable[[Any], Any] | None) -> ProcessHalted:
    spec = exc.task_spec
    element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    name = getattr(spec, "bpmn_name", None)
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, KeyError) and cause.args:
        reason = str(cause.args[0])  # str(KeyError) would quote it
    elif cause is not None and str(cause):
        reason = str(cause)
    else:
        reason = str(exc)
    task = getattr(exc, "task", None)
    on = attached(task) if attached is not None and task is not None else None
    step = on.task_spec if on is not None else None
    return ProcessHalted(element, name, reason, getattr(step, "bpmn_id", None),
                         getattr(step, "bpmn_name", None))
