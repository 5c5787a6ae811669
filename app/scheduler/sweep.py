"""One pass of the scheduler: start cases waiting for the engine, re-time provisional
deadlines the calendar now covers (期限重算), fire due timers.

Each due timer is claimed in its own transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
several scheduler processes, and the workers of one, share the work) and fired in the
transaction that saves its case: a timer fires exactly once. The cost of a pass grows with
the due timers, not the open cases. A failing timer is recorded and retried with backoff; it
never blocks the others. Re-timing comes before firing, so that a timer whose provisional
instant has passed and whose real one has not does not fire; it costs one query on a partial
index of the provisional tasks when there is nothing to re-time.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import lazyload

from app import workdays
from app.cases import events, lifecycle, retiming
from app.cases.models import AWAITING_ENGINE, Case
from app.cases.records import CaseState, CaseTimer
from app.dbutil import is_postgres
from app.extensions import db
from app.scheduler.workers import CasesInHand, run_workers
from app.timeutil import utcnow

log = logging.getLogger("app.scheduler")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=6))


@dataclass
class SweepResult:
    started: int = 0
    retimed: int = 0
    fired: int = 0
    failed: int = 0
    conflicts: int = 0
    next_due: datetime | None = None
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number `attempts` (1, 5, 30 minutes, 2 h, then every 6 h)."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def next_due() -> datetime | None:
    """The earliest instant a timer should be tried."""
    return db.session.scalar(select(func.min(CaseTimer.fire_at)))


@dataclass(frozen=True)
class Status:
    """The scheduler's work list: timers pending, due now, past a grace period (is a scheduler
    running?), failing; the next instant; cases not yet started on the engine, and those
    received before the grace period (intake leaves big batches to the scheduler)."""

    pending: int
    due: int
    late: int
    failing: int
    next_due: datetime | None
    waiting_cases: int
    waiting_late: int = 0


def status(now: datetime, grace: timedelta = timedelta(0)) -> Status:
    def count(*where) -> int:
        return db.session.scalar(select(func.count(CaseTimer.id)).where(*where))

    return Status(
        pending=count(), due=count(CaseTimer.fire_at < now),
        late=count(CaseTimer.fire_at < now - grace), failing=count(CaseTimer.attempts > 0),
        next_due=next_due(),
        waiting_cases=db.session.scalar(select(func.count(Case.id))
                                        .where(Case.status == AWAITING_ENGINE)),
        waiting_late=db.session.scalar(select(func.count(Case.id)).where(
            Case.status == AWAITING_ENGINE, Case.received_at < now - grace)))


def start_waiting(now: datetime, limit: int = 500, case_ids: list[int] | None = None) -> int:
    """Start cases opened by intake and not yet on the engine, oldest first, each in its own
    transaction. Returns how many started."""
    query = select(Case.id).where(Case.status == AWAITING_ENGINE)
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    ids = db.session.scalars(query.order_by(Case.received_at, Case.id).limit(limit)).all()
    db.session.commit()
    started = 0
    for case_id in ids:
        case = db.session.get(Case, case_id)
        if case is None or case.status != AWAITING_ENGINE:
            continue
        try:
            lifecycle.start(case, now)
            db.session.commit()
            started += 1
        except (lifecycle.Conflict, OperationalError):
            db.session.rollback()
        except Exception:
            db.session.rollback()
            log.exception("could not start case %s", case_id)
    return started


def retime_provisional(now: datetime, limit: int = 500) -> int:
    """Re-time the cases whose open tasks have a provisional deadline the calendar now
    covers, each in its own transaction. A case another scheduler is changing is left to it
    (it re-times it, or the next pass does); one that fails is logged and tried again at the
    next pass. Returns how many cases were re-timed."""
    try:
        covered = workdays.coverage()
    except workdays.CalendarUnavailable:
        return 0  # no calendar in force: nothing can be counted again
    ids = retiming.provisional_cases(covered, limit)
    if not ids:
        return 0  # the usual pass: no transaction of its own (the read goes on into the next)
    db.session.commit()
    done = 0
    for case_id in ids:
        case = db.session.get(Case, case_id)
        try:
            moved = retiming.retime(case, now) if case is not None else None
        except (lifecycle.Conflict, OperationalError):
            db.session.rollback()
            continue
        except Exception:
            db.session.rollback()
            log.exception("could not re-time the deadlines of case %s; retried next pass",
                          case_id)
            continue
        if moved is None:
            db.session.rollback()  # done by another scheduler since the query
            continue
        db.session.commit()
        done += 1
        log.info("deadlines of case %s re-timed on the calendar through %s: %d timers moved",
                 case_id, covered, len(moved))
    return done


def _claim_next(now: datetime, skip: set[int]) -> tuple[CaseTimer, Case, str | None] | None:
    """The next timer to try, oldest first (by fire_at: the due instant, later for retries),
    skipping those another scheduler holds; with its case and saved workflow, read in the same
    statement (one snapshot: the state is the one of the case's version)."""
    query = _claim_query(bool(skip), is_postgres())
    row = db.session.execute(query, {"now": now, "skip": list(skip)}).first()
    return None if row is None else (row[0], row[1], row[2])


@cache
def _claim_query(skipping: bool, postgres: bool) -> Select:
    """The claim, built once per kind (building it costs more than running it). The timer is
    chosen (and locked) in a subquery of one row, so that the case and its state are read by
    primary key whatever the planner's statistics say: joined to the whole claim, a freshly
    filled `cases` table was read from end to end for every claim."""
    due = (select(CaseTimer.id).where(CaseTimer.fire_at < bindparam("now"))  # once passed
           .order_by(CaseTimer.fire_at, CaseTimer.id).limit(1))
    if skipping:
        due = due.where(CaseTimer.id.not_in(bindparam("skip", expanding=True)))
    if postgres:
        due = due.with_for_update(skip_locked=True)
    return (select(CaseTimer, Case, CaseState.state).join(Case, Case.id == CaseTimer.case_id)
            .outerjoin(CaseState, CaseState.case_id == Case.id)
            .options(lazyload(Case.review))
            .where(CaseTimer.id == due.correlate(None).scalar_subquery()))


def fire_due_timers(now: datetime, limit: int = 10_000, workers: int = 1) -> SweepResult:
    """Fire timers due at `now`, oldest first; at most `limit` claims in one pass, by
    `workers` connections at once on PostgreSQL (see workers.py), by one on SQLite."""
    if workers <= 1 or not is_postgres():
        return _fire(now, limit, None)
    db.session.commit()  # the workers have their own sessions; this one holds nothing
    share = -(-limit // workers)
    results = run_workers(workers, lambda hand: _fire(now, share, hand))
    return SweepResult(fired=sum(r.fired for r in results),
                       failed=sum(r.failed for r in results),
                       conflicts=sum(r.conflicts for r in results),
                       errors=[e for r in results for e in r.errors])


def _fire(now: datetime, limit: int, hand: CasesInHand | None) -> SweepResult:
    """One worker's claims: each due timer fired in the transaction that saves its case."""
    result, busy = SweepResult(), set()  # timers whose case another scheduler had
    for _ in range(limit):
        claimed = _claim_next(now, busy)
        if claimed is None:
            db.session.rollback()
            break
        timer, case, state = claimed
        timer_id, case_id, task_id = timer.id, timer.case_id, timer.task_id
        if hand is not None and not hand.take(case_id):
            db.session.rollback()  # another worker fires the case's due timers, this one too
            busy.add(timer_id)
            result.conflicts += 1
            continue
        try:
            _fire_one(now, timer_id, case_id, task_id, case, state, busy, result)
        finally:
            if hand is not None:
                hand.release(case_id)
    return result


def _fire_one(now: datetime, timer_id: int, case_id: int, task_id: str, case: Case,
              state: str | None, busy: set[int], result: SweepResult) -> None:
    try:
        fired = lifecycle.fire_due(case, now, state=state)
        db.session.commit()
        result.fired += len(fired)
        if any(f.timer.task_id == task_id for f in fired):
            return
    except (lifecycle.Conflict, OperationalError):
        db.session.rollback()  # another scheduler has the case; its pass fires the timer
        busy.add(timer_id)
        result.conflicts += 1
        return
    except Exception as exc:  # recorded and retried later; the others go on
        db.session.rollback()
        _record_failure(timer_id, case_id, now, exc)
        result.failed += 1
        result.errors.append(f"timer {timer_id} of case {case_id}: {exc}")
        return
    left = db.session.scalar(select(CaseTimer.id).where(CaseTimer.task_id == task_id))
    if left is not None:  # the engine did not fire it (row ids may be reused: by task id)
        _record_failure(left, case_id, now, RuntimeError("timer did not fire when due"))
        result.failed += 1


def _record_failure(timer_id: int, case_id: int, now: datetime, exc: BaseException) -> None:
    timer = db.session.get(CaseTimer, timer_id)
    if timer is None:
        return
    timer.attempts += 1
    timer.fire_at = now + backoff(timer.attempts)
    timer.last_error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
    events.record(case_id, "timer_failed", "scheduler", now, step=timer.step,
                  data={"event": timer.event, "attempts": timer.attempts,
                        "error": timer.last_error, "retry_at": timer.fire_at.isoformat()})
    db.session.commit()
    log.warning("timer %s of case %s failed (attempt %s), retry at %s: %s", timer_id, case_id,
                timer.attempts, timer.fire_at, timer.last_error)


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass: start waiting cases, re-time provisional deadlines the calendar now covers,
    fire due timers; `next_due` says when to wake."""
    now = now or utcnow()
    started = start_waiting(now)
    retimed = retime_provisional(now)
    result = fire_due_timers(now, workers=current_app.config["SCHEDULER_WORKERS"])
    result.started, result.retimed = started, retimed
    result.next_due = next_due()
    db.session.commit()
    return result
