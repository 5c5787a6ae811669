"""The task forms' checked dates and the fields that apply, through the API and on the task
page (Flask test client), in Shenzhen, with the clock travelled (time-machine):

- 反馈核实结果: 反馈12345热线日期 runs from the day the result was confirmed (the agency upheld
  the appeal, or the personnel unit found a staff review invalid) to today; a day before is
  refused in place (page) and per field (422);
- 登记整改台账 on a Sunday and 申请延期 after a Friday deadline: the pickers start on the first
  working day the check accepts, and the hint names it;
- a staff review found invalid (复核认定 差评无效) has no 误评: 反馈核实结果 shows no follow-up
  fields (引导追加评价), the API lists none and stores none.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from app.cases.records import CaseEvent
from app.extensions import db
from tests.process.conftest import SZ_STAFF_UNIT
from tests.process.conftest import open_task as _open_task
from tests.process.conftest import page_text as _text

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}
STAFF = {"rated_object": "staff", "channel": "hall_tablet", "staff_no": "S100",
         "staff_name": "刘工作", "staff_unit_code": SZ_STAFF_UNIT[0],
         "staff_unit_name": SZ_STAFF_UNIT[1]}
FEEDBACK = {"hotline_result": "经复核，差评无效", "hotline_channel": "work_order"}
FOLLOW_UP_LABELS = ("已引导评价人追加评价并说明情况（误评）", "引导追加评价情况（误评必填）")


def _api_form(desk, who: str, task_id: str) -> dict[str, dict]:
    resp = desk.client.get(f"/api/v1/tasks/{task_id}", headers=desk.headers[who])
    assert resp.status_code == 200, resp.get_json()
    return {f["id"]: f for f in resp.get_json()["form"]}


def _field(page: str, field_id: str) -> str:
    """The page's block of one form field."""
    found = re.search(rf'<div class="field[^"]*" data-field="{field_id}">.*?\n</div>', page,
                      re.S)
    assert found, f"no field {field_id}"
    return found.group(0)


def _picker(page: str, field_id: str) -> tuple[str | None, str | None]:
    tag = re.search(rf'<input [^>]*id="f-{field_id}"[^>]*>', page, re.S).group(0)
    lo, hi = re.search(r'min="([^"]+)"', tag), re.search(r'max="([^"]+)"', tag)
    return (lo.group(1) if lo else None, hi.group(1) if hi else None)


def _upheld(desk, travel, determination: str = "misjudged") -> str:
    """A Shenzhen case whose appeal the agency upheld on Mon 2026-10-12 10:00."""
    travel("2026-09-30 10:00")
    number = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    desk.do("sz_worker", number, "contact", **CONTACT)
    travel("2026-10-08 10:00")
    desk.do("sz_worker", number, "verify", determination=determination, findings="误点")
    desk.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
    desk.do("sz_worker", number, "appeal_submit", appeal_reason="评价人误操作")
    travel("2026-10-12 10:00")
    desk.do("sz_agency", number, "appeal_decide", appeal_result="upheld",
            appeal_opinion="证据充分")
    return number


def test_the_day_the_hotline_was_told_runs_from_the_appeals_decision_to_today(
        desk, travel, signed_in):
    """Upheld Mon 10/12, fed back Wed 10/14: the picker runs 10/12 to 10/14 and says so;
    2019-01-01 (and 10/11) come back refused in place and per field, 10/12 is accepted."""
    number = _upheld(desk, travel)
    travel("2026-10-14 10:00")
    task = _open_task(number, "appeal_feedback")
    worker = signed_in("sz_worker")
    page = _text(worker.get(f"/tasks/{task.task_id}"))
    assert _picker(page, "hotline_informed_on") == ("2026-10-12", "2026-10-14")
    assert ('<p class="hint" id="f-hotline_informed_on-hint">2026年10月12日（核实结果确认之日）'
            '至 2026年10月14日（今天）之间。</p>') in _field(page, "hotline_informed_on")
    informed = _api_form(desk, "sz_worker", task.task_id)["hotline_informed_on"]
    assert (informed["earliest"], informed["latest"]) == ("2026-10-12", "2026-10-14")

    body = {**FEEDBACK, "follow_up_guided": "on", "follow_up_note": "已电话引导追加评价"}
    resp = worker.post(f"/tasks/{task.task_id}", data={**body, "hotline_informed_on":
                                                       "2019-01-01"})
    assert resp.status_code == 400
    shown = _field(_text(resp), "hotline_informed_on")
    assert ('<div class="error" id="f-hotline_informed_on-error"><span>不能早于 2026年10月12日：'
            '核实结果于当日确认（申诉成立或复核认定差评无效），本环节自当日开始。</span></div>'
            ) in shown
    for day in ("2019-01-01", "2026-10-11"):
        resp = desk.complete("sz_worker", task.task_id, hotline_informed_on=day,
                             **{**FEEDBACK, "follow_up_guided": True,
                                "follow_up_note": "已电话引导追加评价"})
        assert resp.status_code == 422
        assert resp.get_json()["errors"]["json"]["data"] == {"hotline_informed_on": [
            "Must not be before 2026-10-12, the day the result it reports was confirmed (the "
            "step began)."]}
    resp = worker.post(f"/tasks/{task.task_id}", data={**body, "hotline_informed_on":
                                                       "2026-10-12"})
    assert resp.status_code == 302, _text(resp)[:2000]
    assert desk.case(number)["status"] == "closed"


