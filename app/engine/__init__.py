"""The process engine (流程引擎): runs a case's BPMN diagrams with SpiffWorkflow 3.2.

A plain library (no Flask): the cases package calls it, nothing else touches SpiffWorkflow.
- `definitions.ProcessDefinition`: a deployed set of diagram files, parsed once and cached by hash.
- `runs.CaseRun`: one case's workflow: start, load, complete a task, fire due timers, re-time
  pending timers (期限重算), dump.
- `timing`: the timer helpers `deadline()`, `warning()`, `overdue()` on the working-day calendar.
- `forms`: the user tasks' camunda:formData fields and their validation.
- `halting.ProcessHalted`: the diagram's own work failed (a rule key gone, a script error).
- `expressions`, `scripting`: the safe subset of Python conditions, scripts and timer dates
  keep to, and the script engine that runs only that, without builtins.
"""

from app.engine.definitions import DiagramError, ProcessDefinition, definition_for
from app.engine.forms import FormField, FormInvalid
from app.engine.halting import ProcessHalted
from app.engine.runs import (
    CaseRun,
    FiredTimer,
    PendingTimer,
    RetimedTimer,
    TaskNotReady,
    UserTaskView,
)
from app.engine.timing import CaseClock, TimerHelpers, timer_kind

__all__ = [
    "CaseClock", "CaseRun", "DiagramError", "FiredTimer", "FormField", "FormInvalid",
    "PendingTimer", "ProcessDefinition", "ProcessHalted", "RetimedTimer", "TaskNotReady",
    "TimerHelpers", "UserTaskView", "definition_for", "timer_kind",
]
