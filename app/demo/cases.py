"""Demo cases (演示工单): the demo ratings arrive over the past weeks, and every bad one is
worked on the engine as people would have worked it, day by day, up to where its scenario
(app/demo/scenarios.py) leaves it: waiting at a step, or closed.

Each action happens at its own instant in the past, in office hours, through the same
`lifecycle` calls the API makes; the case's timers fire at their own instants in between, as the
scheduler would have fired them, so warnings (超期预警) and overdue escalations (超期督办) are the
ones the working-day calendar gives. A last `sweep()` at the real time fires what is due now.

SpiffWorkflow decides whether a timer is due by the real clock, whatever `now` the lifecycle is
given; each past action therefore runs with the clock set to its instant (time-machine, a
development requirement). Without it, timers that are due by today fire as soon as their step
opens, and the demo shows more overdue cases.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import groupby

from sqlalchemy import select

from app import workdays
from app.auth.models import User
from app.cases import assignment, lifecycle
from app.cases.models import CLOSED, Case
from app.cases.records import CaseTask, CaseTimer
from app.demo import data as d
from app.demo import generate, office, people, scenarios
from app.demo.scenarios import Context, Target
from app.engine import CaseClock, TimerHelpers
from app.extensions import db
from app.reviews.intake import intake
from app.reviews.vocab import is_bad
from app.rules import service as rules_service
from app.scheduler.sweep import start_waiting, sweep
from app.timeutil import SHANGHAI, utcnow

SOURCE = "demo"
BAD_SHARE = 0.1  # of the demo ratings (far above real life, so that there are cases to show)
log = logging.getLogger("app.demo")


@dataclass
class Plan:
    """One bad rating: when it arrives, where its case is left, when each action is done."""

    rating: dict
    target: Target
    received_at: datetime
    times: list[datetime] = field(default_factory=list)
    case_id: int | None = None
    dispatch_to: tuple[str, str] | None = None  # for ratings that name no department


@dataclass
class Outcome:
    ratings: int
    cases: int
    closed: int
    warned: int
    overdue: int
    steps: Counter
    staff: people.People


class Clock:
    """Sets the process clock to a past instant for one action (see the module docstring)."""

    def __init__(self) -> None:
        try:
            import time_machine
        except ImportError:  # a production install: timers fire by the real clock
            time_machine = None
        self._tm = time_machine

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        if self._tm is None:
            yield
            return
        with self._tm.travel(when, tick=False):
            yield


def load(count: int, now: datetime, seed: int) -> Outcome:
    """Ratings, cases, users and tokens of the demo. Deterministic for a given `now`."""
    rnd = random.Random(seed)
    ratings = generate.ratings(count, now, bad_share=BAD_SHARE, seed=seed)
    bad = [r for r in ratings if is_bad(r["level"])]
    plans = plan(bad, now, rnd)
    _intake_good([r for r in ratings if not is_bad(r["level"])], now)
    for p in plans:
        p.case_id = _intake_one(p)
    staff_units = {c for c, in db.session.execute(
        select(Case.department_code).where(Case.id.in_([p.case_id for p in plans]),
                                           Case.responsibility == "staff"))}
    depts = [*generate.departments().values(), *d.SYSTEM_OWNERS.values()]
    staff = people.ensure(depts, staff_units or {depts[0][0]}, seed)
    clock = Clock()
    for p in plans:
        drive(p, staff, clock, random.Random(f"{seed}-{p.rating['serial_no']}"))
    sweep()  # at the real time: whatever fell due while the demo was loading
    return _outcome(len(ratings), plans, staff)


# -- planning ------------------------------------------------------------------------------

def plan(bad: list[dict], now: datetime, rnd: random.Random) -> list[Plan]:
    """A target for every bad rating, the rating re-dated to arrive within the target's age."""
    plans = []
    for rating, target in zip(bad, scenarios.targets(len(bad)), strict=True):
        region = rating["region_code"]
        age = _warned_age(now, target.warned, region) if target.warned else None
        rated = _rated_at(now, age or target.age, rnd, region)
        rating["rated_at"] = rated.isoformat()
        received = min(rated + timedelta(minutes=rnd.randint(1, 15)), now - timedelta(minutes=1))
        p = Plan(_reshape(rating, target, rnd), target, received)
        if target.kind == "nodept":
            p.dispatch_to = (rating.pop("department_code"), rating.pop("department_name"))
        p.times = _times(received, now, target, rnd, region)
        plans.append(p)
    return sorted(plans, key=lambda p: p.received_at)


