"""A task's deadline as people read it: working days left (剩余 N 个工作日), due today, late."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import workdays
from app.cases.records import CaseTask
from app.rules.history import rules_at
from app.timeutil import to_local, utcnow


def working_days_left(due_at: datetime | None, region: str | None,
                      now: datetime | None = None) -> int | None:
    """Working days from today (Beijing) to the due day: 0 = due today, < 0 = that many
    working days late."""
    if due_at is None:
        return None
    today = to_local(now or utcnow()).date()
    return workdays.working_days_between(today, to_local(due_at).date(), region)


def deadline_view(task: CaseTask, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    return {
        "warn_at": task.warn_at, "due_at": task.due_at, "rule_key": task.rule_key,
        "warned": task.warned or (task.warn_at is not None and task.warn_at <= now),
        "overdue": task.overdue or (task.due_at is not None and task.due_at < now
                                    and task.state == "open"),
        "provisional": task.provisional,
        "due_with": due_with(task),
        "working_days_left": working_days_left(task.due_at, task.region_code, now)
        if task.state == "open" else None,
    }


def due_with(task: CaseTask) -> str | None:
    """反馈随整改时限: the rectification's rule key (rectify.<class>) when the step's rule has
    `within_rectify` and the step is due at the rectification's deadline, before its own
    working days from its start would end; None otherwise (its own count, or no such rule)."""
    if task.due_at is None or not task.rule_key:
        return None
    try:
        rule = rules_at(task.rule_version_id, task.jurisdiction).deadline(task.rule_key)
    except LookupError:
        return None
    if not rule.within_rectify:
        return None
    klass = task.case.rectify_class
    own = workdays.deadline(task.created_at, rule.working_days, task.region_code)
    return f"rectify.{klass}" if klass and task.due_at < own else None
