"""期限重算: deadlines counted past the published calendar (暂定) are counted again when next
year's calendar file is added, by the scheduler, as if it had been known when each step began.

Shenzhen; the test's own 2027 arrangement (tests/conftest.TEST_2027) has 1/01 off. Provisional
counting takes 2027-01-01 (a Friday) as a working day; the real one does not.
- Case A, received Thu 12/24 10:00, contact done Mon 12/28: verify counts `handle`, 10 working
  days from receipt: 12/25, 12/28-12/31, then 1/01, 1/04, 1/05, 1/06, 1/07 provisionally (due
  1/07, warning 2 working days ahead: 1/06 00:00, overdue 1/08 00:00); really 1/04 ... 1/08
  (due 1/08, warning 1/07 00:00, overdue 1/09 00:00).
- Case B, received Wed 12/30 10:00: contact, 3 working days from receipt: 12/31, 1/01, 1/04
  provisionally (due 1/04, warning 1/04 00:00, overdue 1/05 00:00); really 12/31, 1/04, 1/05
  (due 1/05, warning 1/05 00:00, overdue 1/06 00:00).
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.cases import lifecycle, retiming
from app.cases.models import Case
from app.cases.records import CaseEvent, CaseState, CaseTask, CaseTimer
from app.config import ROOT
from app.engine import CaseRun
from app.extensions import db
from app.processes import service as processes
from app.rules import RuleRegistry
from app.scheduler.sweep import retime_provisional
from tests.process.test_concurrency import POSTGRES

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}


@pytest.fixture()
def at(travel):
    return travel


def post(desk, at, when: str) -> str:
    at(when)
    return desk.post(rated_at=when[:10] + "T08:00:00+08:00")


def deadline(desk, number: str, step: str) -> tuple[str, str, bool]:
    d = desk.task(number, step)["deadline"]
    return d["due_at"], d["warn_at"], d["provisional"]


def timer_rows(number: str) -> dict[str, tuple[str, str, int]]:
    """event → (due_at, fire_at, attempts) of the case's timer rows, Beijing time; checked to
    be exactly the pending timers of its saved workflow, at their instants."""
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.number == number))
    state = db.session.scalar(select(CaseState.state).where(CaseState.case_id == case.id))
    run = CaseRun.load(processes.definition_by_id(case.process_version_id), state,
                       lifecycle.clock_for(case, case.received_at))
    rows = db.session.scalars(select(CaseTimer).where(CaseTimer.case_id == case.id)).all()
    assert {(r.task_id, r.due_at) for r in rows} == {(t.task_id, t.due_at) for t in run.timers()}
    out = {r.event: (_bj(r.due_at), _bj(r.fire_at), r.attempts) for r in rows}
    db.session.rollback()
    return out


def _bj(value: datetime) -> str:
    return value.astimezone(retiming.SHANGHAI).isoformat()


def events(desk, number: str) -> list[dict]:
    return [e for e in desk.case(number)["timeline"] if e["kind"] != "claimed"]


def fired_kinds(desk, number: str, seen: int) -> list[str]:
    return [e["kind"] for e in events(desk, number)[seen:]]


def two_provisional_cases(desk, at) -> tuple[str, str]:
    a = post(desk, at, "2026-12-24 10:00")
    at("2026-12-28 10:00")
    desk.do("sz_worker", a, "contact", **CONTACT)
    b = post(desk, at, "2026-12-30 10:00")
    assert deadline(desk, a, "verify") == ("2027-01-07T23:59:59+08:00",
                                           "2027-01-06T00:00:00+08:00", True)
    assert deadline(desk, b, "contact") == ("2027-01-04T23:59:59+08:00",
                                            "2027-01-04T00:00:00+08:00", True)
    return a, b


def test_adding_next_years_calendar_re_times_provisional_deadlines(desk, at, calendar_copy):
    a, b = two_provisional_cases(desk, at)
    assert desk.tick().retimed == 0  # the calendar does not reach 2027 yet
    assert deadline(desk, a, "verify")[2] is True

    calendar_copy.publish_2027()
    at("2026-12-30 16:00")
    assert desk.tick().retimed == 2
    assert deadline(desk, a, "verify") == ("2027-01-08T23:59:59+08:00",
                                           "2027-01-07T00:00:00+08:00", False)
    assert deadline(desk, b, "contact") == ("2027-01-05T23:59:59+08:00",
                                            "2027-01-05T00:00:00+08:00", False)
    assert timer_rows(a) == {
        "verify_warn": ("2027-01-07T00:00:00+08:00", "2027-01-07T00:00:00+08:00", 0),
        "verify_overdue": ("2027-01-09T00:00:00+08:00", "2027-01-09T00:00:00+08:00", 0)}
    assert timer_rows(b) == {
        "contact_warn": ("2027-01-05T00:00:00+08:00", "2027-01-05T00:00:00+08:00", 0),
        "contact_overdue": ("2027-01-06T00:00:00+08:00", "2027-01-06T00:00:00+08:00", 0)}
    retimed = events(desk, a)[-1]
    assert (retimed["kind"], retimed["kind_label"], retimed["step"], retimed["actor"]) == (
        "retimed", "期限重算", "verify", "scheduler")
    assert retimed["at"] == "2026-12-30T16:00:00+08:00"
    assert retimed["data"] == {"calendar_through": "2027-12-31", "steps": [{
        "task_id": desk.task(a, "verify")["task_id"], "step": "verify", "title": "核实认定",
        "due_before": "2027-01-07T23:59:59+08:00", "due_after": "2027-01-08T23:59:59+08:00",
        "warn_before": "2027-01-06T00:00:00+08:00", "warn_after": "2027-01-07T00:00:00+08:00"}]}

    # a second pass finds nothing to do: no event, no change of the case
    before = {n: (desk.case(n)["timeline"], desk.case(n)["tasks"]) for n in (a, b)}
    versions = dict(db.session.execute(select(Case.number, Case.version)).all())
    at("2026-12-30 17:00")
    assert desk.tick().retimed == 0
    assert {n: (desk.case(n)["timeline"], desk.case(n)["tasks"]) for n in (a, b)} == before
    db.session.rollback()
    assert dict(db.session.execute(select(Case.number, Case.version)).all()) == versions

    # the old instants pass and nothing fires; the new ones fire
    seen = {n: len(events(desk, n)) for n in (a, b)}
    expected = [  # (when, what fires on A, on B)
        ("2027-01-04 00:00:01", [], []),  # B's old warning
        ("2027-01-05 00:00:01", [], ["warning"]),  # B's old overdue, its new warning
        ("2027-01-06 00:00:01", [], ["overdue", "escalated"]),  # A's old warning
        ("2027-01-07 00:00:01", ["warning"], []),
        ("2027-01-08 00:00:01", [], []),  # A's old overdue
        ("2027-01-09 00:00:01", ["overdue", "escalated"], []),
    ]
    for when, on_a, on_b in expected:
        at(when)
        desk.tick()
        assert (fired_kinds(desk, a, seen[a]), fired_kinds(desk, b, seen[b])) == (on_a, on_b), when
        seen = {n: len(events(desk, n)) for n in (a, b)}


def test_a_step_counted_from_its_start_is_counted_from_its_start_again(desk, at,
                                                                        calendar_copy):
    """appeal.submit: 3 working days from the day the step (in the called process 申诉)
    began, Wed 12/30 15:00: 12/31, 1/01, 1/04 provisionally; 12/31, 1/04, 1/05 really. Counted
    from the re-time's day (12/31) it would be 1/06, from receipt (12/21) 12/24."""
    number = post(desk, at, "2026-12-21 10:00")
    desk.do("sz_worker", number, "contact", **CONTACT)
    at("2026-12-30 15:00")
    desk.do("sz_worker", number, "verify", determination="misjudged", findings="误操作")
    desk.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
    assert deadline(desk, number, "appeal_submit") == ("2027-01-04T23:59:59+08:00",
                                                       "2027-01-04T00:00:00+08:00", True)
    calendar_copy.publish_2027()
    at("2026-12-31 09:00")
    assert desk.tick().retimed == 1
    assert deadline(desk, number, "appeal_submit") == ("2027-01-05T23:59:59+08:00",
                                                       "2027-01-05T00:00:00+08:00", False)
    assert timer_rows(number) == {
        "appeal_submit_warn": ("2027-01-05T00:00:00+08:00", "2027-01-05T00:00:00+08:00", 0),
        "appeal_submit_overdue": ("2027-01-06T00:00:00+08:00", "2027-01-06T00:00:00+08:00", 0)}
    # the verify step's deadline was past before the calendar came: it fired as it was
    assert [e["kind"] for e in events(desk, number)][-1] == "retimed"


