"""反馈随整改时限: in Jiangsu the reply to the reviewer (反馈结果) is due within 1 / 5 / 15
working days from receipt by rectification class (江苏省政务服务差评处置工作规范: "要分别在
收到差评工单后1个、5个和15个工作日内，将整改情况回复给服务对象"). Its own rule, 1 working day
from the step (本系统约定), let a department that rectified on the class's due day reply a day
later and never be overdue; `within_rectify` caps it at the class's deadline (with an approved
extension) while that deadline is ahead as the reply begins. Shenzhen's feedback (10 working days
from receipt, art. 28) is unchanged. Working days as in test_scenarios."""

from __future__ import annotations

import re

import pytest

from tests.process.test_scenarios import CLOSED, R1, R2, STARTED, Flow, done, warned


@pytest.fixture()
def case_of(desk, time_machine):
    return lambda where: Flow(desk, time_machine, where)


def _classified(f: Flow, received: str, klass: str) -> None:
    """Received at `received`, contacted, verified and classified on the day."""
    day = received[:10]
    f.post(received)
    f.do("contact", f"{day} 10:30")
    f.do("verify", f"{day} 11:00")
    f.do("classify", f"{day} 11:30", rectify_class=klass)
    if klass == "complex":
        f.do("ledger", f"{day} 14:00")


def _due_with(f: Flow, step: str = "feedback") -> str | None:
    return f.desk.task(f.number, step)["deadline"]["due_with"]


def _events(f: Flow, kind: str) -> list[str]:
    return [e["step"] for e in f.case()["timeline"] if e["kind"] == kind]


def test_simple_reply_is_due_on_the_class_deadline_and_a_day_late_is_overdue(case_of):
    """rectify.simple: 1 from receipt Wed 9/30 = Thu 10/08 (after 国庆). Rectified on 10/08
    16:00, the reply is due 10/08 23:59:59 (it was Fri 10/09), warned from its start; replying
    on 10/09 is overdue and escalated. The rectify step was warned of that very deadline: the
    reply's warning is not given again."""
    f = case_of("js")
    _classified(f, R1, "simple")
    f.at("2026-10-08 00:00:01")
    f.desk.tick()
    assert _events(f, "warning") == ["rectify"]
    f.do("rectify", "2026-10-08 16:00")
    assert f.deadline("feedback") == ("2026-10-08T23:59:59+08:00", "2026-10-08T16:00:00+08:00")
    assert _due_with(f) == "rectify.simple"
    f.at("2026-10-09 00:00:01")
    f.desk.tick()
    assert _events(f, "warning") == ["rectify"]
    assert _events(f, "overdue") == ["feedback"] and _events(f, "escalated") == ["feedback"]
    f.do("feedback", "2026-10-09 10:00")
    (reply,) = [t for t in f.case()["tasks"] if t["step"] == "feedback"]
    assert reply["late"] is True


def test_general_reply_across_the_spring_festival(case_of):
    """rectify.general: 5 from receipt Fri 2/13: 2/14 (make-up Sat), 2/24, 2/25, 2/26, 2/27.
    Rectified on 2/27 10:00, the reply is due 2/27 (its own working day would be the make-up
    Saturday 2/28)."""
    f = case_of("js")
    _classified(f, R2, "general")
    f.do("rectify", "2026-02-27 10:00")
    assert f.deadline("feedback") == ("2026-02-27T23:59:59+08:00", "2026-02-27T10:00:00+08:00")
    assert _due_with(f) == "rectify.general"
    f.do("feedback", "2026-02-27 15:00")
    f.do("revisit", "2026-03-02 10:00")
    case = f.case()
    assert case["overdue"] is False and all(t["late"] is False for t in case["tasks"])
    assert f.timeline() == STARTED + done("contact", "verify", "classify") + warned(
        "rectify") + done("rectify", "feedback", "revisit") + CLOSED


def test_complex_reply_is_due_on_the_fifteenth_working_day(case_of):
    """rectify.complex: 15 from receipt Wed 9/30 = Tue 10/27 (warn_before 3: 10/23).
    Rectified on 10/27 10:00, the reply is due 10/27 (it was Wed 10/28)."""
    f = case_of("js")
    _classified(f, R1, "complex")
    f.do("rectify", "2026-10-27 10:00")
    assert f.deadline("feedback") == ("2026-10-27T23:59:59+08:00", "2026-10-27T10:00:00+08:00")
    assert _due_with(f) == "rectify.complex"


