"""The statements a change of a case runs (工单变更的读写语句), built once.

Building an SQLAlchemy statement and its cache key costs about 0.1 ms of Python, more than
SQLite takes to run it, and an ORM flush of a changed row costs more again; a change of a case
runs about ten statements, and the scheduler fires thousands of changes in a sweep. So these
are built once, on the tables, with bound parameters, and run in the session's transaction.
The ORM objects the caller holds are kept in step (`set_committed_value`), so that a flush at
commit writes nothing twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.models import Case
from app.cases.records import CaseEvent, CaseState, CaseTask, CaseTimer
from app.extensions import db

_cases, _tasks = Case.__table__, CaseTask.__table__
_timers, _states = CaseTimer.__table__, CaseState.__table__

# What the engine changes on the case row (the rest is intake's).
CASE_FIELDS = ("status", "process_version_id", "current_steps", "determination",
               "rectify_class", "revisit_result", "invalid", "department_code",
               "department_name", "warned_at", "overdue_at", "closed_at")

CLAIM = (update(_cases)
         .where(_cases.c.id == bindparam("b_case"), _cases.c.version == bindparam("seen"))
         .values(version=bindparam("next")))
SAVE_CASE = (update(_cases).where(_cases.c.id == bindparam("b_case"))
             .values({name: bindparam(f"v_{name}") for name in CASE_FIELDS}))
OPEN_TASKS = (select(_tasks.c.id, _tasks.c.task_id, _tasks.c.title, _tasks.c.due_at,
                     _tasks.c.warned, _tasks.c.overdue)
              .where(_tasks.c.case_id == bindparam("b_case"), _tasks.c.state == "open"))
# Closes a row (done or cancelled) or flags an open one (warned, overdue): one shape for both.
UPDATE_TASK = (update(_tasks).where(_tasks.c.id == bindparam("row_id"))
               .values(state=bindparam("v_state"), completed_at=bindparam("v_completed_at"),
                       completed_by_id=bindparam("v_by"), late=bindparam("v_late"),
                       warned=bindparam("v_warned"), overdue=bindparam("v_overdue")))
DROP_TIMERS = delete(_timers).where(_timers.c.case_id == bindparam("b_case"),
                                    _timers.c.task_id.in_(bindparam("ids", expanding=True)))
KEEP_TIMERS = delete(_timers).where(_timers.c.case_id == bindparam("b_case"),
                                    _timers.c.task_id.not_in(bindparam("ids", expanding=True)))
STATE_OF = select(_states.c.state).where(_states.c.case_id == bindparam("b_case"))
INSERT_EVENTS = insert(CaseEvent.__table__)
INSERT_STATE = insert(_states)
UPDATE_STATE = (update(_states).where(_states.c.case_id == bindparam("b_case"))
                .values(process_version_id=bindparam("v_version"), state=bindparam("v_state"),
                        updated_at=bindparam("v_at")))


def claim(case_id: int, seen: int) -> bool:
    """Bump the case's version from `seen`; False when it is no longer at `seen`."""
    result = db.session.execute(CLAIM, {"b_case": case_id, "seen": seen, "next": seen + 1})
    return result.rowcount == 1


def open_tasks(case_id: int) -> list[Row]:
    """The case's open task rows: (id, task_id, title, due_at, warned, overdue)."""
    return list(db.session.execute(OPEN_TASKS, {"b_case": case_id}))


def state_of(case_id: int) -> str | None:
    """The case's saved workflow state; None before it started."""
    return db.session.execute(STATE_OF, {"b_case": case_id}).scalar()


def update_tasks(params: list[dict[str, Any]]) -> None:
    """Close or flag task rows; each dict names `row_id` and the `v_*` values of UPDATE_TASK."""
    if params:
        db.session.execute(UPDATE_TASK, params)


def drop_timers(case_id: int, task_ids: list[str], keep: bool = False) -> None:
    """Delete the case's timer rows of `task_ids` (with `keep`: all but those)."""
    db.session.execute(KEEP_TIMERS if keep else DROP_TIMERS,
                       {"b_case": case_id, "ids": task_ids})


def insert_events(rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(INSERT_EVENTS, rows)


def save_state(case_id: int, version_id: int, state: str, at: Any, new: bool) -> None:
    if new:
        db.session.execute(INSERT_STATE, {"case_id": case_id, "process_version_id": version_id,
                                          "state": state, "updated_at": at})
    else:
        db.session.execute(UPDATE_STATE, {"b_case": case_id, "v_version": version_id,
                                          "v_state": state, "v_at": at})


def save_case(case: Case) -> None:
    """Write the engine's fields of `case` when the change set any of them (one UPDATE), and
    mark them saved on the object, so that the session does not flush them again."""
    attrs = inspect(case).attrs
    if not any(attrs[name].history.has_changes() for name in CASE_FIELDS):
        return
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    db.session.execute(SAVE_CASE, {"b_case": case.id,
                                   **{f"v_{name}": v for name, v in values.items()}})
    for name, value in values.items():
        set_committed_value(case, name, value)
