"""The task inbox in the browser (待办箱): tabs with counts, role queues, filters in the URL,
claim, give back, bulk claim and (supervisors) bulk reassign."""

from __future__ import annotations

from dataclasses import fields as dc_fields
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from app import workdays
from app.auth.access import protect
from app.auth.models import User
from app.auth.users import can_act, task_scope
from app.cases import assignment
from app.cases.holders import GROUP_LABELS, holder
from app.cases.present import deadline_text
from app.cases.records import CaseTask
from app.extensions import db
from app.inbox import bulk, present, queries
from app.inbox.queries import Filters
from app.rules import service as rules_service
from app.rules.book import RuleBook
from app.timeutil import to_local, utcnow
from app.web.i18n import N_, current_language
from app.web.nav import register
from app.web.urls import local_target

bp = Blueprint("inbox", __name__, template_folder="templates")
protect(bp)
WORKERS = ("caseworker", "supervisor", "hotline", "agency", "personnel", "admin")
register("inbox.index", N_("待办"), roles=WORKERS, order=10, section="inbox.")

TAB_LABELS = {"mine": N_("我的待办"), "pool": N_("部门待办"), "all": N_("全部在办"),
              "done": N_("已办")}
POOL_LABELS = {"hotline": N_("热线待办"), "agency": N_("待审核")}
WATCH_POOL_LABEL = N_("未认领")


def read_filters(args: Any, user: User) -> Filters:
    """Filters from the query string; unknown or malformed values fall back to defaults."""
    known = {f.name for f in dc_fields(Filters)}
    values: dict[str, Any] = {}
    for name in known:
        raw = (args.get(name) or "").strip()
        if raw:
            values[name] = raw
    chosen = queries.queue(values.get("queue"), user)
    if chosen is None:
        values.pop("queue", None)
    tab = values.get("tab")
    values["tab"] = tab if tab in queries.tabs_for(user, chosen) else "mine"
    if values.get("sort") not in queries.SORTS:
        values.pop("sort", None)
    if "overdue" in values:
        values["overdue"] = values["overdue"] in ("1", "true", "yes")
    values["page"] = _int(values.get("page"), 1, 1, 10_000)
    per_page = _int(values.get("per_page"), 20, 1, 100)
    values["per_page"] = per_page if per_page in queries.PAGE_SIZES else 20
    return Filters(**values)


def _int(raw: Any, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(raw), lo), hi)
    except (TypeError, ValueError):
        return default


