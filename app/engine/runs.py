"""One case's workflow run (流程实例): start, load, complete user tasks, fire due timers, dump.

Every operation that moves the workflow returns the timers that fired on the way, so that the
caller can record them (超期预警, 超期督办) in the same transaction that saves the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from app.engine.definitions import ProcessDefinition, TaskInfo
from app.engine.forms import FormInvalid, validate_form
from app.engine.halting import halting
from app.engine.scripting import script_engine
from app.engine.steps import engine_task_ready, ready_tasks, run_engine_steps
from app.engine.timing import (
    ONE_SECOND,
    CaseClock,
    Rules,
    TimerHelpers,
    rule_key_of,
    timer_kind,
)


class TaskNotReady(LookupError):
    """The task does not exist or is not waiting for a person (完成过或已取消)."""


@dataclass(frozen=True)
class PendingTimer:
    """A timer waiting to fire: its task id, BPMN id and name, kind (warning / overdue /
    deadline / timer), due instant (aware), rule key and the user task it is attached to."""

    task_id: str
    event: str
    name: str
    kind: str
    due_at: datetime
    rule_key: str | None
    attached_step: str | None
    attached_task_id: str | None


@dataclass(frozen=True)
class FiredTimer:
    """A timer that fired, and the deadline (办理期限) of the step it is on: its overdue timer's
    instant less a second, else its plain deadline timer's instant (None when it has neither),
    as the step's task row keeps it."""

    timer: PendingTimer
    fired_at: datetime
    deadline: datetime | None = None


@dataclass(frozen=True)
class RetimedTimer:
    """A pending timer moved by 期限重算 (deadline recomputed): as it was, and as it is."""

    before: PendingTimer
    after: PendingTimer


@dataclass(frozen=True)
class UserTaskView:
    """A user task waiting for a person, with the timers on it."""

    task_id: str
    info: TaskInfo
    data: Mapping[str, Any]
    timers: tuple[PendingTimer, ...] = field(default=())

    @property
    def step(self) -> str:
        return self.info.step

    def timer(self, kind: str) -> PendingTimer | None:
        return next((t for t in self.timers if t.kind == kind), None)


