"""The case's audit trail (办理记录): append-only events, also its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.cases.records import CaseEvent
from app.extensions import db

KIND_LABELS = {
    "started": "流程启动",
    "completed": "已办理",
    "warning": "超期预警",
    "overdue": "超期",
    "escalated": "督办（移交政务服务管理机构）",
    "timer": "计时器到期",
    "claimed": "认领",
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
