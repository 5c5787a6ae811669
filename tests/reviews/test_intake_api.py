"""POST /api/v1/reviews: authentication, validation, idempotency, cases, batches."""

from __future__ import annotations

import json

import pytest
import time_machine
from sqlalchemy import func, select

from app.auth import tokens
from app.cases.models import Case
from app.extensions import db
from app.reviews.models import Review

URL = "/api/v1/reviews"
MORNING = "2026-03-03 09:00 +0800"


@pytest.fixture()
def morning():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


class TestAuth:
    def test_no_token_is_401_json(self, client, rating):
        resp = client.post(URL, json=rating())
        assert resp.status_code == 401
        assert resp.json["code"] == 401 and "token" in resp.json["message"]
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")

    def test_bad_token_is_401(self, client, rating, token):
        resp = client.post(URL, json=rating(), headers={"Authorization": "Bearer hcp_nope"})
        assert resp.status_code == 401

    def test_revoked_token_is_401(self, client, rating, auth):
        tokens.revoke("test-channel")
        assert client.post(URL, json=rating(), headers=auth).status_code == 401

    def test_x_api_token_header(self, client, rating, token):
        assert client.post(URL, json=rating(), headers={"X-API-Token": token}).status_code == 201

    def test_only_the_hash_is_stored(self, app_ctx, token):
        from app.auth.models import ApiToken

        row = db.session.scalar(select(ApiToken))
        assert token not in (row.token_hash, row.prefix) and row.token_hash == tokens.digest(token)


@pytest.mark.usefixtures("morning")
class TestSingle:
    def test_good_rating_creates_no_case(self, client, auth, rating):
        resp = client.post(URL, json=rating(), headers=auth)
        assert resp.status_code == 201
        body = resp.json
        assert body["status"] == "created" and body["case"] is None
        assert body["review"]["level"] == "满意" and body["review"]["score"] == 8
        assert body["review"]["is_bad"] is False
        assert body["review"]["source"] == "test-channel"

    def test_bad_rating_opens_a_routed_case(self, client, auth, bad_rating):
        resp = client.post(URL, json=bad_rating(), headers=auth)
        assert resp.status_code == 201
        case = resp.json["case"]
        assert case["number"] == "CP-20260303-000001"
        assert case["status"] == "in_progress" and case["status_label"] == "办理中"
        assert case["jurisdiction"] == "shenzhen"
        assert case["responsibility"] == "item" and case["dispatch"] == "auto"
        assert case["department_name"] == "深圳市人力资源和社会保障局"
        assert case["rule_version_id"] > 0
        assert case["received_at"] == "2026-03-03T09:00:00+08:00"

    def test_jiangsu_region_uses_jiangsu_rules(self, client, auth, bad_rating):
        resp = client.post(URL, json=bad_rating(region_code="320106000000"), headers=auth)
        assert resp.json["case"]["jurisdiction"] == "jiangsu"

    def test_same_rating_twice_returns_the_first(self, client, auth, bad_rating):
        payload = bad_rating()
        first = client.post(URL, json=payload, headers=auth)
        again = client.post(URL, json={**payload, "text": "changed"}, headers=auth)
        assert again.status_code == 200 and again.json["status"] == "duplicate"
        assert again.json["review"]["id"] == first.json["review"]["id"]
        assert again.json["review"]["text"] == "排队太久"
        assert again.json["case"]["number"] == first.json["case"]["number"]
        assert count(Review) == 1 and count(Case) == 1

    def test_follow_up_is_a_different_rating(self, client, auth, bad_rating):
        payload = bad_rating(rated_object="overall")
        client.post(URL, json=payload, headers=auth)
        resp = client.post(URL, json={**payload, "rating_count": 2}, headers=auth)
        assert resp.status_code == 201 and count(Case) == 2

    def test_numeric_codes_follow_their_scheme(self, client, auth, rating):
        gbt = rating(level=None, level_code=5, level_scheme="gbt39046", text="慢")
        plat = rating(level=None, level_code=5, level_scheme="platform")
        assert client.post(URL, json=gbt, headers=auth).json["review"]["level"] == "非常不满意"
        assert client.post(URL, json=plat, headers=auth).json["review"]["level"] == "非常满意"

    def test_masked_in_the_response(self, client, auth, rating):
        review = client.post(URL, json=rating(reviewer_cert_no="440305199001011234"),
                             headers=auth).json["review"]
        assert review["reviewer_name"] == "张*"
        assert review["reviewer_phone"] == "138****5678"
        assert review["reviewer_cert_no"] == "4403************34"

    def test_day_sequence_restarts_next_day(self, client, auth, bad_rating):
        numbers = [client.post(URL, json=bad_rating(), headers=auth).json["case"]["number"]
                   for _ in range(2)]
        with time_machine.travel("2026-03-04 08:00 +0800", tick=False):
            numbers.append(client.post(URL, json=bad_rating(), headers=auth).json["case"]["number"])
        assert numbers == ["CP-20260303-000001", "CP-20260303-000002", "CP-20260304-000001"]

    def test_day_follows_beijing_time(self, client, auth, bad_rating):
        with time_machine.travel("2026-03-03 17:30 +0000", tick=False):  # 01:30 on the 4th
            number = client.post(URL, json=bad_rating(), headers=auth).json["case"]["number"]
        assert number == "CP-20260304-000001"