def test_the_ledgers_picker_on_a_sunday_and_an_extensions_after_a_friday_deadline(
        desk, travel, signed_in):
    """Received Fri 11/13: the complex rectification is due Fri 11/27 (10 working days). On
    Sun 11/22 the ledger's picker starts Mon 11/23, not that Sunday; asked on Wed 11/25, an
    extension's starts Mon 11/30, not Sat 11/28, and runs to extension.limit (20 working days
    from the request, Wed 12/23). Pages and API say the same; the first day is accepted."""
    travel("2026-11-13 10:00")
    number = desk.post(rated_at="2026-11-13T08:00:00+08:00")
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="valid", findings="属实")
    desk.do("sz_worker", number, "classify", rectify_class="complex")
    travel("2026-11-22 10:00")
    ledger = _open_task(number, "ledger")
    page = _text(signed_in("sz_worker").get(f"/tasks/{ledger.task_id}"))
    assert _picker(page, "promised_date") == ("2026-11-23", "2026-11-27")
    assert ("须为工作日，2026年11月23日 至 2026年11月27日（整改期限）之间；"
            in _field(page, "promised_date"))
    promised = _api_form(desk, "sz_worker", ledger.task_id)["promised_date"]
    assert (promised["earliest"], promised["latest"]) == ("2026-11-23", "2026-11-27")
    desk.do("sz_worker", number, "ledger", plan="增设窗口", promised_date="2026-11-23",
            owner="王主任")

    travel("2026-11-25 10:00")
    desk.do("sz_worker", number, "rectify", rectify_outcome="extend", rectify_result="设备未到")
    request = _open_task(number, "request_extension")
    page = _text(signed_in("sz_worker").get(f"/tasks/{request.task_id}"))
    assert _picker(page, "requested_until") == ("2026-11-30", "2026-12-23")
    assert "须为工作日，2026年11月30日 至 2026年12月23日 之间" in _field(page, "requested_until")
    asked = _api_form(desk, "sz_worker", request.task_id)["requested_until"]
    assert (asked["earliest"], asked["latest"]) == ("2026-11-30", "2026-12-23")
    desk.do("sz_worker", number, "request_extension", extension_reason="需采购设备",
            requested_until="2026-11-30", reviewer_informed=True)


def _staff_invalid(desk, travel) -> str:
    """A Shenzhen staff review the personnel unit found invalid (复核认定 差评无效)."""
    travel("2026-10-08 10:00")
    number = desk.post(rated_at="2026-10-08T08:00:00+08:00", **STAFF)
    desk.do("sz_personnel", number, "staff_notify", staff_reason="态度生硬", staff_notified=True)
    desk.do("sz_personnel", number, "staff_recheck_request", recheck_statement="系统故障")
    travel("2026-10-09 10:00")
    desk.do("sz_personnel", number, "staff_decide", staff_determination="invalid",
            staff_opinion="经查看监控，差评无效")
    return number


def test_a_staff_review_found_invalid_has_no_follow_up_fields(desk, travel, signed_in):
    """No 误评 on a staff review: 反馈核实结果 has no 引导追加评价 fields on the page or in the
    API; a value for one is refused (422), a blank one is not stored; the date runs from the
    personnel unit's decision (Fri 10/09)."""
    number = _staff_invalid(desk, travel)
    travel("2026-10-12 10:00")
    task = _open_task(number, "appeal_feedback")
    personnel = signed_in("sz_personnel")
    page = _text(personnel.get(f"/tasks/{task.task_id}"))
    assert "反馈12345热线日期" in page
    assert not any(label in page for label in FOLLOW_UP_LABELS)
    assert 'name="follow_up_guided"' not in page and 'name="follow_up_note"' not in page
    assert _picker(page, "hotline_informed_on") == ("2026-10-09", "2026-10-12")
    form = _api_form(desk, "sz_personnel", task.task_id)
    assert set(form) == {"hotline_result", "hotline_channel", "hotline_informed_on"}

    resp = desk.complete("sz_personnel", task.task_id, hotline_informed_on="2026-10-12",
                         follow_up_guided=True, follow_up_note="已引导", **FEEDBACK)
    assert resp.status_code == 422
    why = ["Not a misjudged rating: there is no follow-up rating to guide."]
    assert resp.get_json()["errors"]["json"]["data"] == {"follow_up_guided": why,
                                                         "follow_up_note": why}
    resp = personnel.post(f"/tasks/{task.task_id}", data={
        **FEEDBACK, "hotline_informed_on": "2026-10-09"})
    assert resp.status_code == 302, _text(resp)[:2000]
    db.session.rollback()
    stored = db.session.scalar(select(CaseEvent.data).where(
        CaseEvent.task_id == task.task_id, CaseEvent.kind == "completed"))
    assert stored == {**FEEDBACK, "hotline_informed_on": "2026-10-09"}
    assert desk.case(number)["status"] == "closed"


def test_a_misjudged_rating_keeps_its_follow_up_fields_and_a_malicious_one_has_none(
        desk, travel, signed_in):
    """The one diagram for both paths: 误评 shows the follow-up fields, 恶意评价 does not."""
    misjudged, malicious = _upheld(desk, travel), _upheld(desk, travel, "malicious")
    worker = signed_in("sz_worker")
    for number, shown in ((misjudged, True), (malicious, False)):
        task = _open_task(number, "appeal_feedback")
        page = _text(worker.get(f"/tasks/{task.task_id}"))
        assert all((label in page) is shown for label in FOLLOW_UP_LABELS), number
        form = _api_form(desk, "sz_worker", task.task_id)
        assert ("follow_up_note" in form) is shown
