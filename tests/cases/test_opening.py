"""Cases opened by intake: routing by responsibility type, atomicity."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.cases import opening
from app.cases.models import Case
from app.extensions import db
from app.reviews.intake import intake
from app.reviews.models import Review
from app.rules import service as rules_service


def _bad(**kw):
    from app.demo.data import uscc

    base = {"serial_no": kw.pop("serial_no", "S1"), "rated_object": "item", "channel": "mobile",
            "level": "非常不满意", "text": "不方便", "rated_at": "2026-03-02T10:00:00+08:00",
            "department_code": uscc("440300", 1), "department_name": "深圳市公安局",
            "region_code": "440304000000"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def _case(payload) -> Case:
    (res,) = intake([payload], source="test")
    assert res.status == "created", res.errors
    return db.session.scalar(select(Case).where(Case.number == res.case_number))


def test_item_review_goes_to_the_item_department(app_ctx):
    case = _case(_bad())
    assert case.responsibility == "item" and case.dispatch == "auto"
    assert case.department_name == "深圳市公安局"


def test_channel_review_goes_to_the_system_owner(app_ctx):
    rules = rules_service.for_region("440304000000")
    owner = rules.routing.system_owner("mobile")
    case = _case(_bad(rated_object="channel"))
    assert case.responsibility == "system"
    assert (case.department_code, case.department_name) == (owner.code, owner.name)


def test_staff_review_goes_to_the_personnel_unit(app_ctx):
    from app.demo.data import uscc

    unit = uscc("440304", 77)
    case = _case(_bad(rated_object="staff", channel="hall_tablet", staff_name="林静",
                      staff_unit_code=unit, staff_unit_name="福田区政务服务中心"))
    assert (case.responsibility, case.department_code) == ("staff", unit)


def test_staff_review_without_unit_goes_to_the_department_with_a_note(app_ctx):
    case = _case(_bad(rated_object="staff", staff_name="林静"))
    assert case.department_name == "深圳市公安局" and "personnel unit" in case.routing_note


def test_unroutable_review_waits_for_the_hotline(app_ctx):
    case = _case(_bad(department_code=None, department_name=None))
    assert (case.dispatch, case.department_code) == ("hotline", None)
    assert case.routing_note


def test_case_records_jurisdiction_and_rule_version(app_ctx):
    case = _case(_bad(region_code="320102000000"))
    rules = rules_service.for_region("320102000000")
    assert case.jurisdiction == "jiangsu"
    assert case.rule_version_id == rules_service.version_id(rules)


def test_failure_half_way_leaves_nothing(app_ctx, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.reviews.intake.open_cases", boom)
    with pytest.raises(RuntimeError):
        intake([_bad(serial_no=f"S{i}") for i in range(3)], source="test")
    assert db.session.scalar(select(func.count(Review.id))) == 0
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_failure_in_the_api_is_500_json_and_leaves_nothing(client, monkeypatch):
    from app.auth import tokens

    headers = {"Authorization": f"Bearer {tokens.create('t')}"}
    monkeypatch.setattr(opening, "route", lambda *_: 1 / 0)
    resp = client.post("/api/v1/reviews", json=_bad(), headers=headers)
    assert resp.status_code == 500 and resp.json["code"] == 500
    assert db.session.scalar(select(func.count(Review.id))) == 0
