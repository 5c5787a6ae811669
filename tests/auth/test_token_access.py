"""Who may use which API with a token: a deactivated user's token is refused on every route
(ratings included) with a message that says so; ratings come from channel systems' tokens
only, whatever the user's role or scope."""

from __future__ import annotations

import pytest

from app.auth import tokens, users
from app.extensions import db
from tests.materials.conftest import PEOPLE, Office, open_office

REVIEWS = "/api/v1/reviews"
NANJING = {"region_code": "320102000000", "department_code": "11320102MB0000000F",
           "department_name": "南京市玄武区政务服务管理办公室"}


@pytest.fixture()
def office(client, bad_rating) -> Office:
    return open_office(client, bad_rating)


def _deactivate(username: str) -> None:
    users.by_username(username).active = False
    db.session.commit()


def _routes(office: Office) -> list[tuple[str, str, dict]]:
    """(method, path, keyword arguments) of token routes, one per API blueprint."""
    task_id = office.open_task("contact")["task_id"]
    number = office.number
    return [
        ("get", REVIEWS, {}),
        ("get", "/api/v1/tasks", {}),
        ("get", f"/api/v1/tasks/{task_id}", {}),
        ("post", f"/api/v1/tasks/{task_id}/claim", {}),
        ("get", f"/api/v1/cases/{number}", {}),
        ("get", f"/api/v1/cases/{number}/comments", {}),
        ("post", f"/api/v1/cases/{number}/comments", {"json": {"text": "备注"}}),
        ("post", f"/api/v1/cases/{number}/reveal-phone", {}),
    ]


def test_a_deactivated_users_token_may_not_submit_ratings(office, bad_rating):
    _deactivate("worker")
    resp = office.post("worker", REVIEWS, json=bad_rating())
    assert resp.status_code == 403, resp.get_json()
    assert "deactivated" in resp.get_json()["message"]
    batch = office.post("worker", REVIEWS, json=[bad_rating()])
    assert batch.status_code == 403


def test_a_deactivated_users_token_is_refused_everywhere_saying_so(office):
    _deactivate("worker")
    for method, path, kw in _routes(office):
        resp = getattr(office.client, method)(path, headers=office.headers["worker"], **kw)
        assert resp.status_code == 403, (path, resp.get_json())
        body = resp.get_json()
        assert "deactivated" in body["message"], (path, body)
        assert "channel tokens" not in body["message"], (path, body)


def test_a_reactivated_user_works_again(office):
    _deactivate("worker")
    worker = users.by_username("worker")
    worker.active = True
    db.session.commit()
    assert office.get("worker", "/api/v1/tasks").status_code == 200


def test_a_channel_token_on_the_case_apis_is_told_it_needs_a_users_token(office):
    channel = {"Authorization": f"Bearer {tokens.create('other-channel')}"}
    resp = office.client.get("/api/v1/tasks", headers=channel)
    assert resp.status_code == 403
    assert "needs a user's token" in resp.get_json()["message"]


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_no_users_token_submits_ratings(office, bad_rating, who):
    """Every role (the hotline and administrators too) in and out of its scope: ratings come
    from channel systems (评价渠道系统); people work cases."""
    for where in ({}, NANJING):
        before = db.session.execute(db.text("select count(*) from reviews")).scalar()
        resp = office.post(who, REVIEWS, json=bad_rating(**where))
        assert resp.status_code == 403, resp.get_json()
        assert "channel system" in resp.get_json()["message"]
        assert office.post(who, REVIEWS, json=[bad_rating(**where)]).status_code == 403
        assert db.session.execute(db.text("select count(*) from reviews")).scalar() == before


def test_a_channel_token_submits_ratings_anywhere(office, bad_rating):
    channel = {"Authorization": f"Bearer {tokens.create('other-channel')}"}
    resp = office.client.post(REVIEWS, json=bad_rating(**NANJING), headers=channel)
    assert resp.status_code == 201, resp.get_json()
