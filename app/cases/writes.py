"""The statements a change of a case runs (工单变更的读写语句), built once.

Building an SQLAlchemy statement and its cache key costs about 0.1 ms of Python, more than
SQLite takes to run it, and an ORM flush of a changed row costs more again; the scheduler
fires thousands of changes in a sweep. So these are built once, on the tables, with bound
parameters, and run in the session's transaction. What a change writes is gathered in a
`Change` first: on PostgreSQL, where every statement is a round trip, it goes in one
statement (the claim with the read of the open tasks in another); on SQLite, statement by
statement. The ORM case object is kept in step (`set_committed_value`), so that a flush at
commit writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.models import Case
from app.cases.records import CaseEvent, CaseState, CaseTask, CaseTimer
from app.dbutil import bulk_insert, is_postgres, pg_records, pg_records_json
from app.extensions import db

_cases, _tasks, _events = Case.__table__, CaseTask.__table__, CaseEvent.__table__
_timers, _states = CaseTimer.__table__, CaseState.__table__

# What the engine changes on the case row (the rest is intake's).
CASE_FIELDS = ("status", "process_version_id", "current_steps", "determination",
               "rectify_class", "revisit_result", "invalid", "department_code",
               "department_name", "warned_at", "overdue_at", "closed_at")
TASK_COLUMNS = ("task_id", "case_id", "process_id", "step", "title", "group_name",
                "department_code", "region_code", "jurisdiction", "state", "created_at",
                "warn_at", "due_at", "rule_key", "rule_version_id", "provisional", "warned",
                "overdue", "late", "assignee_id", "claimed_at")
TASK_UPDATE = ("id", "state", "completed_at", "completed_by_id", "late", "warned", "overdue",
               "warn_at", "due_at", "provisional", "title")
TIMER_COLUMNS = ("task_id", "case_id", "event", "kind", "step", "due_at", "fire_at",
                 "attempts")
EVENT_COLUMNS = ("case_id", "at", "kind", "actor", "step", "title", "task_id", "late", "data")


@dataclass
class Change:
    """What one change of a case writes after its claim: task rows closed, flagged or
    re-timed (dicts of TASK_UPDATE) and added (TASK_COLUMNS), timer rows dropped
    (`timer_ids`; with `keep_timers`, all but those) and added or moved (TIMER_COLUMNS: a
    row already there takes the new due instant, see UPSERT_TIMERS), events
    (EVENT_COLUMNS), the engine's fields of the case (CASE_FIELDS, from the object) and its
    workflow state."""

    case: Case
    state: str
    at: datetime
    task_updates: list[dict[str, Any]] = field(default_factory=list)
    new_tasks: list[dict[str, Any]] = field(default_factory=list)
    timer_ids: list[str] = field(default_factory=list)
    keep_timers: bool = False
    new_timers: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


CLAIM = (update(_cases)
         .where(_cases.c.id == bindparam("b_case"), _cases.c.version == bindparam("seen"))
         .values(version=bindparam("next")))
OPEN_COLUMNS = ("id, task_id, title, group_name, department_code, created_at, warn_at, due_at, "
                "provisional, warned, overdue, rule_version_id")
OPEN_TASKS = (select(*(_tasks.c[c] for c in OPEN_COLUMNS.split(", ")))
              .where(_tasks.c.case_id == bindparam("b_case"), _tasks.c.state == "open"))
STATE_OF = select(_states.c.state).where(_states.c.case_id == bindparam("b_case"))
FLAGGED_TASKS = (select(_tasks.c.rule_key, _tasks.c.due_at, _tasks.c.warned, _tasks.c.overdue)
                 .where(_tasks.c.case_id == bindparam("b_case"),
                        _tasks.c.warned | _tasks.c.overdue))


def claim(case_id: int, seen: int) -> bool:
    """Bump the case's version from `seen`; False when it is no longer at `seen`."""
    result = db.session.execute(CLAIM, {"b_case": case_id, "seen": seen, "next": seen + 1})
    return result.rowcount == 1


def open_tasks(case_id: int) -> list[Row]:
    """The case's open task rows: OPEN_COLUMNS (id, task_id, title, group_name,
    department_code, created_at, warn_at, due_at, provisional, warned, overdue,
    rule_version_id)."""
    return list(db.session.execute(OPEN_TASKS, {"b_case": case_id}))


