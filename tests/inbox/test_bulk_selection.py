"""A checkbox only where a bulk action stands behind it: the 12345 hotline's watch lists
(超期预警, 超期督办) are read-only supervision, so they offer no 全选本页 and no row checkbox, for
the hotline, the agency or an administrator; on every other list a row has a checkbox exactly
when one of the bar's actions (批量认领, 退回待认领, 批量指派) applies to it for that user, and
the bar shows only the actions some row takes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.users import can_act
from app.cases.records import CaseTask
from app.extensions import db
from app.inbox import queries
from tests.inbox import pages

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}
PEOPLE = ("sz_worker", "sz_boss", "sz_hotline", "sz_agency", "sz_personnel", "sz_other",
          "admin", "js_hotline")


@pytest.fixture()
def busy(desk, travel, watched):
    """Besides the watched cases: one to dispatch (the hotline's own step), one waiting for the
    supervisor's 确认认定, one of the watched held by its caseworker; the clock at Tue 10/13,
    when 9/30's tasks are late and 10/09's contact warned (due that day)."""
    travel("2026-09-30 10:00")
    dispatch = desk.post(department_code=None, department_name=None,
                         rated_at="2026-09-30T08:00:00+08:00")
    travel("2026-10-09 10:00")
    confirm = desk.post(rated_at="2026-10-09T08:00:00+08:00")
    desk.do("sz_worker", confirm, "contact", **CONTACT)
    desk.do("sz_worker", confirm, "verify", determination="misjudged", findings="误点")
    task = desk.task(watched.later, "contact")
    assert desk.client.post(f"/api/v1/tasks/{task['task_id']}/claim",
                            headers=desk.headers["sz_worker"]).status_code == 200
    travel("2026-10-13 10:00")
    watched.dispatch, watched.confirm = dispatch, confirm
    return watched


@pytest.mark.parametrize(("who", "key"), [
    ("sz_hotline", "warned"), ("sz_hotline", "escalated"), ("sz_agency", "escalated"),
    ("admin", "warned"), ("admin", "escalated")])
def test_the_watch_lists_offer_no_selection(busy, signed_in, who, key):
    client = signed_in(who)
    listed_any = False
    for tab in queries.tabs_for(_user(who)):
        page = pages.text(client.get(f"/inbox?queue={key}&tab={tab}"))
        listed_any = listed_any or bool(pages.rows(page))
        assert not pages.selectable(page), (tab, "全选本页" in page)
        assert pages.bulk_buttons(page) == set() and "全选本页" not in page
    assert listed_any
    # the hotline's own late step still has its row's claim button; the department's do not
    if (who, key) == ("sz_hotline", "escalated"):
        page = pages.text(client.get("/inbox?queue=escalated&tab=all"))
        assert pages.row(page, busy.dispatch).claim_button
        contact = pages.row(page, busy.sz)
        assert not contact.claim_button and contact.holder == "待责任部门办理"


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _applies(action: str, user: User, task: CaseTask) -> bool:
    """Whether the server would do `action` to `task` for `user` (app/inbox/web.py)."""
    if task.state != "open":
        return False
    if action == "claim":
        return task.assignee_id is None and can_act(user, task)
    if action == "unclaim":
        return task.assignee_id is not None and (
            task.assignee_id == user.id
            or (user.role in ("supervisor", "admin") and can_act(user, task)))
    return action == "reassign" and user.role == "supervisor" and can_act(user, task)


def test_every_list_has_checkboxes_only_where_a_bulk_action_applies(busy, signed_in):
    seen = set()
    for who in PEOPLE:
        client, user = signed_in(who), _user(who)
        db.session.rollback()
        for key in (None, *(q.key for q in queries.queues_for(user))):
            watching = key is not None and queries.queue(key, user).watching
            for tab in queries.tabs_for(user):
                url = f"/inbox?tab={tab}" + (f"&queue={key}" if key else "")
                page = pages.text(client.get(url))
                rows, buttons = pages.rows(page), pages.bulk_buttons(page)
                picked = [r for r in rows if r.actions is not None]
                assert ('id="check-all"' in page) == bool(picked), url
                assert buttons == {a for r in picked for a in r.actions}, url
                if tab == "done" or watching:
                    assert not picked, url
                for r in rows:
                    task = db.session.scalar(select(CaseTask).where(
                        CaseTask.task_id == r.task_id))
                    for action in r.actions or ():
                        assert _applies(action, user, task), (url, r.number, action)
                    if tab in ("mine", "pool") and not watching:  # the user's own work
                        assert r.actions, (url, r.number)
                    if r.actions is not None:
                        seen.add((who, tab, r.actions))
    # the lists that do offer selection were among those looked at
    assert ("sz_worker", "pool", ("claim",)) in seen
    assert ("sz_worker", "mine", ("unclaim",)) in seen
    assert ("sz_boss", "all", ("unclaim", "reassign")) in seen
    assert ("sz_boss", "all", ("claim", "reassign")) in seen
    assert ("sz_hotline", "pool", ("claim",)) in seen
