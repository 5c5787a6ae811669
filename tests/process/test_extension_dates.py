"""An extension (申请延期 → 审批延期) asks for a working day (工作日): the date is promised to the
reviewer and becomes the rectification deadline, which the warning counts back from. Holidays
and make-up working days come from calendars/ (2026: 国庆节 10/1-10/7, 10/10 a Saturday worked),
in both jurisdictions; a regional holiday announced after the request stops its approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cases.records import CaseTask
from app.extensions import db

# where: receipt (a Monday), caseworker, agency, region prefix of a regional calendar, and the
# complex rectification deadline it gives (深圳 10, 江苏 15 working days from receipt; 9/20 a
# Sunday worked, 中秋节 9/25-9/27 off)
PLACES = {
    "sz": ("2026-09-14 10:00", "sz_worker", "sz_agency", "44", "2026-09-28"),
    "js": ("2026-09-07 10:00", "js_worker", "js_agency", "32", "2026-09-28"),
}
REQUESTED = "2026-09-24 10:00"  # the Thursday before 中秋节: extension.limit reaches 10/29
REQUEST = {"extension_reason": "需采购设备", "reviewer_informed": True}


def _to_request(desk, travel, where: str) -> tuple[str, dict]:
    """A complex case of `where` driven to its open 申请延期 task at REQUESTED: the case's
    number and the task."""
    receipt, worker, _agency, _prefix, due = PLACES[where]
    travel(receipt)
    number = desk.post(where, rated_at=desk.at(receipt).isoformat())
    for step, data in (
            ("contact", {"contact_result": "reached", "reason": "窗口排队时间过长"}),
            ("verify", {"determination": "valid", "findings": "属实"}),
            ("classify", {"rectify_class": "complex"}),
            ("ledger", {"plan": "增设窗口", "promised_date": due, "owner": "王主任"}),
            ("rectify", {"rectify_outcome": "extend", "rectify_result": "设备未到货"})):
        desk.do(worker, number, step, **data)
    task = desk.task(number, "request_extension")
    assert task["deadline"]["due_at"].startswith(f"{due}T23:59:59")
    travel(REQUESTED)
    return number, task


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize(("asked", "following"), [
    ("2026-10-05", "2026-10-08"),  # 国庆节, a Monday off
    ("2026-10-11", "2026-10-12"),  # the Sunday after the Saturday worked
])
def test_a_day_off_is_refused_naming_the_next_working_day(desk, travel, where, asked,
                                                          following):
    _number, task = _to_request(desk, travel, where)
    resp = desk.complete(PLACES[where][1], task["task_id"], requested_until=asked, **REQUEST)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"requested_until": [
        f"Must be a working day; the next working day is {following}."]}
    assert desk.complete(PLACES[where][1], task["task_id"], requested_until=following,
                         **REQUEST).status_code == 200


@pytest.mark.parametrize("where", PLACES)
def test_a_make_up_working_day_is_granted_and_the_warning_counts_back_from_it(
        desk, travel, where):
    """10/10, a Saturday worked: approved, the deadline is its end and the warning (lead 3)
    is at 00:00 of 10/8, two working days before (10/9, 10/8)."""
    number, _task = _to_request(desk, travel, where)
    _receipt, worker, agency, _prefix, _due = PLACES[where]
    desk.do(worker, number, "request_extension", requested_until="2026-10-10", **REQUEST)
    desk.do(agency, number, "approve_extension", extension_decision="approved")
    rectify = desk.task(number, "rectify")
    assert rectify["deadline"]["due_at"].startswith("2026-10-10T23:59:59")
    assert rectify["deadline"]["warn_at"].startswith("2026-10-08T00:00:00")


def test_the_other_checks_come_with_it(desk, travel):
    """A day off that is also past extension.limit (10/29) gets both messages."""
    _number, task = _to_request(desk, travel, "sz")
    resp = desk.complete("sz_worker", task["task_id"], requested_until="2026-10-31", **REQUEST)
    assert resp.get_json()["errors"]["json"]["data"] == {"requested_until": [
        "Must be a working day; the next working day is 2026-11-02.",
        "Must be no later than 2026-10-29 (rule extension.limit)."]}


REGIONAL = ("year: 2026\nregion: 测试地区\n"
            "source: {title: 测试用地方假日（非真实通知）, basis: 测试}\n"
            "holidays:\n  - {name: 测试假日, date: 2026-10-16}\n")


@pytest.mark.parametrize("where", PLACES)
def test_an_approval_of_a_day_that_is_no_longer_a_working_day_is_refused(
        desk, travel, calendar_copy, browser_for, where):
    """The region declares a holiday on the day asked for after the request: approving it is
    refused on the decision (naming the next working day), rejecting it goes through, and the
    department may ask again."""
    number, _task = _to_request(desk, travel, where)
    _receipt, worker, agency, prefix, _due = PLACES[where]
    desk.do(worker, number, "request_extension", requested_until="2026-10-16", **REQUEST)
    (calendar_copy.root / prefix).mkdir()
    (calendar_copy.root / prefix / "2026.yaml").write_text(REGIONAL, encoding="utf-8")
    approval = desk.task(number, "approve_extension")
    resp = desk.complete(agency, approval["task_id"], extension_decision="approved")
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"extension_decision": [
        "The day asked for, 2026-10-16, is not a working day (the next working day is "
        "2026-10-19): reject the request, so that the department asks for a working day."]}
    page = browser_for(agency).post(f"/tasks/{approval['task_id']}",
                                    data={"extension_decision": "approved", "next": "/inbox"})
    assert page.status_code == 400
    assert ("申请延期至的 2026年10月16日 不是工作日（其后最近的工作日为 2026年10月19日），"
            "不能同意延期") in page.get_data(as_text=True)
    desk.do(agency, number, "approve_extension", extension_decision="rejected")
    assert desk.steps(number) == ["rectify"]


def _open_task(number: str, step: str) -> CaseTask:
    db.session.rollback()
    return db.session.scalar(select(CaseTask).where(
        CaseTask.step == step, CaseTask.state == "open", CaseTask.case.has(number=number)))


def test_the_task_page_says_it_in_place_in_the_users_language(desk, travel, browser_for):
    number, task = _to_request(desk, travel, "sz")
    worker = browser_for("sz_worker")
    form = {"extension_reason": "需采购设备", "reviewer_informed": "on",
            "requested_until": "2026-10-05", "next": "/inbox"}
    page = worker.post(f"/tasks/{task['task_id']}", data=form)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "延期至日期须为工作日；其后最近的工作日为 2026年10月8日。" in text
    english = worker.post(f"/tasks/{task['task_id']}?lang=en", data=form).get_data(as_text=True)
    assert "must be a working day; the next working day is Oct 8, 2026." in english
    assert _open_task(number, "request_extension") is not None


def _to_rectify(desk, travel, where: str, klass: str) -> tuple[str, dict]:
    """A case of `where` and class `klass` at its open 整改 task (complex: after its ledger)."""
    receipt, worker, _agency, _prefix, due = PLACES[where]
    travel(receipt)
    number = desk.post(where, rated_at=desk.at(receipt).isoformat())
    steps = [("contact", {"contact_result": "reached", "reason": "窗口排队时间过长"}),
             ("verify", {"determination": "valid", "findings": "属实"}),
             ("classify", {"rectify_class": klass})]
    if klass == "complex":
        steps.append(("ledger", {"plan": "增设窗口", "promised_date": due, "owner": "王主任"}))
    for step, data in steps:
        desk.do(worker, number, step, **data)
    return number, desk.task(number, "rectify")


EXTEND = {"rectify_outcome": "extend", "rectify_result": "设备未到货"}


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize("klass", ["simple", "general"])
def test_only_a_complex_rectification_may_ask_for_an_extension(desk, travel, where, klass):
    """深圳第二十四条（二）: 情况复杂、一时难以解决的，建立台账，限期整改；无法按期完成的，到期日前
    说明理由和期限. A simple or general one is done, or escalated when late."""
    number, task = _to_rectify(desk, travel, where, klass)
    resp = desk.complete(PLACES[where][1], task["task_id"], **EXTEND)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"rectify_outcome": [
        "Only a complex rectification may ask for an extension."]}
    assert desk.steps(number) == ["rectify"]


@pytest.mark.parametrize("where", PLACES)
def test_an_extension_is_asked_for_before_the_deadline_has_passed(desk, travel, browser_for,
                                                                  where):
    """The complex deadline is 9/28 23:59:59: asked on 9/29 it is refused (the step is
    overdue and escalated, 督办); on the due day itself it is not."""
    number, task = _to_rectify(desk, travel, where, "complex")
    worker = PLACES[where][1]
    travel("2026-09-29 09:00")
    resp = desk.complete(worker, task["task_id"], **EXTEND)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"rectify_outcome": [
        "An extension must be asked for before the deadline, 2026-09-28, has passed."]}
    page = browser_for(worker).post(f"/tasks/{task['task_id']}",
                                    data={**EXTEND, "next": "/inbox"})
    assert page.status_code == 400
    assert "整改期限（2026年9月28日）已过，不能再申请延期：须在到期日前申请。" in page.get_data(
        as_text=True)
    assert desk.steps(number) == ["rectify"]


@pytest.mark.parametrize("where", PLACES)
def test_an_extension_on_the_due_day_is_accepted(desk, travel, where):
    number, task = _to_rectify(desk, travel, where, "complex")
    travel("2026-09-28 17:00")
    desk.do(PLACES[where][1], number, "rectify", **EXTEND)
    assert desk.steps(number) == ["request_extension"]
