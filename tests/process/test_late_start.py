"""Steps counted from receipt that begin after their deadline has passed, through no lateness
of their own: after an appeal that was rejected, a staff re-check, a reopened rectification.
With the rule's `late_start_days` (本系统约定) they get that many working days from their
start, so the agency is not pressed (督办) over a step nobody could have begun; every step
before was on time. Without it they were overdue the moment they began (QA, issue 3)."""

from __future__ import annotations

import pytest

from tests.process.test_scenarios import BOTH, R1, Flow, staff_rating


@pytest.fixture()
def case_of(desk, time_machine):
    """A case of a jurisdiction ("sz", "js") worked through the API, as in test_scenarios."""
    return lambda where: Flow(desk, time_machine, where)


def _not_pressed(f: Flow) -> None:
    case = f.case()
    assert case["overdue"] is False and case["escalated"] is False
    assert not [e for e in case["timeline"] if e["kind"] in ("overdue", "escalated")]


@BOTH
def test_rectify_after_a_rejected_appeal(case_of, where):
    """rectify.general from receipt (9/30): sz 8 -> 10/16, js 5 -> 10/13, both past when the
    appeal is rejected on 10/19; late_start_days 3 from 10/19: 10/20, 10/21, 10/22."""
    f = case_of(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-10-09 10:00", determination="malicious")
    f.do("confirm_determination", "2026-10-09 10:30")
    f.do("appeal_submit", "2026-10-12 10:00")
    f.do("appeal_decide", "2026-10-19 10:00", appeal_result="rejected", appeal_opinion="证据不足")
    f.do("classify", "2026-10-19 11:00", rectify_class="general")
    assert f.deadline("rectify") == ("2026-10-22T23:59:59+08:00", "2026-10-22T00:00:00+08:00")
    f.do("rectify", "2026-10-21 10:00")
    # feedback: sz 10 from receipt -> 10/20, past: late_start_days 2 from 10/21 -> 10/23
    # (warn_before 2: 10/22); js 1 from the step -> 10/22
    assert f.deadline("feedback") == {
        "sz": ("2026-10-23T23:59:59+08:00", "2026-10-22T00:00:00+08:00"),
        "js": ("2026-10-22T23:59:59+08:00", "2026-10-22T00:00:00+08:00")}[where]
    f.do("feedback", "2026-10-22 10:00")
    f.do("revisit", "2026-10-22 15:00")
    assert f.case()["status"] == "closed"
    _not_pressed(f)


def reopened_feedback(f: Flow, on_time=None) -> None:
    """A Shenzhen case walked to its second 反馈结果, after an unsatisfied revisit and the
    reopened rectification done on 10/30; `on_time(f)` is called while the first 反馈结果
    waits, on time."""
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    f.do("classify", "2026-09-30 11:30", rectify_class="general")
    f.do("rectify", "2026-10-16 10:00")
    if on_time:
        on_time(f)
    f.do("feedback", "2026-10-20 10:00")
    f.do("revisit", "2026-10-23 10:00", revisit_result="unsatisfied")
    f.do("rectify_again", "2026-10-30 10:00")


def test_feedback_after_a_reopened_rectification(case_of):
    """Shenzhen feedback is 10 working days from receipt (9/30 -> 10/20). After an unsatisfied
    revisit and the reopened rectification (rectify.reopen, 5 from the step), it begins on
    10/30: late_start_days 2 -> 11/02, 11/03 (warn_before 2: 11/02)."""
    f = case_of("sz")
    reopened_feedback(f)
    assert f.deadline("feedback") == ("2026-11-03T23:59:59+08:00", "2026-11-02T00:00:00+08:00")
    f.do("feedback", "2026-11-02 10:00")
    assert f.steps() == ["revisit"]
    _not_pressed(f)


def test_feedback_after_a_staff_re_check(case_of):
    """A Shenzhen staff review received Mon 3/02, every step on its due day: notify 3/04,
    re-check request 3/09, decision 3/16, self-criticism 3/23. Feedback (10 from receipt:
    3/16) begins on 3/23: late_start_days 2 -> 3/24, 3/25."""
    f = case_of("sz")
    f.post("2026-03-02 10:00", **staff_rating("sz"))
    f.do("staff_notify", "2026-03-04 10:00")
    f.do("staff_recheck_request", "2026-03-09 10:00")
    f.do("staff_decide", "2026-03-16 10:00", staff_determination="valid")
    f.do("staff_self_criticism", "2026-03-23 10:00")
    assert f.deadline("feedback") == ("2026-03-25T23:59:59+08:00", "2026-03-24T00:00:00+08:00")
    _not_pressed(f)
