"""The engine's script engine (app/engine/scripting.py): a diagram that was never validated
(stored before the modeler checked conditions and scripts) still cannot run code outside the
safe subset, and nothing runs with Python's builtins. No Flask."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import workdays
from app.config import ROOT
from app.engine import CaseClock, CaseRun, ProcessDefinition, ProcessHalted
from app.engine.scripting import SafeEnvironment, UnsafeExpression, compiled
from app.rules import load_book
from tests.engine.test_engine import bj

CONDITION = 'dispatch == "hotline"'  # flow gw_dispatch → dispatch, evaluated at the start
START = {"dispatch": "auto", "responsibility": "item", "determination": None,
         "rectify_class": None, "appeal_result": None, "staff_determination": None,
         "extended_until": None, "reopened": False, "case_number": "CP-1"}


@pytest.fixture(scope="module")
def book():
    workdays.configure(ROOT / "calendars", reload_seconds=0)
    return load_book(ROOT / "rules")


def start_with_condition(book, condition: str) -> CaseRun:
    files = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "bpmn").glob("*.bpmn")}
    files["bad_review.bpmn"] = files["bad_review.bpmn"].replace(CONDITION, condition, 1)
    clock = CaseClock(bj("2026-09-30 10:00"), "440305000000", book.get("shenzhen"),
                      now=lambda: bj("2026-09-30 10:00"))
    run, _ = CaseRun.start(ProcessDefinition("bad_review", files), clock, START)
    return run


def test_a_condition_that_runs_a_command_is_not_run(book, tmp_path: Path):
    marker = tmp_path / "pwned"
    with pytest.raises(ProcessHalted) as refused:
        start_with_condition(book, f'__import__("os").system("touch {marker}") or False')
    assert refused.value.__cause__.error_type == "UnsafeExpression"
    assert refused.value.element == "gw_dispatch"
    assert not marker.exists()


def test_a_condition_escaping_through_attributes_is_not_run(book):
    escape = "().__class__.__base__.__subclasses__() == []"
    with pytest.raises(ProcessHalted) as refused:
        start_with_condition(book, escape)
    assert refused.value.__cause__.error_type == "UnsafeExpression"


def test_a_safe_condition_still_decides(book):
    run = start_with_condition(book, 'dispatch in ("auto",) and not reopened')
    assert [t.step for t in run.user_tasks()] == ["dispatch"]


def test_conditions_run_without_builtins():
    env = SafeEnvironment({})
    assert env.evaluate('dispatch == "auto"', {"dispatch": "auto"}) is True
    with pytest.raises(NameError):
        env.evaluate("open is None", {})


@pytest.mark.parametrize("script", ["import os", 'os = __import__("os")',
                                    "x = ().__class__", "exec('1')"])
def test_scripts_outside_the_subset_are_not_run(script):
    context = {"os": None}
    with pytest.raises(UnsafeExpression):
        SafeEnvironment({}).execute(script, context)
    assert context == {"os": None}


def test_a_script_assigns_into_the_task_data_and_leaves_no_builtins_behind():
    context = {"requested_until": "2026-10-20"}
    SafeEnvironment({"deadline": lambda key: key}).execute(
        "extended_until = requested_until\nreopened = True", context)
    assert context == {"requested_until": "2026-10-20", "extended_until": "2026-10-20",
                       "reopened": True}


def test_timer_dates_may_call_the_helpers_and_join_a_rule_key():
    env = SafeEnvironment({"warning": lambda key, until=None: f"{key}|{until}"})
    value = env.evaluate('warning("rectify." + rectify_class, extended_until)',
                         {"rectify_class": "simple", "extended_until": None})
    assert value == "rectify.simple|None"
    with pytest.raises(UnsafeExpression):
        compiled('print("rectify")', "eval")


def test_conditions_and_scripts_laid_out_on_indented_lines_run():
    env, context = SafeEnvironment({}), {"dispatch": "auto"}
    assert env.evaluate('\n    dispatch == "auto"\n  ', context) is True
    env.execute("\n    reopened = True\n    again = dispatch\n  ", context)
    assert context == {"dispatch": "auto", "reopened": True, "again": "auto"}
