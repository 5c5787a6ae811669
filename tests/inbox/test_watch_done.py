"""A watch list (超期预警, 超期督办) is of open tasks, whom the hotline chases: within it the inbox
has no 已办 tab (it counted the user's done tasks whose deadline had passed, an odd mix), a
bookmarked ?tab=done within it opens 我的待办, and the API refuses view=done with a watch
queue; 已办 without the watch list still lists the user's done work. The cases: the `watched`
fixture (tests/process/conftest.py)."""

from __future__ import annotations

from app.extensions import db
from app.org import service as org
from tests.inbox import pages
from tests.process.conftest import SZ_DEPT

TAB = 'data-tab="{}"'


def _dispatched(desk) -> str:
    """A case of no department that the hotline dispatched at once: a done task of the
    hotline's, its deadline long past on 10/12."""
    number = desk.post(department_code=None, department_name=None,
                       rated_at="2026-10-09T08:00:00+08:00")
    org.ensure_departments([(*SZ_DEPT, None)])
    db.session.commit()
    desk.do("sz_hotline", number, "dispatch", department_code=SZ_DEPT[0],
            department_name=SZ_DEPT[1])
    return number


def test_a_watch_list_has_no_done_tab(desk, signed_in, travel, watched):
    number = _dispatched(desk)
    travel("2026-10-12 10:00")
    desk.tick()
    hotline = signed_in("sz_hotline")
    done = pages.text(hotline.get("/inbox?tab=done"))
    assert pages.tab_count(done, "done") == 1 and [r.number for r in pages.rows(done)] == [number]
    for queue in ("escalated", "warned"):
        page = pages.text(hotline.get(f"/inbox?tab=all&queue={queue}"))
        assert TAB.format("done") not in page and TAB.format("all") in page, queue
        assert number not in page  # done: not a task to chase
        asked = pages.text(hotline.get(f"/inbox?tab=done&queue={queue}"))
        assert 'class="active" aria-current="page" data-tab="mine"' in asked, queue
        assert number not in asked
    listed = desk.tasks("sz_hotline", view="done")
    assert [t["case_number"] for t in listed] == [number]
    refused = desk.client.get("/api/v1/tasks", query_string={"view": "done", "queue": "escalated"},
                              headers=desk.headers["sz_hotline"])
    assert refused.status_code == 422
    assert "view" in refused.get_json()["errors"]["query"], refused.get_json()
