"""期限重算 in the engine: a waiting timer evaluated on a provisional calendar is evaluated again,
as at its step's start, once the calendar covers it; the new instant is what SpiffWorkflow fires
on and what the state keeps.

Shenzhen, received Wed 2026-12-30 10:00. Without 2027: contact (3 working days from receipt) is
12/31, 1/01 (Fri, provisionally a working day), 1/04: due 2027-01-04 23:59:59, warning 1/04 00:00,
overdue 1/05 00:00. With the test's 2027 (1/01 off): 12/31, 1/04, 1/05: due 1/05, warning
1/05 00:00, overdue 1/06 00:00. A staff review's first step (contact.staff, 2 working days, in
the called process 工作人员差评核查): 12/31, 1/01 provisionally; 12/31, 1/04 really.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from app.config import ROOT
from app.engine import CaseClock, CaseRun, definition_for
from app.rules import load_book
from app.workdays import SHANGHAI

STOCK = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


RECEIVED = bj("2026-12-30 10:00")
PATHS = {  # responsibility: (step, its timers before, after)
    "item": ("contact", {"contact_warn": "2027-01-04T00:00:00+08:00",
                         "contact_overdue": "2027-01-05T00:00:00+08:00"},
             {"contact_warn": "2027-01-05T00:00:00+08:00",
              "contact_overdue": "2027-01-06T00:00:00+08:00"}),
    "staff": ("staff_notify", {"staff_notify_warn": "2027-01-01T00:00:00+08:00",
                               "staff_notify_overdue": "2027-01-02T00:00:00+08:00"},
              {"staff_notify_warn": "2027-01-04T00:00:00+08:00",
               "staff_notify_overdue": "2027-01-05T00:00:00+08:00"}),
}


@pytest.fixture()
def definition():
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bpmn").glob("*.bpmn"))}
    return definition_for("bad_review", files)


@pytest.fixture()
def clock(calendar_copy) -> CaseClock:
    rules = load_book(ROOT / "rules").get("shenzhen")
    return CaseClock(RECEIVED, "440305000000", rules, now=lambda: RECEIVED)


def _start(definition, clock, responsibility: str) -> CaseRun:
    data = {"case_number": "CP-1", "dispatch": "auto", "responsibility": responsibility,
            "rated_object": responsibility, "tags": ["态度差"], "extended_until": None,
            "reopened": False, "determination": None, "rectify_class": None,
            "appeal_result": None, "staff_determination": None}
    run, fired = CaseRun.start(definition, clock, data)
    assert fired == []
    return run


def _timers(run: CaseRun) -> dict[str, str]:
    return {t.event: t.due_at.isoformat() for t in run.timers()}


@pytest.mark.parametrize("responsibility", PATHS)
def test_retime_evaluates_again_as_at_the_step_start(definition, clock, calendar_copy,
                                                     time_machine, responsibility):
    step, before, after = PATHS[responsibility]
    time_machine.move_to(RECEIVED, tick=False)
    run = _start(definition, clock, responsibility)
    (view,) = run.user_tasks()
    assert view.step == step and _timers(run) == before

    calendar_copy.publish_2027()
    time_machine.move_to(bj("2026-12-31 09:00"), tick=False)
    later = replace(clock, now=lambda: bj("2026-12-31 09:00"))  # the re-time's own instant
    run = CaseRun.load(definition, run.dump(), later)
    assert run.retime({"another-task": RECEIVED}) == []  # only the tasks named move
    moved = run.retime({view.task_id: RECEIVED})
    assert {m.after.event: (m.before.due_at.isoformat(), m.after.due_at.isoformat())
            for m in moved} == {e: (before[e], after[e]) for e in before}
    assert all(m.after.attached_task_id == view.task_id for m in moved)
    assert _timers(run) == after
    assert {v.event: v.due_at.isoformat() for v in run.user_task(view.task_id).timers} == after
    assert sorted(e.value for e in run.workflow.waiting_events()) == sorted(after.values())
    assert run.retime({view.task_id: RECEIVED}) == []  # once moved, nothing more to do

    # the state keeps the new instants, as SpiffWorkflow's own serializer writes them
    text = run.dump()  # taskcodec.VERIFY: checked against a conversion of every task
    stock = json.loads(STOCK.serialize_json(run.workflow))
    values = sorted(t["internal_data"]["event_value"] for wf in
                    (stock, *stock["subprocesses"].values()) for t in wf["tasks"].values()
                    if t["internal_data"].get("event_value"))
    assert values == sorted(after.values())
    run = CaseRun.load(definition, text, later)
    assert _timers(run) == after

    # SpiffWorkflow fires on the new instants: the old ones pass and nothing fires
    for old in sorted(before.values()):
        time_machine.move_to(datetime.fromisoformat(old).replace(second=1), tick=False)
        fired = [f.timer.event for f in run.fire_due()]
        assert not set(fired) & {e for e in after if after[e] > old}
    time_machine.move_to(bj("2027-01-06 00:00:01"), tick=False)
    run.fire_due()
    assert not any(t.event in after for t in run.timers())


def test_the_step_start_bounds_the_warning_not_the_re_time_s_now(definition, clock,
                                                                  calendar_copy, time_machine):
    """Received Thu 12/24 10:00; contact done on Thu 1/07 10:00, so verify (handle: 10 working
    days from receipt, warning 2 working days ahead) begins then. Provisionally due 1/07 (12/25,
    12/28-12/31, 1/01, 1/04-1/07), its warning at 00:00 of 1/06, not before the step: 1/07
    10:00. Re-timed at 12:00 with 1/01 off: due 1/08, warning 00:00 of 1/07, still not before
    the step's start, 10:00 (not the re-time's 12:00)."""
    received = bj("2026-12-24 10:00")
    time_machine.move_to(received, tick=False)
    run = _start(definition, replace(clock, received_at=received, now=lambda: received), "item")
    begun = bj("2027-01-07 10:00")
    time_machine.move_to(begun, tick=False)
    run = CaseRun.resume(definition, run.workflow, replace(clock, received_at=received,
                                                           now=lambda: begun))
    (contact,) = run.user_tasks()
    run.complete(contact.task_id, {"contact_result": "reached", "reason": "排队时间长"})
    (verify,) = run.user_tasks()
    assert verify.step == "verify" and _timers(run) == {
        "verify_warn": "2027-01-07T10:00:00+08:00", "verify_overdue": "2027-01-08T00:00:00+08:00"}

    calendar_copy.publish_2027()
    time_machine.move_to(bj("2027-01-07 12:00"), tick=False)
    run = CaseRun.resume(definition, run.workflow, replace(
        clock, received_at=received, now=lambda: bj("2027-01-07 12:00")))
    moved = run.retime({verify.task_id: begun})
    assert [m.after.event for m in moved] == ["verify_overdue"]
    assert _timers(run) == {"verify_warn": "2027-01-07T10:00:00+08:00",
                            "verify_overdue": "2027-01-09T00:00:00+08:00"}
