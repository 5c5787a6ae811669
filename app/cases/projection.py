"""Keeping a case's task rows (待办/已办) and timer rows in step with its workflow run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row

from app import workdays
from app.cases import writes
from app.cases.models import Case
from app.cases.records import CaseTask, CaseTimer
from app.dbutil import bulk_insert
from app.engine import CaseRun, PendingTimer, UserTaskView

ONE_SECOND = timedelta(seconds=1)


def due_of(view: UserTaskView) -> tuple[datetime | None, datetime | None, str | None]:
    """(warn_at, due_at, rule key) of a user task from the timers on it."""
    warning, overdue = view.timer("warning"), view.timer("overdue")
    plain = view.timer("deadline")
    due = overdue.due_at - ONE_SECOND if overdue else (plain.due_at if plain else None)
    named = overdue or plain or warning
    return (warning.due_at if warning else None), due, (named.rule_key if named else None)


def _provisional(due: datetime | None) -> bool:
    return due is not None and due.astimezone(workdays.SHANGHAI).date() > workdays.coverage()


def sync_tasks(case: Case, run: CaseRun, now: datetime, done_task_id: str | None = None,
               done_by: int | None = None, late: bool = False,
               rows: list[Row] | None = None,
               fired: frozenset[tuple[str, str]] = frozenset()) -> int:
    """Close the rows of tasks no longer waiting (done, or cancelled by the process), flag
    those whose timers fired in this change, and add rows for new ones (`rows`: the case's
    open task rows from `writes.open_tasks`, when the caller has them; `fired`: (task id,
    timer kind) of the timers that fired in this change). Returns how many were added."""
    views = {v.task_id: v for v in run.user_tasks()}
    if rows is None:
        rows = writes.open_tasks(case.id)
    changes = []
    for row in rows:
        warned = row.warned or (row.task_id, "warning") in fired
        overdue = row.overdue or (row.task_id, "overdue") in fired
        waiting = row.task_id in views
        if waiting and (warned, overdue) == (row.warned, row.overdue):
            continue
        done = row.task_id == done_task_id and not waiting
        changes.append({
            "row_id": row.id, "v_state": "open" if waiting else "done" if done else "cancelled",
            "v_completed_at": None if waiting else now, "v_by": done_by if done else None,
            "v_late": late if done else False, "v_warned": warned, "v_overdue": overdue})
    writes.update_tasks(changes)
    known = {row.task_id for row in rows}
    added = [_task_row(case, view, now, fired) for task_id, view in views.items()
             if task_id not in known]
    bulk_insert(CaseTask.__table__, added, conflict=("task_id",))
    case.current_steps = ",".join(sorted({v.step for v in views.values()}))[:200] or None
    return len(added)


def _task_row(case: Case, view: UserTaskView, now: datetime,
              fired: frozenset[tuple[str, str]]) -> dict:
    warn_at, due_at, key = due_of(view)
    return {
        "task_id": view.task_id, "case_id": case.id, "process_id": view.info.process_id,
        "step": view.step, "title": view.info.title, "group_name": view.info.group,
        "department_code": case.department_code, "region_code": case.region_code,
        "jurisdiction": case.jurisdiction, "state": "open", "created_at": now,
        "warn_at": warn_at, "due_at": due_at, "rule_key": key,
        "provisional": _provisional(due_at), "warned": (view.task_id, "warning") in fired,
        "overdue": (view.task_id, "overdue") in fired, "late": False}


def sync_timers(case: Case, pending: list[PendingTimer],
                before: frozenset[str] | None = None) -> None:
    """Make the case's timer rows the run's pending timers: rows of timers that fired or were
    cancelled go, new ones come due at their instant (rows already there keep their retry
    state). No read. With `before`, the task ids of the run's timers before this change (its
    rows, as every change leaves them), only what changed is written: often one statement or
    none; without it, two statements."""
    if before is None:
        writes.drop_timers(case.id, [t.task_id for t in pending], keep=True)
        new = pending
    else:
        left = before - {t.task_id for t in pending}
        if left:
            writes.drop_timers(case.id, sorted(left))
        new = [t for t in pending if t.task_id not in before]
    bulk_insert(CaseTimer.__table__, [
        {"task_id": t.task_id, "case_id": case.id, "event": t.event, "kind": t.kind,
         "step": t.attached_step, "due_at": t.due_at, "fire_at": t.due_at, "attempts": 0}
        for t in new], conflict=("task_id",))
