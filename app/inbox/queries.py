"""What an inbox shows (待办箱): tabs, role queues, filters, sorting and paging of task rows.

One place for the browser inbox and /api/v1/tasks. A listing is a handful of indexed queries:
the page of rows (only the columns shown) and a count per tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, false, func, select, true

from app.auth.models import User, region_prefix
from app.auth.users import REGION_GROUPS, code_prefix, region_condition, task_scope
from app.cases.models import Case
from app.cases.records import CaseTask
from app.dbutil import not_indexed
from app.extensions import db
from app.reviews.models import Review
from app.web.i18n import N_

TABS = ("mine", "pool", "all", "done")
SORTS = {
    "due": (CaseTask.due_at, CaseTask.id),  # (every open task has a deadline in practice)
    "-due": (CaseTask.due_at.desc(), CaseTask.id.desc()),
    "received": (Case.received_at, CaseTask.id),
    "-received": (Case.received_at.desc(), CaseTask.id.desc()),
    "case": (Case.number, CaseTask.id),
    "-case": (Case.number.desc(), CaseTask.id.desc()),
    "step": (CaseTask.step, CaseTask.due_at, CaseTask.id),
    "-step": (CaseTask.step.desc(), CaseTask.due_at, CaseTask.id),
}
DONE_SORT = (CaseTask.completed_at.desc(), CaseTask.id.desc())
PAGE_SIZES = (20, 50, 100)


@dataclass(frozen=True)
class Queue:
    """A role's work list (热线派单, 回访, 申诉审核 ...): a named set of steps, or a watch list
    (`watch`) of the user's region: every open task past its due instant (超期督办, "late") or
    past its warning instant and not yet due (超期预警, "warned"), whatever its department."""

    key: str
    label: str
    roles: tuple[str, ...]
    steps: tuple[str, ...] = ()
    watch: str | None = None  # "late" or "warned"

    @property
    def watching(self) -> bool:
        """A watch list (read-only supervision, DOMAIN §9), not a set of the user's steps."""
        return self.watch is not None


QUEUES = (
    Queue("dispatch", N_("待派单"), ("hotline", "admin"), ("dispatch",)),
    Queue("revisit", N_("待回访"), ("hotline", "admin"), ("revisit",)),
    Queue("appeals", N_("申诉审核"), ("agency", "admin"), ("appeal_decide",)),
    Queue("extensions", N_("延期审批"), ("agency", "admin"), ("approve_extension",)),
    Queue("supervise", N_("督办处理"), ("agency", "admin"), ("supervise",)),
    Queue("warned", N_("超期预警"), ("hotline", "admin"), watch="warned"),
    Queue("escalated", N_("超期督办"), ("hotline", "agency", "admin"), watch="late"),
    Queue("staff", N_("工作人员差评"), ("personnel", "admin"),
          ("staff_notify", "staff_self_criticism")),
    Queue("recheck", N_("复核申请"), ("personnel", "admin"),
          ("staff_recheck_request", "staff_decide")),
)


def queues_for(user: User) -> list[Queue]:
    return [q for q in QUEUES if user.role in q.roles]


def queue(key: str | None, user: User) -> Queue | None:
    return next((q for q in queues_for(user) if q.key == key), None)


def tabs_for(user: User, chosen: Queue | None = None) -> tuple[str, ...]:
    """mine, pool (unclaimed, mine to take), all (every open task in scope: supervisors, the
    hotline, the agency and administrators, who reassign and supervise; the watch lists show
    there), done. A watch list (超期预警, 超期督办) is of open tasks: no 已办 within it (the
    user's done tasks are on 已办 without it)."""
    tabs = TABS if user.role in ("supervisor", "hotline", "agency", "admin") \
        else ("mine", "pool", "done")
    if chosen is not None and chosen.watching:
        return tuple(t for t in tabs if t != "done")
    return tabs


@dataclass(frozen=True)
class Filters:
    """A listing as the URL says it (?tab=pool&step=rectify&overdue=1&sort=-due&page=2)."""

    tab: str = "mine"
    queue: str | None = None
    step: str | None = None
    rectify_class: str | None = None
    department_code: str | None = None
    region_code: str | None = None
    jurisdiction: str | None = None
    overdue: bool | None = None
    q: str | None = None  # case number or matter serial number (办件编号)
    sort: str = "due"
    page: int = 1
    per_page: int = 20

    def args(self, **changes: Any) -> dict[str, Any]:
        """The URL query of these filters with `changes`, defaults left out."""
        merged = replace(self, **changes)
        default = Filters()
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(merged, name)
            if value is not None and value != getattr(default, name):
                out[name] = int(value) if isinstance(value, bool) else value
        return out