def _warned_age(now: datetime, key: str, region: str) -> tuple[int, int] | None:
    """Working days back a case must arrive for the warning of rule `key` (counted from
    receipt) to have fired by now and its deadline not to have passed; None if no day fits."""
    rules = rules_service.for_region(region)
    today = now.astimezone(SHANGHAI).date()
    for back in range(1, 22):
        day = workdays.add_working_days(today, -back, region)
        received = datetime.combine(day, time(10, 0), SHANGHAI)
        helpers = TimerHelpers(CaseClock(received, region, rules, now=lambda r=received: r))
        if helpers.warn_at(key) <= now < helpers.due_at(key):
            return back, back
    return None


def _rated_at(now: datetime, age: tuple[int, int], rnd: random.Random,
              region: str) -> datetime:
    """A moment (8:00-21:59 Beijing) some working days (in `age`) before today."""
    today = now.astimezone(SHANGHAI).date()
    back = rnd.randint(*age)
    day = workdays.add_working_days(today, -back, region) if back else today
    latest = 16 if back == 1 else 21  # yesterday's ratings leave time to be worked on
    at = datetime.combine(day, time(rnd.randint(8, latest), rnd.randrange(60), rnd.randrange(60)),
                          SHANGHAI)
    return min(at, now - timedelta(minutes=rnd.randint(5, 90))).astimezone(SHANGHAI)


def _reshape(rating: dict, target: Target, rnd: random.Random) -> dict:
    """Make the rating fit the target: a window staff member's for staff reviews, one of the
    12345 hotline naming no department for hotline dispatch, never a staff one otherwise."""
    if target.kind == "staff":
        rating.update(rated_object="staff", channel="hall_tablet", tags=["服务态度差"],
                      text="窗口工作人员态度冷淡，问问题不耐烦。",
                      staff_no=f"SZ{rnd.randrange(10**5):05d}", staff_name=rnd.choice(d.STAFF))
    elif rating["rated_object"] == "staff" or target.kind == "nodept":
        rating.update(rated_object="item", staff_no=None, staff_name=None)
        if target.kind == "nodept":
            rating["channel"] = "phone"
    return rating


# Office hours a step typically stays open before it is done (min, max): contact on the day,
# determination within two days, rectification by its class, decisions within days.
DELAYS = {
    "dispatch": (0.5, 4), "contact": (0.5, 6), "staff_notify": (0.5, 6), "verify": (4, 16),
    "confirm_determination": (0.5, 4),
    "explain": (2, 8), "appeal_submit": (2, 12), "appeal_decide": (9, 30),
    "appeal_feedback": (1, 8), "classify": (0.5, 3), "ledger": (2, 9), "rectify.simple": (1, 5),
    "rectify.general": (9, 27),
    "rectify.complex": (18, 45), "rectify.extended": (9, 27), "request_extension": (1, 6),
    "approve_extension": (4, 14), "feedback": (1, 8), "revisit": (4, 18),
    "rectify_again": (9, 30), "supervise": (9, 30), "staff_recheck_request": (9, 20),
    "staff_decide": (9, 30), "staff_self_criticism": (9, 30),
}


def _delays(actions: tuple, rnd: random.Random) -> list[float]:
    """Office hours each action's step was open before it was done."""
    out, klass = [], "general"
    for step, choices in actions:
        key = step
        if step == "rectify":
            key = f"rectify.{klass}"
            klass = "extended" if choices.get("rectify_outcome") == "extend" else klass
        klass = choices.get("rectify_class", klass)
        out.append(rnd.uniform(*DELAYS[key]))
    return out


