"""Every branch of the bad-review process, driven only through the HTTP API (task completions)
and the scheduler (timer firings at travelled times), in both jurisdictions.

Expected instants are computed by hand from rules/shenzhen.yaml, rules/jiangsu.yaml and
calendars/cn/2026.yaml. The day of receipt (or of the step's start) is not counted; the N-th
working day after it ends at 23:59:59 Beijing time. Working days used below:

receipt Wed 2026-09-30 (国庆 10/1-10/7 off, Sat 10/10 a make-up working day):
    10/08 Thu 1, 10/09 Fri 2, 10/10 Sat 3, 10/12 Mon 4, 10/13 Tue 5, 10/14 Wed 6, 10/15 Thu 7,
    10/16 Fri 8, 10/19 Mon 9, 10/20 Tue 10, 10/21 11, 10/22 12, 10/23 13, 10/26 14, 10/27 15
receipt Fri 2026-02-13 (春节 2/15-2/23 off, Sat 2/14 and Sat 2/28 make-up working days):
    02/14 Sat 1, 02/24 Tue 2, 02/25 Wed 3, 02/26 Thu 4, 02/27 Fri 5, 02/28 Sat 6, 03/02 Mon 7,
    03/03 Tue 8, 03/04 Wed 9, 03/05 Thu 10, 03/06 11, 03/09 12, 03/10 13, 03/11 14, 03/12 15
A warning (超期预警) is at 00:00 of the due day when warn_before is 1 (the default lead), else
00:00 of the working day warn_before - 1 working days before the due day, never before the task
began; the overdue timer fires one second after the due instant.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.auth import tokens, users
from app.demo.data import uscc
from app.engine import CaseRun
from app.extensions import db
from app.org import service as org
from app.processes import service as processes

SZ_REGION, JS_REGION = "440305000000", "320102000000"
SZ_DEPT = (uscc("440300", 3), "深圳市人力资源和社会保障局")
JS_DEPT = (uscc("320100", 5), "南京市市场监督管理局")
SZ_STAFF_UNIT = (uscc("440305", 7), "深圳市南山区政务服务数据管理局")
JS_STAFF_UNIT = (uscc("320102", 7), "南京市玄武区政务服务管理办公室")

R1 = "2026-09-30 10:00"  # Wednesday before 国庆
R2 = "2026-02-13 10:00"  # Friday before 春节

# Who works each group's tasks, per jurisdiction.
WORKERS = {
    "sz": {"department": "sz_worker", "hotline": "sz_hotline", "agency": "sz_agency",
           "personnel": "sz_personnel", "supervisor": "sz_boss"},
    "js": {"department": "js_worker", "hotline": "js_hotline", "agency": "js_agency",
           "personnel": "js_personnel", "supervisor": "js_boss"},
}

# What the people enter on each form (overridden where the branch depends on it).
FORMS: dict[str, dict[str, Any]] = {
    "dispatch": {"department_code": SZ_DEPT[0], "department_name": SZ_DEPT[1],
                 "dispatch_note": "按事项归属转办"},
    "contact": {"contact_result": "reached", "reason": "窗口排队时间过长", "demand": "增开窗口"},
    "verify": {"determination": "valid", "findings": "调取监控，情况属实"},
    "confirm_determination": {"confirm_decision": "confirmed", "confirm_opinion": "同意"},
    "explain": {"explanation": "该诉求无政策依据，已向评价人解释"},
    "classify": {"rectify_class": "simple"},
    "ledger": {"plan": "增设综合窗口并调整排班", "promised_date": "2026-10-20", "owner": "王主任"},
    "rectify": {"rectify_outcome": "done", "rectify_result": "已增开两个窗口"},
    "request_extension": {"extension_reason": "需采购设备", "requested_until": "2026-11-06",
                          "reviewer_informed": True},
    "approve_extension": {"extension_decision": "approved", "extension_opinion": "同意"},
    "feedback": {"feedback_text": "已将整改情况告知评价人", "feedback_channel": "phone"},
    "revisit": {"revisit_result": "satisfied", "revisit_channel": "phone"},
    "rectify_again": {"rectify_again_result": "再次整改，延长窗口服务时间"},
    "supervise": {"supervision_result": "约谈部门负责人，限期整改到位"},
    "appeal_submit": {"appeal_reason": "评价人误操作", "appeal_evidence": "通话录音"},
    "appeal_decide": {"appeal_result": "upheld", "appeal_opinion": "证据充分"},
    "appeal_feedback": {"hotline_result": "经政务服务管理机构确认属误评，差评无效",
                        "hotline_channel": "work_order", "follow_up_guided": True,
                        "follow_up_note": "已电话引导评价人追加评价并说明误评情况"},
    "staff_notify": {"staff_reason": "态度生硬", "staff_notified": True},
    "staff_recheck_request": {"recheck_statement": "当时系统故障，非本人原因",
                              "recheck_evidence": "系统日志"},
    "staff_decide": {"staff_determination": "valid", "staff_opinion": "经核实差评有效"},
    "staff_self_criticism": {"self_criticism": "本人服务态度不好，深刻检讨",
                             "correction": "参加礼仪培训"},
}

GROUP_OF = {
    "dispatch": "hotline", "revisit": "hotline", "confirm_determination": "supervisor",
    "approve_extension": "agency", "supervise": "agency", "appeal_decide": "agency",
    "staff_notify": "personnel", "staff_recheck_request": "personnel",
    "staff_decide": "personnel", "staff_self_criticism": "personnel",
}


def staff_rating(where: str) -> dict[str, Any]:
    unit = SZ_STAFF_UNIT if where == "sz" else JS_STAFF_UNIT
    return {"rated_object": "staff", "channel": "hall_tablet", "staff_no": "A0123",
            "staff_name": "李四", "staff_unit_code": unit[0], "staff_unit_name": unit[1]}


class Flow:
    """One case worked through the API by the right people of its jurisdiction."""

    def __init__(self, desk, time_machine, where: str) -> None:
        self.desk, self.tm, self.where = desk, time_machine, where
        self.number: str | None = None

    def at(self, when: str) -> Flow:
        self.tm.move_to(self.desk.at(when), tick=False)
        return self

    def post(self, when: str, **overrides) -> str:
        self.at(when)
        rated = when.replace(" ", "T")[:10] + "T08:00:00+08:00"
        self.number = self.desk.post(self.where, rated_at=rated, **overrides)
        return self.number

    def who(self, step: str) -> str:
        group = GROUP_OF.get(step, "department")
        if group == "department" and self.case()["responsibility"] == "staff":
            group = "personnel"  # the personnel unit is the case's department
        return WORKERS[self.where][group]

    def do(self, step: str, when: str | None = None, **form) -> dict:
        if when:
            self.at(when)
        timer_rows_match(self.number)  # as the last change or timer left them
        task = self.desk.do(self.who(step), self.number, step, **{**FORMS[step], **form})
        timer_rows_match(self.number)
        return task

    def case(self) -> dict:
        return self.desk.case(self.number)

    def deadline(self, step: str) -> tuple[str | None, str | None]:
        d = self.desk.task(self.number, step)["deadline"]
        return d["due_at"], d["warn_at"]

    def steps(self) -> list[str]:
        return self.desk.steps(self.number)

    def timeline(self) -> list[tuple[str, str | None]]:
        """The process's events; who holds which step is left aside (see
        test_api_rules.test_next_step_stays_with_its_caseworker)."""
        return [(e["kind"], e["step"]) for e in self.case()["timeline"] if e["kind"] != "claimed"]


def timer_rows_match(number: str) -> None:
    """The case's timer rows are exactly the pending timers of its saved workflow (each change
    writes only the difference, so this must hold after every one)."""
    from app.cases import lifecycle
    from app.cases.models import Case
    from app.cases.records import CaseState, CaseTimer

    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.number == number))
    state = db.session.scalar(select(CaseState.state).where(CaseState.case_id == case.id))
    run = CaseRun.load(processes.definition_by_id(case.process_version_id), state,
                       lifecycle.clock_for(case, case.received_at))
    rows = db.session.scalars(select(CaseTimer.task_id).where(CaseTimer.case_id == case.id))
    assert set(rows) == {t.task_id for t in run.timers()}
    db.session.rollback()


def done(*steps: str) -> list[tuple[str, str | None]]:
    return [("completed", s) for s in steps]


def warned(step: str) -> list[tuple[str, str | None]]:
    """The step's warning (超期预警): it fires before a step done on or near its due day, in
    that change when no scheduler pass came first."""
    return [("warning", step)]


STARTED = [("started", None)]
CLOSED = [("closed", None)]


@pytest.fixture()
def js_personnel(desk):
    """The Jiangsu personnel unit (人员管理单位) with an API token."""
    user = users.create("js_personnel", "js_personnel", "personnel", JS_STAFF_UNIT[0], JS_REGION)
    desk.headers["js_personnel"] = {
        "Authorization": f"Bearer {tokens.create('token-js_personnel', user.id)}"}
    return desk


@pytest.fixture()
def flow(desk, js_personnel, time_machine):
    return lambda where: Flow(desk, time_machine, where)


BOTH = pytest.mark.parametrize("where", ["sz", "js"])


# -- valid: simple, general, complex -----------------------------------------------------

SIMPLE = {
    # contact: sz 3 working days from receipt 9/30 (10/08, 10/09, 10/10); js 1 (10/08)
    "sz": {"contact": ("2026-10-10T23:59:59+08:00", "2026-10-10T00:00:00+08:00"),
           # handle: 10 working days from receipt = 10/20, warn_before 2 -> 10/19 00:00
           "verify": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00"),
           # rectify.simple: 3 from receipt = 10/10
           "rectify": ("2026-10-10T23:59:59+08:00", "2026-10-10T00:00:00+08:00"),
           # feedback: 10 from receipt = 10/20, warn_before 2 -> 10/19
           "feedback": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00")},
    "js": {"contact": ("2026-10-08T23:59:59+08:00", "2026-10-08T00:00:00+08:00"),
           # handle: 15 from receipt = 10/27, warn_before 2 -> 10/26
           "verify": ("2026-10-27T23:59:59+08:00", "2026-10-26T00:00:00+08:00"),
           # rectify.simple: 1 from receipt = 10/08
           "rectify": ("2026-10-08T23:59:59+08:00", "2026-10-08T00:00:00+08:00"),
           # feedback: 1 from the step's start on Thu 10/08 = Fri 10/09, but never after
           # rectify.simple (10/08: within_rectify); warned from the step's start (16:00)
           "feedback": ("2026-10-08T23:59:59+08:00", "2026-10-08T16:00:00+08:00")},
}


@BOTH
def test_valid_simple(flow, where):
    f = flow(where)
    f.post(R1)
    assert f.steps() == ["contact"]
    assert f.deadline("contact") == SIMPLE[where]["contact"]
    f.do("contact", "2026-09-30 10:30")
    assert f.deadline("verify") == SIMPLE[where]["verify"]
    f.do("verify", "2026-09-30 11:00")
    assert f.deadline("classify") == SIMPLE[where]["verify"]  # classify counts `handle` too
    f.do("classify", "2026-09-30 11:30", rectify_class="simple")
    assert f.deadline("rectify") == SIMPLE[where]["rectify"]
    f.do("rectify", "2026-10-08 16:00")
    assert f.deadline("feedback") == SIMPLE[where]["feedback"]
    f.do("feedback", "2026-10-08 20:00")
    # revisit: 3 working days from the step's start on Thu 10/08: 10/09, 10/10 (Sat), 10/12
    assert f.deadline("revisit") == ("2026-10-12T23:59:59+08:00", "2026-10-12T00:00:00+08:00")
    f.do("revisit", "2026-10-09 15:00")

    case = f.case()
    assert case["status"] == "closed" and case["closed_at"] == "2026-10-09T15:00:00+08:00"
    assert (case["determination"], case["rectify_class"], case["revisit_result"]) == (
        "valid", "simple", "satisfied")
    assert case["invalid"] is False and case["overdue"] is False
    assert f.steps() == []
    assert f.timeline() == STARTED + done("contact", "verify", "classify") + {
        "sz": done("rectify", "feedback"),
        # js: both due 10/08, done on it; the reply's warning, for the deadline the rectify
        # step was warned of, is not given again
        "js": warned("rectify") + done("rectify", "feedback"),
    }[where] + done("revisit") + CLOSED
    assert all(t["state"] == "done" and t["late"] is False for t in case["tasks"])
    assert case["jurisdiction"] == {"sz": "shenzhen", "js": "jiangsu"}[where]


GENERAL = {
    # contact: sz 3 from receipt Fri 2/13 = 2/14 (Sat), 2/24, 2/25; js 1 = Sat 2/14
    "sz": {"contact": ("2026-02-25T23:59:59+08:00", "2026-02-25T00:00:00+08:00"),
           # handle 10: ... 2/28 (Sat) 6, 3/02 7, 3/03 8, 3/04 9, 3/05 10; warn 2 -> 3/04
           "verify": ("2026-03-05T23:59:59+08:00", "2026-03-04T00:00:00+08:00"),
           # rectify.general 8 from receipt = 3/03
           "rectify": ("2026-03-03T23:59:59+08:00", "2026-03-03T00:00:00+08:00"),
           # feedback 10 from receipt = 3/05, warn 2 -> 3/04
           "feedback": ("2026-03-05T23:59:59+08:00", "2026-03-04T00:00:00+08:00")},
    "js": {"contact": ("2026-02-14T23:59:59+08:00", "2026-02-14T00:00:00+08:00"),
           # handle 15 from receipt = 3/12, warn 2 -> 3/11
           "verify": ("2026-03-12T23:59:59+08:00", "2026-03-11T00:00:00+08:00"),
           # rectify.general 5 from receipt: 2/14, 2/24, 2/25, 2/26, 2/27
           "rectify": ("2026-02-27T23:59:59+08:00", "2026-02-27T00:00:00+08:00"),
           # feedback 1 from the step's start on Thu 2/26 = Fri 2/27
           "feedback": ("2026-02-27T23:59:59+08:00", "2026-02-27T00:00:00+08:00")},
}


@BOTH
def test_valid_general_across_spring_festival(flow, where):
    f = flow(where)
    f.post(R2)
    assert f.deadline("contact") == GENERAL[where]["contact"]
    f.do("contact", "2026-02-13 11:00")
    assert f.deadline("verify") == GENERAL[where]["verify"]
    f.do("verify", "2026-02-13 14:00")
    f.do("classify", "2026-02-13 15:00", rectify_class="general")
    assert f.deadline("rectify") == GENERAL[where]["rectify"]
    f.do("rectify", "2026-02-26 10:00")
    assert f.deadline("feedback") == GENERAL[where]["feedback"]
    f.do("feedback", "2026-02-27 10:00")
    # revisit: 3 from Fri 2/27: 2/28 (make-up Sat), 3/02, 3/03
    assert f.deadline("revisit") == ("2026-03-03T23:59:59+08:00", "2026-03-03T00:00:00+08:00")
    f.do("revisit", "2026-03-02 10:00", revisit_result="basically_satisfied")
    case = f.case()
    assert case["status"] == "closed" and case["rectify_class"] == "general"
    assert case["revisit_result"] == "basically_satisfied"
    assert f.timeline() == STARTED + done("contact", "verify", "classify", "rectify") + {
        "sz": [], "js": warned("feedback")}[where] + done("feedback", "revisit") + CLOSED


COMPLEX = {
    # rectify.complex: sz 10 from receipt 9/30 = 10/20, warn_before 3 -> 10/16 (10/19, 10/16)
    "sz": {"rectify": ("2026-10-20T23:59:59+08:00", "2026-10-16T00:00:00+08:00"),
           # feedback 10 from receipt = 10/20, warn 2 -> 10/19
           "feedback": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00")},
    # js 15 from receipt = 10/27, warn_before 3 -> 10/23 (10/26, 10/23)
    "js": {"rectify": ("2026-10-27T23:59:59+08:00", "2026-10-23T00:00:00+08:00"),
           # feedback 1 from Fri 10/16 = Mon 10/19
           "feedback": ("2026-10-19T23:59:59+08:00", "2026-10-19T00:00:00+08:00")},
}


@BOTH
def test_valid_complex_with_ledger(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    f.do("classify", "2026-09-30 11:30", rectify_class="complex")
    assert f.steps() == ["ledger"]
    assert f.deadline("ledger") == COMPLEX[where]["rectify"]
    f.do("ledger", "2026-10-08 10:00")
    assert f.deadline("rectify") == COMPLEX[where]["rectify"]
    f.do("rectify", "2026-10-16 10:00")
    assert f.deadline("feedback") == COMPLEX[where]["feedback"]
    f.do("feedback", "2026-10-19 10:00")
    # revisit 3 from Mon 10/19: 10/20, 10/21, 10/22
    assert f.deadline("revisit") == ("2026-10-22T23:59:59+08:00", "2026-10-22T00:00:00+08:00")
    f.do("revisit", "2026-10-20 10:00")
    case = f.case()
    assert case["status"] == "closed" and case["rectify_class"] == "complex"
    assert f.timeline() == STARTED + done("contact", "verify", "classify", "ledger") + {
        "sz": warned("rectify") + done("rectify") + warned("feedback"),
        "js": done("rectify") + warned("feedback")}[where] + done("feedback", "revisit") + CLOSED
    ledger = [e for e in case["timeline"] if e["step"] == "ledger" and e["kind"] == "completed"][0]
    assert ledger["data"] == {"plan": FORMS["ledger"]["plan"], "promised_date": "2026-10-20",
                              "owner": "王主任"}


# -- appeals -------------------------------------------------------------------------------

APPEAL = {
    # appeal.submit from the step's start Thu 10/08: sz 3 (10/09, 10/10, 10/12); js 2 (-> 10/10)
    "sz": ("2026-10-12T23:59:59+08:00", "2026-10-12T00:00:00+08:00"),
    "js": ("2026-10-10T23:59:59+08:00", "2026-10-10T00:00:00+08:00"),
}


# appeal.feedback (反馈核实结果) from the step's start, Mon 10/12: sz 2 (10/13, 10/14); js 1 (10/13)
APPEAL_FEEDBACK = {
    "sz": ("2026-10-14T23:59:59+08:00", "2026-10-14T00:00:00+08:00"),
    "js": ("2026-10-13T23:59:59+08:00", "2026-10-13T00:00:00+08:00"),
}


@BOTH
def test_misjudged_appeal_upheld_feeds_back_then_closes_invalid(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-10-08 10:00", determination="misjudged")
    # the department's supervisor confirms the determination (部门负责人确认认定) first:
    # verify.confirm, 1 working day from the step's start Thu 10/08 = Fri 10/09
    assert f.steps() == ["confirm_determination"]
    assert f.desk.task(f.number, "confirm_determination")["group"] == "supervisor"
    assert f.deadline("confirm_determination") == (
        "2026-10-09T23:59:59+08:00", "2026-10-09T00:00:00+08:00")
    f.do("confirm_determination", "2026-10-08 10:30")
    assert f.steps() == ["appeal_submit"]
    assert f.deadline("appeal_submit") == APPEAL[where]
    f.do("appeal_submit", "2026-10-09 10:00")
    task = f.desk.task(f.number, "appeal_decide")
    assert task["group"] == "agency"
    # appeal.decision 5 from Fri 10/09: 10/10, 10/12, 10/13, 10/14, 10/15
    assert f.deadline("appeal_decide") == (
        "2026-10-15T23:59:59+08:00", "2026-10-15T00:00:00+08:00")
    f.do("appeal_decide", "2026-10-12 10:00", appeal_result="upheld")
    # the department feeds the confirmed result back to the 12345 hotline (Shenzhen art. 27);
    # the rating is out of the figures from the agency's decision on
    case = f.case()
    assert case["status"] == "in_progress" and case["invalid"] is True
    assert f.steps() == ["appeal_feedback"]
    assert f.desk.task(f.number, "appeal_feedback")["group"] == "department"
    assert f.deadline("appeal_feedback") == APPEAL_FEEDBACK[where]
    f.do("appeal_feedback", "2026-10-13 10:00", hotline_informed_on="2026-10-13")
    case = f.case()
    assert case["status"] == "closed" and case["invalid"] is True
    assert case["closed_at"] == "2026-10-13T10:00:00+08:00"
    assert case["determination"] == "misjudged"
    assert f.steps() == []
    assert f.timeline() == STARTED + done(
        "contact", "verify", "confirm_determination", "appeal_submit", "appeal_decide") + {
        "sz": [], "js": warned("appeal_feedback")}[where] + done("appeal_feedback") + CLOSED
    assert case["timeline"][-1]["data"] == {"invalid": True}
    assert all(t["late"] is False for t in case["tasks"])


# appeal.feedback from Fri 2/27: sz 2 = 2/28 (make-up Sat), 3/02; js 1 = 2/28
MALICIOUS_FEEDBACK = {
    "sz": ("2026-03-02T23:59:59+08:00", "2026-03-02T00:00:00+08:00", "2026-03-03"),
    "js": ("2026-02-28T23:59:59+08:00", "2026-02-28T00:00:00+08:00", "2026-03-01"),
}


@BOTH
def test_malicious_appeal_upheld_across_spring_festival(flow, where):
    f = flow(where)
    f.post(R2)
    f.do("contact", "2026-02-13 10:30")
    f.do("verify", "2026-02-13 11:00", determination="malicious")
    # verify.confirm 1 from Fri 2/13: Sat 2/14, a make-up working day
    assert f.deadline("confirm_determination") == (
        "2026-02-14T23:59:59+08:00", "2026-02-14T00:00:00+08:00")
    f.do("confirm_determination", "2026-02-13 11:30")
    # appeal.submit from Fri 2/13: sz 3 = 2/14 (Sat), 2/24, 2/25; js 2 = 2/14, 2/24
    assert f.deadline("appeal_submit") == {
        "sz": ("2026-02-25T23:59:59+08:00", "2026-02-25T00:00:00+08:00"),
        "js": ("2026-02-24T23:59:59+08:00", "2026-02-24T00:00:00+08:00")}[where]
    f.do("appeal_submit", "2026-02-14 10:00")
    # appeal.decision 5 from Sat 2/14: 2/24, 2/25, 2/26, 2/27, 2/28 (make-up Sat)
    assert f.deadline("appeal_decide") == (
        "2026-02-28T23:59:59+08:00", "2026-02-28T00:00:00+08:00")
    f.do("appeal_decide", "2026-02-27 10:00", appeal_result="upheld")
    assert f.steps() == ["appeal_feedback"]
    due, warn, next_day = MALICIOUS_FEEDBACK[where]
    assert f.deadline("appeal_feedback") == (due, warn)
    # its warning and overdue timers work as every step's do
    f.at(f"{warn[:10]} 00:00:01")
    assert f.desk.tick().fired == 1
    assert [e["step"] for e in _events(f, "warning")] == ["appeal_feedback"]
    f.at(f"{next_day} 00:00:01")
    assert f.desk.tick().fired == 1
    assert [e["step"] for e in _events(f, "overdue")] == ["appeal_feedback"]
    assert [e["step"] for e in _events(f, "escalated")] == ["appeal_feedback"]
    # a malicious rating is not adopted: no follow-up rating to guide
    f.do("appeal_feedback", f"{next_day} 10:00", hotline_informed_on=next_day,
         hotline_channel="phone", follow_up_guided=False, follow_up_note=None)
    case = f.case()
    assert case["status"] == "closed" and case["invalid"] is True
    assert case["determination"] == "malicious"
    assert case["overdue"] is True and case["escalated"] is True
    (feedback,) = [t for t in case["tasks"] if t["step"] == "appeal_feedback"]
    assert feedback["state"] == "done" and feedback["late"] is True
    assert f.timeline()[-5:] == [("warning", "appeal_feedback"), ("overdue", "appeal_feedback"),
                                 ("escalated", "appeal_feedback"),
                                 ("completed", "appeal_feedback"), ("closed", None)]


@pytest.mark.parametrize(("determination", "data", "errors"), [
    ("misjudged", {"follow_up_guided": False, "follow_up_note": None},
     {"follow_up_note": ["Required for a misjudged rating: how the reviewer was guided to a "
                         "follow-up rating."]}),
    ("malicious", {"follow_up_guided": True},  # with FORMS' note: neither applies
     {"follow_up_guided": ["A malicious rating is not adopted: there is no follow-up rating "
                           "to guide."],
      "follow_up_note": ["A malicious rating is not adopted: there is no follow-up rating "
                         "to guide."]}),
    ("misjudged", {"hotline_informed_on": "2026-10-14"},
     {"hotline_informed_on": ["Must not be after today."]}),
    *(("misjudged", {"hotline_informed_on": day},
       {"hotline_informed_on": ["Must not be before 2026-10-12, the day the result it reports "
                                "was confirmed (the step began)."]})
      for day in ("2026-10-11", "2026-09-30", "2019-01-01")),
])
def test_feedback_of_an_upheld_appeal_is_checked_against_the_determination(
        flow, determination, data, errors):
    """误评: how the reviewer was guided to a follow-up rating (追加评价) is required; 恶意评价:
    none is guided; the day the hotline was told is neither in the future nor before the
    agency upheld the appeal (Mon 10/12)."""
    f = flow("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-10-08 10:00", determination=determination)
    f.do("confirm_determination", "2026-10-08 10:30")
    f.do("appeal_submit", "2026-10-09 10:00")
    f.do("appeal_decide", "2026-10-12 10:00", appeal_result="upheld")
    f.at("2026-10-13 10:00")
    task = f.desk.task(f.number, "appeal_feedback")
    body = {**FORMS["appeal_feedback"], "hotline_informed_on": "2026-10-13", **data}
    resp = f.desk.complete("sz_worker", task["task_id"], **body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == errors
    assert f.steps() == ["appeal_feedback"]


@BOTH
def test_appeal_rejected_goes_on_as_valid(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00", determination="misjudged")
    f.do("confirm_determination", "2026-09-30 11:30")
    f.do("appeal_submit", "2026-09-30 14:00")
    f.do("appeal_decide", "2026-10-08 10:00", appeal_result="rejected",
         appeal_opinion="证据不足")
    case = f.case()
    assert case["determination"] == "valid" and case["invalid"] is False
    assert case["status"] == "in_progress"
    assert f.steps() == ["classify"]
    # classify counts `handle` from receipt: sz 10 -> 10/20 (warn 10/19), js 15 -> 10/27
    assert f.deadline("classify") == {
        "sz": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00"),
        "js": ("2026-10-27T23:59:59+08:00", "2026-10-26T00:00:00+08:00")}[where]
    f.do("classify", "2026-10-08 11:00", rectify_class="general")
    f.do("rectify", "2026-10-09 10:00")
    f.do("feedback", "2026-10-09 11:00")
    f.do("revisit", "2026-10-09 15:00")
    assert f.case()["status"] == "closed" and f.case()["invalid"] is False
    assert f.timeline() == STARTED + done(
        "contact", "verify", "confirm_determination", "appeal_submit", "appeal_decide",
        "classify", "rectify", "feedback", "revisit") + CLOSED


# -- the supervisor's confirmation (确认认定) ----------------------------------------------

@BOTH
def test_returned_determination_is_verified_again_then_confirmed(flow, where):
    """退回重新核实: back to the caseworker's 核实认定, still due by `handle` from receipt;
    returning needs an opinion; the second determination is confirmed and appealed."""
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-10-08 10:00", determination="misjudged")
    f.at("2026-10-08 11:00")
    task = f.desk.task(f.number, "confirm_determination")
    boss = WORKERS[where]["supervisor"]
    resp = f.desk.complete(boss, task["task_id"], confirm_decision="returned")
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {"confirm_opinion": [
        "Required when the determination is returned: why, for the caseworker who verifies "
        "again."]}
    f.do("confirm_determination", confirm_decision="returned",
         confirm_opinion="监控显示评价人已点击确认，请补充通话录音后重新核实")
    assert f.steps() == ["verify"]
    # handle counted from receipt, as before the return (sz 10/20, warn 10/19; js 10/27)
    assert f.deadline("verify") == SIMPLE[where]["verify"]
    f.do("verify", "2026-10-09 10:00", determination="misjudged",
         findings="补充通话录音，评价人确认误点")
    assert f.steps() == ["confirm_determination"]
    # verify.confirm from the new step's start Fri 10/09: Sat 10/10 (make-up working day)
    assert f.deadline("confirm_determination") == (
        "2026-10-10T23:59:59+08:00", "2026-10-10T00:00:00+08:00")
    f.do("confirm_determination", "2026-10-09 11:00")
    assert f.steps() == ["appeal_submit"]
    assert f.case()["determination"] == "misjudged"
    assert f.timeline() == STARTED + done(
        "contact", "verify", "confirm_determination", "verify", "confirm_determination",
        "appeal_submit")[:-1]


@BOTH
def test_returned_determination_found_valid_goes_to_rectification(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-10-08 10:00", determination="unreasonable")
    f.do("confirm_determination", "2026-10-08 11:00", confirm_decision="returned",
         confirm_opinion="诉求有政策依据，请重新核实")
    f.do("verify", "2026-10-08 15:00", determination="valid")
    assert f.steps() == ["classify"]
    assert f.case()["determination"] == "valid"


def test_only_the_departments_supervisor_confirms_a_determination(flow, desk):
    """The department's caseworker may not (403); the agency, another department's supervisor
    and another unit do not see the task (404); the supervisor of the case's department may."""
    f = flow("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00", determination="malicious")
    task = desk.task(f.number, "confirm_determination")
    body = FORMS["confirm_determination"]
    for who, status in (("sz_worker", 403), ("sz_personnel", 404), ("sz_agency", 404),
                        ("js_boss", 404)):
        assert desk.complete(who, task["task_id"], **body).status_code == status, who
    assert f.steps() == ["confirm_determination"]
    def pool(who):
        return [t["step"] for t in desk.tasks(who, view="group")]

    assert pool("sz_boss") == ["confirm_determination"]
    assert pool("sz_worker") == [] and pool("js_boss") == []
    assert desk.complete("sz_boss", task["task_id"], **body).status_code == 200
    assert f.steps() == ["appeal_submit"]