@dataclass
class Row:
    """A task row as the inbox shows it."""

    task_id: str
    step: str
    title: str
    group_name: str | None
    state: str
    case_number: str
    department_code: str | None
    department_name: str | None
    region_code: str
    jurisdiction: str
    rectify_class: str | None
    received_at: datetime
    warn_at: datetime | None
    due_at: datetime | None
    provisional: bool
    warned: bool
    overdue: bool
    assignee_id: int | None
    assignee_name: str | None
    completed_at: datetime | None
    late: bool
    extra: dict[str, Any] = field(default_factory=dict)


COLUMNS = (
    CaseTask.task_id, CaseTask.step, CaseTask.title, CaseTask.group_name, CaseTask.state,
    Case.number, CaseTask.department_code, Case.department_name, CaseTask.region_code,
    CaseTask.jurisdiction, Case.rectify_class, Case.received_at, CaseTask.warn_at,
    CaseTask.due_at, CaseTask.provisional, CaseTask.warned, CaseTask.overdue,
    CaseTask.assignee_id, User.name, CaseTask.completed_at, CaseTask.late,
)


def _region_scope(user: User):
    """Every task of the user's region (the hotline and the agency watch all of them, 超期预警
    and 督办); none for a user of no region (a row older than the checks of users.create).
    It filters what the watch list's time range finds by its index (`not_indexed`)."""
    if user.role == "admin":
        return true()
    if not any(g in REGION_GROUPS for g in user.groups):
        return false()
    return region_condition(user, not_indexed(CaseTask.region_code))


def _late(now: datetime):
    """Past its due instant (超期): the overdue flag is set when that instant passes, so the
    instant alone says it, as a range the (state, due_at) index serves."""
    return CaseTask.due_at < now


def _warned(now: datetime):
    """Past its warning instant and not yet due (预警中): as `_late`, by the instants, which the
    (state, warn_at, due_at, region_code) index serves."""
    return and_(CaseTask.warn_at <= now, CaseTask.due_at >= now)


WATCHES = {"late": _late, "warned": _warned}


def _scope(user: User, chosen: Queue | None, now: datetime):
    """The tasks a listing draws from: the user's scope, or the queue's."""
    if chosen is not None and chosen.watching:
        return and_(_region_scope(user), WATCHES[chosen.watch](now))
    scope = task_scope(user)
    if chosen is not None:
        scope = and_(scope, CaseTask.step.in_(chosen.steps))
    return scope


def _within(user: User, tab: str, chosen: Queue | None):
    """What a tab adds to the scope."""
    if tab == "mine":
        return and_(CaseTask.state == "open", CaseTask.assignee_id == user.id)
    if tab == "pool":
        pool = and_(CaseTask.state == "open", CaseTask.assignee_id.is_(None))
        if not (chosen is not None and chosen.watching):
            pool = and_(pool, CaseTask.group_name.in_(user.groups or ("-",)))
        return pool
    if tab == "all":
        return CaseTask.state == "open"
    return and_(CaseTask.state == "done", CaseTask.completed_by_id == user.id)


def _tab(user: User, tab: str, chosen: Queue | None, now: datetime):
    """The condition of a tab (within a queue, when one is chosen)."""
    return and_(_scope(user, chosen, now), _within(user, tab, chosen))


def _narrow(query: Select, f: Filters, now: datetime) -> Select:
    if f.step:
        query = query.where(CaseTask.step == f.step)
    if f.rectify_class:
        query = query.where(Case.rectify_class == f.rectify_class)
    if f.department_code:
        query = query.where(CaseTask.department_code == f.department_code.strip().upper())
    if f.region_code:
        query = query.where(code_prefix(CaseTask.region_code, region_prefix(f.region_code)))
    if f.jurisdiction:
        query = query.where(CaseTask.jurisdiction == f.jurisdiction)
    if f.overdue is not None:
        query = query.where(_late(now) if f.overdue else ~_late(now))
    if f.q:
        query = query.where(CaseTask.case_id.in_(_searched(f.q.strip())))
    return query


NUMBER_PREFIX = 11  # "CP-20261105": a day's cases


def _searched(text: str) -> Select:
    """Ids of the cases with this number (工单编号; its start, from the day on, in any case:
    CP-20261105 finds that day's) or matter serial number (办件编号)."""
    number = text.upper()
    by_number = select(Case.id).where(
        Case.number.startswith(number, autoescape=True) if len(number) >= NUMBER_PREFIX
        else Case.number == number)
    by_serial = select(Case.id).join(Review, Review.id == Case.review_id) \
        .where(Review.serial_no == text)
    return by_number.union(by_serial)


