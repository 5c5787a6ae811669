"""Who holds a task (认领, 退回, 指派): claims are atomic, each change is an event.

In the caller's transaction; the caller commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, update

from app.auth.models import User
from app.cases import events
from app.cases.records import CaseTask
from app.extensions import db


def claim(task: CaseTask, user: User, at: datetime) -> bool:
    """`user` takes the unclaimed open task; False when someone took it first (of two claims
    at once, one wins)."""
    taken = db.session.execute(
        update(CaseTask).where(CaseTask.id == task.id, CaseTask.assignee_id.is_(None),
                               CaseTask.state == "open")
        .values(assignee_id=user.id, claimed_at=at)
        .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        return False
    events.record(task.case_id, "claimed", user.username, at, step=task.step,
                  title=task.title, task_id=task.task_id)
    db.session.expire(task, ["assignee_id", "claimed_at", "assignee"])
    return True


def release(task: CaseTask, by: User, at: datetime) -> None:
    """The task goes back to its group's queue (退回)."""
    task.assignee_id, task.claimed_at = None, None
    events.record(task.case_id, "unclaimed", by.username, at, step=task.step,
                  title=task.title, task_id=task.task_id)


def assign(task: CaseTask, to: User, by: User, at: datetime) -> None:
    """A supervisor gives the task to `to` (指派)."""
    task.assignee_id, task.claimed_at = to.id, at
    events.record(task.case_id, "claimed", by.username, at, step=task.step,
                  title=task.title, task_id=task.task_id, data={"assigned_to": to.username})


def keep_with(done: Row, user: User, new_tasks: list[dict[str, Any]], at: datetime,
              log: list[dict[str, Any]]) -> None:
    """承办人延续: the steps that completing `done` opened for the same group of the same
    department go to the person who completed it, as claimed by them (one event each), so a
    caseworker keeps the case from contact to feedback without claiming it at every step.
    They can still give a step back (退回), and a supervisor reassign it."""
    for row in new_tasks:
        if (row["group_name"], row["department_code"]) == (done.group_name, done.department_code):
            row["assignee_id"], row["claimed_at"] = user.id, at
            log.append(events.row(row["case_id"], "claimed", user.username, at,
                                  step=row["step"], title=row["title"], task_id=row["task_id"],
                                  data={"kept": True}))