def _times(received: datetime, now: datetime, target: Target, rnd: random.Random,
           region: str) -> list[datetime]:
    """When each action of the target is done, in office hours. A case still open is worked at
    a pace that leaves it a little while at its step (up to half again as slow as usual when
    it is old); a late one is left there since long ago; all is squeezed before now."""
    delays = _delays(target.actions, rnd)
    if target.stop is not None and not target.late and delays:
        available = office.hours_between(received, now, region)
        wait = rnd.uniform(0.1, 0.6) * (sum(DELAYS.get(target.stop, (9, 18))) / 2)
        stretch = max(1.0, min(1.5, (available - wait) / sum(delays)))
        delays = [h * stretch for h in delays]
    times, at = [], received
    for hours in delays:
        at = office.add_hours(at, hours, region)
        times.append(at)
    cap = office.last_moment(now - timedelta(minutes=5), region)
    k = len(times)
    for i in reversed(range(k)):  # squeeze what overshoots into the time before now
        times[i] = min(times[i], cap - timedelta(minutes=10) * (k - 1 - i))
    floor = received
    for i in range(k):  # but never before the rating arrived
        times[i] = floor = max(times[i], floor + timedelta(minutes=2))
    return times


# -- intake ---------------------------------------------------------------------------------

def _intake_good(ratings: list[dict], now: datetime) -> None:
    """Good ratings, a batch per day, received a minute after the day's last one."""
    def day(r):
        return r["rated_at"][:10]

    for _, group in groupby(sorted(ratings, key=lambda r: r["rated_at"]), key=day):
        batch = list(group)
        last = datetime.fromisoformat(batch[-1]["rated_at"])
        _check(intake(batch, source=SOURCE, now=min(last + timedelta(minutes=1), now)))


def _intake_one(p: Plan) -> int:
    (result,) = _check(intake([p.rating], source=SOURCE, now=p.received_at))
    return db.session.scalar(select(Case.id).where(Case.number == result.case_number))


def _check(results):
    bad = [r.errors for r in results if r.status == "invalid"]
    if bad:
        raise ValueError(f"demo rating refused: {bad[0]}")
    return results


# -- driving --------------------------------------------------------------------------------

def drive(p: Plan, staff: people.People, clock: Clock, rnd: random.Random) -> None:
    """Start the case a few minutes after receipt and do its actions at their times, its
    timers firing in between; then fire its timers due up to now."""
    start = p.received_at + timedelta(minutes=rnd.randint(1, 4))
    with clock.at(start):
        start_waiting(start, case_ids=[p.case_id])
    rating = p.rating
    ctx = Context(tag=(rating.get("tags") or ["等候时间长"])[0], text=rating.get("text") or "",
                  department=rating.get("department_name") or "", staff=rating.get("staff_name"),
                  received_at=p.received_at, rnd=rnd, region_code=rating.get("region_code"))
    if p.dispatch_to:
        ctx.extra.update(department_code=p.dispatch_to[0], department_name=p.dispatch_to[1])
        ctx.department = p.dispatch_to[1]
    cursor = start
    for (step, choices), planned in zip(p.target.actions, p.times, strict=True):
        when = max(planned, cursor + timedelta(minutes=1))
        if _act(p.case_id, step, choices, when, ctx, staff, clock):
            cursor = when
    _claim_open(p.case_id, staff, clock, rnd)


