"""Moving a case through its process (差评工单办理): start it, complete its tasks, fire its timers.

Each function is one change of one case, done in the caller's transaction, which the caller
commits (or rolls back: then nothing of the change is kept). A change first claims the case by
bumping its version (`UPDATE ... WHERE version = :seen`): of two concurrent changes one wins,
the other gets `Conflict`. State, events, tasks and timers are written together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.cases import assignment, events, formchecks, runcache, writes
from app.cases.models import CLOSED, IN_PROGRESS, STAFF_DETERMINATIONS, Case
from app.cases.projection import sync_tasks, sync_timers
from app.engine import CaseClock, CaseRun, FiredTimer, TaskNotReady
from app.extensions import db
from app.processes import service as processes
from app.rules import service as rules_service

SUMMARY_FIELDS = ("determination", "rectify_class", "revisit_result")
TIMER_ACTOR = "scheduler"  # who a fired timer's events are by (定时任务)


class Conflict(RuntimeError):
    """Someone else changed the case first (or the task is no longer open): HTTP 409."""


def clock_for(case: Case, now: datetime) -> CaseClock:
    rules = rules_service.current().get(case.jurisdiction)
    return CaseClock(case.received_at, case.region_code, rules, now=lambda: now)


def start_data(case: Case) -> dict[str, Any]:
    """The process variables of a new case (no reviewer personal data, see docs/process.md)."""
    review = case.review
    return {
        "case_number": case.number, "jurisdiction": case.jurisdiction,
        "region_code": case.region_code, "responsibility": case.responsibility,
        "rated_object": review.rated_object, "dispatch": case.dispatch,
        "department_code": case.department_code, "department_name": case.department_name,
        "level": review.level, "tags": list(review.tags or []),
        "received_at": case.received_at.isoformat(), "extended_until": None,
        "reopened": False, "determination": None, "rectify_class": None,
        "appeal_result": None, "staff_determination": None,
    }


def claim(case: Case) -> int:
    """Bump the case's version, or Conflict when it moved since it was read. Returns the
    version the case had (the one its saved workflow belongs to)."""
    seen = case.version
    if not writes.claim(case.id, seen):
        raise _changed(case)
    set_committed_value(case, "version", seen + 1)
    return seen


def claim_open(case: Case) -> tuple[int, list[Row]]:
    """`claim`, and the case's open task rows (in the same round trip on PostgreSQL)."""
    seen = case.version
    rows = writes.claim_with_open_tasks(case.id, seen)
    if rows is None:
        raise _changed(case)
    set_committed_value(case, "version", seen + 1)
    return seen, rows


def _changed(case: Case) -> Conflict:
    return Conflict(f"case {case.number} was changed by someone else; reload and retry")


def start(case: Case, now: datetime, actor: str = "system") -> list[FiredTimer]:
    """Start the case on the current process version of its jurisdiction."""
    claim(case)
    version = processes.current(case.jurisdiction)
    run, fired = CaseRun.start(processes.definition(version), clock_for(case, now),
                               start_data(case))
    writes.set_fields(case, process_version_id=version.id, status=IN_PROGRESS)
    log = [events.row(case.id, "started", actor, now,
                      data={"process_version": version.label})]
    _after(case, run, fired, now, actor, log, open_rows=[], timers_before=frozenset())
    return fired


def timer_ids(run: CaseRun) -> frozenset[str]:
    """The task ids of the run's pending timers: its timer rows, as the last change left them."""
    return frozenset(t.task_id for t in run.timers())


def load(case: Case, now: datetime, seen: int | None = None,
         state: str | None = None) -> CaseRun:
    """The case's workflow run: the one kept in this process when the case is still at
    version `seen` (see runcache), else deserialized from its saved `state` (read here when
    the caller did not read it along with the case)."""
    definition = processes.definition_by_id(case.process_version_id)
    clock = clock_for(case, now)
    workflow = runcache.cache.take(case.id, seen, case.process_version_id) if seen else None
    if workflow is not None:
        return CaseRun.resume(definition, workflow, clock)
    if state is None:
        state = writes.state_of(case.id)
    if state is None:
        raise Conflict(f"case {case.number} has not started yet")
    return CaseRun.load(definition, state, clock)