class CaseRun:
    """A workflow of `definition` for one case, its timers counted by `clock`."""

    def __init__(self, definition: ProcessDefinition, workflow: BpmnWorkflow,
                 clock: CaseClock) -> None:
        self.definition, self.workflow, self.clock = definition, workflow, clock
        self._views: list[UserTaskView] | None = None  # user_tasks() until the run moves
        self._attach(workflow)

    def _attach(self, workflow: BpmnWorkflow) -> None:
        helpers = TimerHelpers(self.clock)
        workflow.script_engine = script_engine(helpers.environment(), helpers.bound)

    @classmethod
    def start(cls, definition: ProcessDefinition, clock: CaseClock,
              data: Mapping[str, Any]) -> tuple[CaseRun, list[FiredTimer]]:
        """A new workflow with `data` as its process variables, run up to its first waits."""
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
        run = cls(definition, workflow, clock)
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None:
            start.data.update(dict(data))
        workflow.data.update(dict(data))
        return run, run._advance()

    @classmethod
    def load(cls, definition: ProcessDefinition, state: str, clock: CaseClock) -> CaseRun:
        return cls(definition, definition.serializer.loads(state), clock)

    @classmethod
    def resume(cls, definition: ProcessDefinition, workflow: BpmnWorkflow,
               clock: CaseClock) -> CaseRun:
        """A run on a workflow kept from an earlier change (its clock replaced by `clock`)."""
        return cls(definition, workflow, clock)

    def dump(self) -> str:
        return self.definition.serializer.dumps(self.workflow)

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    # -- tasks ---------------------------------------------------------------------------

    def _ready_user_tasks(self) -> Iterable[Any]:
        """Ready user tasks, called processes' included (the top workflow lists them all)."""
        for task in ready_tasks(self.workflow, manual=True):
            if isinstance(task.task_spec, UserTask):
                yield task

    def user_tasks(self) -> list[UserTaskView]:
        """Tasks waiting for a person, each with its boundary timers (waiting or already
        fired: a task that began after its deadline still shows it)."""
        if self._views is None:
            views = []
            for task in self._ready_user_tasks():
                info = self.definition.task(task.workflow.spec.name, task.task_spec.bpmn_id)
                views.append(UserTaskView(str(task.id), info, task.data, self._timers_on(task)))
            self._views = views
        return list(self._views)

    def _timers_on(self, task: Any) -> tuple[PendingTimer, ...]:
        found = []
        for sibling in _boundary_siblings(task):
            definition = getattr(sibling.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and sibling.state in (
                    TaskState.WAITING, TaskState.COMPLETED, TaskState.READY):
                described = self._describe(sibling)
                if described:
                    found.append(described)
        return tuple(found)

    def user_task(self, task_id: str) -> UserTaskView:
        for view in self.user_tasks():
            if view.task_id == task_id:
                return view
        raise TaskNotReady(task_id)

    def complete(self, task_id: str, data: Mapping[str, Any],
                 check: Callable[[dict], None] | None = None) -> tuple[dict, list[FiredTimer]]:
        """Validate `data` against the task's form (FormInvalid), let `check` refuse the
        cleaned data (it raises FormInvalid), then complete the task and run on. Returns the
        cleaned data and the timers that fired. A form refused is still checked on what it
        got right, so that one answer carries every message."""
        view = self.user_task(task_id)
        try:
            clean = validate_form(view.info.form, data, view.info.schema)
        except FormInvalid as refused:
            raise _with_checks(refused, check) from None
        if check is not None:
            check(clean)
        task = self.workflow.get_task_from_id(UUID(task_id))
        self._views = None
        task.data.update(clean)
        with halting(_attached_task):
            task.run()
        return clean, self._advance()

    # -- timers --------------------------------------------------------------------------

    def _timer_tasks(self) -> list[Any]:
        """Waiting timers; the top workflow's event manager holds the called processes' too."""
        return [task for task in self.workflow.event_manager.tasks.values()
                if isinstance(task.task_spec.event_definition, TimerEventDefinition)]

    def timers(self) -> list[PendingTimer]:
        """The timers waiting to fire (with their evaluated due instants)."""
        return [t for t in (self._describe(task) for task in self._timer_tasks()) if t]

    def _describe(self, task: Any) -> PendingTimer | None:
        value = task.internal_data.get("event_value")
        if not value:
            return None
        spec = task.task_spec
        expression = spec.event_definition.expression
        attached = _attached_task(task)
        return PendingTimer(
            task_id=str(task.id), event=spec.bpmn_id or spec.name,
            name=spec.bpmn_name or spec.event_definition.name or "", kind=timer_kind(expression),
            due_at=datetime.fromisoformat(value),
            rule_key=rule_key_of(expression, attached.data if attached else task.data),
            attached_step=attached.task_spec.bpmn_id if attached else None,
            attached_task_id=str(attached.id) if attached else None)

    def retime(self, started: Mapping[str, datetime],
               rules: Mapping[str, Rules] | None = None) -> list[RetimedTimer]:
        """期限重算: evaluate again the timeDate of each waiting timer on the user tasks in
        `started` (task id → when the step began, the instant its timers were first
        evaluated), with the clock's now set to that instant and its rules those the step
        began with (`rules`: task id → rules, where they differ from the clock's): as if the
        calendar in force now had been in force then. The new instant replaces the cached one
        (`event_value`, which SpiffWorkflow's has_fired reads instead of evaluating again, and
        which the state keeps); timers that fired stay as they fired. Returns the timers that
        moved."""
        moved = []
        for task in self._timer_tasks():
            attached = _attached_task(task)
            at = started.get(str(attached.id)) if attached is not None else None
            before = self._describe(task) if at is not None else None
            if before is None or not isinstance(task.task_spec.event_definition,
                                                TimeDateEventDefinition):
                continue
            value = self._evaluate_at(task, at, (rules or {}).get(str(attached.id)))
            if datetime.fromisoformat(value) != before.due_at:
                task.internal_data["event_value"] = value
                moved.append(RetimedTimer(before, self._describe(task)))
        self._views = None
        return moved

    def _evaluate_at(self, task: Any, now: datetime, rules: Rules | None = None) -> str:
        """A timer's timeDate expression evaluated on its task's data, the clock at `now`
        (and on `rules`, when given)."""
        clock = replace(self.clock, now=lambda: now, rules=rules or self.clock.rules)
        helpers = TimerHelpers(clock)
        with halting(_attached_task):
            engine = script_engine(helpers.environment(), helpers.bound)
            value = engine.evaluate(task, task.task_spec.event_definition.expression)
        datetime.fromisoformat(value)  # ValueError for anything but an ISO instant
        return value

    def fire_due(self) -> list[FiredTimer]:
        """Fire every timer that is due now and run on; returns the timers that fired."""
        return self._advance(refresh=True)

    def _advance(self, refresh: bool = False) -> list[FiredTimer]:
        """Run engine steps until only people's tasks and future timers remain; the timers
        that fired on the way, including those created and already due during this run."""
        fired: list[Any] = []
        self._views = None

        def note(task: Any) -> None:
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition):
                fired.append(task)

        with halting(_attached_task):
            if refresh:
                self.workflow.refresh_timers()
            for _ in range(20):
                run_engine_steps(self.workflow, did_complete_task=note)
                now = self.clock.now()
                if not engine_task_ready(self.workflow) and not any(
                        _is_due(t, now) for t in self._timer_tasks()):
                    break
                self.workflow.refresh_timers()
        now = self.clock.now()
        described = ((self._describe(task), task) for task in fired)
        return sorted((FiredTimer(t, now, _step_deadline(task)) for t, task in described if t),
                      key=lambda f: f.timer.due_at)


