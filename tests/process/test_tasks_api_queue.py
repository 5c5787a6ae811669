"""GET /api/v1/tasks?queue=…: the inbox's queues through the API, the same rows as the browser's
chips for the user's role and scope: the watch lists (超期预警 for the hotline, 超期督办 for the
hotline and the agency) list every such open task of the region, whatever its department; a
queue of another role is a 422 on its field. The cases: the `watched` fixture
(tests/process/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.process.test_hotline_watch import chip_rows, open_task


def _numbers(rows: list[dict]) -> list[str]:
    return sorted(r["case_number"] for r in rows)


def test_the_api_lists_the_watch_lists_as_the_browser_does(desk, signed_in, travel, watched):
    travel("2026-10-10 10:00")
    warned = sorted([watched.sz, watched.other])
    assert _numbers(desk.tasks("sz_hotline", queue="warned")) == warned
    assert _numbers(desk.tasks("sz_hotline", queue="warned", view="department")) == warned
    assert _numbers(desk.tasks("sz_hotline", queue="warned", view="group")) == warned
    desk.client.post(f"/api/v1/tasks/{open_task(watched.sz).task_id}/claim",
                     headers=desk.headers["sz_worker"])
    assert _numbers(desk.tasks("sz_hotline", queue="warned", view="group")) == [watched.other]
    assert _numbers(desk.tasks("sz_hotline", queue="warned")) == warned

    travel("2026-10-12 10:00")
    late = sorted([watched.sz, watched.other])
    for who in ("sz_hotline", "sz_agency"):
        browser = sorted(chip_rows(signed_in(who), "escalated"))
        assert _numbers(desk.tasks(who, queue="escalated")) == browser == late
    assert _numbers(desk.tasks("js_agency", queue="escalated")) == [watched.js]
    # without the queue the department view is the user's own steps, as before
    assert desk.tasks("sz_agency", view="department", overdue=1) == []

    # a department task listed there reads as one (GET), and stays not theirs to work
    task_id = desk.tasks("sz_agency", queue="escalated")[0]["task_id"]
    for who in ("sz_hotline", "sz_agency"):
        detail = desk.client.get(f"/api/v1/tasks/{task_id}", headers=desk.headers[who])
        assert detail.status_code == 200 and detail.get_json()["form"]
        claim = desk.client.post(f"/api/v1/tasks/{task_id}/claim", headers=desk.headers[who])
        assert claim.status_code == 404
    assert desk.client.get(f"/api/v1/tasks/{task_id}",
                           headers=desk.headers["js_hotline"]).status_code == 404
    assert desk.client.get(f"/api/v1/tasks/{task_id}",
                           headers=desk.headers["sz_other"]).status_code == 404


def test_a_user_of_no_region_gets_no_watched_task(desk, travel, watched):
    travel("2026-10-12 10:00")
    assert desk.tasks("sz_hotline", queue="escalated") != []
    user = db.session.scalar(select(User).where(User.username == "sz_hotline"))
    user.region_code = None
    db.session.commit()
    assert desk.tasks("sz_hotline", queue="escalated") == []


@pytest.mark.parametrize(("who", "queue", "message"), [
    ("sz_agency", "warned", "Not a queue of the agency role; yours: appeals, extensions, "
                            "supervise, escalated."),
    ("sz_worker", "escalated", "Not a queue of the caseworker role; yours: none."),
    ("sz_hotline", "overdue", "Must be one of: dispatch, revisit, appeals, extensions, "
                              "supervise, warned, escalated, staff, recheck."),
])
def test_a_queue_not_of_the_users_role_is_a_422_on_its_field(desk, who, queue, message):
    resp = desk.client.get("/api/v1/tasks", query_string={"queue": queue},
                           headers=desk.headers[who])
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"query": {"queue": [message]}}