# -- unreasonable demand ------------------------------------------------------------------

@BOTH
def test_unreasonable_demand_is_explained_then_revisited(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-10-08 10:00", determination="unreasonable")
    assert f.steps() == ["confirm_determination"]
    f.do("confirm_determination", "2026-10-08 10:30")
    assert f.steps() == ["explain"]
    # explain uses `feedback`: sz 10 from receipt = 10/20 (warn 2 -> 10/19);
    # js 1 from the step's start Thu 10/08 = 10/09
    assert f.deadline("explain") == {
        "sz": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00"),
        "js": ("2026-10-09T23:59:59+08:00", "2026-10-09T00:00:00+08:00")}[where]
    f.do("explain", "2026-10-08 15:00")
    assert f.steps() == ["revisit"]
    # revisit 3 from Thu 10/08: 10/09, 10/10, 10/12
    assert f.deadline("revisit") == ("2026-10-12T23:59:59+08:00", "2026-10-12T00:00:00+08:00")
    f.do("revisit", "2026-10-09 10:00")
    case = f.case()
    assert case["status"] == "closed" and case["determination"] == "unreasonable"
    assert case["rectify_class"] is None and case["invalid"] is False
    assert f.timeline() == STARTED + done(
        "contact", "verify", "confirm_determination", "explain", "revisit") + CLOSED


@BOTH
def test_unsatisfied_after_explanation_goes_to_supervision_not_rectification(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00", determination="unreasonable")
    f.do("confirm_determination", "2026-09-30 11:30")
    f.do("explain", "2026-09-30 14:00")
    f.do("revisit", "2026-10-08 10:00", revisit_result="unsatisfied")
    assert f.steps() == ["supervise"]
    # supervise 5 from Thu 10/08: 10/09, 10/10, 10/12, 10/13, 10/14
    assert f.deadline("supervise") == (
        "2026-10-14T23:59:59+08:00", "2026-10-14T00:00:00+08:00")
    f.do("supervise", "2026-10-09 10:00")
    assert f.case()["status"] == "closed"
    assert f.timeline() == STARTED + done(
        "contact", "verify", "confirm_determination", "explain", "revisit", "supervise") + CLOSED


# -- staff reviews ------------------------------------------------------------------------

STAFF_NOTIFY = {
    # contact.staff from receipt 9/30: sz 2 (10/08, 10/09); js 1 (10/08)
    "sz": ("2026-10-09T23:59:59+08:00", "2026-10-09T00:00:00+08:00"),
    "js": ("2026-10-08T23:59:59+08:00", "2026-10-08T00:00:00+08:00"),
}


def _staff_start(f: Flow) -> None:
    f.post(R1, **staff_rating(f.where))
    case = f.case()
    unit = SZ_STAFF_UNIT if f.where == "sz" else JS_STAFF_UNIT
    assert (case["responsibility"], case["department_code"]) == ("staff", unit[0])
    assert f.steps() == ["staff_notify"]
    assert f.desk.task(f.number, "staff_notify")["group"] == "personnel"
    assert f.deadline("staff_notify") == STAFF_NOTIFY[f.where]
    f.do("staff_notify", "2026-10-08 10:00")
    assert f.steps() == ["staff_recheck_request"]
    # staff.recheck_request 3 from Thu 10/08: 10/09, 10/10, 10/12; a plain deadline, no warning
    assert f.deadline("staff_recheck_request") == ("2026-10-12T23:59:59+08:00", None)


@BOTH
def test_staff_review_recheck_found_valid(flow, where):
    f = flow(where)
    _staff_start(f)
    f.do("staff_recheck_request", "2026-10-09 10:00")
    # staff.decision 5 from Fri 10/09: 10/10, 10/12, 10/13, 10/14, 10/15
    assert f.deadline("staff_decide") == (
        "2026-10-15T23:59:59+08:00", "2026-10-15T00:00:00+08:00")
    assert f.case()["determination"] is None  # not decided yet
    f.do("staff_decide", "2026-10-12 10:00", staff_determination="valid")
    case = f.case()  # the personnel unit's decision is the case's determination
    assert (case["determination"], case["determination_label"]) == ("valid", "属实")
    # staff.self_criticism 5 from Mon 10/12: 10/13, 10/14, 10/15, 10/16, 10/19
    assert f.deadline("staff_self_criticism") == (
        "2026-10-19T23:59:59+08:00", "2026-10-19T00:00:00+08:00")
    f.do("staff_self_criticism", "2026-10-13 10:00")
    assert f.steps() == ["feedback"]
    # feedback: sz 10 from receipt = 10/20 (warn 2 -> 10/19); js 1 from Tue 10/13 = 10/14
    assert f.deadline("feedback") == {
        "sz": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00"),
        "js": ("2026-10-14T23:59:59+08:00", "2026-10-14T00:00:00+08:00")}[where]
    f.do("feedback", "2026-10-14 10:00")
    # revisit 3 from Wed 10/14: 10/15, 10/16, 10/19
    assert f.deadline("revisit") == ("2026-10-19T23:59:59+08:00", "2026-10-19T00:00:00+08:00")
    f.do("revisit", "2026-10-15 10:00")
    case = f.case()
    assert case["status"] == "closed" and case["invalid"] is False
    assert case["determination"] == "valid"
    js = where == "js"  # js: staff_notify and feedback 1 working day, done on the due day
    assert f.timeline() == STARTED + (warned("staff_notify") if js else []) + done(
        "staff_notify", "staff_recheck_request", "staff_decide", "staff_self_criticism") + (
        warned("feedback") if js else []) + done("feedback", "revisit") + CLOSED


@BOTH
def test_staff_review_recheck_found_invalid(flow, where):
    f = flow(where)
    _staff_start(f)
    f.do("staff_recheck_request", "2026-10-09 10:00")
    f.do("staff_decide", "2026-10-12 10:00", staff_determination="invalid",
         staff_opinion="系统故障所致，差评无效")
    case = f.case()
    assert case["status"] == "in_progress" and case["invalid"] is True
    assert (case["determination"], case["determination_label"]) == (
        "staff_invalid", "差评无效（人员复核）")
    # the department feeds the result back to the 12345 hotline (Shenzhen art. 27-28: every
    # bad rating's handling is fed back; an invalid one is 误评 or 恶意评价), as after an
    # upheld appeal; no follow-up rating to guide is required
    assert f.steps() == ["appeal_feedback"]
    assert f.desk.task(f.number, "appeal_feedback")["group"] == "department"
    assert f.deadline("appeal_feedback") == APPEAL_FEEDBACK[where]
    f.do("appeal_feedback", "2026-10-13 10:00", hotline_informed_on="2026-10-13",
         hotline_result="经人员管理单位复核，差评无效", follow_up_guided=False,
         follow_up_note=None)
    case = f.case()
    assert case["status"] == "closed" and case["invalid"] is True
    assert case["determination"] == "staff_invalid"
    assert f.steps() == []
    assert f.timeline() == STARTED + (warned("staff_notify") if where == "js" else []) + done(
        "staff_notify", "staff_recheck_request", "staff_decide") + {
        "sz": [], "js": warned("appeal_feedback")}[where] + done("appeal_feedback") + CLOSED


@BOTH
def test_staff_review_without_recheck_request_goes_on_as_valid(flow, where):
    f = flow(where)
    _staff_start(f)
    recheck_task = f.desk.task(f.number, "staff_recheck_request")["task_id"]
    f.at("2026-10-12 23:59:58")  # before the window's end (its timer is due at 23:59:59)
    assert f.desk.tick().fired == 0
    assert f.steps() == ["staff_recheck_request"]
    f.at("2026-10-13 00:00:00")  # after the window closed
    assert f.desk.tick().fired == 1
    assert f.steps() == ["staff_self_criticism"]
    assert f.case()["determination"] == "valid"  # the window ran out: the rating stands
    # staff.self_criticism 5 from Tue 10/13: 10/14, 10/15, 10/16, 10/19, 10/20
    assert f.deadline("staff_self_criticism") == (
        "2026-10-20T23:59:59+08:00", "2026-10-20T00:00:00+08:00")
    case = f.case()
    old = [t for t in case["tasks"] if t["task_id"] == recheck_task][0]
    assert old["state"] == "cancelled"
    (timer,) = _events(f, "timer")
    assert (timer["step"], timer["actor"]) == ("staff_recheck_request", "scheduler")
    assert timer["data"]["event"] == "recheck_window"
    assert timer["at"] == "2026-10-13T00:00:00+08:00"
    assert f.desk.tick().fired == 0  # ticking again fires nothing more
    f.do("staff_self_criticism", "2026-10-14 10:00")
    f.do("feedback", "2026-10-15 10:00")
    f.do("revisit", "2026-10-16 10:00")
    case = f.case()
    assert case["status"] == "closed" and case["invalid"] is False
    assert case["determination"] == "valid"
    js = where == "js"
    assert f.timeline() == STARTED + (warned("staff_notify") if js else []) + done(
        "staff_notify") + [("timer", "staff_recheck_request")] + done(
        "staff_self_criticism") + (warned("feedback") if js else []) + done(
        "feedback", "revisit") + CLOSED


def test_a_recheck_request_after_the_window_closed_is_refused_before_the_scheduler_came(flow):
    """The window's timer is due (10/12 23:59:59) but no pass has fired it: a request then is
    refused as the scheduler would have made it (the step is over), and nothing changes."""
    f = flow("sz")
    _staff_start(f)
    task = f.desk.task(f.number, "staff_recheck_request")["task_id"]
    before = f.case()
    f.at("2026-10-13 09:00")
    resp = f.desk.complete("sz_personnel", task, **FORMS["staff_recheck_request"])
    assert resp.status_code == 409, resp.get_json()
    after = f.case()
    assert (after["timeline"], after["overdue"], [t["state"] for t in after["tasks"]]) == (
        before["timeline"], False, [t["state"] for t in before["tasks"]])
    assert f.desk.tick().fired == 1
    assert f.steps() == ["staff_self_criticism"]


def test_fired_timer_id_reused_by_a_new_timer_is_left_alone(flow):
    from sqlalchemy import select

    from app.cases.records import CaseTimer
    from app.extensions import db

    f = flow("sz")
    _staff_start(f)
    f.at("2026-10-13 00:00:00")  # the recheck window (due 10/12 23:59:59) has closed
    result = f.desk.tick()
    assert f.steps() == ["staff_self_criticism"]
    assert _events(f, "timer_failed") == []
    assert (result.fired, result.failed) == (1, 0)
    rows = db.session.scalars(select(CaseTimer).order_by(CaseTimer.id)).all()
    # staff.self_criticism 5 from Tue 10/13: 10/14, 10/15, 10/16, 10/19, 10/20
    assert sorted((r.kind, r.attempts, r.fire_at.isoformat()) for r in rows) == [
        ("overdue", 0, "2026-10-20T16:00:00+00:00"),   # 10/21 00:00:00 +08:00
        ("warning", 0, "2026-10-19T16:00:00+00:00")]   # 10/20 00:00:00 +08:00


# -- extension of a complex rectification --------------------------------------------------

def _complex_rectify(f: Flow) -> None:
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    f.do("classify", "2026-09-30 11:30", rectify_class="complex")
    f.do("ledger", "2026-09-30 14:00")
    f.do("rectify", "2026-10-15 10:00", rectify_outcome="extend",
         rectify_result="设备未到货")
    assert f.steps() == ["request_extension"]
    # request_extension keeps the rectification deadline (COMPLEX above)
    assert f.deadline("request_extension") == COMPLEX[f.where]["rectify"]
    f.do("request_extension", "2026-10-15 11:00", requested_until="2026-11-06")
    assert f.desk.task(f.number, "approve_extension")["group"] == "agency"
    # extension.decision 2 from Thu 10/15: 10/16, 10/19
    assert f.deadline("approve_extension") == (
        "2026-10-19T23:59:59+08:00", "2026-10-19T00:00:00+08:00")


@BOTH
def test_extension_approved_moves_the_rectify_deadline_to_the_requested_day(flow, where):
    f = flow(where)
    _complex_rectify(f)
    f.do("approve_extension", "2026-10-15 17:00", extension_decision="approved")
    assert f.steps() == ["rectify"]
    # the end of the requested day; warn_before 3 working days: Fri 11/06, Thu 11/05, Wed 11/04
    assert f.deadline("rectify") == ("2026-11-06T23:59:59+08:00", "2026-11-04T00:00:00+08:00")
    f.do("rectify", "2026-11-05 10:00")
    f.do("feedback", "2026-11-05 11:00")
    f.do("revisit", "2026-11-06 10:00")
    case = f.case()
    assert case["status"] == "closed"
    assert all(t["late"] is False for t in case["tasks"])
    assert f.timeline() == STARTED + done(
        "contact", "verify", "classify", "ledger", "rectify", "request_extension",
        "approve_extension") + warned("rectify") + done("rectify") + {
        "sz": warned("feedback"), "js": []}[where] + done("feedback", "revisit") + CLOSED


@BOTH
def test_extension_rejected_keeps_the_rectify_deadline(flow, where):
    f = flow(where)
    _complex_rectify(f)
    f.do("approve_extension", "2026-10-15 17:00", extension_decision="rejected",
         extension_opinion="理由不充分")
    assert f.steps() == ["rectify"]
    assert f.deadline("rectify") == COMPLEX[where]["rectify"]
    f.do("rectify", "2026-10-16 10:00")
    assert f.steps() == ["feedback"]


# -- unsatisfied revisits: rectify again once, then supervision ------------------------------

@BOTH
def test_unsatisfied_twice_reopens_once_then_escalates_to_supervision(flow, where):
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    f.do("classify", "2026-09-30 11:30", rectify_class="simple")
    f.do("rectify", "2026-10-08 10:00")
    f.do("feedback", "2026-10-08 15:00")
    f.do("revisit", "2026-10-09 10:00", revisit_result="unsatisfied")
    assert f.steps() == ["rectify_again"]
    # rectify.reopen 5 from Fri 10/09: 10/10, 10/12, 10/13, 10/14, 10/15
    assert f.deadline("rectify_again") == (
        "2026-10-15T23:59:59+08:00", "2026-10-15T00:00:00+08:00")
    f.do("rectify_again", "2026-10-12 10:00")
    # feedback: sz 10 from receipt = 10/20 (warn 10/19); js 1 from Mon 10/12 = 10/13
    assert f.deadline("feedback") == {
        "sz": ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00"),
        "js": ("2026-10-13T23:59:59+08:00", "2026-10-13T00:00:00+08:00")}[where]
    f.do("feedback", "2026-10-13 10:00")
    # revisit 3 from Tue 10/13: 10/14, 10/15, 10/16
    assert f.deadline("revisit") == ("2026-10-16T23:59:59+08:00", "2026-10-16T00:00:00+08:00")
    f.do("revisit", "2026-10-14 10:00", revisit_result="unsatisfied")
    assert f.steps() == ["supervise"]
    assert f.desk.task(f.number, "supervise")["group"] == "agency"
    # supervise 5 from Wed 10/14: 10/15, 10/16, 10/19, 10/20, 10/21
    assert f.deadline("supervise") == (
        "2026-10-21T23:59:59+08:00", "2026-10-21T00:00:00+08:00")
    f.do("supervise", "2026-10-16 10:00")
    case = f.case()
    assert case["status"] == "closed" and case["revisit_result"] == "unsatisfied"
    js = where == "js"
    assert f.timeline() == STARTED + done("contact", "verify", "classify") + (
        warned("rectify") if js else []) + done(
        "rectify", "feedback", "revisit", "rectify_again") + (
        warned("feedback") if js else []) + done("feedback", "revisit", "supervise") + CLOSED


# -- hotline dispatch ---------------------------------------------------------------------

@BOTH
def test_hotline_dispatch_moves_the_case_to_the_named_department(flow, desk, where):
    f = flow(where)
    f.post(R2, department_code=None, department_name=None)
    case = f.case()
    assert case["dispatch"] == "hotline" and case["department_code"] is None
    assert f.steps() == ["dispatch"]
    task = desk.task(f.number, "dispatch")
    assert task["group"] == "hotline"
    # dispatch: 1 working day from receipt Fri 2/13 = Sat 2/14 (make-up day)
    assert f.deadline("dispatch") == ("2026-02-14T23:59:59+08:00", "2026-02-14T00:00:00+08:00")
    worker = WORKERS[where]["department"]
    assert desk.tasks(worker, view="department") == []
    dept = SZ_DEPT if where == "sz" else JS_DEPT
    org.ensure_departments([(*dept, None)])  # registered (by earlier ratings, or the admin)
    db.session.commit()
    f.do("dispatch", "2026-02-13 16:00", department_code=dept[0], department_name=dept[1])
    case = f.case()
    assert (case["department_code"], case["department_name"]) == dept
    assert f.steps() == ["contact"]
    # contact from receipt: sz 3 = 2/14, 2/24, 2/25; js 1 = 2/14
    assert f.deadline("contact") == {
        "sz": ("2026-02-25T23:59:59+08:00", "2026-02-25T00:00:00+08:00"),
        "js": ("2026-02-14T23:59:59+08:00", "2026-02-14T00:00:00+08:00")}[where]
    listed = desk.tasks(worker, view="department")
    assert [(t["case_number"], t["step"]) for t in listed] == [(f.number, "contact")]
    f.do("contact", "2026-02-14 09:00")
    assert f.steps() == ["verify"]
    assert f.timeline() == STARTED + done("dispatch") + {
        "sz": [], "js": warned("contact")}[where] + done("contact")


# -- the day of receipt is the Beijing day; deadlines past the calendar are provisional ---------

@BOTH
@pytest.mark.parametrize(("received", "due"), [
    # Fri 10/09 23:30 Beijing (15:30 UTC): sz 3 = 10/10 (Sat), 10/12, 10/13; js 1 = 10/10
    ("2026-10-09 23:30", {"sz": "2026-10-13", "js": "2026-10-10"}),
    # Sat 10/10 00:30 Beijing, still Fri 10/09 in UTC: sz 3 = 10/12, 10/13, 10/14; js 1 = 10/12
    ("2026-10-10 00:30", {"sz": "2026-10-14", "js": "2026-10-12"}),
], ids=["friday-night", "make-up-saturday-just-after-midnight"])
def test_receipt_day_is_counted_in_beijing_time(flow, where, received, due):
    f = flow(where)
    f.at(received)
    f.number = f.desk.post(where, rated_at="2026-10-09T20:00:00+08:00")
    assert f.number.startswith("CP-" + received[:10].replace("-", ""))
    assert f.case()["received_at"] == received.replace(" ", "T") + ":00+08:00"
    assert f.deadline("contact") == (f"{due[where]}T23:59:59+08:00",
                                     f"{due[where]}T00:00:00+08:00")


def test_deadline_past_the_published_calendar_is_provisional(flow):
    """2027's arrangement is not known: its days count as weekdays-only and are flagged."""
    f = flow("sz")
    f.post("2026-12-28 10:00")  # Monday
    # contact 3: 12/29, 12/30, 12/31 - inside the 2026 calendar
    assert f.deadline("contact") == ("2026-12-31T23:59:59+08:00", "2026-12-31T00:00:00+08:00")
    assert f.desk.task(f.number, "contact")["deadline"]["provisional"] is False
    f.do("contact", "2026-12-28 11:00")
    # handle 10: 12/29, 12/30, 12/31, then 2027 by weekdays only (no holiday known):
    # 1/01 Fri 4, 1/04 5, 1/05 6, 1/06 7, 1/07 8, 1/08 9, 1/11 10; warn_before 2 -> 1/08
    assert f.deadline("verify") == ("2027-01-11T23:59:59+08:00", "2027-01-08T00:00:00+08:00")
    assert f.desk.task(f.number, "verify")["deadline"]["provisional"] is True


def test_reviewer_personal_data_never_reaches_the_staff_review(flow):
    """Shenzhen art. 25: the staff member's unit is told nothing of the reviewer."""
    from sqlalchemy import select

    from app.cases.records import CaseEvent, CaseState
    from app.extensions import db

    f = flow("sz")
    f.post(R1, reviewer_name="王小明", reviewer_phone="13912345678",
           reviewer_cert_no="440305199001011234", **staff_rating("sz"))
    f.do("staff_notify", "2026-10-08 10:00")
    seen = [f.desk.case(f.number, who="sz_personnel")]
    seen += [f.desk.client.get(f"/api/v1/tasks/{t['task_id']}",
                               headers=f.desk.headers["sz_personnel"]).get_json()
             for t in seen[0]["tasks"]]
    seen += f.desk.tasks("sz_personnel", view="department")
    db.session.rollback()
    seen += [s.state for s in db.session.scalars(select(CaseState))]
    seen += [e.data for e in db.session.scalars(select(CaseEvent))]
    text = repr(seen)
    for secret in ("王小明", "13912345678", "440305199001011234"):
        assert secret not in text


# -- warnings, overdue and escalation by the scheduler ----------------------------------------

CONTACT_R2 = {
    # contact from receipt Fri 2/13: sz 3 = 2/14, 2/24, 2/25; js 1 = 2/14 (make-up Sat)
    "sz": ("2026-02-25T00:00:00+08:00", "2026-02-25T23:59:59+08:00", "2026-02-26"),
    "js": ("2026-02-14T00:00:00+08:00", "2026-02-14T23:59:59+08:00", "2026-02-15"),
}


def _events(f: Flow, kind: str) -> list[dict]:
    return [e for e in f.case()["timeline"] if e["kind"] == kind]


@BOTH
def test_warning_overdue_and_escalation_fire_once_each(flow, where):
    f = flow(where)
    f.post(R2)
    warn, due, next_day = CONTACT_R2[where]
    assert f.deadline("contact") == (due, warn)
    warn_day = warn[:10]

    f.at(f"{warn_day} 00:00:00").tm.shift(-1)  # one second before the warning
    assert f.desk.tick().fired == 0
    assert _events(f, "warning") == []

    f.at(f"{warn_day} 00:00:01")
    assert f.desk.tick().fired == 1
    (warning,) = _events(f, "warning")
    assert (warning["step"], warning["actor"], warning["at"]) == (
        "contact", "scheduler", f"{warn_day}T00:00:01+08:00")
    # the step's deadline, and when the warning was due (QA #10: due_at was the warning's)
    assert warning["data"] == {"event": "contact_warn", "rule_key": "contact", "due_at": due,
                               "warn_at": warn}
    task = f.desk.task(f.number, "contact")
    assert task["deadline"]["warned"] is True and task["deadline"]["overdue"] is False
    case = f.case()
    assert case["warned_at"] == f"{warn_day}T00:00:01+08:00" and case["escalated"] is False
    assert f.desk.tick().fired == 0  # ticking twice does not warn twice
    assert len(_events(f, "warning")) == 1

    f.at(f"{next_day} 00:00:00").tm.shift(-1)  # the due instant itself: not overdue yet
    assert f.desk.tick().fired == 0
    assert _events(f, "overdue") == []

    f.at(f"{next_day} 00:00:01")
    assert f.desk.tick().fired == 1
    (overdue,) = _events(f, "overdue")
    (escalated,) = _events(f, "escalated")
    assert overdue["step"] == escalated["step"] == "contact"
    assert overdue["data"] == {"event": "contact_overdue", "rule_key": "contact",
                               "due_at": due, "overdue_at": f"{next_day}T00:00:00+08:00"}
    assert escalated["data"] == {"to": "agency", **overdue["data"]}
    case = f.case()
    assert case["overdue"] is True and case["escalated"] is True
    assert case["overdue_at"] == f"{next_day}T00:00:01+08:00"
    task = f.desk.task(f.number, "contact")
    assert task["deadline"]["overdue"] is True
    assert f.desk.tick().fired == 0
    assert len(_events(f, "overdue")) == 1 and len(_events(f, "escalated")) == 1

    # a task done after its deadline is accepted and marked late
    f.do("contact", f"{next_day} 10:00")
    case = f.case()
    contact = [t for t in case["tasks"] if t["step"] == "contact"][0]
    assert contact["state"] == "done" and contact["late"] is True
    completed = [e for e in case["timeline"] if e["kind"] == "completed"][0]
    assert completed["late"] is True
    assert f.timeline() == STARTED + [
        ("warning", "contact"), ("overdue", "contact"), ("escalated", "contact"),
        ("completed", "contact")]
    # the next task is not late and has its own deadline (handle, warn_before 2)
    assert f.deadline("verify") == {
        "sz": ("2026-03-05T23:59:59+08:00", "2026-03-04T00:00:00+08:00"),
        "js": ("2026-03-12T23:59:59+08:00", "2026-03-11T00:00:00+08:00")}[where]


@BOTH
def test_a_task_done_late_before_the_scheduler_came_is_still_escalated(flow, where):
    """No scheduler pass between the deadline and a late completion (the scheduler was down,
    or its pass is yet to come): the timers due fire first, in the completion's change, so
    the case is marked overdue and escalated (督办) as if the scheduler had come by."""
    f = flow(where)
    f.post(R2)
    warn, due, next_day = CONTACT_R2[where]
    f.do("contact", f"{next_day} 10:00")
    case = f.case()
    assert case["overdue"] is True and case["escalated"] is True
    assert case["overdue_at"] == case["warned_at"] == f"{next_day}T10:00:00+08:00"
    assert f.timeline() == STARTED + [
        ("warning", "contact"), ("overdue", "contact"), ("escalated", "contact"),
        ("completed", "contact")]
    (overdue,) = _events(f, "overdue")
    assert (overdue["actor"], overdue["data"]["due_at"], overdue["data"]["overdue_at"]) == (
        "scheduler", due, f"{next_day}T00:00:00+08:00")
    contact = [t for t in case["tasks"] if t["step"] == "contact"][0]
    assert (contact["state"], contact["late"]) == ("done", True)
    assert contact["deadline"]["overdue"] is True and contact["deadline"]["warned"] is True
    assert f.desk.tick().fired == 0  # nothing left to fire


@BOTH
def test_warning_with_two_working_days_lead_and_in_a_called_process(flow, where):
    """handle (warn_before 2) on verify; appeal_submit's timers live in the called `appeal`."""
    f = flow(where)
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    # handle, warn_before 2: sz due 10/20 -> warning Mon 10/19; js due 10/27 -> Mon 10/26
    assert f.deadline("verify")[1] == {"sz": "2026-10-19T00:00:00+08:00",
                                       "js": "2026-10-26T00:00:00+08:00"}[where]
    verify_warn = {"sz": "2026-10-19", "js": "2026-10-26"}[where]
    f.at(f"{verify_warn} 00:00:01")
    assert f.desk.tick().fired == 1
    assert [e["step"] for e in _events(f, "warning")] == ["verify"]
    f.do("verify", f"{verify_warn} 09:00", determination="malicious")
    f.do("confirm_determination", f"{verify_warn} 09:30")
    # appeal.submit from the step's start: sz 3 from Mon 10/19 = 10/20, 10/21, 10/22;
    # js 2 from Mon 10/26 = 10/27, 10/28
    assert f.deadline("appeal_submit") == {
        "sz": ("2026-10-22T23:59:59+08:00", "2026-10-22T00:00:00+08:00"),
        "js": ("2026-10-28T23:59:59+08:00", "2026-10-28T00:00:00+08:00")}[where]
    due = {"sz": "2026-10-22", "js": "2026-10-28"}[where]
    f.at(f"{due} 08:00")
    assert f.desk.tick().fired == 1
    assert [e["step"] for e in _events(f, "warning")] == ["verify", "appeal_submit"]
    assert f.desk.task(f.number, "appeal_submit")["deadline"]["warned"] is True
    f.at(f"{due} 23:59:59").tm.shift(2)  # 00:00:01 the next day, past the overdue instant
    assert f.desk.tick().fired == 1
    assert [e["step"] for e in _events(f, "overdue")] == ["appeal_submit"]
    assert [e["step"] for e in _events(f, "escalated")] == ["appeal_submit"]
    assert f.desk.task(f.number, "appeal_submit")["deadline"]["overdue"] is True
    f.do("appeal_submit")  # at 00:00:01 the next day: late
    (submit,) = [t for t in f.case()["tasks"] if t["step"] == "appeal_submit"]
    assert submit["state"] == "done" and submit["late"] is True


def test_receipt_counted_task_beginning_on_its_due_day_warns_from_its_start(flow):
    """Jiangsu rectify.simple (1 working day from receipt 9/30 = 10/08) classified at 10/08
    14:00: the warning instant 10/08 00:00 lies before the task began, so it is the start."""
    f = flow("js")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    f.do("classify", "2026-10-08 14:00", rectify_class="simple")
    assert f.deadline("rectify") == ("2026-10-08T23:59:59+08:00", "2026-10-08T14:00:00+08:00")
    f.at("2026-10-08 14:00:01")
    assert f.desk.tick().fired == 1
    assert [e["step"] for e in _events(f, "warning")] == ["rectify"]


def test_task_beginning_after_its_deadline_gets_its_late_start_days(flow):
    """Without late_start_days (tests/engine/test_engine.py) such a step is overdue as it
    begins; tests/process/test_late_start.py has the detours that make steps begin late."""
    f = flow("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    # rectify.simple: 3 from receipt = 10/10; classify only on Mon 10/12 (half a second past):
    # late_start_days 1 from Mon 10/12 = 10/13
    f.at("2026-10-12 10:00:00.500000")
    f.do("classify", rectify_class="simple")
    assert f.deadline("rectify") == ("2026-10-13T23:59:59+08:00", "2026-10-13T00:00:00+08:00")
    assert _events(f, "overdue") == [] and f.case()["escalated"] is False


def test_timer_fires_once_its_instant_has_passed(flow):
    f = flow("sz")
    f.post(R1)
    # contact: 3 from receipt = 10/10 (make-up Saturday); warning at 10/10 00:00:00
    f.at("2026-10-10 00:00:00")
    assert f.desk.tick().fired == 0  # at the instant itself: not yet, and no failure
    f.at("2026-10-10 00:00:00.000001")
    result = f.desk.tick()
    assert _events(f, "timer_failed") == []
    assert result.fired == 1 and [e["step"] for e in _events(f, "warning")] == ["contact"]