def restrict(query: Select, user: User, f: Filters, now: datetime) -> Select:
    """`query` (of case tasks, with their case when a filter reads it) limited to the listing
    `f` describes: its tab and queue, then its filters. The inbox and /api/v1/tasks use it."""
    return _narrow(query.where(_tab(user, f.tab, queue(f.queue, user), now)), f, now)


def _base(user: User, f: Filters, now: datetime) -> Select:
    query = (select(*COLUMNS).select_from(CaseTask).join(Case, Case.id == CaseTask.case_id)
             .outerjoin(User, User.id == CaseTask.assignee_id))
    return restrict(query, user, f, now)


def _total(user: User, f: Filters, now: datetime) -> int:
    """How many rows the listing has (joining the case only when a filter reads it)."""
    query = select(func.count()).select_from(CaseTask)
    if f.rectify_class or f.q:
        query = query.join(Case, Case.id == CaseTask.case_id)
    return db.session.scalar(restrict(query, user, f, now))


def narrowed(f: Filters) -> bool:
    """Does `f` filter beyond its tab and queue?"""
    return any((f.step, f.rectify_class, f.department_code, f.region_code, f.jurisdiction,
                f.overdue is not None, f.q))


def page(user: User, f: Filters, now: datetime,
         tab_counts: dict[str, int] | None = None) -> tuple[list[Row], int]:
    """The rows of the page `f` asks for, and how many rows the listing has in all (the tab's
    count from `tab_counts` when nothing else narrows it)."""
    query = _base(user, f, now)
    known = (tab_counts or {}).get(f.tab)
    total = known if known is not None and not narrowed(f) else _total(user, f, now)
    order = DONE_SORT if f.tab == "done" and f.sort == "due" else SORTS.get(f.sort, SORTS["due"])
    rows = db.session.execute(query.order_by(*order)
                              .offset((f.page - 1) * f.per_page).limit(f.per_page))
    return [Row(*r) for r in rows], total


def counts(user: User, f: Filters, now: datetime) -> dict[str, int]:
    """How many tasks each tab holds with the same queue (not the other filters: a tab's count
    says what waits there). Two queries: the open tabs together, then done."""
    chosen = queue(f.queue, user)
    tabs = tabs_for(user, chosen)
    parts = {tab: _within(user, tab, chosen) for tab in tabs if tab != "done"}
    query = select(*(func.count(case((cond, 1))) for cond in parts.values())) \
        .select_from(CaseTask).where(CaseTask.state == "open", _scope(user, chosen, now))
    out = dict(zip(parts, db.session.execute(query).one(), strict=True))
    if "done" in tabs:
        out["done"] = db.session.scalar(select(func.count()).select_from(CaseTask)
                                        .where(_tab(user, "done", chosen, now)))
    return out


def chip_tab(q: Queue, tab: str, tabs: tuple[str, ...]) -> str:
    """The tab a queue's chip lists: the one on screen, which the chips split by queue (a task
    the user claimed counts on 我的待办, an unclaimed one on 部门待办); a watch list (超期预警,
    超期督办) lists every such open task of the region (全部在办)."""
    return "all" if q.watching and "all" in tabs else tab


def queue_counts(user: User, tab: str, now: datetime, known: dict[str, int] | None = None
                 ) -> dict[str, int]:
    """Tasks in each of the user's queues, as many as its chip lists (`chip_tab`): the queues
    of steps in one query grouped by step; each watch list (超期预警, 督办: the region's warned
    or late open tasks) in one more (unless `known` has it)."""
    mine = queues_for(user)
    if not mine:
        return {}
    steps = [s for q in mine for s in q.steps]
    by_step = dict(db.session.execute(
        select(CaseTask.step, func.count())
        .where(_tab(user, tab, None, now), CaseTask.step.in_(steps))
        .group_by(CaseTask.step)).all())
    out = {q.key: sum(by_step.get(s, 0) for s in q.steps) for q in mine if not q.watching}
    tabs = tabs_for(user)
    for q in mine:
        if q.watching and known and q.key in known:
            out[q.key] = known[q.key]
        elif q.watching:
            out[q.key] = db.session.scalar(select(func.count()).select_from(CaseTask)
                                           .where(_tab(user, chip_tab(q, tab, tabs), q, now)))
    return out
