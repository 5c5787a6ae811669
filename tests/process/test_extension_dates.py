"""An extension (申请延期 → 审批延期) asks for a working day (工作日): the date is promised to the
reviewer and becomes the rectification deadline, which the warning counts back from. Holidays
and make-up working days come from calendars/ (2026: 国庆节 10/1-10/7, 10/10 a Saturday worked),
in both jurisdictions; a regional holiday announced after the request stops its approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cases.records import CaseTask
from app.extensions import db
from tests.process.conftest import PASSWORD

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


# -- what the forms offer: 申请延期 on 整改, 同意延期 on 审批延期 (page and API alike) ------------

def _form_field(desk, who: str, task_id: str, field_id: str) -> dict:
    """A field of the task's form as GET /api/v1/tasks/<id> describes it."""
    resp = desk.client.get(f"/api/v1/tasks/{task_id}", headers=desk.headers[who])
    assert resp.status_code == 200, resp.get_json()
    return next(f for f in resp.get_json()["form"] if f["id"] == field_id)


EXTEND_OPTION = {"id": "extend", "name": "无法按期完成，申请延期"}
DONE_OPTION = {"id": "done", "name": "整改完成"}


@pytest.mark.parametrize("klass", ["simple", "general"])
def test_a_rectification_that_is_not_complex_is_not_offered_an_extension(
        desk, travel, browser_for, klass):
    _number, task = _to_rectify(desk, travel, "sz", klass)
    field = _form_field(desk, "sz_worker", task["task_id"], "rectify_outcome")
    assert field["options"] == [DONE_OPTION]
    assert field["withheld"] == [{**EXTEND_OPTION, "reasons": [
        "Only a complex rectification may ask for an extension."]}]
    page = browser_for("sz_worker").get(f"/tasks/{task['task_id']}").get_data(as_text=True)
    assert 'value="extend"' not in page and 'value="done"' in page
    assert "不可选择“无法按期完成，申请延期”：只有综合协调（复杂）类整改可以申请延期。" in page


def test_a_complex_rectification_is_offered_an_extension_until_its_deadline(
        desk, travel, browser_for):
    """Offered on its due day (9/28), withheld from 9/29 on, where completing it with the
    option would be refused (the page and the API say why)."""
    _number, task = _to_rectify(desk, travel, "sz", "complex")
    travel("2026-09-28 17:00")
    worker = browser_for("sz_worker")
    field = _form_field(desk, "sz_worker", task["task_id"], "rectify_outcome")
    assert field["options"] == [DONE_OPTION, EXTEND_OPTION] and "withheld" not in field
    assert 'value="extend"' in worker.get(f"/tasks/{task['task_id']}").get_data(as_text=True)
    travel("2026-09-29 09:00")
    field = _form_field(desk, "sz_worker", task["task_id"], "rectify_outcome")
    assert field["options"] == [DONE_OPTION]
    assert field["withheld"] == [{**EXTEND_OPTION, "reasons": [
        "An extension must be asked for before the deadline, 2026-09-28, has passed."]}]
    worker.post("/login", data={"username": "sz_worker", "password": PASSWORD})  # a new day
    page = worker.get(f"/tasks/{task['task_id']}").get_data(as_text=True)
    assert 'value="extend"' not in page
    assert ("不可选择“无法按期完成，申请延期”：整改期限（2026年9月28日）已过，不能再申请延期："
            "须在到期日前申请。") in page


# -- 审批延期: the day asked for must still be ahead ------------------------------------------

ASKED = "2026-09-29"  # a Tuesday, the first working day after the deadline (9/28)


