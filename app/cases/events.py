"""The case's audit trail (办理记录): append-only events, also its timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.cases.records import CaseEvent, CaseTask
from app.extensions import db
from app.timeutil import to_local

if TYPE_CHECKING:
    from app.engine import PendingTimer

KIND_LABELS = {
    "started": "流程启动",
    "completed": "已办理",
    "warning": "超期预警",
    "overdue": "超期",
    "escalated": "督办（移交政务服务管理机构）",
    "timer": "计时器到期",
    "claimed": "已认领",
    "unclaimed": "已退回待认领",
    "closed": "办结",
    "timer_failed": "计时器处理失败",
    "attachment_added": "上传证明材料",
    "commented": "备注",
    "phone_revealed": "查看评价人联系电话",
    "process_migrated": "流程版本迁移",
    "retimed": "期限重算",  # provisional deadlines counted again on a newly published calendar
}


def record(case_id: int, kind: str, actor: str, at: datetime, *, step: str | None = None,
           title: str | None = None, task_id: str | None = None, late: bool = False,
           data: dict[str, Any] | None = None) -> CaseEvent:
    """Append an event (in the caller's transaction)."""
    event = CaseEvent(case_id=case_id, kind=kind, actor=actor, at=at, step=step, title=title,
                      task_id=task_id, late=late, data=data)
    db.session.add(event)
    return event


def row(case_id: int, kind: str, actor: str, at: datetime, *, step: str | None = None,
        title: str | None = None, task_id: str | None = None, late: bool = False,
        data: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event as a row (a change writes all of its events at once, see `writes.Change`)."""
    return {"case_id": case_id, "kind": kind, "actor": actor, "at": at, "step": step,
            "title": title, "task_id": task_id, "late": late, "data": data}


# -- the data of timer events (超期预警, 超期, 督办) ---------------------------------------------
#
# warning:            {event, rule_key, due_at: the step's deadline, warn_at: when it warned}
# overdue, escalated: {event, rule_key, due_at: the step's deadline, overdue_at: when it became
#                      overdue (one second after due_at)}; escalated also {to: "agency"}
# timer (a plain one): {event, rule_key, due_at: its instant, the deadline it keeps}
# Events written before s18 kept the timer's instant under due_at in all of them: readers go
# through `deadline_data`, which gives every one in the shape above.

DEADLINE_KINDS = ("warning", "overdue", "escalated")
ONE_SECOND = timedelta(seconds=1)


def _iso(value: datetime | None) -> str | None:
    """An instant as the events keep it: ISO-8601 in Beijing time (+08:00)."""
    return to_local(value).isoformat() if value is not None else None


def warning_data(timer: PendingTimer, deadline: datetime | None) -> dict[str, Any]:
    """A 超期预警 event's data: the step's deadline and the warning's instant."""
    return {"event": timer.event, "rule_key": timer.rule_key, "due_at": _iso(deadline),
            "warn_at": timer.due_at.isoformat()}


def overdue_data(timer: PendingTimer, deadline: datetime | None) -> dict[str, Any]:
    """An 超期 (and 督办) event's data: the step's deadline and the instant it was passed."""
    return {"event": timer.event, "rule_key": timer.rule_key, "due_at": _iso(deadline),
            "overdue_at": timer.due_at.isoformat()}


def timer_data(timer: PendingTimer) -> dict[str, Any]:
    """A plain timer's event data (e.g. the re-check window, 复核申请期限届满)."""
    return {"event": timer.event, "due_at": timer.due_at.isoformat(),
            "rule_key": timer.rule_key}


def deadline_data(event: CaseEvent, tasks: Iterable[CaseTask] | None = None
                  ) -> dict[str, Any] | None:
    """The data of a warning, overdue or escalated event in the shape above, whenever it was
    written (other events' data as it is). An old warning's deadline is its step's task row's
    whose warning instant it was (`tasks`: the case's rows, when the caller has them); an old
    overdue's, its instant less a second."""
    data = event.data
    if event.kind not in DEADLINE_KINDS or not data or not data.get("due_at"):
        return data
    if event.kind == "warning" and "warn_at" not in data:
        warn_at = data["due_at"]
        due = _deadline_warned_at(event, datetime.fromisoformat(warn_at), tasks)
        return {**data, "due_at": _iso(due), "warn_at": warn_at}
    if event.kind != "warning" and "overdue_at" not in data:
        overdue_at = data["due_at"]
        due = datetime.fromisoformat(overdue_at) - ONE_SECOND
        return {**data, "due_at": due.isoformat(), "overdue_at": overdue_at}
    return data


def _deadline_warned_at(event: CaseEvent, warn_at: datetime,
                        tasks: Iterable[CaseTask] | None) -> datetime | None:
    """The deadline of the task of `event`'s step whose warning instant is `warn_at`."""
    if tasks is None:
        tasks = db.session.scalars(select(CaseTask).where(
            CaseTask.case_id == event.case_id, CaseTask.step == event.step))
    found = [t for t in tasks if t.step == event.step and t.warn_at == warn_at
             and t.created_at <= event.at]
    return found[-1].due_at if found else None
