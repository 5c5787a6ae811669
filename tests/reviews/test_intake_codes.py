"""POST /api/v1/reviews: codes are written with ASCII digits (full-width ones are read as
such), a department's unified social credit code has its right check character, a phone in
another script's digits says so, and a tag sent twice is stored once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.org.models import Department
from app.reviews.models import Review
from app.rules.schema import uscc_check_char

URL = "/api/v1/reviews"
ARABIC_INDIC = "٤٤٠٣٠٥٠٠٠٠٠٠"  # 440305000000 in Arabic-Indic digits
PERSIAN = "۴۴۰۳۰۵۰۰۰۰۰۰"  # and in Extended Arabic-Indic (Persian)
FULL_WIDTH = "４４０３０５００００００"
WRONG_CHECK = "11440300MB2D8R104A"  # the right check character is E
RIGHT_CHECK = "11440300MB2D8R104E"


def _post(client, auth, body):
    return client.post(URL, json=body, headers=auth)


def _field_errors(resp, field: str) -> list[str]:
    assert resp.status_code == 422, resp.get_json()
    return resp.get_json()["errors"]["json"][field]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("code", [ARABIC_INDIC, PERSIAN, "44030500000٠", "४४०३०५००००००"])
def test_a_region_code_in_another_scripts_digits_is_422_on_that_field(client, auth, bad_rating,
                                                                      code):
    resp = _post(client, auth, bad_rating(region_code=code))
    assert "0-9" in _field_errors(resp, "region_code")[0]
    assert _count(Review) == 0


def test_a_full_width_region_code_is_read_as_ascii(client, auth, bad_rating):
    resp = _post(client, auth, bad_rating(region_code=FULL_WIDTH))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["review"]["region_code"] == "440305000000"
    assert resp.get_json()["case"]["region_code"] == "440305000000"


def test_a_department_code_with_foreign_digits_is_422(client, auth, bad_rating):
    code = "11٤٤0300MB2D8R104E"
    resp = _post(client, auth, bad_rating(department_code=code, department_name="某局"))
    assert _field_errors(resp, "department_code")
    assert _count(Department) == 0


def test_a_full_width_department_code_is_read_as_ascii(client, auth, bad_rating):
    code = RIGHT_CHECK.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})  # ＡＢ１…
    resp = _post(client, auth, bad_rating(department_code=code, department_name="深圳市某局"))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["review"]["department_code"] == RIGHT_CHECK


def test_a_department_code_with_a_wrong_check_character_is_422(client, auth, bad_rating):
    assert uscc_check_char(WRONG_CHECK[:17]) == "E"
    resp = _post(client, auth, bad_rating(department_code=WRONG_CHECK,
                                          department_name="深圳市政务服务和数据管理局"))
    assert "'E'" in _field_errors(resp, "department_code")[0]
    assert _count(Review) == 0 and _count(Department) == 0


def test_a_staff_unit_code_with_a_wrong_check_character_is_422(client, auth, bad_rating):
    resp = _post(client, auth, bad_rating(rated_object="staff", staff_no="A001",
                                          staff_name="李四", staff_unit_code=WRONG_CHECK,
                                          staff_unit_name="深圳市某局"))
    assert _field_errors(resp, "staff_unit_code")


def test_a_batch_reports_the_wrong_check_character_per_item(client, auth, bad_rating):
    good = bad_rating(department_code=RIGHT_CHECK, department_name="深圳市政务服务和数据管理局")
    bad = bad_rating(department_code=WRONG_CHECK, department_name="深圳市政务服务和数据管理局")
    resp = _post(client, auth, [good, bad])
    assert resp.status_code == 207, resp.get_json()
    rows = resp.get_json()["results"]
    assert [r["status"] for r in rows] == ["created", "invalid"]
    assert "department_code" in rows[1]["errors"]


@pytest.mark.parametrize("query", [{"region": "٤٤٠٣"}, {"region": "4403٠٥"},
                                   {"department_code": "11٤٤0300MB2D8R104E"},
                                   {"department_code": WRONG_CHECK}])
def test_listing_filters_take_ascii_codes_only(client, auth, query):
    resp = client.get(URL, query_string=query, headers=auth)
    assert resp.status_code == 422, resp.get_json()
    assert list(query) == list(resp.get_json()["errors"]["query"])


def test_listing_reads_a_full_width_region_prefix(client, auth, bad_rating):
    assert _post(client, auth, bad_rating(region_code="440305000000")).status_code == 201
    resp = client.get(URL, query_string={"region": "４４０３"}, headers=auth)
    assert resp.status_code == 200 and len(resp.get_json()) == 1


@pytest.mark.parametrize("phone", ["١٣٨١٢٣٤٥٦٧٨", "13٨12345678", "+86 ۱۳۸۱۲۳۴۵۶۷۸"])
def test_a_phone_in_another_scripts_digits_says_to_use_0_to_9(client, auth, rating, phone):
    messages = _field_errors(_post(client, auth, rating(reviewer_phone=phone)), "reviewer_phone")
    assert "digits 0-9" in messages[0]
    assert "11 digits" not in messages[0]


def test_a_tag_sent_twice_is_stored_once_in_order(client, auth, bad_rating):
    resp = _post(client, auth, bad_rating(tags=["慢", "态度差", "慢", " 态度差 "]))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["review"]["tags"] == ["慢", "态度差"]
    assert db.session.scalar(select(Review.tags)) == ["慢", "态度差"]