def _rules_with_contact_days(target: Path, days: int) -> Path:
    """The shipped rule files copied to `target`, Shenzhen's `contact` set to `days`."""
    target.mkdir()
    for path in (ROOT / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "shenzhen":
            old = "  contact:"
            at_ = text.index(old)
            text = text[:at_] + text[at_:].replace("working_days: 3", f"working_days: {days}", 1)
        (target / path.name).write_text(text, encoding="utf-8")
    return target


def test_re_timing_counts_with_the_rules_the_step_began_with(app, desk, at, calendar_copy,
                                                             tmp_path, monkeypatch):
    """Case B's contact began under 3 working days; the process owner then makes it 5 (for
    steps to come). Re-timed, it is counted with the 3 it began with: 12/31, 1/04, 1/05 (with
    the 5 of the rules in force at the re-time it would be 1/07). A case received after the
    edit is counted with 5, and re-timed with 5."""
    _, b = two_provisional_cases(desk, at)
    began = db.session.scalar(select(CaseTask.rule_version_id).join(Case).where(
        Case.number == b, CaseTask.step == "contact"))
    db.session.rollback()
    assert began is not None
    monkeypatch.setitem(app.extensions, "rules",
                        RuleRegistry(_rules_with_contact_days(tmp_path / "rules", 5), 0))
    c = post(desk, at, "2026-12-30 11:00")
    assert deadline(desk, c, "contact") == ("2027-01-06T23:59:59+08:00",
                                            "2027-01-06T00:00:00+08:00", True)

    calendar_copy.publish_2027()
    at("2026-12-30 16:00")
    assert desk.tick().retimed == 3
    assert deadline(desk, b, "contact") == ("2027-01-05T23:59:59+08:00",
                                            "2027-01-05T00:00:00+08:00", False)
    assert deadline(desk, c, "contact") == ("2027-01-07T23:59:59+08:00",
                                            "2027-01-07T00:00:00+08:00", False)
    assert timer_rows(b)["contact_overdue"][0] == "2027-01-06T00:00:00+08:00"


def test_re_timing_rows_older_than_their_rule_version_use_the_rules_in_force(desk, at,
                                                                            calendar_copy):
    """Task rows made before migration 0010 name no rule version: counted with the rules in
    force, as before."""
    _, b = two_provisional_cases(desk, at)
    db.session.execute(update(CaseTask).values(rule_version_id=None))
    db.session.commit()
    calendar_copy.publish_2027()
    at("2026-12-30 16:00")
    assert desk.tick().retimed == 2
    assert deadline(desk, b, "contact") == ("2027-01-05T23:59:59+08:00",
                                            "2027-01-05T00:00:00+08:00", False)


def test_a_provisional_overdue_that_fired_stays_fired(desk, at, calendar_copy):
    """Case B's contact became overdue on its provisional instant (1/05 00:00) before the
    calendar was added: it stays escalated, its deadline as it fired; the task is no longer
    looked at."""
    _, b = two_provisional_cases(desk, at)
    at("2027-01-05 00:00:01")
    desk.tick()
    assert [e["kind"] for e in events(desk, b)][-3:] == ["warning", "overdue", "escalated"]
    calendar_copy.publish_2027()
    at("2027-01-05 09:00")
    assert desk.tick().retimed == 1  # case A only
    assert deadline(desk, b, "contact")[:2] == ("2027-01-04T23:59:59+08:00",
                                                "2027-01-04T00:00:00+08:00")
    assert "retimed" not in [e["kind"] for e in events(desk, b)]
    assert desk.case(b)["overdue"] is True


def test_a_timer_waiting_for_a_retry_keeps_its_attempts_and_a_later_retry(desk, at,
                                                                           calendar_copy):
    a, _ = two_provisional_cases(desk, at)
    case_id = db.session.scalar(select(Case.id).where(Case.number == a))
    retries = {"verify_warn": (1, desk.at("2026-12-30 17:00")),  # before the new instant
               "verify_overdue": (2, desk.at("2027-01-20 00:00"))}  # after it
    for timer in db.session.scalars(select(CaseTimer).where(CaseTimer.case_id == case_id)):
        timer.attempts, timer.fire_at = retries[timer.event]
    db.session.commit()
    calendar_copy.publish_2027()
    at("2026-12-30 16:00")
    assert desk.tick().retimed == 2
    assert timer_rows(a) == {
        "verify_warn": ("2027-01-07T00:00:00+08:00", "2027-01-07T00:00:00+08:00", 1),
        "verify_overdue": ("2027-01-09T00:00:00+08:00", "2027-01-20T00:00:00+08:00", 2)}


def test_the_case_page_and_the_task_page_show_the_re_time(desk, at, calendar_copy,
                                                          browser_for):
    a, _ = two_provisional_cases(desk, at)
    worker = browser_for("sz_worker")
    assert 'class="provisional"' in worker.get(f"/cases/{a}").get_data(as_text=True)
    calendar_copy.publish_2027()
    at("2026-12-30 16:00")
    desk.tick()
    page = worker.get(f"/cases/{a}").get_data(as_text=True)
    assert 'class="provisional"' not in page
    assert "<b>期限重算</b> · 核实认定" in page
    assert "<dt>核实认定</dt><dd>截止时间由 2027年1月7日 23:59 改为 2027年1月8日 23:59</dd>" in page
    task_page = worker.get(f"/tasks/{desk.task(a, 'verify')['task_id']}").get_data(as_text=True)
    assert "期限重算" in task_page and 'class="provisional"' not in task_page
    english = worker.get(f"/cases/{a}?lang=en").get_data(as_text=True)
    assert "<b>Deadline recomputed</b> · Verify and determine" in english
    assert ("<dt>Verify and determine</dt><dd>Deadline moved from Jan 7, 2027, 23:59 to "
            "Jan 8, 2027, 23:59</dd>") in english


def test_two_schedulers_re_time_a_case_once(app, desk, at, calendar_copy):
    """Another scheduler re-timed the case after this one listed it: this one's claim of the
    case it read before fails (409), and once it reads the case again there is nothing left
    to do. Nothing is written twice."""
    a, b = two_provisional_cases(desk, at)
    calendar_copy.publish_2027()
    now = at("2026-12-30 16:00")
    assert sorted(retiming.provisional_cases(retiming.workdays.coverage())) == sorted(
        db.session.scalars(select(Case.id).where(Case.number.in_([a, b]))).all())
    stale = db.session.scalar(select(Case).where(Case.number == a))
    db.session.expunge(stale)  # as this scheduler read it, kept so by the commit
    db.session.commit()
    with app.app_context():  # the other scheduler
        assert retime_provisional(now) == 2
        db.session.remove()
    db.session.add(stale)
    with pytest.raises(lifecycle.Conflict):
        retiming.retime(stale, now)
    db.session.rollback()
    fresh = db.session.scalar(select(Case).where(Case.number == a))
    assert retiming.retime(fresh, now) is None
    db.session.rollback()
    assert retiming.provisional_cases(retiming.workdays.coverage()) == []
    count = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "retimed"))
    assert count == 2


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_scheduler_processes_at_once_re_time_each_case_once(app, desk, at, calendar_copy):
    numbers = [post(desk, at, "2026-12-30 10:00") for _ in range(12)]
    calendar_copy.publish_2027()
    now = at("2026-12-30 16:00")
    db.session.commit()
    barrier, results, errors = threading.Barrier(3), [], []

    def scheduler() -> None:
        try:
            with app.app_context():
                barrier.wait(10)
                results.append(retime_provisional(now))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sum(results) == 12
    rows = db.session.execute(select(Case.number, func.count(CaseEvent.id))
                              .join(CaseEvent, CaseEvent.case_id == Case.id)
                              .where(CaseEvent.kind == "retimed").group_by(Case.number)).all()
    assert sorted(rows) == sorted((n, 1) for n in numbers)
    assert db.session.scalar(select(func.count(CaseTask.id)).where(
        CaseTask.provisional.is_(True), CaseTask.state == "open")) == 0