def _to_approval(desk, travel, where: str) -> tuple[str, dict]:
    """A request for ASKED made on REQUESTED (9/24): the case and its open 审批延期 task."""
    number, _task = _to_request(desk, travel, where)
    desk.do(PLACES[where][1], number, "request_extension", requested_until=ASKED, **REQUEST)
    return number, desk.task(number, "approve_extension")


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize("when", ["2026-09-29 09:00", "2026-09-30 16:00"])
def test_an_approval_on_or_after_the_day_asked_for_is_refused(desk, travel, where, when):
    """Approving would make a day that has come (or gone) the deadline; rejecting goes
    through, and the department may ask again: the rectification, begun past its deadline,
    has late_start_days (5) working days of its own, and is offered an extension."""
    number, approval = _to_approval(desk, travel, where)
    agency = PLACES[where][2]
    travel(when)
    resp = desk.complete(agency, approval["task_id"], extension_decision="approved",
                         extension_opinion="同意")
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"extension_decision": [
        f"The day asked for, {ASKED}, is not after today: reject the request, so that the "
        f"department asks for a later day."]}
    assert desk.steps(number) == ["approve_extension"]
    desk.do(agency, number, "approve_extension", extension_decision="rejected")
    rectify = desk.task(number, "rectify")
    assert rectify["deadline"]["due_at"] > f"{when[:10]}T23:59:59"
    field = _form_field(desk, PLACES[where][1], rectify["task_id"], "rectify_outcome")
    assert field["options"] == [DONE_OPTION, EXTEND_OPTION]


@pytest.mark.parametrize("where", PLACES)
def test_an_approval_the_day_before_is_granted(desk, travel, where):
    number, approval = _to_approval(desk, travel, where)
    travel("2026-09-28 17:00")
    field = _form_field(desk, PLACES[where][2], approval["task_id"], "extension_decision")
    assert [o["id"] for o in field["options"]] == ["approved", "rejected"]
    desk.do(PLACES[where][2], number, "approve_extension", extension_decision="approved")
    assert desk.task(number, "rectify")["deadline"]["due_at"].startswith(f"{ASKED}T23:59:59")


def test_the_approval_page_offers_only_the_rejection_and_says_why(desk, travel, browser_for):
    _number, approval = _to_approval(desk, travel, "sz")
    travel("2026-09-29 09:00")
    field = _form_field(desk, "sz_agency", approval["task_id"], "extension_decision")
    assert field["options"] == [{"id": "rejected", "name": "不同意延期"}]
    assert field["withheld"] == [{"id": "approved", "name": "同意延期", "reasons": [
        f"The day asked for, {ASKED}, is not after today: reject the request, so that the "
        f"department asks for a later day."]}]
    agency = browser_for("sz_agency")
    page = agency.get(f"/tasks/{approval['task_id']}").get_data(as_text=True)
    assert 'value="approved"' not in page and 'value="rejected"' in page
    said = ("申请延期至的 2026年9月29日 已到或已过，不能同意延期；请选择“不同意延期”，由责任部门"
            "另行申请更晚的日期。")
    assert f"不可选择“同意延期”：{said}" in page
    posted = agency.post(f"/tasks/{approval['task_id']}",
                         data={"extension_decision": "approved", "next": "/inbox"})
    assert posted.status_code == 400
    assert said in posted.get_data(as_text=True)
    english = agency.get(f"/tasks/{approval['task_id']}?lang=en").get_data(as_text=True)
    assert ("“Approved” cannot be chosen. The date asked for, Sep 29, 2026, has come or "
            "passed") in english


# -- 登记整改台账: the promised date ---------------------------------------------------------

def _to_ledger(desk, travel, where: str) -> tuple[str, dict]:
    """A complex case of `where` at its open 登记整改台账 task, on the day of receipt (the
    ledger is due with the rectification: 9/28)."""
    receipt, worker, _agency, _prefix, _due = PLACES[where]
    travel(receipt)
    number = desk.post(where, rated_at=desk.at(receipt).isoformat())
    for step, data in (("contact", {"contact_result": "reached", "reason": "窗口排队时间过长"}),
                       ("verify", {"determination": "valid", "findings": "属实"}),
                       ("classify", {"rectify_class": "complex"})):
        desk.do(worker, number, step, **data)
    return number, desk.task(number, "ledger")


