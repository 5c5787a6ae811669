"""反馈随整改时限 (`within_rectify`): Jiangsu's reply to the reviewer (feedback, 1 working day
from the step, 本系统约定) is never due after the rectification class's deadline counted from
receipt (1 / 5 / 15 working days: 江苏省政务服务差评处置工作规范) while that is still ahead.

Received Wed 2026-09-30 (国庆 10/1-10/7 off, Sat 10/10 a make-up working day): rectify.simple
10/08, rectify.general 10/13 (10/08, 10/09, 10/10, 10/12, 10/13), rectify.complex 10/27."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from types import MappingProxyType
from typing import Any

import pytest

from app import workdays
from app.config import ROOT
from app.engine import CaseClock
from app.engine.scripting import SafeEnvironment
from app.engine.timing import TimerHelpers
from app.rules import load_book
from app.workdays import SHANGHAI

RECEIVED = "2026-09-30 10:00"


@pytest.fixture(scope="module")
def book():
    workdays.configure(ROOT / "calendars", reload_seconds=0)
    return load_book(ROOT / "rules")


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def helpers(rules, now: str, data: dict[str, Any] | None = None) -> TimerHelpers:
    region = "440305000000" if rules.key == "shenzhen" else "320102000000"
    return TimerHelpers(CaseClock(bj(RECEIVED), region, rules, now=lambda: bj(now)), data)


def with_rule(rules, key: str, **changes):
    """`rules` with the deadline `key` changed."""
    deadlines = dict(rules.deadlines)
    deadlines[key] = dataclasses.replace(deadlines[key], **changes)
    return dataclasses.replace(rules, deadlines=MappingProxyType(deadlines))


def times(h: TimerHelpers, until: str | None = None) -> tuple[str, str, str]:
    return h.deadline("feedback", until), h.warning("feedback", until), \
        h.overdue("feedback", until)


def test_a_reply_begun_on_the_class_deadline_is_due_with_it(book):
    """rectify.simple done Thu 10/08 16:00: due 10/08, not Fri 10/09; warned from the start."""
    h = helpers(book.get("jiangsu"), "2026-10-08 16:00", {"rectify_class": "simple"})
    assert times(h) == ("2026-10-08T23:59:59+08:00", "2026-10-08T16:00:00+08:00",
                        "2026-10-09T00:00:00+08:00")
    assert h.rectify_due() == bj("2026-10-08 23:59:59")


def test_without_the_field_the_reply_gets_its_own_working_day(book):
    """The defect: feedback 1 working day from the step, past the class's deadline."""
    rules = with_rule(book.get("jiangsu"), "feedback", within_rectify=False)
    h = helpers(rules, "2026-10-08 16:00", {"rectify_class": "simple"})
    assert times(h) == ("2026-10-09T23:59:59+08:00", "2026-10-09T00:00:00+08:00",
                        "2026-10-10T00:00:00+08:00")


def test_an_early_rectification_keeps_the_replys_own_working_day(book):
    """rectify.complex (10/27) done Fri 10/16: the step's own day, Mon 10/19, comes first."""
    h = helpers(book.get("jiangsu"), "2026-10-16 10:00", {"rectify_class": "complex"})
    assert times(h) == ("2026-10-19T23:59:59+08:00", "2026-10-19T00:00:00+08:00",
                        "2026-10-20T00:00:00+08:00")


def test_a_make_up_saturday_is_the_replys_own_day_but_the_class_deadline_comes_first(book):
    """rectify.general done on its due day, Tue 10/13: due 10/13; begun Fri 10/09, its own
    working day is the make-up Saturday 10/10, before the class's 10/13."""
    jiangsu = book.get("jiangsu")
    on_the_day = helpers(jiangsu, "2026-10-13 09:30", {"rectify_class": "general"})
    assert on_the_day.deadline("feedback") == "2026-10-13T23:59:59+08:00"
    early = helpers(jiangsu, "2026-10-09 17:00", {"rectify_class": "general"})
    assert early.deadline("feedback") == "2026-10-10T23:59:59+08:00"


def test_past_the_class_deadline_the_reply_counts_from_the_step(book):
    """rectify.general was due 10/13; a late rectification done Wed 10/14: Thu 10/15."""
    h = helpers(book.get("jiangsu"), "2026-10-14 09:00", {"rectify_class": "general"})
    assert h.deadline("feedback") == "2026-10-15T23:59:59+08:00"
    assert h.warning("feedback") == "2026-10-15T00:00:00+08:00"


def test_an_approved_extension_moves_the_class_deadline(book):
    """rectify.complex (10/27) extended to Fri 11/06, done on 11/06: due 11/06 (its own day
    would be Mon 11/09); without the extension 10/27 has passed: 11/09."""
    jiangsu = book.get("jiangsu")
    h = helpers(jiangsu, "2026-11-06 10:00", {"rectify_class": "complex"})
    assert times(h, "2026-11-06") == ("2026-11-06T23:59:59+08:00",
                                      "2026-11-06T10:00:00+08:00",
                                      "2026-11-07T00:00:00+08:00")
    assert h.deadline("feedback") == "2026-11-09T23:59:59+08:00"
    # an extension day before the class deadline moves nothing (as on the rectify step)
    assert helpers(jiangsu, "2026-10-27 10:00", {"rectify_class": "complex"}).deadline(
        "feedback", "2026-10-20") == "2026-10-27T23:59:59+08:00"


