"""Keeping a case's task rows (待办/已办) and timer rows in step with its workflow run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row

from app import workdays
from app.cases import writes
from app.cases.models import Case
from app.engine import CaseRun, PendingTimer, UserTaskView
from app.rules import service as rules_service

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


def deadline_of(view: UserTaskView) -> tuple[datetime | None, datetime | None, bool]:
    """(warn_at, due_at, provisional) of a user task, as its row keeps them."""
    warn_at, due_at, _ = due_of(view)
    return warn_at, due_at, _provisional(due_at)


def sync_tasks(case: Case, run: CaseRun, now: datetime, change: writes.Change,
               done_task_id: str | None = None, done_by: int | None = None,
               late: bool = False, rows: list[Row] | None = None,
               fired: frozenset[tuple[str, str]] = frozenset(),
               retimed: frozenset[str] = frozenset()) -> int:
    """Into `change`: close the rows of tasks no longer waiting (done, or cancelled by the
    process), flag those whose timers fired in this change, give those in `retimed` (task
    ids, 期限重算) their deadlines again, give those whose step was renamed (a case moved to
    another version) the new title, and add rows for new ones (`rows`: the case's open
    task rows from `writes.open_tasks`, when the caller has them; `fired`: (task id, timer
    kind) of the timers that fired in this change). Sets the case's current steps. Returns
    how many rows are added."""
    views = {v.task_id: v for v in run.user_tasks()}
    if rows is None:
        rows = writes.open_tasks(case.id)
    for row in rows:
        warned = row.warned or (row.task_id, "warning") in fired
        overdue = row.overdue or (row.task_id, "overdue") in fired
        waiting = row.task_id in views
        kept = (row.warn_at, row.due_at, row.provisional)
        deadline = deadline_of(views[row.task_id]) if row.task_id in retimed and waiting else kept
        title = views[row.task_id].info.title if waiting else row.title  # renamed: 流程版本迁移
        if waiting and (warned, overdue, deadline, title) == (row.warned, row.overdue, kept,
                                                              row.title):
            continue
        done = row.task_id == done_task_id and not waiting
        warn_at, due_at, provisional = deadline
        change.task_updates.append({
            "id": row.id, "state": "open" if waiting else "done" if done else "cancelled",
            "completed_at": None if waiting else now, "completed_by_id": done_by if done else None,
            "late": late if done else False, "warned": warned, "overdue": overdue,
            "warn_at": warn_at, "due_at": due_at, "provisional": provisional, "title": title})
    known = {row.task_id for row in rows}
    added = [_task_row(case, run, view, now, fired) for task_id, view in views.items()
             if task_id not in known]
    change.new_tasks += added
    steps = ",".join(sorted({v.step for v in views.values()}))[:200] or None
    writes.set_fields(case, current_steps=steps)
    return len(added)


def _task_row(case: Case, run: CaseRun, view: UserTaskView, now: datetime,
              fired: frozenset[tuple[str, str]]) -> dict:
    warn_at, due_at, key = due_of(view)
    return {
        "task_id": view.task_id, "case_id": case.id, "process_id": view.info.process_id,
        "step": view.step, "title": view.info.title, "group_name": view.info.group,
        "department_code": case.department_code, "region_code": case.region_code,
        "jurisdiction": case.jurisdiction, "state": "open", "created_at": now,
        "warn_at": warn_at, "due_at": due_at, "rule_key": key,
        "rule_version_id": rules_service.version_id(run.clock.rules),
        "provisional": _provisional(due_at), "warned": (view.task_id, "warning") in fired,
        "overdue": (view.task_id, "overdue") in fired, "late": False,
        "assignee_id": None, "claimed_at": None}


def sync_timers(change: writes.Change, pending: list[PendingTimer],
                before: frozenset[str] | None = None,
                retimed: frozenset[str] = frozenset()) -> None:
    """Into `change`: make the case's timer rows the run's pending timers. Rows of timers
    that fired or were cancelled go, new ones come due at their instant (rows already there
    keep their retry state). With `before`, the task ids of the run's timers before this
    change (its rows, as every change leaves them), only what changed is written; without
    it, every row but the pending ones goes and the pending ones are written. The rows of
    timers on the tasks in `retimed` (期限重算) are written again, with their new instants."""
    if before is None:
        change.timer_ids, change.keep_timers = [t.task_id for t in pending], True
        new = pending
    else:
        change.timer_ids = sorted(before - {t.task_id for t in pending})
        new = [t for t in pending
               if t.task_id not in before or t.attached_task_id in retimed]
    change.new_timers += [
        {"task_id": t.task_id, "case_id": change.case.id, "event": t.event, "kind": t.kind,
         "step": t.attached_step, "due_at": t.due_at, "fire_at": t.due_at, "attempts": 0}
        for t in new]
