"""Concurrent and failing changes: one of two simultaneous completions wins, a failure in the
middle of a change keeps nothing of it, a failing timer does not block the others, and two
scheduler processes fire each due timer exactly once (PostgreSQL)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from app.cases import events, lifecycle
from app.cases.models import Case
from app.cases.records import CaseEvent, CaseState, CaseTask, CaseTimer
from app.extensions import db
from app.scheduler.sweep import fire_due_timers
from app.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]
CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}
RECEIPT = "2026-09-30 10:00"  # Wednesday before 国庆
POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


@pytest.fixture()
def at(desk, time_machine):
    def move(when: str) -> None:
        time_machine.move_to(desk.at(when), tick=False)
    move(RECEIPT)
    return move


def post(desk, where: str = "sz", **overrides) -> str:
    return desk.post(where, rated_at="2026-09-30T08:00:00+08:00", **overrides)


def snapshot(number: str) -> dict:
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == number))
    return {
        "case": (case.version, case.status, case.current_steps, case.determination,
                 case.warned_at, case.overdue_at),
        "state": db.session.get(CaseState, case.id).state,
        "tasks": [(t.task_id, t.step, t.state, t.completed_at) for t in db.session.scalars(
            select(CaseTask).where(CaseTask.case_id == case.id).order_by(CaseTask.id))],
        "timers": [(t.task_id, t.kind, t.fire_at, t.attempts) for t in db.session.scalars(
            select(CaseTimer).where(CaseTimer.case_id == case.id).order_by(CaseTimer.id))],
        "events": [(e.kind, e.step) for e in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))],
    }


# -- (a) two completions of the same task at once --------------------------------------------

@pytest.mark.parametrize("who", [("sz_worker", "sz_worker"), ("sz_worker", "sz_boss")],
                         ids=["same-user", "two-users"])
def test_two_simultaneous_completions_one_wins(app, desk, at, who):
    number = post(desk)
    task_id = desk.task(number, "contact")["task_id"]
    db.session.commit()
    barrier = threading.Barrier(2)
    results: list[tuple[str, int, dict]] = []
    errors: list[BaseException] = []

    def complete(user: str, reason: str) -> None:
        try:
            with app.app_context():
                client = app.test_client()
                barrier.wait(10)
                resp = client.post(f"/api/v1/tasks/{task_id}/complete",
                                   json={"data": {**CONTACT, "reason": reason}},
                                   headers=desk.headers[user])
                results.append((reason, resp.status_code, resp.get_json()))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=complete, args=(user, f"原因{i}"))
               for i, user in enumerate(who)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(code for _, code, _ in results) == [200, 409], results
    (winner,) = [reason for reason, code, _ in results if code == 200]
    (loser,) = [body for _, code, body in results if code == 409]
    assert loser["code"] == 409  # "task ... is done" or "case ... was changed by someone else"
    assert task_id in loser["message"] or "changed by someone else" in loser["message"]

    case = desk.case(number)
    completed = [e for e in case["timeline"] if e["kind"] == "completed"]
    assert len(completed) == 1 and completed[0]["data"]["reason"] == winner
    assert [t["step"] for t in case["tasks"] if t["state"] == "open"] == ["verify"]
    assert [t["state"] for t in case["tasks"] if t["step"] == "contact"] == ["done"]
    db.session.rollback()
    assert db.session.scalar(select(Case.version).where(Case.number == number)) == 3


# -- (b) a failure in the middle of a change -------------------------------------------------

def _fresh_request(app, method: str, url: str, **kw):
    """A request in its own application context, as in production (its session ends with it)."""
    with app.app_context():
        resp = app.test_client().open(url, method=method, **kw)
        body = resp.get_json()
        db.session.remove()
    return resp.status_code, body


@pytest.mark.parametrize("target", ["sync_timers", "dump", "write"])
def test_failure_after_the_engine_ran_keeps_nothing(app, desk, at, monkeypatch, target):
    number = post(desk)
    desk.do("sz_worker", number, "contact", **CONTACT)
    task_id = desk.task(number, "verify")["task_id"]
    at("2026-10-08 10:00")
    before = snapshot(number)
    calls = []

    def boom(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("disk full")

    if target == "sync_timers":  # after the engine ran and the case was claimed
        monkeypatch.setattr(lifecycle, "sync_timers", boom)
    elif target == "dump":  # serializing the workflow state
        monkeypatch.setattr("app.engine.runs.CaseRun.dump", boom)
    else:  # the database refuses a write half way: an event without its kind (NOT NULL);
        row = events.row  # on SQLite the task and timer rows are written before it

        def bad_row(*args, **kwargs):
            calls.append(args)
            return {**row(*args, **kwargs), "kind": None}

        monkeypatch.setattr(events, "row", bad_row)
    code, body = _fresh_request(
        app, "POST", f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"determination": "valid", "findings": "属实"}},
        headers=desk.headers["sz_worker"])
    assert calls, "the patched step was not reached"
    assert code == 500 and body == {"code": 500, "status": "Internal Server Error",
                                    "message": "internal error; nothing was changed"}
    assert snapshot(number) == before

    monkeypatch.undo()
    code, body = _fresh_request(
        app, "POST", f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"determination": "valid", "findings": "属实"}},
        headers=desk.headers["sz_worker"])
    assert code == 200 and body["state"] == "done"
    after = snapshot(number)
    assert after["case"][0] == before["case"][0] + 1
    assert after["events"] == before["events"] + [("completed", "verify"), ("claimed", "classify")]
    assert [t[1] for t in after["tasks"] if t[2] == "open"] == ["classify"]


def test_failure_while_starting_leaves_the_case_waiting(app, desk, at, monkeypatch):
    """Intake starts few cases at once; a case whose start fails stays waiting for the
    scheduler, with no half-made state."""
    monkeypatch.setattr(lifecycle, "sync_timers",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    number = post(desk)
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == number))
    assert case.status == "awaiting_engine" and case.version == 1
    assert db.session.get(CaseState, case.id) is None
    assert db.session.scalar(select(func.count(CaseEvent.id))) == 0
    assert db.session.scalar(select(func.count(CaseTask.id))) == 0
    monkeypatch.undo()
    assert desk.tick().started == 1
    assert desk.steps(number) == ["contact"]


# -- (c) a failing timer is recorded and does not block the others ----------------------------

def test_failing_timer_is_recorded_and_others_still_fire(desk, at, monkeypatch):
    first = post(desk)  # Shenzhen contact: 3 working days, warning 10/10 00:00
    at("2026-09-30 11:00")
    second = post(desk)  # same warning instant, a later timer row
    at("2026-10-10 08:00")
    first_id = db.session.scalar(select(Case.id).where(Case.number == first))
    before = snapshot(first)
    real = lifecycle._apply_fired

    def apply_fired(case, *args):
        if case.id == first_id:
            raise ValueError("cannot record the warning")
        return real(case, *args)

    monkeypatch.setattr(lifecycle, "_apply_fired", apply_fired)
    result = desk.tick()
    assert (result.fired, result.failed) == (1, 1)
    assert "cannot record the warning" in result.errors[0]

    # the failing case: only a timer_failed event, the timer retried in 1 minute
    after = snapshot(first)
    assert after["case"] == before["case"] and after["state"] == before["state"]
    assert after["tasks"] == before["tasks"]
    assert after["events"] == before["events"] + [("timer_failed", "contact")]
    failed = desk.case(first)["timeline"][-1]
    assert failed["data"]["attempts"] == 1 and failed["data"]["event"] == "contact_warn"
    assert "ValueError: cannot record the warning" in failed["data"]["error"]
    timer = db.session.scalar(select(CaseTimer).where(CaseTimer.case_id == first_id,
                                                      CaseTimer.kind == "warning"))
    assert timer.attempts == 1 and "cannot record" in timer.last_error
    # fire_at moved by the first backoff: 10/10 08:00 + 1 minute; due_at unchanged (10/10 00:00)
    assert timer.fire_at.isoformat() == "2026-10-10T00:01:00+00:00"
    assert timer.due_at.isoformat() == "2026-10-09T16:00:00+00:00"

    # the other case's due timer fired in the same sweep
    assert [e["step"] for e in desk.case(second)["timeline"] if e["kind"] == "warning"] == [
        "contact"]

    # not retried before its fire_at, then fired once the cause is gone
    assert desk.tick().failed == 0
    monkeypatch.undo()
    at("2026-10-10 08:01:01")  # a timer is tried once its fire_at has passed
    assert desk.tick().fired == 1
    warnings = [e for e in desk.case(first)["timeline"] if e["kind"] == "warning"]
    assert len(warnings) == 1 and warnings[0]["at"] == "2026-10-10T08:01:01+08:00"
    assert db.session.scalar(select(func.count(CaseTimer.id))
                             .where(CaseTimer.case_id == first_id)) == 1  # overdue left


def test_backoff_grows_with_each_failure(desk, at, monkeypatch):
    number = post(desk)
    at("2026-10-10 08:00")
    monkeypatch.setattr(lifecycle, "_apply_fired",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("still broken")))
    steps = []
    # retried 1, 5 and 30 minutes after each failure; each tick a second past fire_at
    for when in ("08:00:00", "08:01:01", "08:06:02", "08:36:03"):
        at(f"2026-10-10 {when}")
        assert desk.tick().failed == 1
        timer = db.session.scalar(select(CaseTimer).where(CaseTimer.kind == "warning"))
        steps.append((timer.attempts, timer.fire_at.isoformat()))
    assert steps == [(1, "2026-10-10T00:01:00+00:00"), (2, "2026-10-10T00:06:01+00:00"),
                     (3, "2026-10-10T00:36:02+00:00"), (4, "2026-10-10T02:36:03+00:00")]
    events = [e for e in desk.case(number)["timeline"] if e["kind"] == "timer_failed"]
    assert [e["data"]["attempts"] for e in events] == [1, 2, 3, 4]


# -- (d) two scheduler processes share the work (PostgreSQL) ----------------------------------

SCHEDULER = """
import json, sys
import time_machine
from datetime import datetime
from app import create_app
from app.extensions import db
from app.scheduler.sweep import sweep

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "RULES_RELOAD_SECONDS": 0,
                  "LOG_LEVEL": "WARNING"})