def complete(case: Case, task_id: str, data: Mapping[str, Any], user: User | None,
             now: datetime) -> dict[str, Any]:
    """Complete an open task with form data (FormInvalid when it does not fit the form).
    A task completed after its deadline is accepted and recorded as late (逾期办理)."""
    seen, open_rows = claim_open(case)
    row = next((r for r in open_rows if r.task_id == task_id), None)
    if row is None:
        raise Conflict(f"task {task_id} is not open")
    run = load(case, now, seen)
    pending = run.timers()
    before = frozenset(t.task_id for t in pending)
    # Timers already due (the scheduler has not come by yet) fire first, in this change: a
    # step completed after its deadline is still marked overdue and escalated (督办).
    due = run.fire_due() if any(t.due_at < now for t in pending) else []
    try:
        view = run.user_task(task_id)
    except TaskNotReady:
        raise Conflict(f"task {task_id} is not open") from None
    late = row.due_at is not None and now > row.due_at
    clean, fired = run.complete(
        task_id, formchecks.applicable(data, view),
        check=lambda c: formchecks.check(c, now, run.clock, row.due_at, view, row.created_at))
    actor = user.username if user else "system"
    log = _apply_fired(case, run, due, now, open_rows) if due else []
    log.append(events.row(case.id, "completed", actor, now, step=view.step,
                          title=view.info.title, task_id=task_id, late=late, data=clean))
    _summarise(case, clean)
    _after(case, run, fired, now, actor, log, open_rows, done_task_id=task_id,
           done_by=user.id if user else None, late=late, timers_before=before,
           keeper=(row, user) if user else None, fired_before=due)
    return clean


def fire_due(case: Case, now: datetime, actor: str = "scheduler",
             state: str | None = None) -> list[FiredTimer]:
    """Fire the case's timers that are due at `now` (`state`: its saved workflow, when the
    caller read it with the case)."""
    seen, open_rows = claim_open(case)
    run = load(case, now, seen, state)
    before = timer_ids(run)
    fired = run.fire_due()
    _after(case, run, fired, now, actor, [], open_rows, timers_before=before)
    return fired


def _summarise(case: Case, clean: Mapping[str, Any]) -> None:
    writes.set_fields(case, **{name: clean[name] for name in SUMMARY_FIELDS if clean.get(name)})
    if clean.get("department_code"):  # hotline dispatch (派单) names the department
        writes.set_fields(case, department_code=clean["department_code"],
                          department_name=clean.get("department_name") or case.department_name)
    if clean.get("appeal_result") == "upheld":
        writes.set_fields(case, invalid=True)
    elif clean.get("appeal_result") == "rejected":
        writes.set_fields(case, determination="valid")  # 申诉不成立，按属实处理
    _staff_outcome(case, clean.get("staff_determination"))


def _staff_outcome(case: Case, decided: str | None) -> None:
    """A staff review's outcome (复核认定) as the case's determination: valid → 属实; invalid →
    差评无效（人员复核）, and the rating leaves the figures (`invalid`)."""
    determination = STAFF_DETERMINATIONS.get(decided or "")
    if determination is None:
        return
    writes.set_fields(case, determination=determination)
    if decided == "invalid":
        writes.set_fields(case, invalid=True)


def _staff_outcome_of_timers(case: Case, run: CaseRun) -> None:
    """A staff review a timer decided (the re-check window ran out: `no_recheck` sets it
    valid): the outcome is in the data of the step the timer opened (书面检讨及整改)."""
    if case.responsibility != "staff" or case.determination is not None:
        return
    for view in run.user_tasks():
        if view.data.get("staff_determination"):
            _staff_outcome(case, view.data["staff_determination"])
            return


def save_change(case: Case, run: CaseRun, now: datetime, actor: str,
                log: list[dict[str, Any]], open_rows: list[Row] | None = None,
                timers_before: frozenset[str] | None = None,
                retimed: frozenset[str] = frozenset()) -> None:
    """Save a change made to the run outside this module (e.g. moved to another version,
    re-timed): tasks, timers, the events in `log` and the state, as every change does.
    `open_rows` and `timers_before` as `claim_open` and `timer_ids` gave them before the
    change, if the caller has them; `retimed`: the tasks whose timers were re-timed."""
    if open_rows is None:
        open_rows = writes.open_tasks(case.id)
    _after(case, run, [], now, actor, log, open_rows, timers_before=timers_before,
           retimed=retimed)


def _after(case: Case, run: CaseRun, fired: list[FiredTimer], now: datetime, actor: str,
           log: list[dict[str, Any]], open_rows: list[Row], done_task_id: str | None = None,
           done_by: int | None = None, late: bool = False,
           timers_before: frozenset[str] | None = None,
           keeper: tuple[Row, User] | None = None,
           retimed: frozenset[str] = frozenset(),
           fired_before: list[FiredTimer] | None = None) -> None:
    """Record fired timers, bring tasks and timers in step, save the state: one `Change`,
    written in the change's transaction (the workflow is kept in this process once it
    commits). `keeper`: the task row a person completed, and the person, who keeps the
    steps it opens for the same group (assignment.keep_with); `retimed`: the tasks whose
    timers were re-timed (期限重算), whose rows take their new deadlines; `fired_before`:
    timers that fired before the task was completed, whose events `log` has already."""
    with db.session.no_autoflush:
        log += _apply_fired(case, run, fired, now, open_rows, fired_before)
        if fired or fired_before:
            _staff_outcome_of_timers(case, run)
        flags = frozenset((f.timer.attached_task_id or "", f.timer.kind)
                          for f in (fired_before or []) + fired)
        change = writes.Change(case, run.dump(), now)
        sync_tasks(case, run, now, change, done_task_id, done_by, late, open_rows, flags,
                   retimed)
        sync_timers(change, run.timers(), timers_before, retimed)
        if keeper is not None:
            assignment.keep_with(*keeper, change.new_tasks, now, log)
        if run.completed and case.status != CLOSED:
            writes.set_fields(case, status=CLOSED, closed_at=now)
            log.append(events.row(case.id, "closed", actor, now,
                                  data={"invalid": bool(case.invalid)}))
        change.events = log
        writes.apply(change)
        runcache.cache.keep_on_commit(db.session(), case.id, case.version,
                                      case.process_version_id, run.workflow)