@bp.get("/inbox")
def index():
    user, now = current_user, utcnow()
    f = read_filters(request.args, user)
    counts = queries.counts(user, f, now)
    rows, total = queries.page(user, f, now, counts)
    last = max(1, -(-total // f.per_page))
    if f.page > last:  # past the end (the last task of a page was just done): the last page
        return redirect(url_for("inbox.index", **f.args(page=last)))
    chosen = queries.queue(f.queue, user)
    tabs, queues = queries.tabs_for(user, chosen), queries.queues_for(user)
    every_tab = queries.tabs_for(user)  # a chip may lead out of a watch list to 已办
    chip_tabs = {q.key: queries.chip_tab(q, f.tab, every_tab) for q in queues}
    known = {chosen.key: counts[f.tab]} if chosen and chip_tabs[chosen.key] == f.tab else None
    book = rules_service.current()
    jurisdictions = _jurisdictions_of(user, book)
    reassignees = _reassignees(user)
    today = to_local(now).date()
    return render_template(
        "inbox/list.html", f=f, rows=rows, page=present.Paged(rows, total, f.page, f.per_page),
        today=today, is_working_day=workdays.is_working_day(today),
        filtered=queries.narrowed(f),
        jurisdiction_name=lambda j: book.get(j).label(current_language()) if j in book else j,
        group_labels=GROUP_LABELS, class_labels=dict(present.class_choices()),
        deadlines={r.task_id: deadline_text(r, now) for r in rows},
        holders={r.task_id: holder(user, r, r.assignee_name) for r in rows},
        counts=counts, tabs=tabs, tab_labels=_tab_labels(user, chosen), queues=queues,
        pool_label=_tab_labels(user)["pool"],
        chip_tabs=chip_tabs, queue_counts=queries.queue_counts(user, f.tab, now, known),
        chosen=chosen,
        steps=present.step_choices(jurisdictions), classes=present.class_choices(),
        jurisdictions=jurisdictions, reassignees=reassignees,
        region_user=not user.department_code,
        bulk=bulk.plan(user, f, chosen, rows, bool(reassignees)))


def _jurisdictions_of(user: User, book: RuleBook) -> list[str]:
    """The jurisdictions whose regions meet the user's (Shenzhen's agency is not offered
    Jiangsu in the filter); every one for a user of no region."""
    mine = user.region_prefix
    if not mine or user.role == "admin":
        return list(book.jurisdictions())
    found = [j for j in book.jurisdictions()
             if any(p.startswith(mine) or mine.startswith(p) for p in book.get(j).regions)]
    return found or [book.for_region(user.region_code).key]


def _tab_labels(user: User, chosen: queries.Queue | None = None) -> dict[str, str]:
    """The tabs' names; the pool is named for its group when the user works only that group
    (a personnel unit also works its department's steps: its pool is 部门待办). Within a
    watch list (超期预警, 超期督办) the pool lists every unclaimed task of it, whatever its
    group (nobody works it yet: whom to chase), so it is 未认领, not 热线待办 or 待审核."""
    labels = dict(TAB_LABELS)
    if chosen is not None and chosen.watching:
        labels["pool"] = WATCH_POOL_LABEL
    elif user.role != "admin" and len(user.groups) == 1 and user.groups[0] in POOL_LABELS:
        labels["pool"] = POOL_LABELS[user.groups[0]]
    return labels


def _is_supervisor(user: User) -> bool:
    return bulk.supervises(user)


def _reassignees(user: User) -> list[User]:
    """Who a supervisor may give tasks to: the active people of their department."""
    if user.role != "supervisor" or not user.department_code:
        return []
    return list(db.session.scalars(select(User).where(
        User.department_code == user.department_code, User.active.is_(True),
        User.role.in_(("caseworker", "supervisor"))).order_by(User.name)))


def _back():
    return redirect(local_target(request.form.get("next")) or url_for("inbox.index"))


def _chosen_tasks() -> list[CaseTask]:
    """The tasks ticked in the form (`task` values), or the one row button pressed (`one`),
    that the user may see."""
    one = request.form.get("one")
    ids = [one] if one else [t for t in request.form.getlist("task") if t][:200]
    if not ids:
        return []
    return list(db.session.scalars(select(CaseTask).where(
        CaseTask.task_id.in_(ids), task_scope(current_user))))


@bp.post("/inbox/claim")
def claim():
    """Claim the ticked tasks (认领); those taken meanwhile or not the user's are reported."""
    tasks = _chosen_tasks()
    if not tasks:
        flash(gettext("请先勾选要认领的任务。"), "warning")
        return _back()
    taken, refused = 0, 0
    for task in tasks:
        if task.state == "open" and can_act(current_user, task) and task.assignee_id is None \
                and assignment.claim(task, current_user, utcnow()):
            taken += 1
        elif task.assignee_id != current_user.id:
            refused += 1
    db.session.commit()
    _report(taken and ngettext("已认领 %(num)d 项任务。", "已认领 %(num)d 项任务。", taken),
            refused and ngettext("%(num)d 项任务未能认领（已被他人认领或不属于您）。",
                                 "%(num)d 项任务未能认领（已被他人认领或不属于您）。", refused))
    return _back()


@bp.post("/inbox/unclaim")
def unclaim():
    """Give ticked tasks back to the pool (退回): the holder, or a supervisor."""
    given = 0
    for task in _chosen_tasks():
        mine = task.assignee_id == current_user.id
        if task.state == "open" and task.assignee_id and (
                mine or (_is_supervisor(current_user) and can_act(current_user, task))):
            assignment.release(task, current_user, utcnow())
            given += 1
    db.session.commit()
    _report(given and ngettext("已退回 %(num)d 项任务。", "已退回 %(num)d 项任务。", given))
    return _back()


@bp.post("/inbox/reassign")
def reassign():
    """A supervisor gives the ticked tasks to one of the department's people (指派)."""
    if not _is_supervisor(current_user):
        flash(gettext("只有部门负责人可以指派任务。"), "error")
        return _back()
    to = db.session.scalar(select(User).where(User.username == request.form.get("to", "")))
    tasks = _chosen_tasks()
    if to is None or not to.active or not tasks:
        flash(gettext("请勾选任务并选择指派对象。"), "warning")
        return _back()
    done, refused = 0, 0
    for task in tasks:
        if task.state == "open" and can_act(current_user, task) and can_act(to, task):
            assignment.assign(task, to, current_user, utcnow())
            done += 1
        else:
            refused += 1
    db.session.commit()
    _report(done and ngettext("已将 %(num)d 项任务指派给所选人员。",
                              "已将 %(num)d 项任务指派给所选人员。", done),
            refused and ngettext("%(num)d 项任务不能指派给所选人员。",
                                 "%(num)d 项任务不能指派给所选人员。", refused))
    return _back()


def _report(done: str | int, refused: str | int = 0) -> None:
    """Flash what a bulk action did and what it could not (each a message, or 0: none)."""
    if done:
        flash(str(done), "success")
    if refused:
        flash(str(refused), "warning")
