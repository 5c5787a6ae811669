"""`flask demo load`: a living system — cases at every step of the loop, some warned, some
overdue and escalated, some closed; users of every role with API tokens; loaded only once."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from app.auth.models import ROLES, ApiToken, User
from app.auth.users import can_act
from app.cases.models import CLOSED, Case
from app.cases.records import CaseEvent, CaseTask, CaseTimer
from app.extensions import db
from app.org.models import Department
from app.reviews.models import Review
from app.timeutil import utcnow

COUNT = "250"  # about 25 bad ratings: enough for every part of the loop


def _load(app):
    return app.test_cli_runner().invoke(args=["demo", "load", "--count", COUNT])


def _open_steps() -> Counter:
    return Counter(db.session.scalars(select(CaseTask.step).where(CaseTask.state == "open")))


def test_demo_cases_spread_over_the_loop(app_ctx):
    result = _load(app_ctx)
    assert result.exit_code == 0, result.output
    assert "demo data: 250 ratings" in result.output

    cases = db.session.scalars(select(Case)).all()
    assert len(cases) >= 20
    assert not [c.number for c in cases if c.status == "awaiting_engine"]
    steps = _open_steps()
    for step in ("contact", "verify", "confirm_determination", "appeal_decide",
                 "appeal_feedback", "classify", "ledger", "rectify", "approve_extension",
                 "feedback", "revisit", "supervise",
                 "staff_notify", "staff_recheck_request", "staff_decide", "staff_self_criticism",
                 "dispatch"):
        assert steps[step] >= 1, f"no case waits at {step}: {dict(steps)}"

    closed = [c for c in cases if c.status == CLOSED]
    assert any(c.revisit_result == "satisfied" and not c.invalid for c in closed)
    assert any(c.invalid and c.determination == "misjudged" for c in closed)  # appeal upheld
    # an upheld appeal closes once the result went back to the 12345 hotline (反馈核实结果)
    upheld = [c for c in closed if c.invalid and c.responsibility != "staff"]
    fed_back = set(db.session.scalars(select(CaseTask.case_id).where(
        CaseTask.step == "appeal_feedback", CaseTask.state == "done")))
    assert upheld and {c.id for c in upheld} <= fed_back
    assert all(c.closed_at is not None and c.closed_at < utcnow() for c in closed)

    overdue = [c for c in cases if c.overdue_at is not None and c.status != CLOSED]
    assert overdue, "no overdue case"
    assert any(c.warned_at is not None and c.overdue_at is None and c.status != CLOSED
               for c in cases), "no case warned but not yet overdue"
    escalated = db.session.scalar(select(func.count()).select_from(CaseEvent)
                                  .where(CaseEvent.kind == "escalated"))
    assert escalated >= len(overdue)


def test_demo_history_lies_in_the_past_and_is_done_by_the_right_people(app_ctx):
    assert _load(app_ctx).exit_code == 0
    now = utcnow()
    cases = {c.id: c for c in db.session.scalars(select(Case))}
    # the ratings arrived over the past weeks, the cases were worked day by day
    received = sorted(c.received_at for c in cases.values())
    assert received[-1] < now and (received[-1] - received[0]).days >= 10
    events = db.session.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
    assert all(cases[e.case_id].received_at <= e.at <= now for e in events)
    # each case's timeline (in the order recorded, as the case page shows it) in time order:
    # a claim is not recorded after timers that fired later
    last: dict[int, object] = {}
    for e in events:
        assert e.at >= last.get(e.case_id, e.at), (cases[e.case_id].number, e.kind, e.at)
        last[e.case_id] = e.at
    usernames = set(db.session.scalars(select(User.username)))
    completed = [e for e in events if e.kind == "completed"]
    assert len(completed) > 50
    assert {e.actor for e in completed} <= usernames
    assert all(e.data for e in completed)  # the form data entered (Chinese text)
    # nothing is left that should have fired: the final sweep ran at the real time
    assert db.session.scalar(select(func.count()).select_from(CaseTimer)
                             .where(CaseTimer.fire_at <= now)) == 0


def test_demo_users_of_every_role_and_tokens(app_ctx):
    result = _load(app_ctx)
    assert result.exit_code == 0
    roles = set(db.session.scalars(select(User.role)))
    assert roles == set(ROLES)
    # every department with open department tasks has a caseworker
    departments = set(db.session.scalars(
        select(CaseTask.department_code).where(CaseTask.state == "open",
                                               CaseTask.group_name == "department")))
    workers = set(db.session.scalars(select(User.department_code)
                                      .where(User.role == "caseworker")))
    assert departments <= workers
    # every department a user or a case belongs to is in the register (派单 picks from it)
    registered = set(db.session.scalars(select(Department.code)))
    assert set(db.session.scalars(select(User.department_code))) - {None} <= registered
    assert set(db.session.scalars(select(Case.department_code))) - {None} <= registered
    # tasks are claimed (认领) by people who may work them; some wait in their group's queue
    open_tasks = db.session.scalars(select(CaseTask).where(CaseTask.state == "open")).all()
    claimed = [t for t in open_tasks if t.assignee_id is not None]
    assert claimed and len(claimed) < len(open_tasks)
    assert all(can_act(t.assignee, t) for t in claimed)
    bound = db.session.scalars(select(ApiToken).where(ApiToken.user_id.is_not(None))).all()
    assert len(bound) >= 3
    assert result.output.count("API token for demo user") == len(bound)
    assert "API token for channel system 'demo-channel'" in result.output


def test_demo_load_runs_once(app_ctx):
    assert _load(app_ctx).exit_code == 0
    counts = [db.session.scalar(select(func.count()).select_from(m))
              for m in (Review, Case, CaseEvent, User, ApiToken)]
    again = _load(app_ctx)
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert [db.session.scalar(select(func.count()).select_from(m))
            for m in (Review, Case, CaseEvent, User, ApiToken)] == counts


def test_a_demo_extension_asks_for_a_working_day(app_ctx):
    """Ten days after the deadline, 10/4, is in 国庆节: the demo asks for 10/8, the next
    working day (the form check refuses a day off)."""
    from app.demo.scenarios import Context, form_data
    from app.timeutil import SHANGHAI

    received = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)
    ctx = Context(tag="等候时间长", text="", department="", staff=None, received_at=received,
                  rnd=random.Random(1), region_code="440305000000")
    data = form_data("request_extension", {}, ctx, datetime(2026, 9, 22, 10, 0, tzinfo=SHANGHAI),
                     datetime(2026, 9, 24, 23, 59, 59, tzinfo=SHANGHAI))
    assert data["requested_until"] == "2026-10-08"