INVALID = [
    ({"level": None}, "level"),
    ({"level": "很好"}, "level"),
    ({"level": None, "level_code": 2}, "level_scheme"),
    ({"level": None, "level_code": 6, "level_scheme": "platform"}, "level_code"),
    ({"level": "满意", "level_code": 1, "level_scheme": "platform"}, "level"),
    ({"level": "不满意", "tags": [], "text": "  "}, "text"),
    ({"level": "非常不满意", "tags": [], "text": None}, "text"),
    ({"level": "不满意", "is_default": True}, "is_default"),
    ({"rating_count": 2, "rated_object": "item"}, "rated_object"),
    ({"rating_count": 3}, "rating_count"),
    ({"rated_object": "staff"}, "staff_no"),
    ({"channel": "fax"}, "channel"),
    ({"region_code": "4403"}, "region_code"),
    ({"department_code": "123"}, "department_code"),
    ({"department_name": None}, "department_name"),
    ({"reviewer_phone": "call me"}, "reviewer_phone"),
    ({"rated_at": "yesterday"}, "rated_at"),
    ({"rated_at": "2099-01-01T00:00:00+08:00"}, "rated_at"),
    ({"serial_no": ""}, "serial_no"),
    ({"serial_no": None}, "serial_no"),
    ({"surprise": 1}, "surprise"),
    ({"tags": ["x" * 51]}, "tags"),
]


@pytest.mark.parametrize(("change", "field"), INVALID)
def test_invalid_rating_is_422_per_field_and_stores_nothing(client, auth, rating, change, field):
    payload = rating(**{k: v for k, v in change.items() if v is not None})
    for k, v in change.items():
        if v is None:
            payload.pop(k, None)
    if "level" in change and change["level"] == "不满意" and "text" not in change:
        payload["text"] = "x"
    resp = client.post(URL, json=payload, headers=auth)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["errors"]["json"], resp.json
    assert count(Review) == 0 and count(Case) == 0


