"""The scheduler's claim of the next due timer (认领到期定时器), with its case.

The timer is chosen oldest first (by fire_at: the due instant, later for retries), skipping
those a scheduler found busy, in a subquery of one row; on PostgreSQL it is locked there with
SKIP LOCKED, so that several schedulers share the work. Its case and saved workflow are read by
primary key in the same statement (one snapshot: the state is the one of the case's version),
whatever the planner's statistics say: joined to the whole claim, a freshly filled `cases`
table was read from end to end for every claim.

On PostgreSQL the same statement also claims the case, as every change does first: its version
is bumped if it is still the one of the snapshot (a change committed meanwhile makes the bump
find no row), and its open task rows are read. One round trip, where the change would take a
second one. The queries are built once per kind: building one costs more than running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, select, update
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.models import Case
from app.cases.records import CaseState, CaseTask, CaseTimer
from app.cases.writes import OPEN_COLUMNS, OpenTask
from app.dbutil import is_postgres
from app.extensions import db


@dataclass
class Due:
    """A due timer and its case. On PostgreSQL, `claimed` holds the case's version before the
    claim and its open task rows (for `lifecycle.fire_due`); `lost` says that the case had
    changed since the snapshot, so another change holds it."""

    timer_id: int
    case_id: int
    task_id: str
    case: Case
    state: str | None
    claimed: tuple[int, list[OpenTask]] | None = None
    lost: bool = False


def claim_next(now: datetime, skip: set[int]) -> Due | None:
    """The next timer due at `now` not in `skip`, or None when there is none."""
    params = {"now": now, "skip": list(skip)}
    if not is_postgres():
        row = db.session.execute(_query(bool(skip)), params).first()
        return None if row is None else _due(row)
    rows = db.session.execute(_pg_query(bool(skip)), params).all()
    if not rows:
        return None
    due = _due(rows[0])
    if rows[0].claimed is None:
        due.lost = True
        return due
    seen = due.case.version
    set_committed_value(due.case, "version", seen + 1)
    tasks = [OpenTask(*row[4:]) for row in rows if row[4] is not None]  # none: a NULL row
    due.claimed = (seen, tasks)
    return due


def _due(row) -> Due:
    timer, case, state = row[0], row[1], row[2]
    return Due(timer.id, timer.case_id, timer.task_id, case, state)


def _next_timer(skipping: bool) -> Select:
    query = (select(CaseTimer.id, CaseTimer.case_id)
             .where(CaseTimer.fire_at < bindparam("now"))  # fires once its instant passed
             .order_by(CaseTimer.fire_at, CaseTimer.id).limit(1))
    if skipping:
        query = query.where(CaseTimer.id.not_in(bindparam("skip", expanding=True)))
    return query


def _read(query: Select) -> Select:
    return (query.join(Case, Case.id == CaseTimer.case_id)
            .outerjoin(CaseState, CaseState.case_id == Case.id)
            .options(lazyload(Case.review)))


@cache
def _query(skipping: bool) -> Select:
    """SQLite: the timer, its case and state (the change claims the case)."""
    chosen = _next_timer(skipping).with_only_columns(CaseTimer.id).scalar_subquery()
    return _read(select(CaseTimer, Case, CaseState.state)
                 .where(CaseTimer.id == chosen.correlate(None)))


@cache
def _pg_query(skipping: bool) -> Select:
    """PostgreSQL: the timer (locked), its case (claimed), state and open task rows."""
    cases, tasks = Case.__table__, CaseTask.__table__
    picked = _next_timer(skipping).with_for_update(skip_locked=True).cte("picked")
    seen = cases.alias("seen")  # the case as the snapshot has it
    claimed = (update(cases)
               .where(cases.c.id == picked.c.case_id, seen.c.id == picked.c.case_id,
                      cases.c.version == seen.c.version)
               .values(version=cases.c.version + 1)
               .returning(cases.c.id.label("claimed")).cte("claimed"))
    columns = [tasks.c[name] for name in OPEN_COLUMNS.split(", ")]
    query = (select(CaseTimer, Case, CaseState.state, claimed.c.claimed, *columns)
             .join(picked, picked.c.id == CaseTimer.id))
    return (_read(query).outerjoin(claimed, claimed.c.claimed == Case.id)
            .outerjoin(tasks, and_(tasks.c.case_id == Case.id, tasks.c.state == "open")))
