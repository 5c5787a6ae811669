"""A step the process comes back to (退回重新核实, a rejected extension, an appeal rejected into
rectification, a reopened rectification) keeps the deadline it had when that deadline is
counted from receipt. A warning (超期预警) or an escalation (超期督办) already given on the case
for that deadline is not given again when the step opens again: the case, its task rows, the
timeline and the watch lists say it once. A step that gets a new deadline (late_start_days,
an approved extension) is warned and escalated on that deadline as any step is (QA, s18).

Days as in test_scenarios: Shenzhen receipt Wed 9/30, `handle` 10 working days -> Tue 10/20
23:59:59, warn_before 2 -> Mon 10/19 00:00."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.rules.registry import RuleRegistry
from tests.process.test_scenarios import R1, SIMPLE, Flow

SHIPPED_RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture()
def case_of(desk, time_machine):
    return lambda where: Flow(desk, time_machine, where)


def _kinds(f: Flow, *kinds: str) -> list[tuple[str, str | None]]:
    return [(k, s) for k, s in f.timeline() if k in kinds]


def _rows(f: Flow, step: str) -> list[dict]:
    return [t for t in f.case()["tasks"] if t["step"] == step]


def _return_verify(f: Flow, when: str) -> None:
    f.do("verify", when, determination="misjudged")
    f.do("confirm_determination", when[:11] + "11:00", confirm_decision="returned",
         confirm_opinion="请补充通话录音后重新核实")
    assert f.steps() == ["verify"]


def test_returned_verify_is_not_warned_again(case_of, desk, signed_in):
    """The first 核实认定 was warned on 10/19 at 00:00; returned at 11:00 the same day, the new
    one keeps the deadline (10/20) and is past its warning instant: no second warning."""
    f = case_of("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.at("2026-10-19 00:00:01")
    assert f.desk.tick().fired == 1
    _return_verify(f, "2026-10-19 10:00")
    assert f.deadline("verify")[0] == SIMPLE["sz"]["verify"][0]
    f.at("2026-10-19 11:00:01")
    f.desk.tick()  # the new step's warning timer is due: it fires, and says nothing new
    f.at("2026-10-19 12:00")
    assert _kinds(f, "warning") == [("warning", "verify")]
    case = f.case()
    assert case["warned_at"] == "2026-10-19T00:00:01+08:00"
    first, again = _rows(f, "verify")
    assert first["deadline"]["warned"] is True and again["deadline"]["warned"] is True
    assert again["state"] == "open"
    # the hotline's 超期预警 list has the case once, on its open step
    warned = desk.tasks("sz_hotline", queue="warned")
    assert [(t["case_number"], t["step"]) for t in warned] == [(f.number, "verify")]
    # done on time: the second verify is not late
    f.do("verify", "2026-10-19 15:00", determination="valid")
    assert _rows(f, "verify")[1]["late"] is False
    assert _kinds(f, "warning") == [("warning", "verify")]


@pytest.fixture()
def no_late_start(app, tmp_path, monkeypatch):
    """Shenzhen's `handle` without late_start_days: a step that begins after the deadline keeps
    it (rules are data: a process owner may write them so)."""
    target = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, target)
    path = target / "shenzhen.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("    warn_before: 2\n    late_start_days: 2\n  rectify:",
                          "    warn_before: 2\n  rectify:", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    monkeypatch.setitem(app.extensions, "rules", RuleRegistry(str(target)))


def test_returned_verify_past_its_deadline_is_not_escalated_again(case_of, desk, no_late_start):
    """Overdue and escalated (督办) on 10/21 at 00:00:01; returned the same day, the new 核实认定
    is overdue on the same deadline as it opens: it is on the 督办 list, the agency is not
    pressed a second time."""
    f = case_of("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.at("2026-10-19 00:00:01")
    f.desk.tick()
    f.at("2026-10-21 00:00:01")
    assert f.desk.tick().fired == 1
    _return_verify(f, "2026-10-21 10:00")
    f.at("2026-10-21 11:00:01")
    f.desk.tick()
    f.at("2026-10-21 12:00")
    assert _kinds(f, "warning", "overdue", "escalated") == [
        ("warning", "verify"), ("overdue", "verify"), ("escalated", "verify")]
    case = f.case()
    assert case["overdue_at"] == "2026-10-21T00:00:01+08:00" and case["escalated"] is True
    first, again = _rows(f, "verify")
    assert first["late"] is True and again["deadline"]["overdue"] is True
    assert again["deadline"]["due_at"] == SIMPLE["sz"]["verify"][0]
    escalated = desk.tasks("sz_agency", queue="escalated")
    assert [(t["case_number"], t["step"]) for t in escalated] == [(f.number, "verify")]


def test_returned_verify_with_a_new_deadline_is_warned_and_escalated_on_it(case_of):
    """Shipped rules: `handle` has late_start_days 2. Returned on 10/21 after the deadline, the
    new 核实认定 is due Fri 10/23 (warned Thu 10/22 00:00): a new deadline, warned and
    escalated on its own instants."""
    f = case_of("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.at("2026-10-19 00:00:01")
    f.desk.tick()
    f.at("2026-10-21 00:00:01")
    f.desk.tick()
    _return_verify(f, "2026-10-21 10:00")
    assert f.deadline("verify") == ("2026-10-23T23:59:59+08:00", "2026-10-22T00:00:00+08:00")
    f.at("2026-10-21 11:00:01")
    f.desk.tick()
    assert _kinds(f, "warning") == [("warning", "verify")]
    f.at("2026-10-22 00:00:01")
    assert f.desk.tick().fired == 1
    f.at("2026-10-24 00:00:01")
    assert f.desk.tick().fired == 1
    assert _kinds(f, "warning", "overdue", "escalated") == [
        ("warning", "verify"), ("overdue", "verify"), ("escalated", "verify")] * 2
    warnings = [e["data"]["due_at"] for e in f.case()["timeline"] if e["kind"] == "warning"]
    assert warnings == ["2026-10-20T23:59:59+08:00", "2026-10-23T23:59:59+08:00"]


def _warnings(f: Flow) -> list[tuple[str, str]]:
    return [(e["step"], e["data"]["due_at"]) for e in f.case()["timeline"]
            if e["kind"] == "warning"]


def _start(f: Flow, rectify_class: str = "general") -> None:
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.do("verify", "2026-09-30 11:00")
    f.do("classify", "2026-09-30 11:30", rectify_class=rectify_class)


def test_feedback_after_a_reopened_rectification_is_not_warned_again(case_of):
    """反馈结果 (feedback: 10 from receipt -> 10/20, warned 10/19 00:00) was warned; the revisit
    is unsatisfied, the reopened rectification (重开整改, rectify.reopen: a deadline of its own)
    is done on 10/19, and feedback opens again on the same deadline: not warned again."""
    f = case_of("sz")
    _start(f)
    f.do("rectify", "2026-10-16 10:00")
    f.at("2026-10-19 00:00:01")
    f.desk.tick()
    f.do("feedback", "2026-10-19 09:00")
    f.do("revisit", "2026-10-19 10:00", revisit_result="unsatisfied")
    f.do("rectify_again", "2026-10-19 14:00")
    assert f.deadline("feedback")[0] == SIMPLE["sz"]["feedback"][0]
    f.at("2026-10-19 14:00:01")
    f.desk.tick()
    f.do("feedback", "2026-10-19 15:00")
    assert _warnings(f) == [("rectify", "2026-10-16T23:59:59+08:00"),
                            ("feedback", "2026-10-20T23:59:59+08:00")]


def test_rectify_after_a_rejected_extension_is_not_warned_again(case_of):
    """整改 (complex: due 10/20, warned 10/16 00:00) asks for an extension: 申请延期 keeps the
    deadline, and so does 整改 again when the agency rejects it; one warning for it."""
    f = case_of("sz")
    _start(f, "complex")
    f.do("ledger", "2026-09-30 14:00")
    f.at("2026-10-16 00:00:01")
    f.desk.tick()
    f.do("rectify", "2026-10-16 10:00", rectify_outcome="extend", rectify_result="设备未到货")
    f.do("request_extension", "2026-10-16 11:00", requested_until="2026-11-06")
    f.do("approve_extension", "2026-10-16 15:00", extension_decision="rejected",
         extension_opinion="请按期完成")
    assert f.steps() == ["rectify"]
    f.at("2026-10-16 15:00:01")
    f.desk.tick()
    assert _warnings(f) == [("rectify", "2026-10-20T23:59:59+08:00")]
    rows = [t for t in f.case()["tasks"] if t["step"] in ("rectify", "request_extension")]
    assert [t["deadline"]["warned"] for t in rows] == [True, True, True]


def test_classify_after_a_rejected_appeal_is_not_warned_again(case_of):
    """核实认定 (handle: due 10/20, warned 10/19 00:00) found 误评; the appeal is rejected the
    same day and 整改分类, counted on `handle` too, opens on the same deadline."""
    f = case_of("sz")
    f.post(R1)
    f.do("contact", "2026-09-30 10:30")
    f.at("2026-10-19 00:00:01")
    f.desk.tick()
    f.do("verify", "2026-10-19 09:00", determination="misjudged")
    f.do("confirm_determination", "2026-10-19 09:30")
    f.do("appeal_submit", "2026-10-19 10:00")
    f.do("appeal_decide", "2026-10-19 11:00", appeal_result="rejected", appeal_opinion="证据不足")
    assert f.steps() == ["classify"]
    f.at("2026-10-19 11:00:01")
    f.desk.tick()
    assert _warnings(f) == [("verify", "2026-10-20T23:59:59+08:00")]