def test_complex_reply_after_an_approved_extension_is_due_on_the_approved_day(
        case_of, browser_for):
    """Extended to Fri 11/06 and rectified on 11/06 10:00: the reply is due 11/06 (it was
    Mon 11/09). The task page says the limit is the rectification's, as approved."""
    f = case_of("js")
    _classified(f, R1, "complex")
    f.do("rectify", "2026-10-15 10:00", rectify_outcome="extend", rectify_result="设备未到货")
    f.do("request_extension", "2026-10-15 11:00", requested_until="2026-11-06")
    f.do("approve_extension", "2026-10-15 17:00", extension_decision="approved")
    assert f.deadline("rectify") == ("2026-11-06T23:59:59+08:00", "2026-11-04T00:00:00+08:00")
    f.do("rectify", "2026-11-06 10:00")
    assert f.deadline("feedback") == ("2026-11-06T23:59:59+08:00", "2026-11-06T10:00:00+08:00")
    assert _due_with(f) == "rectify.complex"
    link = f"/tasks/{f.desk.task(f.number, 'feedback')['task_id']}"
    page = browser_for("js_worker").get(link).get_data(as_text=True)
    assert re.search(r"<dt>办理时限</dt><dd>同整改时限：已批准延期至 2026年11月6日</dd>", page)
    english = browser_for("js_worker").get(f"{link}?lang=en").get_data(as_text=True)
    assert "Due with the rectification: Extension approved until Nov 6, 2026" in english


def test_the_limit_names_the_class_rule_without_an_extension(case_of, browser_for):
    f = case_of("js")
    _classified(f, R2, "general")
    f.do("rectify", "2026-02-27 10:00")
    link = f"/tasks/{f.desk.task(f.number, 'feedback')['task_id']}"
    page = browser_for("js_worker").get(link).get_data(as_text=True)
    assert "<dt>办理时限</dt><dd>同整改时限：5 个工作日，自收到工单之日起算</dd>" in page
    english = browser_for("js_worker").get(f"{link}?lang=en").get_data(as_text=True)
    assert ("Due with the rectification: 5 working days, counted from the day the case was "
            "received") in english


def test_an_early_rectification_keeps_the_replys_own_working_day(case_of, browser_for):
    """rectify.complex (10/27) done Fri 10/16: the reply's own day, Mon 10/19, comes first."""
    f = case_of("js")
    _classified(f, R1, "complex")
    f.do("rectify", "2026-10-16 10:00")
    assert f.deadline("feedback") == ("2026-10-19T23:59:59+08:00", "2026-10-19T00:00:00+08:00")
    assert _due_with(f) is None
    link = f"/tasks/{f.desk.task(f.number, 'feedback')['task_id']}"
    page = browser_for("js_worker").get(link).get_data(as_text=True)
    assert "<dt>办理时限</dt><dd>1 个工作日，自本环节开始之日起算</dd>" in page


def test_a_late_rectification_replies_within_a_working_day_from_the_step(case_of):
    """rectify.general was due Fri 2/27; rectified late on Mon 3/02 (escalated on 2/28), the
    reply counts from its start: Tue 3/03."""
    f = case_of("js")
    _classified(f, R2, "general")
    f.at("2026-02-28 00:00:01")
    f.desk.tick()
    assert _events(f, "overdue") == ["rectify"]
    f.do("rectify", "2026-03-02 10:00")
    assert f.deadline("feedback") == ("2026-03-03T23:59:59+08:00", "2026-03-03T00:00:00+08:00")
    assert _due_with(f) is None


def test_shenzhen_feedback_still_counts_ten_working_days_from_receipt(case_of):
    """Shenzhen rectify.simple 3 from receipt (10/10, the make-up Saturday), rectified on it:
    feedback stays 10 from receipt = 10/20, warn_before 2 -> 10/19 (art. 28)."""
    f = case_of("sz")
    _classified(f, R1, "simple")
    f.do("rectify", "2026-10-10 16:00")
    assert f.deadline("feedback") == ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00")
    assert _due_with(f) is None