def _apply_fired(case: Case, run: CaseRun, fired: list[FiredTimer], now: datetime,
                 open_rows: list[Row], earlier: list[FiredTimer] | None = None
                 ) -> list[dict[str, Any]]:
    """The events of the timers that fired (超期预警, 超期 and 督办), and the case's first
    warning and overdue instants (the task rows' flags are set by `sync_tasks`). Their actor
    is the timer (定时任务), also when one comes due in a person's change. A warning or an
    escalation already given on the case for the same deadline (`told`: a step the process
    came back to, or the next step counted on the same rule) is not given again; `earlier`:
    timers that fired before, in this change."""
    if not fired:
        return []
    log: list[dict[str, Any]] = []
    titles = _step_titles(run, open_rows)
    given = _told(case, run, fired, earlier or [])
    actor = TIMER_ACTOR
    for item in fired:
        timer = item.timer
        if timer.kind in ("warning", "overdue") and item.deadline is not None:
            keys = _deadline_keys(item, case, run)
            if keys & given:
                continue  # told already: the step's row is flagged all the same (sync_tasks)
            given.update(keys)
        where = {"step": timer.attached_step, "task_id": timer.attached_task_id,
                 "title": titles.get(timer.attached_task_id or "")}
        if timer.kind == "warning":
            writes.set_fields(case, warned_at=case.warned_at or now)
            log.append(events.row(case.id, "warning", actor, now, **where,
                                  data=events.warning_data(timer, item.deadline)))
        elif timer.kind == "overdue":
            data = events.overdue_data(timer, item.deadline)
            writes.set_fields(case, overdue_at=case.overdue_at or now)
            log.append(events.row(case.id, "overdue", actor, now, **where, data=data))
            log.append(events.row(case.id, "escalated", actor, now, **where,
                                  data={"to": "agency", **data}))
        else:
            log.append(events.row(case.id, "timer", actor, now, step=timer.attached_step,
                                  title=timer.name, data=events.timer_data(timer)))
    return log


def _deadline_key(item: FiredTimer) -> tuple[str, str | None, datetime | None]:
    """What a warning or an overdue timer tells: (kind, rule key, the step's deadline)."""
    return item.timer.kind, item.timer.rule_key, item.deadline


def _deadline_keys(item: FiredTimer, case: Case, run: CaseRun
                   ) -> set[tuple[str, str | None, datetime | None]]:
    """`_deadline_key`, and for a rule due with the rectification (`within_rectify`, 反馈随整改
    时限) the same (kind, deadline) under the case's rectify.<class>: a reply due at the very
    deadline the rectify step was warned of is that deadline, told once."""
    keys = {_deadline_key(item)}
    key, klass = item.timer.rule_key, case.rectify_class
    if key and klass and _within_rectify(run, key):
        keys.add((item.timer.kind, f"rectify.{klass}", item.deadline))
    return keys


def _within_rectify(run: CaseRun, key: str) -> bool:
    try:
        return bool(getattr(run.clock.rules.deadline(key), "within_rectify", False))
    except LookupError:
        return False


def _told(case: Case, run: CaseRun, fired: list[FiredTimer], earlier: list[FiredTimer]
          ) -> set[tuple[str, str | None, datetime | None]]:
    """The (kind, rule key, deadline) already warned or escalated on the case: those of the
    task rows flagged so (read only when the case was warned, or escalated, before and such a
    timer fired now) and of the timers that fired `earlier` in this change."""
    told = {k for f in earlier if f.timer.kind in ("warning", "overdue")
            for k in _deadline_keys(f, case, run)}
    kinds = {f.timer.kind for f in fired}
    if ("warning" in kinds and case.warned_at) or ("overdue" in kinds and case.overdue_at):
        for row in writes.flagged_tasks(case.id):
            if row.warned:
                told.add(("warning", row.rule_key, row.due_at))
            if row.overdue:
                told.add(("overdue", row.rule_key, row.due_at))
    return told


def _step_titles(run: CaseRun, open_rows: list[Row]) -> dict[str, str]:
    """Task id → step title, of the tasks open before the change and those open after it
    (a timer can come due on a step the change has just opened)."""
    titles = {r.task_id: r.title for r in open_rows}
    titles.update((v.task_id, v.info.title) for v in run.user_tasks())
    return titles
