"""The engine on its own (no Flask): timer helpers on the calendar, forms, state, definitions."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from types import MappingProxyType

import pytest

from app import workdays
from app.config import ROOT
from app.engine import (
    CaseClock,
    CaseRun,
    DiagramError,
    FormInvalid,
    ProcessDefinition,
    definition_for,
    timer_kind,
)
from app.engine.forms import FormField, validate_form
from app.engine.timing import TimerHelpers, rule_key_of
from app.rules import load_book
from app.workdays import SHANGHAI


@pytest.fixture(scope="module")
def book():
    workdays.configure(ROOT / "calendars", reload_seconds=0)
    return load_book(ROOT / "rules")


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bpmn").glob("*.bpmn"))}


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def helpers(book, jurisdiction: str, received: str, now: str | None = None) -> TimerHelpers:
    clock = CaseClock(bj(received), "440305000000" if jurisdiction == "shenzhen"
                      else "320102000000", book.get(jurisdiction),
                      now=lambda: bj(now or received))
    return TimerHelpers(clock)


def test_deadline_counts_working_days_from_receipt_across_national_day(book):
    h = helpers(book, "jiangsu", "2026-09-30 10:00")
    # contact: 1 working day; 10/1-10/7 off, 10/8 (Thu) is the 1st working day
    assert h.deadline("contact") == "2026-10-08T23:59:59+08:00"
    assert h.overdue("contact") == "2026-10-09T00:00:00+08:00"
    assert h.warning("contact") == "2026-10-08T00:00:00+08:00"  # lead 1: the due day
    # handle: 15 working days: 10/8 9 10(Sat, make-up) 12 13 14 15 16 19 20 21 22 23 26 27
    assert h.deadline("handle") == "2026-10-27T23:59:59+08:00"
    assert h.warning("handle") == "2026-10-26T00:00:00+08:00"  # lead 2: 14th working day


def test_step_rules_count_from_now_and_receipt_rules_do_not(book):
    h = helpers(book, "shenzhen", "2026-02-13 09:00", now="2026-02-24 15:00")
    # revisit counts from the step (now, Tue 2/24): 3 working days 2/25 2/26 2/27
    assert h.deadline("revisit") == "2026-02-27T23:59:59+08:00"
    # contact counts from receipt (Fri 2/13): 2/14 is a make-up Saturday, 2/15-2/23 off
    # 3 working days: 2/14, 2/24, 2/25
    assert h.deadline("contact") == "2026-02-25T23:59:59+08:00"


def test_warning_is_never_before_now(book):
    h = helpers(book, "jiangsu", "2026-09-30 10:00", now="2026-10-27 11:30")
    assert h.warning("handle") == "2026-10-27T11:30:00+08:00"


def test_a_receipt_counted_step_begun_past_its_deadline_gets_its_late_start_days(book):
    """Shenzhen rectify.general: 8 working days from receipt (9/30): 10/8, 10/9, 10/10
    (make-up Saturday), 10/12 ... 10/16. Begun on 10/20 (after an appeal was rejected), it gets
    late_start_days 3 from its start: 10/21, 10/22, 10/23; begun on the due day itself, it
    keeps the due day."""
    assert helpers(book, "shenzhen", "2026-09-30 10:00", now="2026-10-16 09:00").deadline(
        "rectify.general") == "2026-10-16T23:59:59+08:00"
    late = helpers(book, "shenzhen", "2026-09-30 10:00", now="2026-10-20 09:00")
    assert late.deadline("rectify.general") == "2026-10-23T23:59:59+08:00"
    assert late.warning("rectify.general") == "2026-10-23T00:00:00+08:00"  # lead 1
    assert late.overdue("rectify.general") == "2026-10-24T00:00:00+08:00"


def test_without_late_start_days_a_step_begun_late_is_overdue_as_it_begins(book):
    rules = book.get("shenzhen")
    plain = {k: dataclasses.replace(v, late_start_days=None) for k, v in rules.deadlines.items()}
    clock = CaseClock(bj("2026-09-30 10:00"), "440305000000",
                      dataclasses.replace(rules, deadlines=MappingProxyType(plain)),
                      now=lambda: bj("2026-10-20 09:00"))
    h = TimerHelpers(clock)
    assert h.deadline("rectify.general") == "2026-10-16T23:59:59+08:00"
    assert h.warning("rectify.general") == "2026-10-20T09:00:00+08:00"  # never before now


def test_extension_date_replaces_the_rule(book):
    h = helpers(book, "shenzhen", "2026-09-30 10:00")
    assert h.deadline("rectify.complex", "2026-11-20") == "2026-11-20T23:59:59+08:00"
    assert h.overdue("rectify.complex", "2026-11-20") == "2026-11-21T00:00:00+08:00"
    # warn_before 3: 00:00 two working days before the day: 11/18
    assert h.warning("rectify.complex", "2026-11-20") == "2026-11-18T00:00:00+08:00"


def test_unknown_rule_key_fails(book):
    with pytest.raises(KeyError, match="no deadline rule 'rectify.huge'"):
        helpers(book, "jiangsu", "2026-09-30 10:00").deadline("rectify.huge")


def test_past_the_calendar_is_weekends_only(book):
    h = helpers(book, "jiangsu", "2026-12-30 10:00")
    # 12/31 (Thu), 2027-01-01 (Fri: no 2027 arrangement known, a working day provisionally)
    assert h.due_at("rectify.general").provisional
    assert h.deadline("rectify.general") == "2027-01-06T23:59:59+08:00"


@pytest.mark.parametrize(("expression", "kind", "key"), [
    ('warning("contact")', "warning", "contact"),
    ('overdue("rectify." + rectify_class, extended_until)', "overdue", "rectify.general"),
    ('deadline("staff.recheck_request")', "deadline", "staff.recheck_request"),
    ("2026-10-01T00:00:00+08:00", "timer", None),
    ("deadline(", "timer", None),
])
def test_timer_kind_and_rule_key(expression, kind, key):
    assert timer_kind(expression) == kind
    assert rule_key_of(expression, {"rectify_class": "general"}) == key


def test_rule_key_expression_may_not_call_anything():
    assert rule_key_of('deadline(open("x").read())', {}) is None


FORM = (
    FormField("result", "结果", "enum", True, (("done", "完成"), ("extend", "延期"))),
    FormField("text", "说明", "string", True),
    FormField("until", "日期", "date"),
    FormField("informed", "已告知", "boolean", True),
    FormField("count", "次数", "long", minimum=0, maximum=9),
)


def test_form_validation_gives_a_message_per_field():
    with pytest.raises(FormInvalid) as err:
        validate_form(FORM, {"result": "later", "text": "  ", "until": "2026-13-01",
                             "informed": False, "count": 12, "extra": 1})
    assert set(err.value.errors) == {"result", "text", "until", "informed", "count", "extra"}
    assert err.value.errors["result"] == ["Must be one of: done, extend."]
    assert err.value.errors["extra"] == ["Unknown field."]


@pytest.mark.parametrize("text", ["已整改\x00", "已\u202e整改", "\u2066已整改"])
def test_form_text_with_control_characters_is_refused(text):
    """NUL (PostgreSQL refuses it) and the bidirectional overrides (a page would show the
    text reordered); line breaks and emoji are text."""
    with pytest.raises(FormInvalid) as err:
        validate_form(FORM, {"result": "done", "text": text, "informed": True})
    assert err.value.errors["text"][0].startswith("Contains the control character U+")
    clean = validate_form(FORM, {"result": "done", "text": "已整改\n窗口 😀", "informed": True})
    assert clean["text"] == "已整改\n窗口 😀"


def test_form_validation_cleans():
    clean = validate_form(FORM, {"result": "done", "text": " 已整改 ", "until": "2026-11-20",
                                 "informed": True, "count": ""})
    assert clean == {"result": "done", "text": "已整改", "until": "2026-11-20",
                     "informed": True, "count": None}


def test_definitions_are_parsed_once_per_content(files):
    first = definition_for("bad_review", files)
    assert definition_for("bad_review", dict(files)) is first
    assert {"contact", "verify", "appeal_decide", "staff_decide", "revisit"} <= set(first.steps())
    assert first.task("appeal", "appeal_decide").group == "agency"
    assert first.task("bad_review", "revisit").group == "hotline"
    assert first.task("staff_review", "staff_decide").group == "personnel"
    form = {f.id: f for f in first.task("bad_review", "verify").form}
    assert form["determination"].required and form["determination"].type == "enum"


def test_a_broken_diagram_is_refused_with_its_file(files):
    broken = dict(files, **{"appeal.bpmn": files["appeal.bpmn"].replace("</bpmn:process>", "")})
    with pytest.raises(DiagramError) as err:
        ProcessDefinition("bad_review", broken)
    assert err.value.file == "appeal.bpmn"


def test_state_round_trip_keeps_the_spec_out(book, files, time_machine):
    time_machine.move_to(bj("2026-09-30 10:00"), tick=False)
    definition = definition_for("bad_review", files)
    clock = CaseClock(bj("2026-09-30 10:00"), "320102000000", book.get("jiangsu"))
    data = {"dispatch": "auto", "responsibility": "item", "determination": None,
            "rectify_class": None, "appeal_result": None, "staff_determination": None,
            "extended_until": None, "reopened": False, "case_number": "CP-1"}
    run, fired = CaseRun.start(definition, clock, data)
    assert fired == [] and [t.step for t in run.user_tasks()] == ["contact"]
    text = run.dump()
    assert "task_specs" not in text and len(text) < 20_000
    again = CaseRun.load(definition, text, clock)
    task = again.user_tasks()[0]
    assert [(t.kind, t.due_at.isoformat()) for t in task.timers] == [
        ("warning", "2026-10-08T00:00:00+08:00"), ("overdue", "2026-10-09T00:00:00+08:00")]
    again.complete(task.task_id, {"contact_result": "reached", "reason": "排队时间长"})
    assert [t.step for t in again.user_tasks()] == ["verify"]
