"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    JSON,
    BindParameter,
    Dialect,
    Engine,
    Table,
    Text,
    bindparam,
    event,
    insert,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models_base import UTCDateTime


def tune_sqlite(engine: Engine) -> None:
    """On a SQLite file: write-ahead logging with `synchronous=NORMAL` (SQLite's advice for
    WAL: durable against crashes of the app, and a commit costs one write instead of two
    syncs), and wait up to 5 s for a lock rather than failing at once."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


# PostgreSQL's detail of a refused row, up to the next section of the message or its end
FAILING_ROW = re.compile(r"Failing row contains \(.*?\)\.?(?=\n[A-Z ]+:|\Z)", re.S)


def quote_no_rows(engine: Engine) -> None:
    """On PostgreSQL: a constraint that refuses a row quotes the whole row in its message
    ("DETAIL: Failing row contains (…)"), a reviewer's phone, name or certificate number with
    it, and the message goes into the log with the error. The row is cut from the driver's
    message and SQLAlchemy's; the constraint and column stay. (The statement's values:
    hide_parameters, app/config.py.)"""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "handle_error")
    def _cut(context) -> None:
        for error in (context.original_exception, context.sqlalchemy_exception):
            first = error.args[0] if error is not None and error.args else None
            if isinstance(first, str) and "Failing row contains" in first:
                error.args = (FAILING_ROW.sub("Failing row contains (values left out).", first),
                              *error.args[1:])


IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection before use only when it sat idle in the pool for
    `idle_seconds` (the server may have dropped it meanwhile), instead of before every use as
    `pool_pre_ping` does: a round trip less per transaction, which the scheduler pays once per
    timer. A connection that breaks within that window fails one statement, and SQLAlchemy
    replaces it (it invalidates a connection on a disconnect error)."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")  # None: connected just now
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("connection dropped while idle") from exc  # pool retries


_ON_COMMIT = "dbutil.on_commit"
_SCOPED = "dbutil.transaction_scoped"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's current transaction commits; never if it rolls back
    (what it would keep, such as an id just inserted, may not exist then)."""
    session.info.setdefault(_ON_COMMIT, []).append(action)


def transaction_scoped(session: Session, name: str) -> dict:
    """A dict named `name` that lives as long as the session's current transaction: what a
    transaction found but has not committed yet, for its own later calls."""
    return session.info.setdefault(_SCOPED, {}).setdefault(name, {})


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for action in session.info.pop(_ON_COMMIT, ()):
        action()


@event.listens_for(Session, "after_transaction_end")
def _end_of_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_ON_COMMIT, None)
        session.info.pop(_SCOPED, None)


def not_indexed(column):
    """`column`, which the SQLite planner must not pick an index by: `+column` there (SQLite's
    way to disqualify a term from an index), the column itself elsewhere. For a condition that
    only filters the rows a better one finds: the region of a watch list (超期预警, 督办),
    whose 2-sided range SQLite's planner took for more selective than the time range, and so
    read every task of the city by the region index (65 ms for 50,000 open tasks, against
    2-6 ms by the time range)."""
    return _NotIndexed(column)


class _NotIndexed(FunctionElement):
    inherit_cache = True

    def __init__(self, column) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_NotIndexed)
def _column_itself(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_NotIndexed, "sqlite")
def _unary_plus(element, compiler, **kw) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


_PG = postgresql.dialect()  # compiles and quotes the PostgreSQL-only statements here
UNNEST_FROM = 20  # rows; below this plain VALUES is faster on PostgreSQL


def bulk_insert(table: Table, rows: Sequence[dict], conflict: tuple[str, ...] = (),
                returning: tuple[str, ...] = ()) -> list[tuple]:
    """Insert many rows (all with the same keys) in the session's transaction, skipping those
    that conflict on `conflict` columns, and return the `returning` columns of inserted rows.

    On PostgreSQL a batch travels as one array per column, `INSERT ... SELECT unnest(...)`: a
    statement of a few dozen parameters instead of one of tens of thousands, about ten times
    faster for batches of 1,000 (and slower for a handful of rows). Otherwise SQLAlchemy's
    batched multi-row VALUES."""
    if not rows:
        return []
    columns = tuple(rows[0])
    if is_postgres() and len(rows) > UNNEST_FROM:
        stmt = _unnest_insert(table, columns, conflict, returning)
        result = db.session.execute(stmt, pg_arrays(table, columns, "u", rows))
    else:
        stmt = _values_insert(table, columns, conflict, returning, db.session.get_bind().dialect)
        result = db.session.execute(stmt, list(rows))
    return [tuple(row) for row in result] if returning else []


