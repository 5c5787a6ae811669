"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import (
    JSON,
    Dialect,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def dialect_insert(model):
    """An INSERT for the session's dialect that supports ON CONFLICT."""
    return (postgresql.insert if is_postgres() else sqlite.insert)(model)


def insert_ignore(model, conflict_columns: list[str]):
    """INSERT ... ON CONFLICT (cols) DO NOTHING: concurrent duplicates are skipped, not raised."""
    return dialect_insert(model).on_conflict_do_nothing(index_elements=conflict_columns)


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


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


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
        params = {c: [_pg_value(table, c, r[c]) for r in rows] for c in columns}
        result = db.session.execute(stmt, params)
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


def pg_unnest(table: Table, columns: Sequence[str], prefix: str, dialect: Dialect) -> str:
    """SQL text of a SELECT of rows sent as one array per column, in the parameters
    `<prefix>_<column>` (JSON values as text), for PostgreSQL's INSERT ... SELECT and
    UPDATE ... FROM: a statement of a few parameters whatever the number of rows."""
    arrays, values = [], []
    for name in columns:
        col_type = table.c[name].type
        if isinstance(col_type, JSON):
            arrays.append(f"CAST(:{prefix}_{name} AS TEXT[])")
            values.append(f"CAST(u.{name} AS JSON) AS {name}")
        else:
            arrays.append(f"CAST(:{prefix}_{name} AS {col_type.compile(dialect=dialect)}[])")
            values.append(f"u.{name}")
    return (f"SELECT {', '.join(values)} FROM unnest({', '.join(arrays)}) "
            f"AS u({', '.join(columns)})")


@lru_cache(maxsize=32)
def _unnest_insert(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...],
                   returning: tuple[str, ...]):
    values = []
    for name in columns:
        col_type = table.c[name].type
        if isinstance(col_type, JSON):  # arrays of json: send text, cast per element
            values.append(cast(func.unnest(bindparam(name, type_=postgresql.ARRAY(Text))), JSON))
        else:
            values.append(func.unnest(bindparam(name, type_=postgresql.ARRAY(col_type))))
    stmt = postgresql.insert(table).from_select(list(columns), select(*values))
    if conflict:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        stmt = stmt.returning(*(table.c[c] for c in returning))
    return stmt


def _pg_value(table: Table, column: str, value):
    if value is not None and isinstance(table.c[column].type, JSON):
        return json.dumps(value, ensure_ascii=False)
    return value


def rebuild_schema() -> None:
    """Drop every table and build the schema again from the Alembic migrations (tests and
    benchmarks start from an empty database this way, as production does)."""
    from flask_migrate import upgrade

    from app.cases import runcache
    from app.processes.service import forget_versions

    runcache.cache.clear()
    forget_versions()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()
