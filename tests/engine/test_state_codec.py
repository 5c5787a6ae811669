"""The state document of app.engine.taskcodec against SpiffWorkflow's own converters.

Cases are walked through every kind of step (called processes, fired and cancelled timers, an
extension, a reopened rectification, a supervised close); after each change the document
written here must equal SpiffWorkflow's (without the spec), and the workflow read back here
must equal the one SpiffWorkflow reads back from its own document, task by task.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from app import workdays
from app.config import ROOT
from app.engine import CaseClock, CaseRun, definition_for
from app.rules import load_book
from app.workdays import SHANGHAI

STOCK = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
T0 = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # the Monday before National Day
# the values that choose the branch; every other field gets a value of its type (`_fill`)
CHOICES = {"contact_result": "reached", "determination": "valid", "rectify_class": "complex",
           "rectify_outcome": "done", "extension_decision": "approved",
           "revisit_result": "unsatisfied", "appeal_result": "upheld",
           "staff_determination": "valid"}
# a path: user tasks completed in turn (step, or (step, data)), or days the clock moves on
PATHS = {
    "complex, extended, reopened, supervised": (
        "item", [12, "contact", "verify", "classify", "ledger",
                 ("rectify", {"rectify_outcome": "extend"}), "request_extension",
                 "approve_extension", 3, "rectify", "feedback", "revisit", "rectify_again",
                 "feedback", "revisit", "supervise"]),
    "misjudged, appeal upheld": (
        "item", ["contact", ("verify", {"determination": "misjudged"}), "confirm_determination",
                 20, "appeal_submit",
                 "appeal_decide", "appeal_feedback"]),
    "staff, re-check, valid": (
        "staff", ["staff_notify", "staff_recheck_request", 20, "staff_decide",
                  "staff_self_criticism", "feedback",
                  ("revisit", {"revisit_result": "satisfied"})]),
    "staff, no re-check": ("staff", ["staff_notify", 20, "staff_self_criticism"]),
}


@pytest.fixture(scope="module")
def definition():
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bpmn").glob("*.bpmn"))}
    return definition_for("bad_review", files)


@pytest.fixture(scope="module")
def rules():
    workdays.configure(ROOT / "calendars", reload_seconds=0)
    return load_book(ROOT / "rules").get("shenzhen")


def _fill(form) -> dict:
    """Form data that passes `form`: the branch's choices, else a value of each field's type."""
    typed = {"boolean": True, "long": 1, "date": "2026-12-30", "string": "已办理"}
    return {f.id: CHOICES.get(f.id, f.options[0][0] if f.options else typed[f.type])
            for f in form}


def _stock_document(workflow) -> dict:
    """SpiffWorkflow's document of `workflow`, as JSON gives it back, without the specs."""
    dct = json.loads(STOCK.serialize_json(workflow))
    dct.pop("serializer_version", None)
    for key in ("spec", "subprocess_specs"):
        dct.pop(key)
    return dct


def _tasks(workflow) -> dict:
    """Every attribute of every task (the task spec by name), called processes' included."""
    out = {}
    for wf in (workflow, *workflow.subprocesses.values()):
        for task_id, task in wf.tasks.items():
            attrs = {k: v for k, v in vars(task).items() if k not in ("workflow", "task_spec")}
            out[task_id] = (task.task_spec.name, wf.spec.name, attrs)
    return out


def _check(definition, run: CaseRun) -> None:
    text = definition.serializer.dumps(run.workflow)
    mine = json.loads(text)
    assert mine.pop("format") == "hcp-state-1"
    stock = _stock_document(run.workflow)
    assert mine == stock
    assert list(mine) == list(stock)
    loaded = definition.serializer.loads(text)
    reference = STOCK.deserialize_json(STOCK.serialize_json(run.workflow))
    assert _stock_document(loaded) == _stock_document(reference)
    assert _tasks(loaded) == _tasks(reference)
    assert set(loaded.event_manager.tasks) == set(reference.event_manager.tasks)
    assert set(loaded.subprocesses) == set(reference.subprocesses)
    assert loaded.last_task.id == reference.last_task.id
    assert loaded.task_tree.id == reference.task_tree.id