def _act(case_id: int, step: str, choices: dict, when: datetime, ctx: Context,
         staff: people.People, clock: Clock) -> bool:
    """Claim and complete the case's open `step` task at `when`, its timers firing up to then;
    False when the process moved past it (a timer, such as the staff member's re-check
    window, decided instead)."""
    case = db.session.get(Case, case_id)
    row = _open_task(case_id, step)
    user = _actor(staff, case, row) if row is not None else None
    if row is not None and user is not None:
        claimed = max(row.created_at + timedelta(minutes=1),
                      when - timedelta(minutes=ctx.rnd.randint(5, 60)))
        if claimed < when:
            _fire_until(case_id, claimed, clock)  # the timeline stays in time order
            if _open_task(case_id, step) is not None:
                _claim(row, user, claimed, clock)
    _fire_until(case_id, when, clock)
    row = _open_task(case_id, step)
    if row is None:
        log.info("demo case %s: no open %s task, skipped", case.number, step)
        return False
    user = _actor(staff, db.session.get(Case, case_id), row)
    ctx.person = user.name if user else ""
    if "determination" in choices:
        ctx.extra["determination"] = choices["determination"]
    if choices.get("staff_determination") == "invalid":
        ctx.extra["determination"] = "staff_invalid"
    data = scenarios.form_data(step, choices, ctx, when, row.due_at)
    with clock.at(when):
        lifecycle.complete(db.session.get(Case, case_id), row.task_id, data, user, when)
        db.session.commit()
    return True


def _actor(staff: people.People, case: Case, row: CaseTask) -> User | None:
    """Whoever holds the task (承办人延续 keeps a caseworker's next steps with them), else
    the person who works such a task."""
    if row.assignee is not None:
        return row.assignee
    return staff.actor(row.group_name, row.step, case.department_code, case.jurisdiction)


def _open_task(case_id: int, step: str) -> CaseTask | None:
    return db.session.scalar(select(CaseTask).where(
        CaseTask.case_id == case_id, CaseTask.state == "open", CaseTask.step == step))


def _claim(row: CaseTask, user: User, at: datetime, clock: Clock) -> None:
    """`user` claims the task (认领) at `at`, as POST /api/v1/tasks/<id>/claim does."""
    with clock.at(at):
        assignment.claim(row, user, at)
        db.session.commit()


def _claim_open(case_id: int, staff: people.People, clock: Clock, rnd: random.Random) -> None:
    """About two in three of the case's open tasks are already claimed by whoever works them
    (the others wait in their group's queue), each after the timers due before its claim
    fired; then the timers due by now fire."""
    case = db.session.get(Case, case_id)
    rows = db.session.scalars(select(CaseTask).where(CaseTask.case_id == case_id,
                                                     CaseTask.state == "open")).all()
    claims = []
    for row in rows:
        user = staff.actor(row.group_name, row.step, case.department_code, case.jurisdiction)
        at = office.add_hours(row.created_at, rnd.uniform(0.2, 3), case.region_code)
        if rnd.random() < 0.65 and user and at < utcnow() - timedelta(minutes=1):
            claims.append((at, row.id, user))
    for at, row_id, user in sorted(claims, key=lambda c: (c[0], c[1])):
        _fire_until(case_id, at, clock)
        row = db.session.get(CaseTask, row_id)
        if row.state == "open":
            _claim(row, user, at, clock)
    _fire_until(case_id, utcnow(), clock)


def _fire_until(case_id: int, until: datetime, clock: Clock) -> None:
    """Fire the case's timers due before `until`, each half a minute after its instant."""
    while True:
        timer = db.session.scalar(select(CaseTimer).where(CaseTimer.case_id == case_id)
                                  .order_by(CaseTimer.fire_at, CaseTimer.id).limit(1))
        if timer is None:
            return
        at = timer.fire_at + timedelta(seconds=30)
        if at > until:
            return
        timer_id = timer.id
        with clock.at(at):
            lifecycle.fire_due(db.session.get(Case, case_id), at)
            db.session.commit()
        if db.session.get(CaseTimer, timer_id) is not None:
            return  # not fired: left to the scheduler


def _outcome(count: int, plans: list[Plan], staff: people.People) -> Outcome:
    cases = db.session.scalars(select(Case).where(Case.id.in_([p.case_id for p in plans]))).all()
    steps = Counter(step for c in cases if c.status != CLOSED
                    for step in (c.current_steps or "").split(",") if step)
    return Outcome(
        ratings=count, cases=len(cases), closed=sum(c.status == CLOSED for c in cases),
        warned=sum(c.warned_at is not None for c in cases),
        overdue=sum(c.overdue_at is not None for c in cases), steps=steps, staff=staff)
