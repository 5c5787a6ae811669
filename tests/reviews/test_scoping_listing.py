"""GET /api/v1/reviews with a user's token lists only what the user may see (their department's
or region's ratings, and those of their cases); a channel system's token lists the ratings it
sent, not another channel's."""

from __future__ import annotations

import pytest

from app.auth import tokens, users
from app.extensions import db
from tests.materials.conftest import OTHER_DEPT, Office, open_office

URL = "/api/v1/reviews"


@pytest.fixture()
def office(client, bad_rating) -> Office:
    return open_office(client, bad_rating)


def _serials(office: Office, who: str) -> set[str]:
    resp = office.get(who, URL)
    assert resp.status_code == 200, resp.get_json()
    return {r["serial_no"] for r in resp.get_json()}


def _channel(office: Office) -> dict:
    return {"Authorization": f"Bearer {tokens.create('other-channel')}"}


def test_another_departments_caseworker_lists_none_of_its_ratings(office):
    mine = office.case()["rating"]["serial_no"]
    assert _serials(office, "outsider") == set()
    assert _serials(office, "worker") == {mine}
    assert _serials(office, "boss") == {mine}
    resp = office.get("outsider", URL, query_string={"serial_no": mine})
    assert resp.get_json() == [] and resp.headers["X-Pagination"].startswith('{"total": 0')


def test_region_roles_list_their_regions_ratings(office):
    mine = office.case()["rating"]["serial_no"]
    assert _serials(office, "hotline") == {mine} == _serials(office, "agency")
    assert _serials(office, "js_hotline") == set()
    assert _serials(office, "root") == {mine}


def test_a_staff_review_is_listed_to_the_personnel_unit_it_went_to(office, client, bad_rating):
    body = bad_rating(rated_object="staff", staff_no="A001", staff_name="李四",
                      staff_unit_code=OTHER_DEPT[0], staff_unit_name=OTHER_DEPT[1],
                      region_code="440305000000")
    resp = client.post(URL, json=body, headers=_channel(office))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["case"]["department_code"] == OTHER_DEPT[0]
    assert body["serial_no"] in _serials(office, "outsider")


def test_a_channel_token_lists_the_ratings_it_sent(office, bad_rating):
    sender = {"Authorization": f"Bearer {tokens.create('test-channel-2')}"}
    body = bad_rating(region_code="440305000000")
    assert office.client.post(URL, json=body, headers=sender).status_code == 201
    listed = office.client.get(URL, headers=sender).get_json()
    assert [r["serial_no"] for r in listed] == [body["serial_no"]]
    silent = _channel(office)  # a channel that sent none
    assert office.client.get(URL, headers=silent).get_json() == []
    other = office.client.get(URL, headers=silent, query_string={"serial_no": body["serial_no"]})
    assert other.get_json() == [] and other.headers["X-Pagination"].startswith('{"total": 0')


def test_a_user_of_no_department_or_region_lists_nothing(office):
    owner = users.create("owner", "流程负责人", "process_owner", password="correct-horse-9")
    headers = {"Authorization": f"Bearer {tokens.create('token-owner', owner.id)}"}
    assert office.client.get(URL, headers=headers).get_json() == []


def test_a_deactivated_users_token_is_refused(office):
    worker = users.by_username("worker")
    worker.active = False
    db.session.commit()
    assert office.get("worker", URL).status_code == 403