LEDGER = {"plan": "增设窗口", "owner": "王主任"}


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize(("promised", "following"), [
    ("2026-09-19", "2026-09-20"),  # a Saturday; the Sunday after it is worked (调休)
    ("2026-09-26", "2026-09-28"),  # 中秋节
])
def test_a_promised_day_off_is_refused_naming_the_next_working_day(desk, travel, where,
                                                                   promised, following):
    number, task = _to_ledger(desk, travel, where)
    worker = PLACES[where][1]
    resp = desk.complete(worker, task["task_id"], promised_date=promised, **LEDGER)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"promised_date": [
        f"Must be a working day; the next working day is {following}."]}
    desk.do(worker, number, "ledger", promised_date=following, **LEDGER)
    assert desk.steps(number) == ["rectify"]


def test_a_promised_day_off_later_than_the_deadline_gets_both_messages(desk, travel):
    _number, task = _to_ledger(desk, travel, "sz")
    resp = desk.complete("sz_worker", task["task_id"], promised_date="2026-10-03", **LEDGER)
    assert resp.get_json()["errors"]["json"]["data"] == {"promised_date": [
        "Must be a working day; the next working day is 2026-10-08.",
        "Must be no later than the rectification deadline, 2026-09-28; request an extension "
        "for a later date."]}


HOLIDAY_22 = REGIONAL.replace("2026-10-16", "2026-09-22")


@pytest.mark.parametrize(("where", "refused"), [("sz", True), ("js", False)])
def test_the_promise_counts_on_the_cases_own_calendar(desk, travel, calendar_copy, where,
                                                      refused):
    """A regional holiday of Guangdong (44) on 9/22 stops a Shenzhen promise for that day,
    not a Jiangsu one."""
    (calendar_copy.root / "44").mkdir()
    (calendar_copy.root / "44" / "2026.yaml").write_text(HOLIDAY_22, encoding="utf-8")
    _number, task = _to_ledger(desk, travel, where)
    resp = desk.complete(PLACES[where][1], task["task_id"], promised_date="2026-09-22",
                         **LEDGER)
    if refused:
        assert resp.get_json()["errors"]["json"]["data"] == {"promised_date": [
            "Must be a working day; the next working day is 2026-09-23."]}
    else:
        assert resp.status_code == 200, resp.get_json()


def test_the_ledger_page_says_which_days_may_be_promised(desk, travel, browser_for):
    """The date picker runs from today to the rectification deadline, with a hint saying so;
    a day off is refused in place, in the user's language."""
    _number, task = _to_ledger(desk, travel, "sz")
    worker = browser_for("sz_worker")
    page = worker.get(f"/tasks/{task['task_id']}").get_data(as_text=True)
    assert 'min="2026-09-14" max="2026-09-28"' in page
    assert ("须为工作日，2026年9月14日 至 2026年9月28日（整改期限）之间；需要更长时间的，请在"
            "整改环节申请延期。") in page
    field = _form_field(desk, "sz_worker", task["task_id"], "promised_date")
    assert (field["earliest"], field["latest"]) == ("2026-09-14", "2026-09-28")
    form = {**LEDGER, "promised_date": "2026-09-26", "next": "/inbox"}
    posted = worker.post(f"/tasks/{task['task_id']}", data=form)
    assert posted.status_code == 400
    said = posted.get_data(as_text=True)
    assert "承诺完成日期须为工作日；其后最近的工作日为 2026年9月28日。" in said
    english = worker.post(f"/tasks/{task['task_id']}?lang=en", data=form).get_data(as_text=True)
    assert "The promised date must be a working day; the next working day is Sep 28, 2026." \
        in english


def test_the_request_page_says_which_days_may_be_asked_for(desk, travel, browser_for):
    """Asked on 9/24: from the day after the deadline (9/28) to extension.limit (10/29)."""
    _number, task = _to_request(desk, travel, "sz")
    page = browser_for("sz_worker").get(f"/tasks/{task['task_id']}").get_data(as_text=True)
    assert 'min="2026-09-29" max="2026-10-29"' in page
    assert ("须为工作日，2026年9月29日 至 2026年10月29日 之间（晚于当前整改期限，不超过延期上限）。"
            in page)
    field = _form_field(desk, "sz_worker", task["task_id"], "requested_until")
    assert (field["earliest"], field["latest"]) == ("2026-09-29", "2026-10-29")
