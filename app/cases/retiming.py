"""期限重算 (deadline recomputed): the pending timers of steps whose deadline was counted past
the published calendar (暂定, weekends only), counted again once the calendar covers it.

A step's timers are evaluated once, when the step begins, and the workflow keeps the instants.
When the process owner adds next year's calendar file, the scheduler finds the open tasks whose
provisional due day the calendar now covers (`provisional_cases`, one query on a partial
index) and re-times each of their cases (`retime`), in one transaction like every change of a
case: each timer evaluated again as at the step's start (the task row's `created_at`, the
instant the change that opened the step evaluated its timers) with the rules it was evaluated
with then (the task row's rule version: an edit of the rule files since does not move it), the
task and timer rows moved, one timeline event. Timers that fired stay fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Row, TextClause, bindparam, text

from app import workdays
from app.cases import events, lifecycle
from app.cases.models import Case
from app.cases.projection import deadline_of
from app.cases.records import PROVISIONAL_OPEN, CaseTask
from app.dbutil import is_postgres
from app.engine import CaseRun, RetimedTimer
from app.extensions import db
from app.rules.history import rules_at
from app.workdays import SHANGHAI

KIND = "retimed"
INDEX = "ix_case_tasks_provisional"


@cache
def _due_covered(postgres: bool) -> TextClause:
    """The query of `provisional_cases`. SQLite's planner, which knows nothing of how few
    rows the partial index holds, preferred an index on (state, due_at) and read every open
    task (100 ms for 100,000 of them): it is told which index to use (INDEXED BY, an error
    if the index cannot serve the query). PostgreSQL chooses it by itself."""
    hint = "" if postgres else f" INDEXED BY {INDEX}"
    return text(
        f"SELECT DISTINCT case_id FROM case_tasks{hint} WHERE {PROVISIONAL_OPEN} "
        "AND due_at < :after ORDER BY case_id LIMIT :limit",
    ).bindparams(bindparam("after", type_=CaseTask.__table__.c.due_at.type))


def _day_after(covered: date) -> datetime:
    """00:00 Beijing time of the day after the calendar's last day."""
    return datetime.combine(covered + timedelta(days=1), time(0, 0), SHANGHAI)


def provisional_cases(covered: date, limit: int = 500) -> list[int]:
    """The cases with an open task on a provisional deadline whose due day is now covered
    (through `covered`, `workdays.coverage()`): what 期限重算 has to do. Reads only the
    partial index `ix_case_tasks_provisional`, whatever the number of open cases."""
    rows = db.session.execute(_due_covered(is_postgres()),
                              {"after": _day_after(covered), "limit": limit})
    return [case_id for (case_id,) in rows]


def retime(case: Case, now: datetime, actor: str = lifecycle.TIMER_ACTOR,
           ) -> list[RetimedTimer] | None:
    """Re-time the case's open provisional tasks that the calendar now covers, in the
    caller's transaction: claim the case (lifecycle.Conflict when someone changed it first),
    re-time the timers, save tasks, timers, state and, when an instant moved, a `retimed`
    event. Returns the timers that moved; None when nothing was left to do (another scheduler
    did it first): the caller rolls back, as nothing was written but the claim."""
    seen, rows = lifecycle.claim_open(case)
    covered = workdays.coverage()
    counted = [r for r in rows if _covered(r, covered)]
    if not counted:
        return None
    started = {r.task_id: r.created_at for r in counted}
    run = lifecycle.load(case, now, seen)
    before = lifecycle.timer_ids(run)
    moved = run.retime(started, {r.task_id: rules_at(r.rule_version_id, case.jurisdiction)
                                 for r in counted})
    log = [_event(case, rows, run, started, now, actor, covered)] if moved else []
    lifecycle.save_change(case, run, now, actor, log, open_rows=rows, timers_before=before,
                          retimed=frozenset(started))
    return moved


def _covered(row: Row, covered: date) -> bool:
    return (row.provisional and not row.overdue and row.due_at is not None
            and row.due_at.astimezone(SHANGHAI).date() <= covered)


def _event(case: Case, rows: Sequence[Row], run: CaseRun, started: dict[str, datetime],
           now: datetime, actor: str, covered: date) -> dict[str, Any]:
    """The timeline's `retimed` event: per step, its deadline and warning before and after."""
    views = {v.task_id: v for v in run.user_tasks()}
    steps = []
    for row in rows:
        view = views.get(row.task_id)
        if row.task_id not in started or view is None:
            continue
        warn_at, due_at, _ = deadline_of(view)
        if (warn_at, due_at) == (row.warn_at, row.due_at):
            continue
        steps.append({"task_id": row.task_id, "step": view.step, "title": row.title,
                      "due_before": _iso(row.due_at), "due_after": _iso(due_at),
                      "warn_before": _iso(row.warn_at), "warn_after": _iso(warn_at)})
    one = steps[0] if len(steps) == 1 else None
    return events.row(case.id, KIND, actor, now, step=one and one["step"],
                      title=one and one["title"], task_id=one and one["task_id"],
                      data={"calendar_through": covered.isoformat(), "steps": steps})


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat() if value is not None else None
