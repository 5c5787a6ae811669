"""The watch lists' counts (超期预警, 超期督办: the chip, the tabs) read the warned or late tasks
from an index, not every task of the region: SQLite's plans under the statistics ANALYZE
gathers on benchmarks/bench_inbox.py's data (50,000 open tasks of one city, 10,000 done), where
its planner took the region's 2-sided range for the more selective term and read the whole
city by ix_case_tasks_open_region (65 ms a count, against 2-6 ms by the time range)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import event

from app.auth.models import User
from app.extensions import db
from app.inbox import queries
from app.timeutil import utcnow

# sqlite_stat1 of case_tasks after bench_inbox.py's load and ANALYZE.
BENCH_STATS = {
    "ix_case_tasks_warned_region": "60000 30000 35 35 6 2",
    "ix_case_tasks_open_step": "60000 30000 3334",
    "ix_case_tasks_done_by": "60000 595 61",
    "ix_case_tasks_open_region": "60000 30000 10000 1429",
    "ix_case_tasks_assignee": "60000 595 298",
    "ix_case_tasks_open_dept": "60000 30000 300 100",
    "ix_case_tasks_due": "60000 30000 35",
    "ix_case_tasks_late_region": "60000 30000 35 6 2",
    "ix_case_tasks_case_id": "60000 1",
    "sqlite_autoindex_case_tasks_1": "60000 1",
}


def _statements(run) -> list[tuple[str, tuple]]:
    """The SELECTs on case_tasks that `run()` sends, with their parameters."""
    sent = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        if "case_tasks" in statement and statement.lstrip().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return sent


def _plans(statements) -> list[list[str]]:
    """Each statement's plan under the bench's statistics, on a connection of its own whose
    statistics are rolled back (the suite's other connections never see them)."""
    conn = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("ANALYZE")  # makes sqlite_stat1
        conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'case_tasks'")
        conn.executemany("INSERT INTO sqlite_stat1 VALUES ('case_tasks', ?, ?)",
                         BENCH_STATS.items())
        conn.execute("ANALYZE sqlite_schema")  # the planner reads them again
        return [[row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
                for sql, params in statements]
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.mark.parametrize("role", ["hotline", "agency"])
def test_watch_list_counts_read_the_time_range_by_an_index(app_ctx, role):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner (PostgreSQL's plans: make bench)")
    user = User(id=1, username="watcher", name="watcher", role=role,
                region_code="440300000000")
    now = utcnow()
    watched = [q for q in queries.queues_for(user) if q.watching]
    assert watched
    sent = _statements(lambda: (
        queries.queue_counts(user, "pool", now),
        [queries.counts(user, queries.Filters(tab="all", queue=q.key), now) for q in watched]))
    counted = [(sql, params) for sql, params in sent if "due_at" in sql]
    assert len(counted) == 2 * len(watched)  # its chip, its tabs (no 已办 within a watch list)
    for (sql, _), plan in zip(counted, _plans(counted), strict=True):
        assert len(plan) == 1 and plan[0].startswith("SEARCH case_tasks USING"), plan
        assert "ix_case_tasks_open_region" not in plan[0] and "completed_by_id" not in sql
        # the chip and the open tabs: from the index alone
        assert re.search(r"COVERING INDEX ix_case_tasks_(late|warned)_region", plan[0]), plan