def claim_with_open_tasks(case_id: int, seen: int) -> list[Row] | None:
    """`claim`, then `open_tasks`; None when the claim failed. One round trip on
    PostgreSQL."""
    if not is_postgres():
        return open_tasks(case_id) if claim(case_id, seen) else None
    rows = list(db.session.execute(_PG_CLAIM_OPEN, {"b_case": case_id, "seen": seen,
                                                    "next": seen + 1}))
    if not rows:
        return None
    return [row for row in rows if row.id is not None]  # the claim's row, with no task


def flagged_tasks(case_id: int) -> list[Row]:
    """The case's task rows (any state) whose warning or overdue timer fired: rule_key,
    due_at, warned, overdue (what a step's 超期预警 and 督办 were given for)."""
    return list(db.session.execute(FLAGGED_TASKS, {"b_case": case_id}))


def state_of(case_id: int) -> str | None:
    """The case's saved workflow state; None before it started."""
    return db.session.execute(STATE_OF, {"b_case": case_id}).scalar()


def set_fields(case: Case, **values: Any) -> None:
    """Set engine fields of the case (CASE_FIELDS) as the change's statement will write them,
    without marking the object for the ORM to flush them again at commit (a flush of an
    object with nothing to write still walks the unit of work)."""
    for name, value in values.items():
        if name not in CASE_FIELDS:
            raise KeyError(f"{name} is not written by a change")
        set_committed_value(case, name, value)


def apply(change: Change) -> None:
    """Write `change` in the session's transaction, and mark the case's fields saved."""
    case = change.case
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    if is_postgres():
        db.session.execute(_pg_change(), _pg_params(change, values))
    else:
        _sqlite_apply(change, values)
    for name, value in values.items():
        set_committed_value(case, name, value)


# -- SQLite: a statement each (no round trips to save) ---------------------------------------

SAVE_CASE = (update(_cases).where(_cases.c.id == bindparam("b_case"))
             .values({name: bindparam(f"v_{name}") for name in CASE_FIELDS}))
UPDATE_TASK = (update(_tasks).where(_tasks.c.id == bindparam("b_id"))
               .values({name: bindparam(f"v_{name}") for name in TASK_UPDATE[1:]}))
DROP_TIMERS = delete(_timers).where(_timers.c.case_id == bindparam("b_case"),
                                    _timers.c.task_id.in_(bindparam("ids", expanding=True)))
KEEP_TIMERS = delete(_timers).where(_timers.c.case_id == bindparam("b_case"),
                                    _timers.c.task_id.not_in(bindparam("ids", expanding=True)))
INSERT_EVENTS = insert(_events)
# A timer row already there (moved by 期限重算) takes the new due instant, and fires then,
# unless it waits for a later retry after a failure; its attempts stay as they are.
TIMER_CONFLICT = (
    "ON CONFLICT (task_id) DO UPDATE SET due_at = excluded.due_at, fire_at = CASE WHEN "
    "case_timers.attempts > 0 AND case_timers.fire_at > excluded.due_at THEN "
    "case_timers.fire_at ELSE excluded.fire_at END")
UPSERT_TIMERS = text(
    f"INSERT INTO case_timers ({', '.join(TIMER_COLUMNS)}) "
    f"VALUES ({', '.join(f':{c}' for c in TIMER_COLUMNS)}) {TIMER_CONFLICT}",
).bindparams(*(bindparam(c, type_=_timers.c[c].type) for c in TIMER_COLUMNS))
SAVE_STATE = text(
    "INSERT INTO case_states (case_id, process_version_id, state, updated_at) "
    "VALUES (:case_id, :process_version_id, :state, :updated_at) ON CONFLICT (case_id) DO "
    "UPDATE SET process_version_id = excluded.process_version_id, state = excluded.state, "
    "updated_at = excluded.updated_at",
).bindparams(bindparam("updated_at", type_=_states.c.updated_at.type))