with app.app_context():
    db.session.execute(db.text("select 1"))
    db.session.rollback()
    print("ready", flush=True)
    sys.stdin.readline()
    with time_machine.travel(datetime.fromisoformat(sys.argv[2]), tick=False):
        result = sweep()
    print(json.dumps({"fired": result.fired, "failed": result.failed,
                      "conflicts": result.conflicts}), flush=True)
"""


def _run_schedulers(database_url: str, when: str, count: int = 2) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", SCHEDULER, database_url, when],
                              cwd=ROOT, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    try:
        for proc in procs:
            line = proc.stdout.readline()
            assert line.strip() == "ready", proc.stderr.read()
        for proc in procs:  # both start their sweep together
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outs = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            outs.append(json.loads(out.strip().splitlines()[-1]))
        return outs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
@pytest.mark.parametrize(("when", "kinds"), [
    # warning of contact: 10/10 00:00 (3 working days from 9/30: 10/08, 10/09, 10/10)
    ("2026-10-10T12:00:00+08:00", ["warning"]),
    # and its overdue one second after 10/10 23:59:59: both timers of every case due
    ("2026-10-11T12:00:00+08:00", ["warning", "overdue", "escalated"]),
], ids=["one-timer-per-case", "two-timers-per-case"])
def test_two_scheduler_processes_fire_each_timer_once(app, desk, at, database_url, when,
                                                      kinds):
    resp = desk.client.post("/api/v1/reviews", headers=desk.headers["channel"], json=[
        desk.rating(serial_no=f"SCHED{i:04d}", rated_at="2026-09-30T08:00:00+08:00",
                    region_code="440305000000") for i in range(50)])
    assert resp.status_code == 200, resp.get_json()
    numbers = [r["case_number"] for r in resp.get_json()["results"]]
    assert len(set(numbers)) == 50
    db.session.commit()
    assert db.session.scalar(select(func.count(CaseTimer.id))) == 100  # 2 per case
    db.session.commit()  # nothing of this session stays open while the schedulers run

    outs = _run_schedulers(database_url, when)
    db.session.rollback()
    fired = sum(o["fired"] for o in outs)
    assert fired == 50 * (len(kinds) - 1 if "escalated" in kinds else len(kinds)), outs
    assert sum(o["failed"] for o in outs) == 0, outs
    rows = db.session.execute(select(Case.number, CaseEvent.kind, func.count(CaseEvent.id))
                              .join(CaseEvent, CaseEvent.case_id == Case.id)
                              .where(CaseEvent.kind.in_(
                                  ["warning", "overdue", "escalated", "timer_failed"]))
                              .group_by(Case.number, CaseEvent.kind)).all()
    per_case = {}
    for number, kind, count in rows:
        per_case.setdefault(number, {})[kind] = count
    assert per_case == {n: dict.fromkeys(kinds, 1) for n in numbers}
    remaining = 50 if kinds == ["warning"] else 0  # the overdue timers not yet due
    assert db.session.scalar(select(func.count(CaseTimer.id))) == remaining


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_workers_of_one_pass_fire_each_timer_once(app, desk, at):
    """Three workers, thirty cases with both their timers due at one instant, so that a
    case's two timers come one after the other: each case's change is done by one worker,
    which fires both timers; a worker that claims the other timer lets the case go."""
    resp = desk.client.post("/api/v1/reviews", headers=desk.headers["channel"], json=[
        desk.rating(serial_no=f"WORK{i:04d}", rated_at="2026-09-30T08:00:00+08:00",
                    region_code="440305000000") for i in range(30)])
    assert resp.status_code == 200, resp.get_json()
    numbers = [r["case_number"] for r in resp.get_json()["results"]]
    db.session.execute(update(CaseTimer).values(fire_at=desk.at("2026-10-10 00:00")))
    db.session.commit()
    at("2026-10-11 12:00")
    result = fire_due_timers(utcnow(), workers=3)
    assert (result.fired, result.failed, result.errors) == (60, 0, [])
    rows = db.session.execute(select(Case.number, CaseEvent.kind, func.count(CaseEvent.id))
                              .join(CaseEvent, CaseEvent.case_id == Case.id)
                              .where(CaseEvent.kind.in_(["warning", "overdue", "escalated"]))
                              .group_by(Case.number, CaseEvent.kind)).all()
    assert sorted(rows) == sorted((n, kind, 1) for n in numbers
                                  for kind in ("warning", "overdue", "escalated"))
    assert db.session.scalar(select(func.count(CaseTimer.id))) == 0


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_a_case_changed_while_its_timer_is_claimed_waits_for_the_next_pass(app, desk, at):
    """A change of the case commits while the scheduler's claim of the case waits for its
    row: the claim fails, nothing of the firing is written, and the next pass fires the
    timer."""
    number = post(desk)
    at("2026-10-10 08:00")  # the contact warning is due
    case_id = db.session.scalar(select(Case.id).where(Case.number == number))
    before = snapshot(number)
    db.session.commit()
    other = db.engine.connect()  # a change of the case, holding its row until it commits
    other.execute(text("UPDATE cases SET version = version + 1 WHERE id = :id"), {"id": case_id})
    results = []

    def scheduler() -> None:  # one worker: another would take the timer once let go
        with app.app_context():
            results.append(fire_due_timers(utcnow(), workers=1))
            db.session.remove()

    thread = threading.Thread(target=scheduler)
    thread.start()
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                   "AND datname = current_database()")
    with db.engine.connect() as probe:
        for _ in range(100_000):  # until the claim waits for the case row (no clock needed)
            if probe.execute(waiting).scalar():
                break
    other.commit()
    other.close()
    thread.join(30)
    (result,) = results
    assert (result.fired, result.failed, result.conflicts) == (0, 0, 1)
    after = snapshot(number)
    assert after["case"] == (before["case"][0] + 1, *before["case"][1:])  # the other change
    assert {k: after[k] for k in ("state", "tasks", "timers", "events")} == {
        k: before[k] for k in ("state", "tasks", "timers", "events")}
    assert desk.tick().fired == 1
    assert [e["kind"] for e in desk.case(number)["timeline"]].count("warning") == 1


# -- found while writing these tests, fixed since ---------------------------------------------

def test_two_simultaneous_claims_one_wins(app, desk, at, monkeypatch):
    from app.cases import events as case_events

    number = post(desk)
    task_id = desk.task(number, "contact")["task_id"]
    db.session.commit()
    barrier = threading.Barrier(2)
    real = case_events.record

    def record(*args, **kwargs):  # both claims have passed their check before either commits
        # a correct implementation may hold the other claim back: then go on after 2 s
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(2)
        return real(*args, **kwargs)

    monkeypatch.setattr(case_events, "record", record)
    codes: dict[str, int] = {}
    errors: list[BaseException] = []

    def claim(user: str) -> None:
        try:
            with app.app_context():
                resp = app.test_client().post(f"/api/v1/tasks/{task_id}/claim",
                                              headers=desk.headers[user])
                codes[user] = resp.status_code
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(u,)) for u in ("sz_worker", "sz_boss")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    monkeypatch.undo()
    assert not errors, errors
    assert sorted(codes.values()) == [200, 409], codes
    (holder,) = [u for u, code in codes.items() if code == 200]
    assert desk.task(number, "contact")["assignee"] == holder
