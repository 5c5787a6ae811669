"""What a listing lets the user do to its rows (批量操作): which bulk actions its bar offers, and
for each row the actions that apply to it. A row gets a checkbox only when one of the bar's
actions applies to it, and the bar (with 全选本页) only when some row has one: a read-only list
(the watch lists 超期预警 and 超期督办, 已办, a step of another group) offers no selection.
The browser's claim, unclaim and reassign (app/inbox/web.py) decide again on submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.models import User
from app.auth.users import can_act, can_claim
from app.inbox.queries import Filters, Queue

CLAIM, UNCLAIM, REASSIGN = "claim", "unclaim", "reassign"


def supervises(user: User) -> bool:
    """A department supervisor (部门负责人) or an administrator: gives back others' tasks."""
    return user.role in ("supervisor", "admin")


def offered(user: User, f: Filters, chosen: Queue | None, can_reassign: bool
            ) -> tuple[str, ...]:
    """The bulk actions of a listing: claim on the pool and on 全部在办, give back on 我的待办
    (and a supervisor's 全部在办), a supervisor's reassign on the open tabs; none on 已办 nor on
    a watch list (read-only supervision, DOMAIN §9)."""
    if f.tab == "done" or (chosen is not None and chosen.watching):
        return ()
    actions = []
    if f.tab in ("pool", "all"):
        actions.append(CLAIM)
    if f.tab == "mine" or (f.tab == "all" and supervises(user)):
        actions.append(UNCLAIM)
    if can_reassign:
        actions.append(REASSIGN)
    return tuple(actions)


def applies(action: str, user: User, row: Any) -> bool:
    """Does `action` apply to the open task `row` for `user`? Claim: unclaimed, of a group the
    user works in its department or region (`can_act`: a caseworker does not claim 确认认定);
    give back: the user's own, or (a supervisor) one their groups work; reassign: one their
    groups work."""
    if row.state != "open":
        return False
    if action == CLAIM:
        return can_claim(user, row)
    if action == UNCLAIM:
        return row.assignee_id is not None and (
            row.assignee_id == user.id or (supervises(user) and can_act(user, row)))
    return action == REASSIGN and can_act(user, row)


@dataclass(frozen=True)
class Plan:
    """A page's bulk actions: `shown`, those of the listing that apply to some row on it;
    `picks`, per task id the actions that apply to that row (rows without any: no checkbox);
    `actable`, the task ids the user may claim or complete (their group's work)."""

    shown: tuple[str, ...] = ()
    picks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    actable: frozenset[str] = frozenset()


def plan(user: User, f: Filters, chosen: Queue | None, rows: list[Any],
         can_reassign: bool) -> Plan:
    """The bulk actions of a page of `rows` (queries.Row) for `user`."""
    actions = offered(user, f, chosen, can_reassign)
    picks = {}
    for row in rows:
        fitting = tuple(a for a in actions if applies(a, user, row))
        if fitting:
            picks[row.task_id] = fitting
    shown = tuple(a for a in actions if any(a in p for p in picks.values()))
    actable = frozenset(r.task_id for r in rows if r.state == "open" and can_act(user, r))
    return Plan(shown, picks, actable)
