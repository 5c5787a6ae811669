"""How the case page shows things: a task's deadline in working days (剩余 N 个工作日 /
今日到期 / 已超期 N 个工作日) with its tone, and the timeline's entries with the data entered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import select

from app.auth.models import User
from app.cases.deadlines import working_days_left
from app.cases.events import KIND_LABELS, deadline_data
from app.cases.records import CaseEvent, CaseTask
from app.engine.forms import FormField
from app.extensions import db
from app.processes import service as processes
from app.web.i18n import N_, day, when

SYSTEM_ACTORS = {"system": N_("系统"), "scheduler": N_("定时任务")}


@dataclass(frozen=True)
class DeadlineText:
    """A deadline as a label and a tone (normal, warning, overdue, done, muted)."""

    text: str
    tone: str
    provisional: bool


def deadline_text(task: Any, now: datetime) -> DeadlineText:
    """The deadline of a task (a CaseTask, or an inbox row with the same attributes)."""
    if task.state != "open":
        late = task.late
        return DeadlineText(gettext("逾期办结") if late else gettext("按期办结"),
                            "overdue" if late else "done", False)
    if task.due_at is None:
        return DeadlineText(gettext("无时限"), "muted", False)
    days = working_days_left(task.due_at, task.region_code, now) or 0
    if task.overdue or task.due_at < now:
        late = max(-days, 0)
        text = (ngettext("已超期 %(num)d 个工作日", "已超期 %(num)d 个工作日", late) if late
                else gettext("已超期"))
        return DeadlineText(text, "overdue", task.provisional)
    if days == 0:
        return DeadlineText(gettext("今日到期"), "warning", task.provisional)
    warned = task.warned or (task.warn_at is not None and task.warn_at <= now)
    return DeadlineText(ngettext("剩余 %(num)d 个工作日", "剩余 %(num)d 个工作日", days),
                        "warning" if warned else "normal", task.provisional)


@dataclass
class Entry:
    """One line of the timeline: the event, who (their name), what was entered."""

    event: CaseEvent
    label: str
    actor: str
    details: list[tuple[str, str]] = field(default_factory=list)


def _form_of(version_id: int | None, task: CaseTask | None) -> tuple[FormField, ...]:
    info = processes.task_info(version_id, task.process_id, task.step) if task else None
    return info.form if info else ()


def actor_names(usernames: set[str]) -> dict[str, str]:
    """Username → the person's name, for events' actors; the system's own actors by what they
    are (系统, 定时任务)."""
    names = dict(db.session.execute(select(User.username, User.name).where(
        User.username.in_(usernames))).all())
    return {u: names.get(u) or gettext(SYSTEM_ACTORS.get(u, u)) for u in usernames}


def _shown(value: Any, form_field: FormField | None) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if form_field is not None and form_field.type == "date" and isinstance(value, str):
        try:
            return day(date.fromisoformat(value))  # as the page shows other days
        except ValueError:
            return value
    if form_field is not None and form_field.options:
        name = dict(form_field.options).get(value)
        return gettext(name) if name else str(value)  # the diagram's words are in the catalog
    return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def details(data: dict[str, Any] | None, form: tuple[FormField, ...]) -> list[tuple[str, str]]:
    """(label, value) of the data a completed task entered, in the form's order."""
    if not data:
        return []
    by_id = {f.id: f for f in form}
    order = [f.id for f in form if f.id in data] + [k for k in data if k not in by_id]
    return [(gettext(by_id[k].label) if k in by_id else k, _shown(data[k], by_id.get(k)))
            for k in order if data[k] not in (None, "")]


def timeline(case_id: int, version_id: int | None, tasks: list[CaseTask]) -> list[Entry]:
    """The case's events, oldest first, with the actors' names and the data entered."""
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.id)).all()
    names = actor_names({e.actor for e in events})
    by_task = {t.task_id: t for t in tasks}
    return [_entry(e, names[e.actor], version_id, by_task.get(e.task_id), tasks)
            for e in events]


def _entry(event: CaseEvent, actor: str, version_id: int | None,
           task: CaseTask | None, tasks: list[CaseTask] | None = None) -> Entry:
    """An event as the timeline shows it; a completion with its data, labelled by the form
    of its `task`; a warning or an overdue with the deadline (`tasks`: the case's rows)."""
    entry = Entry(event, KIND_LABELS.get(event.kind, event.kind), actor)
    if event.kind == "completed":
        entry.details = details(event.data, _form_of(version_id, task))
    elif event.kind == "retimed":
        entry.details = retimed_details(event.data)
    elif event.kind in ("warning", "overdue"):
        entry.details = deadline_details(event, tasks)
    return entry


def deadline_details(event: CaseEvent, tasks: list[CaseTask] | None = None
                     ) -> list[tuple[str, str]]:
    """The step's deadline (截止时间) of a warning or an overdue event, and when it warned."""
    data = deadline_data(event, tasks) or {}
    due, warn = (datetime.fromisoformat(data[k]) if data.get(k) else None
                 for k in ("due_at", "warn_at"))
    out = [(gettext("截止时间"), when(due))] if due else []
    if event.kind == "warning" and warn:
        out.append((gettext("预警时间"), when(warn)))
    return out


def retimed_details(data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(step title, its deadline before and after) of a 期限重算 event."""
    out = []
    for item in (data or {}).get("steps", []):
        before, after = (datetime.fromisoformat(item[k]) if item.get(k) else None
                         for k in ("due_before", "due_after"))
        title = item.get("title") or item.get("step") or "?"
        out.append((gettext(title),
                    gettext("截止时间由 %(before)s 改为 %(after)s", before=when(before) or "—",
                            after=when(after) or "—")))
    return out


def last_completed(task: CaseTask, step: str) -> tuple[Entry, CaseTask | None] | None:
    """The case's last completion of `step` before `task` opened, with what it entered and
    its task row (as `previous_step`), or None."""
    event = db.session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == task.case_id, CaseEvent.kind == "completed",
        CaseEvent.step == step, CaseEvent.at <= task.created_at,
        CaseEvent.task_id != task.task_id).order_by(CaseEvent.id.desc()).limit(1))
    return _with_source(event, task) if event is not None else None


def _with_source(event: CaseEvent, task: CaseTask) -> tuple[Entry, CaseTask | None]:
    source = db.session.scalar(select(CaseTask).where(CaseTask.task_id == event.task_id))
    name = actor_names({event.actor})[event.actor]
    return _entry(event, name, task.case.process_version_id, source), source


def previous_step(task: CaseTask) -> tuple[Entry, CaseTask | None] | None:
    """The step completed last before `task` opened (上一环节), with what it entered and its
    task row: what an approval or a decision is about (申请延期 before 审批延期, 提出申诉
    before 申诉审核, 申请复核 before 复核认定), and what any step follows on from."""
    event = db.session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == task.case_id, CaseEvent.kind == "completed",
        CaseEvent.at <= task.created_at, CaseEvent.task_id != task.task_id)
        .order_by(CaseEvent.id.desc()).limit(1))
    if event is None:
        return None
    return _with_source(event, task)