@pytest.mark.parametrize("body", ["not json", "[1", '{"a": 1'])
def test_malformed_json_is_400_and_says_so(client, auth, body):
    resp = client.post(URL, data=body, headers={**auth, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json["message"] == "the body is not valid JSON"
    assert "(line 1, column" in resp.json["errors"]["json"]["_schema"][0]


def test_json_of_the_wrong_shape_is_422(client, auth):
    resp = client.post(URL, data="3", headers={**auth, "Content-Type": "application/json"})
    assert resp.status_code == 422 and resp.json["message"] == "expected a JSON object or array"


@pytest.mark.parametrize(("field", "value"), [
    ("serial_no", "QA-\x00-1"), ("text", "办得很好\u202e差"), ("tags", ["态度\x07差"]),
    ("reviewer_name", "张\u2067三"),
])
def test_control_characters_are_refused_per_field(client, auth, rating, field, value):
    resp = client.post(URL, json=rating(**{field: value}), headers=auth)
    assert resp.status_code == 422 and field in resp.json["errors"]["json"], resp.json
    assert "control character U+" in json.dumps(resp.json["errors"]["json"][field])
    assert count(Review) == 0


def test_a_body_that_is_not_json_is_415(client, auth, rating):
    resp = client.post(URL, data=json.dumps(rating()),
                       headers={**auth, "Content-Type": "text/plain"})
    assert resp.status_code == 415 and "text/plain" in resp.json["errors"]["json"]["_schema"][0]
    assert count(Review) == 0


def test_a_body_nested_too_deeply_is_400(client, auth):
    deep = '{"serial_no": ' + "[" * 100_000 + "]" * 100_000 + "}"
    resp = client.post(URL, data=deep, headers={**auth, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json["errors"]["json"]["_schema"]
    assert count(Review) == 0


@pytest.mark.usefixtures("morning")
class TestBatch:
    def test_mixed_batch_stores_the_valid_and_says_why_the_rest_failed(
            self, client, auth, rating, bad_rating):
        good, bad = rating(), bad_rating()
        items = [good, bad, rating(channel="fax"), dict(good)]
        resp = client.post(URL, json=items, headers=auth)
        assert resp.status_code == 207
        body = resp.json
        counts = [body[k] for k in ("received", "created", "duplicate", "invalid")]
        assert counts == [4, 2, 1, 1]
        rows = body["results"]
        assert [r["status"] for r in rows] == ["created", "created", "invalid", "duplicate"]
        assert rows[1]["case_number"] == "CP-20260303-000001"
        assert "channel" in rows[2]["errors"]
        assert rows[3]["review_id"] == rows[0]["review_id"]
        assert count(Review) == 2 and count(Case) == 1

    def test_all_valid_batch_is_200(self, client, auth, rating):
        resp = client.post(URL, json=[rating() for _ in range(5)], headers=auth)
        assert resp.status_code == 200 and resp.json["created"] == 5

    def test_resent_batch_is_all_duplicates(self, client, auth, bad_rating):
        items = [bad_rating() for _ in range(3)]
        first = client.post(URL, json=items, headers=auth).json
        again = client.post(URL, json=items, headers=auth).json
        assert again["duplicate"] == 3 and again["created"] == 0
        assert [r["case_number"] for r in again["results"]] == \
            [r["case_number"] for r in first["results"]]
        assert count(Case) == 3

    def test_all_invalid_is_422(self, client, auth, rating):
        resp = client.post(URL, json=[rating(channel="fax"), 5], headers=auth)
        assert resp.status_code == 422 and resp.json["invalid"] == 2
        assert "_schema" in resp.json["results"][1]["errors"]

    @pytest.mark.parametrize("size", [0, 1001])
    def test_batch_size_limits(self, client, auth, rating, size):
        resp = client.post(URL, json=[rating() for _ in range(size)], headers=auth)
        assert resp.status_code == 422 and "_schema" in resp.json["errors"]["json"]
        assert count(Review) == 0

    def test_batch_of_1000_is_accepted(self, client, auth, rating, bad_rating):
        items = [bad_rating() if i % 10 == 0 else rating() for i in range(1000)]
        resp = client.post(URL, json=items, headers=auth)
        assert resp.status_code == 200 and resp.json["created"] == 1000
        assert count(Case) == 100
        numbers = sorted(r["case_number"] for r in resp.json["results"] if r["case_number"])
        assert numbers[0] == "CP-20260303-000001" and numbers[-1] == "CP-20260303-000100"