@pytest.mark.parametrize("data", [None, {}, {"rectify_class": None},
                                  {"rectify_class": "urgent"}, {"rectify_class": 3}])
def test_without_a_class_the_reply_counts_from_the_step(book, data):
    """Staff reviews and explanations (诉求不合理) have no rectification class."""
    h = helpers(book.get("jiangsu"), "2026-10-08 16:00", data)
    assert h.deadline("feedback") == "2026-10-09T23:59:59+08:00"
    assert h.rectify_due() is None


def test_a_class_counted_from_the_step_caps_nothing(book):
    rules = with_rule(book.get("jiangsu"), "rectify.simple", counted_from="step",
                      late_start_days=None)
    h = helpers(rules, "2026-10-08 16:00", {"rectify_class": "simple"})
    assert h.deadline("feedback") == "2026-10-09T23:59:59+08:00"


def test_shenzhen_feedback_is_unchanged_by_the_class(book):
    """Shenzhen: 10 working days from receipt (10/20), warn_before 2 (10/19), whatever the
    class (rectify.simple there is 3: 10/10)."""
    shenzhen = book.get("shenzhen")
    for data in (None, {"rectify_class": "simple"}, {"rectify_class": "complex"}):
        h = helpers(shenzhen, "2026-10-10 16:00", data)
        assert times(h) == ("2026-10-20T23:59:59+08:00", "2026-10-19T00:00:00+08:00",
                            "2026-10-21T00:00:00+08:00")


def test_the_script_engine_gives_a_timer_its_tasks_class(book):
    """The diagram's expressions stay as they are: `deadline("feedback", extended_until)`
    reads `rectify_class` from the data of the task it is evaluated on."""
    h = helpers(book.get("jiangsu"), "2026-10-08 16:00")
    env = SafeEnvironment(h.environment(), h.bound)
    expression = 'deadline("feedback", extended_until)'
    assert env.evaluate(expression, {"rectify_class": "simple", "extended_until": None}) == \
        "2026-10-08T23:59:59+08:00"
    assert env.evaluate(expression, {"rectify_class": None, "extended_until": None}) == \
        "2026-10-09T23:59:59+08:00"
    # without `bind`, the helpers see no task data: the step's own count
    assert SafeEnvironment(h.environment()).evaluate(
        expression, {"rectify_class": "simple", "extended_until": None}) == \
        "2026-10-09T23:59:59+08:00"


def test_retiming_counts_the_reply_with_its_tasks_class(book, time_machine):
    """期限重算 evaluates a reply's timers again as at its start: still due with the
    rectification (10/08), not moved to its own working day (10/09)."""
    from app.engine import CaseRun, definition_for

    files = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bpmn").glob("*.bpmn"))}
    now = {"at": bj(RECEIVED)}
    time_machine.move_to(now["at"], tick=False)  # SpiffWorkflow fires on the real clock
    clock = CaseClock(bj(RECEIVED), "320102000000", book.get("jiangsu"), now=lambda: now["at"])
    data = {"case_number": "CP-1", "dispatch": "auto", "responsibility": "item",
            "rated_object": "item", "tags": [], "extended_until": None, "reopened": False,
            "determination": None, "rectify_class": None, "appeal_result": None,
            "staff_determination": None}
    run, _ = CaseRun.start(definition_for("bad_review", files), clock, data)
    for step, form, at in (
            ("contact", {"contact_result": "reached", "reason": "排队"}, "2026-09-30 10:30"),
            ("verify", {"determination": "valid", "findings": "属实"}, "2026-09-30 11:00"),
            ("classify", {"rectify_class": "simple"}, "2026-09-30 11:30"),
            ("rectify", {"rectify_outcome": "done", "rectify_result": "已整改"},
             "2026-10-08 16:00")):
        now["at"] = bj(at)
        time_machine.move_to(now["at"], tick=False)
        (view,) = run.user_tasks()
        assert view.step == step
        run.complete(view.task_id, form)
    (reply,) = run.user_tasks()
    due = {t.event: t.due_at.isoformat() for t in reply.timers}
    assert due == {"feedback_warn": "2026-10-08T16:00:00+08:00",
                   "feedback_overdue": "2026-10-09T00:00:00+08:00"}
    now["at"] = bj("2026-10-08 18:00")
    time_machine.move_to(now["at"], tick=False)
    run = CaseRun.load(run.definition, run.dump(), clock)
    assert {t.event for t in run.timers()} == set(due)
    assert run.retime({reply.task_id: bj("2026-10-08 16:00")}) == []
    assert {t.event: t.due_at.isoformat() for t in run.timers()} == due