@pytest.mark.parametrize("reload", [True, False], ids=["reloaded", "kept"])
@pytest.mark.parametrize("name", PATHS)
def test_documents_and_workflows_equal_spiffworkflows(definition, rules, time_machine, name,
                                                       reload):
    """Each change on the workflow loaded from the last state (as in another process), or on
    the same workflow (kept in this process, with its converted tasks: taskcodec.Fragments)."""
    responsibility, path = PATHS[name]
    time_machine.move_to(T0, tick=False)
    clock = CaseClock(T0, "440305000000", rules)
    data = {"case_number": "CP-1", "dispatch": "auto", "responsibility": responsibility,
            "rated_object": responsibility, "tags": ["态度差"], "extended_until": None,
            "reopened": False, "determination": None, "rectify_class": None,
            "appeal_result": None, "staff_determination": None}
    run, _ = CaseRun.start(definition, clock, data)
    _check(definition, run)
    fired = 0
    for item in path:
        if isinstance(item, int):
            time_machine.shift(timedelta(days=item))
            fired += len(run.fire_due())
        else:
            step, extra = item if isinstance(item, tuple) else (item, {})
            (view,) = [v for v in run.user_tasks() if v.step == step]
            run.complete(view.task_id, {**_fill(view.info.form), **extra})
        _check(definition, run)
        if reload:
            run = CaseRun.load(definition, run.dump(), clock)
    assert fired > 0
    assert run.completed or name == "staff, no re-check"


def test_values_no_path_reaches_are_kept_as_spiffworkflow_keeps_them(definition, rules,
                                                                      time_machine):
    """A triggered task, objects in task data and internal data (with a typename in the
    document), a nested value dropped from a child's data."""
    time_machine.move_to(T0, tick=False)
    run, _ = CaseRun.start(definition, CaseClock(T0, "440305000000", rules),
                           {"responsibility": "item", "dispatch": "auto", "nested": {"a": [1]}})
    tasks = list(run.workflow.tasks.values())
    tasks[1].triggered = True
    tasks[2].internal_data["when"] = datetime(2026, 9, 28, 2, 0, tzinfo=SHANGHAI)
    tasks[-1].data["extra"] = {"at": [datetime(2026, 9, 29, tzinfo=SHANGHAI)], "n": 1.5}
    tasks[-1].data.pop("nested", None)
    _check(definition, run)
    loaded = definition.serializer.loads(run.dump())
    again = loaded.tasks[tasks[-1].id]
    assert again.data["extra"]["at"][0] == datetime(2026, 9, 29, tzinfo=SHANGHAI)
    assert "nested" not in again.data and loaded.tasks[tasks[1].id].triggered


def test_state_text_is_the_text_json_writes(definition):
    """orjson writes the state; json where orjson cannot (an integer over 64 bits)."""
    serializer = definition.serializer

    def stock(value):
        return json.dumps(value, cls=serializer._encoder, ensure_ascii=False,
                          separators=(",", ":"))

    value = {"文本": "排队\n两个多小时\t\x00\u2028\"引号\"\\", "empty": {}, "list": [[], {}],
             "numbers": [0, -(2 ** 63), 2 ** 64 - 1, 1.5, 0.1, 1795275651.6708999],
             "flags": [True, False, None], "one": {"集合"}, "call": len}
    assert serializer._text(value) == stock(value)
    big = {"n": 10 ** 30}
    assert serializer._text(big) == stock(big) == '{"n":1000000000000000000000000000000}'
    with pytest.raises(TypeError):
        serializer._text({"day": datetime(2026, 1, 1).date()})