def _is_due(task: Any, now: datetime) -> bool:
    """SpiffWorkflow fires a timer once its instant has passed (strictly)."""
    value = task.internal_data.get("event_value")
    return bool(value) and datetime.fromisoformat(value) < now


def _boundary_siblings(task: Any) -> list[Any]:
    """An activity and the boundary events on it share a parent, the boundary split; outside
    one, nothing."""
    parent = task.parent
    if parent is None or "BoundaryEventSplit" not in type(parent.task_spec).__name__:
        return []
    return parent.children


def _step_deadline(timer_task: Any) -> datetime | None:
    """The deadline of the step a timer is on, from the step's timers (fired or waiting):
    the overdue timer's instant less one second, else the plain deadline timer's instant."""
    values: dict[str, str] = {}
    for task in _boundary_siblings(timer_task) or [timer_task]:
        definition = getattr(task.task_spec, "event_definition", None)
        value = task.internal_data.get("event_value")
        if isinstance(definition, TimerEventDefinition) and value:
            values.setdefault(timer_kind(definition.expression), value)
    if "overdue" in values:
        return datetime.fromisoformat(values["overdue"]) - ONE_SECOND
    return datetime.fromisoformat(values["deadline"]) if "deadline" in values else None


def _attached_task(timer_task: Any) -> Any:
    """The activity a boundary timer sits on (its sibling under the boundary split)."""
    for sibling in _boundary_siblings(timer_task):
        if sibling is not timer_task and not hasattr(sibling.task_spec, "event_definition"):
            return sibling
    return None


def _with_checks(refused: FormInvalid, check: Callable[[dict], None] | None) -> FormInvalid:
    """The form's refusal, with what `check` says of the fields that passed the form."""
    if check is None:
        return refused
    try:
        check(refused.valid)
    except FormInvalid as more:
        return refused.merged(more)
    return refused