@lru_cache(maxsize=64)
def _values_insert(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...],
                   returning: tuple[str, ...], dialect: Dialect):
    """The INSERT of `bulk_insert`'s small batches, built once. With `conflict` and no
    `returning`, SQL text: SQLAlchemy's ON CONFLICT constructs have no cache key, so they are
    compiled again for every execution (about 0.1 ms, more than SQLite takes to run a small
    one), and SQLite and PostgreSQL spell ON CONFLICT ... DO NOTHING alike. With `returning`,
    SQLAlchemy's construct, whose batching returns the rows of every batch."""
    if conflict and not returning:
        quote = dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
               f"VALUES ({', '.join(f':{c}' for c in columns)}) "
               f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO NOTHING")
        return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
    if conflict:
        make = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        stmt = make(table).on_conflict_do_nothing(index_elements=list(conflict))
    else:
        stmt = insert(table)
    return stmt.returning(*(table.c[c] for c in returning)) if returning else stmt


@dataclass(frozen=True)
class Unnest:
    """SQL text of a SELECT of rows sent to PostgreSQL as one array per column (parameters
    `<prefix>_<column>`, filled by `pg_arrays`), and those parameters, typed as arrays of
    their columns' types (JSON values travel as text), for `bulk_insert`'s INSERT ... SELECT:
    a statement of a few parameters whatever the number of rows."""

    sql: str
    params: tuple[BindParameter, ...]


def pg_unnest(table: Table, columns: Sequence[str], prefix: str) -> Unnest:
    dialect, quote = _PG, _PG.identifier_preparer.quote
    arrays, values, params = [], [], []
    for name in columns:
        col_type, column = table.c[name].type, quote(name)
        json_column = isinstance(col_type, JSON)
        sent = Text() if json_column else col_type
        arrays.append(f"CAST(:{prefix}_{name} AS {sent.compile(dialect=dialect)}[])")
        values.append(f"CAST(u.{column} AS JSON) AS {column}" if json_column else f"u.{column}")
        params.append(bindparam(f"{prefix}_{name}", type_=postgresql.ARRAY(sent)))
    sql = (f"SELECT {', '.join(values)} FROM unnest({', '.join(arrays)}) "
           f"AS u({', '.join(quote(c) for c in columns)})")
    return Unnest(sql, tuple(params))


def pg_arrays(table: Table, columns: Sequence[str], prefix: str,
              rows: Sequence[dict]) -> dict[str, list]:
    """The parameters of `pg_unnest(table, columns, prefix)` for `rows` (JSON as text)."""
    out = {}
    for column in columns:
        values = [row[column] for row in rows]
        if isinstance(table.c[column].type, JSON):
            values = [v if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        out[f"{prefix}_{column}"] = values
    return out


@lru_cache(maxsize=32)
def _unnest_insert(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...],
                   returning: tuple[str, ...]):
    quote = _PG.identifier_preparer.quote
    rows = pg_unnest(table, columns, "u")
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) {rows.sql}"
    if conflict:
        sql += f" ON CONFLICT ({', '.join(map(quote, conflict))}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(map(quote, returning))}"
    stmt = text(sql).bindparams(*rows.params)
    return stmt.columns(*(table.c[c] for c in returning)) if returning else stmt


def pg_records(table: Table, columns: Sequence[str], param: str) -> str:
    """SQL text of a SELECT of rows sent to PostgreSQL as one JSON array of objects in the
    parameter `param` (filled by `pg_records_json`), each field typed as its column: a
    statement of one parameter per list of rows, short enough for psycopg to keep its parsed
    form, where `pg_unnest` takes a parameter per column."""
    quote = _PG.identifier_preparer.quote
    fields = ", ".join(f"{quote(c)} {_pg_type(table.c[c].type)}" for c in columns)
    return (f"SELECT {', '.join(quote(c) for c in columns)} "
            f"FROM json_to_recordset(CAST(:{param} AS JSON)) AS r({fields})")


def pg_records_json(table: Table, columns: Sequence[str], rows: Sequence[dict]) -> str:
    """The parameter of `pg_records(table, columns, ...)` for `rows`: datetimes go through
    their columns' types (UTCDateTime refuses naive ones) and travel as ISO 8601."""
    bind = {c: table.c[c].type for c in columns if isinstance(table.c[c].type, UTCDateTime)}
    out = [{c: (bind[c].process_bind_param(row[c], _PG).isoformat()
                if c in bind and row[c] is not None else row[c]) for c in columns}
           for row in rows]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _pg_type(col_type) -> str:
    return "JSON" if isinstance(col_type, JSON) else col_type.compile(dialect=_PG)


def rebuild_schema() -> None:
    """Drop every table and build the schema again from the Alembic migrations (tests and
    benchmarks start from an empty database this way, as production does)."""
    from flask_migrate import upgrade

    from app.cases import runcache
    from app.processes.service import forget_versions
    from app.rules import service as rules_service

    runcache.cache.clear()
    forget_versions()
    rules_service.forget_versions()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()
