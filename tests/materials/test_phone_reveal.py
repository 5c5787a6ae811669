"""The reviewer's phone number: masked for everyone, revealed only to the assignee of an open
task of the case and to the 12345 hotline of its region; every reveal is an event."""

from __future__ import annotations

import pytest


def _reveal(office, who: str):
    return office.post(who, f"/api/v1/cases/{office.number}/reveal-phone")


def test_assignee_of_an_open_task_sees_it_and_the_reveal_is_recorded(office):
    office.claim("worker")
    resp = _reveal(office, "worker")
    assert resp.status_code == 200
    assert resp.get_json()["phone"] == "13812345678"
    assert resp.headers["Cache-Control"] == "no-store"
    [event] = office.events("phone_revealed")
    assert event["actor"] == "worker" and event["kind_label"] == "查看评价人联系电话"
    assert event["at"] == resp.get_json()["revealed_at"]
    assert "13812345678" not in str(event)  # the audit trail does not spread the number


def test_hotline_of_the_region_sees_it(office):
    assert _reveal(office, "hotline").get_json()["phone"] == "13812345678"
    assert [e["actor"] for e in office.events("phone_revealed")] == ["hotline"]


@pytest.mark.parametrize("who", ["colleague", "boss", "agency", "root"])
def test_others_who_may_see_the_case_may_not(office, who):
    office.claim("worker")
    resp = _reveal(office, who)
    assert resp.status_code == 403 and "phone" not in resp.get_json()
    assert office.events("phone_revealed") == []


@pytest.mark.parametrize("who", ["outsider", "js_hotline"])
def test_people_outside_the_case_get_403(office, who):
    assert _reveal(office, who).status_code == 403


def test_unclaimed_task_is_not_enough(office):
    assert _reveal(office, "worker").status_code == 403


def test_once_no_step_is_held_the_assignee_may_no_longer(office):
    task_id = office.claim("worker")
    resp = office.post("worker", f"/api/v1/tasks/{task_id}/complete", json={"data": {
        "contact_result": "reached", "reason": "排队时间长"}})
    assert resp.status_code == 200, resp.get_json()
    kept = [t for t in office.get("worker", f"/api/v1/cases/{office.number}").get_json()["tasks"]
            if t["state"] == "open"]
    assert [t["step"] for t in kept] == ["verify"]  # 承办人延续: the next step stays theirs
    assert _reveal(office, "worker").status_code == 200
    resp = office.post("worker", f"/api/v1/tasks/{kept[0]['task_id']}/unclaim")
    assert resp.status_code == 200, resp.get_json()
    assert _reveal(office, "worker").status_code == 403


def test_case_api_shows_the_phone_masked_only(office):
    office.claim("worker")
    assert "13812345678" not in office.get("worker", f"/api/v1/cases/{office.number}").get_data(
        as_text=True)


def test_rating_without_a_phone(client, bad_rating):
    from tests.materials.conftest import open_office

    office = open_office(client, lambda **kw: bad_rating(**{**kw, "reviewer_phone": None}))
    resp = office.post("hotline", f"/api/v1/cases/{office.number}/reveal-phone")
    assert resp.status_code == 404
    assert office.events("phone_revealed") == []