def _sqlite_apply(change: Change, values: dict[str, Any]) -> None:
    case_id = change.case.id
    if change.task_updates:
        db.session.execute(UPDATE_TASK, [
            {"b_id": u["id"], **{f"v_{k}": u[k] for k in TASK_UPDATE[1:]}}
            for u in change.task_updates])
    bulk_insert(_tasks, change.new_tasks, conflict=("task_id",))
    if change.timer_ids or change.keep_timers:
        db.session.execute(KEEP_TIMERS if change.keep_timers else DROP_TIMERS,
                           {"b_case": case_id, "ids": change.timer_ids})
    if change.new_timers:
        db.session.execute(UPSERT_TIMERS, change.new_timers)
    if change.events:
        db.session.execute(INSERT_EVENTS, change.events)
    db.session.execute(SAVE_CASE, {"b_case": case_id,
                                   **{f"v_{k}": v for k, v in values.items()}})
    db.session.execute(SAVE_STATE, {"case_id": case_id, "state": change.state,
                                    "process_version_id": values["process_version_id"],
                                    "updated_at": change.at})


# -- PostgreSQL: one statement, its parts as data-modifying WITH queries ---------------------

_PG_CLAIM_OPEN = text(
    "WITH claimed AS (UPDATE cases SET version = :next WHERE id = :b_case AND version = :seen "
    f"RETURNING id) SELECT {', '.join(f't.{c}' for c in OPEN_COLUMNS.split(', '))} "
    "FROM claimed LEFT JOIN case_tasks t ON t.case_id = claimed.id AND t.state = 'open'",
).columns(*(_tasks.c[c] for c in OPEN_COLUMNS.split(", ")))


# (parameter, table, columns, the Change's list) of the parts sent as JSON rows
_PARTS = (("tu", _tasks, TASK_UPDATE, "task_updates"), ("nt", _tasks, TASK_COLUMNS, "new_tasks"),
          ("tm", _timers, TIMER_COLUMNS, "new_timers"), ("ev", _events, EVENT_COLUMNS, "events"))


@cache
def _pg_change() -> Any:
    """The one statement of a change. The parts touch different rows (PostgreSQL runs them
    all on one snapshot), and an empty list makes its part write nothing. Each list of rows
    is one JSON parameter, so that the statement stays within what psycopg keeps parsed
    (4 KB, 50 parameters). Built on first use, when the foreign keys' types are resolved."""
    rows = {param: pg_records(table, columns, param) for param, table, columns, _ in _PARTS}
    sets = ", ".join(f"{c} = u.{c}" for c in TASK_UPDATE[1:])
    cases = ", ".join(f"{c} = :v_{c}" for c in CASE_FIELDS)
    typed = [bindparam(f"v_{c}", type_=_cases.c[c].type) for c in CASE_FIELDS]
    typed.append(bindparam("at", type_=_states.c.updated_at.type))
    return text(f"""
WITH task_updates AS (
  UPDATE case_tasks AS t SET {sets}
  FROM ({rows["tu"]}) AS u WHERE t.id = u.id),
new_tasks AS (
  INSERT INTO case_tasks ({", ".join(TASK_COLUMNS)})
  {rows["nt"]} ON CONFLICT (task_id) DO NOTHING),
gone_timers AS (
  DELETE FROM case_timers WHERE case_id = :b_case
  AND (task_id = ANY(CAST(:timer_ids AS TEXT[]))) <> :keep_timers),
new_timers AS (
  INSERT INTO case_timers ({", ".join(TIMER_COLUMNS)})
  {rows["tm"]} {TIMER_CONFLICT}),
new_events AS (
  INSERT INTO case_events ({", ".join(EVENT_COLUMNS)})
  {rows["ev"]}),
saved_state AS (
  INSERT INTO case_states (case_id, process_version_id, state, updated_at)
  VALUES (:b_case, :v_process_version_id, :state, :at) ON CONFLICT (case_id) DO UPDATE
  SET process_version_id = excluded.process_version_id, state = excluded.state,
      updated_at = excluded.updated_at)
UPDATE cases SET {cases} WHERE id = :b_case""").bindparams(*typed)


def _pg_params(change: Change, values: dict[str, Any]) -> dict[str, Any]:
    params = {"b_case": change.case.id, "state": change.state, "at": change.at,
              "timer_ids": change.timer_ids, "keep_timers": change.keep_timers,
              **{f"v_{k}": v for k, v in values.items()}}
    for param, table, columns, name in _PARTS:
        params[param] = pg_records_json(table, columns, getattr(change, name))
    return params
