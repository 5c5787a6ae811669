"""Database helpers: the idle-connection check of the pool, rows sent as JSON, and what a
transaction keeps until it commits."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from app.cases.records import CaseTask
from app.dbutil import (
    on_commit,
    pg_records,
    pg_records_json,
    ping_when_idle,
    transaction_scoped,
)
from app.extensions import db


def _engine(tmp_path, idle_seconds: float, pings: list[str], fail: bool = False):
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    ping_when_idle(engine, idle_seconds)

    def do_ping(_dbapi_connection) -> bool:
        pings.append("ping")
        if fail:
            raise sqlite3.OperationalError("server closed the connection")
        return True

    engine.dialect.do_ping = do_ping
    return engine


def test_a_connection_used_again_within_the_window_is_not_pinged(tmp_path):
    pings: list[str] = []
    engine = _engine(tmp_path, idle_seconds=3600, pings=pings)
    for _ in range(3):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []


def test_a_connection_idle_past_the_window_is_pinged_first(tmp_path):
    pings: list[str] = []
    engine = _engine(tmp_path, idle_seconds=0, pings=pings)
    with engine.connect():
        pass
    assert pings == []  # connected just now: nothing to check
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == ["ping"]


def test_a_connection_that_fails_its_ping_is_replaced(tmp_path):
    pings: list[str] = []
    engine = _engine(tmp_path, idle_seconds=0, pings=pings, fail=True)
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    with engine.connect() as conn:  # the pool drops the old connection and opens another
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not first
    assert pings == ["ping"]


def test_json_rows_carry_utc_instants_and_refuse_naive_ones():
    table = CaseTask.__table__
    at = datetime(2026, 5, 1, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # sent as UTC
    rows = [{"task_id": "t-1", "due_at": at, "provisional": False},
            {"task_id": "t-2", "due_at": None, "provisional": True}]
    sent = json.loads(pg_records_json(table, ("task_id", "due_at", "provisional"), rows))
    assert sent == [{"task_id": "t-1", "due_at": "2026-05-01T09:30:00+00:00",
                     "provisional": False},
                    {"task_id": "t-2", "due_at": None, "provisional": True}]
    with pytest.raises(ValueError, match="naive"):
        pg_records_json(table, ("due_at",), [{"due_at": datetime(2026, 5, 1, 9, 30)}])
    sql = pg_records(table, ("task_id", "due_at"), "p")
    assert "json_to_recordset(CAST(:p AS JSON))" in sql
    assert "due_at TIMESTAMP WITH TIME ZONE" in sql


def test_commit_actions_run_on_commit_only_and_scoped_dicts_end_with_the_transaction(app_ctx):
    done: list[str] = []
    session = db.session()
    session.execute(text("SELECT 1"))
    on_commit(session, lambda: done.append("rolled back"))
    transaction_scoped(session, "found")["key"] = 1
    session.rollback()
    assert done == [] and transaction_scoped(session, "found") == {}

    session.execute(text("SELECT 1"))
    on_commit(session, lambda: done.append("committed"))
    transaction_scoped(session, "found")["key"] = 2
    assert transaction_scoped(session, "found") == {"key": 2}
    session.commit()
    assert done == ["committed"] and transaction_scoped(session, "found") == {}
    session.commit()
    assert done == ["committed"]  # run once
