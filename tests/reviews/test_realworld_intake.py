"""POST /api/v1/reviews with data as real channel systems send it: phone numbers in every
writing, padded and empty strings, rare characters and emoji, Windows line breaks, times in
every offset and placeholder dates. Stored the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.reviews.models import Review

URL = "/api/v1/reviews"


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        yield


def _stored(resp) -> Review:
    assert resp.status_code == 201, resp.get_json()
    db.session.expire_all()
    return db.session.get(Review, resp.get_json()["review"]["id"])


@pytest.mark.parametrize(("sent", "stored", "masked"), [
    ("+86 138 1234 5678", "13812345678", "138****5678"),
    ("0755 1234 5678", "0755-12345678", "****-****5678"),
    ("0755-1234567-801", "0755-1234567-801", "****-***4567-***"),
    ("400-123-4567", "4001234567", "400***4567"),
    ("95588", "95588", "***88"),
    ("", None, None),
])
def test_phone_numbers_in_every_writing_are_stored_in_one_form(client, auth, rating, sent,
                                                               stored, masked):
    resp = client.post(URL, json=rating(reviewer_phone=sent), headers=auth)
    assert _stored(resp).reviewer_phone == stored
    assert resp.get_json()["review"]["reviewer_phone"] == masked
    listed = client.get(URL, headers=auth).get_json()
    assert [r["reviewer_phone"] for r in listed] == [masked]


@pytest.mark.parametrize(("sent", "message"), [
    ("call me", "Not a phone number: give a mobile number"),
    ("123", "Too short for a phone number (3 digits)."),
    ("1381234567", "A mobile number has 11 digits (this has 10)."),
])
def test_a_wrong_phone_number_is_refused_on_its_field_saying_why(client, auth, rating, sent,
                                                                message):
    resp = client.post(URL, json=rating(reviewer_phone=sent), headers=auth)
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]["json"]) == ["reviewer_phone"]
    assert resp.get_json()["errors"]["json"]["reviewer_phone"][0].startswith(message)


def test_padded_strings_are_trimmed_and_empty_optional_ones_left_out(client, auth, rating):
    resp = client.post(URL, json=rating(
        serial_no=" 4403052400000001\t", reviewer_name="\ufeff 张三 ", department_code="",
        department_name="", item_code="", staff_name="  ", tags=[" 办事高效 "]), headers=auth)
    review = _stored(resp)
    assert review.serial_no == "4403052400000001" and review.reviewer_name == "张三"
    assert (review.department_code, review.department_name, review.item_code,
            review.staff_name) == (None, None, None, None)
    assert review.tags == ["办事高效"]
    again = client.post(URL, json=rating(serial_no="4403052400000001"), headers=auth)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"


def test_an_empty_tag_is_refused(client, auth, rating):
    resp = client.post(URL, json=rating(tags=["  "]), headers=auth)
    assert resp.status_code == 422 and "tags" in resp.get_json()["errors"]["json"]


@pytest.mark.parametrize(("name", "kind", "masked"), [
    ("张", "individual", "*"),
    ("𡈼", "individual", "*"),
    ("阿依古丽·买买提", "individual", "阿*******"),
    ("深圳市某某科技有限公司", "legal_person", "深圳*********"),
])
def test_names_are_stored_whole_and_shown_masked(client, auth, rating, name, kind, masked):
    resp = client.post(URL, json=rating(reviewer_name=name, reviewer_type=kind), headers=auth)
    assert _stored(resp).reviewer_name == name
    assert resp.get_json()["review"]["reviewer_name"] == masked


def test_texts_keep_every_character_and_read_line_breaks_as_one(client, auth, bad_rating):
    text = ("𠮷野家 䶮 排队太久😡👨\u200d👩\u200d👧，等了2小时!!\r\n"
            "<b>窗口</b> &amp; <script>\r第三行")
    resp = client.post(URL, json=bad_rating(text=text, staff_name="阿依古丽·买买提"),
                       headers=auth)
    review = _stored(resp)
    assert review.text == text.replace("\r\n", "\n").replace("\r", "\n")
    assert review.staff_name == "阿依古丽·买买提"
    assert resp.get_json()["review"]["text"] == review.text


def test_lengths_are_counted_in_characters_and_a_line_break_is_one(client, auth, bad_rating):
    lines = ("差" * 19 + "\r\n") * 100  # 2000 characters as typed, 2100 as sent
    assert len(_stored(client.post(URL, json=bad_rating(text=lines), headers=auth)).text) \
        == 1999  # the last line break is trimmed
    astral = "𠮷" * 2000  # 2000 characters, 8000 bytes in UTF-8
    assert _stored(client.post(URL, json=bad_rating(text=astral), headers=auth)).text == astral
    resp = client.post(URL, json=bad_rating(text="𠮷" * 2001), headers=auth)
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"]["text"] == ["At most 2000 characters."]


@pytest.mark.parametrize(("sent", "shown", "utc"), [
    ("2026-03-02T10:15:00Z", "2026-03-02T18:15:00+08:00", datetime(2026, 3, 2, 10, 15)),
    ("2026-03-02T10:15:00.250Z", "2026-03-02T18:15:00.250000+08:00",
     datetime(2026, 3, 2, 10, 15, 0, 250000)),
    ("2026-03-02T10:15:00-05:00", "2026-03-02T23:15:00+08:00", datetime(2026, 3, 2, 15, 15)),
    ("2026-03-02 10:15:00", "2026-03-02T10:15:00+08:00", datetime(2026, 3, 2, 2, 15)),
    ("2026-03-03T09:09:59+08:00", "2026-03-03T09:09:59+08:00", datetime(2026, 3, 3, 1, 9, 59)),
    ("2019-01-01T00:00:00+08:00", "2019-01-01T00:00:00+08:00", datetime(2018, 12, 31, 16)),
])
def test_rated_at_is_stored_in_utc_and_shown_in_beijing_time(client, auth, rating, sent, shown,
                                                             utc):
    resp = client.post(URL, json=rating(rated_at=sent), headers=auth)
    assert _stored(resp).rated_at == utc.replace(tzinfo=UTC)
    assert resp.get_json()["review"]["rated_at"] == shown


@pytest.mark.parametrize(("sent", "message"), [
    ("2026-03-03T09:10:01+08:00", "Lies in the future (more than 10 minutes ahead"),
    ("2018-12-31T23:59:59+08:00", "Before 2019-01-01"),
    ("1970-01-01T00:00:00Z", "Before 2019-01-01"),  # a channel's zero timestamp
    ("0001-01-01T00:00:00+08:00", "Out of range"),  # was a 500: no such instant in UTC
    ("0001-01-02T00:00:00+08:00", "Before 2019-01-01"),
    ("2026/03/02 10:15", "Not a valid datetime."),
])
def test_placeholder_and_future_times_are_refused_on_rated_at(client, auth, rating, sent,
                                                             message):
    resp = client.post(URL, json=rating(rated_at=sent), headers=auth)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["rated_at"][0].startswith(message)
    assert db.session.scalar(select(func.count(Review.id))) == 0


@pytest.mark.parametrize("query", ["rated_from=0001-01-01T00:00:00%2B08:00",
                                   "rated_to=9999-12-31T23:59:59-05:00"])
def test_listing_filters_out_of_utc_range_are_refused_not_a_500(client, auth, query):
    resp = client.get(f"{URL}?{query}", headers=auth)
    assert resp.status_code == 422
    [field] = resp.get_json()["errors"]["query"]
    assert resp.get_json()["errors"]["query"][field] == ["Out of range: no such instant in UTC."]
