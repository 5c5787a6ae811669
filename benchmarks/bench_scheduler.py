"""The scheduler's sweep (`app.scheduler.sweep.sweep`), on SQLite and PostgreSQL.

(a) Nothing due among 100,000 open cases: cases in progress with an open task and two timers
    each (warning and overdue) due in the coming weeks, 1% of them past the calendar (暂定,
    provisional, which 期限重算 looks at), seeded with bulk inserts (no engine run per case).
    The median of several `sweep()` calls; goal under 20 ms: a pass costs what is due, not
    what is open.
(b) 1,000 due timers fired: 1,000 real cases posted through intake and started on the engine on
    a past working day (the clock set there with time-machine, as SpiffWorkflow reads the real
    clock), then one `sweep()` on the day their contact warnings (超期预警) are due, and one the
    next day, when their overdue timers (超期督办, escalated to the agency) are: each fires 1,000
    timers, each in its own transaction. Goal under 10 s per sweep.

`python benchmarks/bench_scheduler.py` prints the figures.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dbsetup import fresh_app, postgres_url, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
OPEN_CASES = 100_000
IDLE_SWEEPS = 9
IDLE_GOAL_MS = 20.0
DUE_CASES = 1_000
DUE_GOAL_S = 10.0
REGION = "440305000000"
CHUNK = 20_000
# A Monday in calendar coverage: received 10:00, contact (3 working days, Shenzhen) is due
# Thursday 23:59:59, its warning fires Thursday 00:00, its overdue timer Friday 00:00.
RECEIVED = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 Beijing
WARNINGS_DUE = datetime(2026, 6, 4, 2, 0, tzinfo=UTC)  # Thursday 10:00 Beijing
OVERDUE_DUE = datetime(2026, 6, 5, 2, 0, tzinfo=UTC)  # Friday 10:00 Beijing


def _department() -> tuple[str, str]:
    from app.demo.data import uscc

    return uscc("440300", 3), "深圳市人力资源和社会保障局"


def seed_open_cases(count: int, now: datetime) -> None:
    """`count` cases in progress at contact, each with an open task and a warning and an
    overdue timer in the future (1% past the calendar's last day: provisional), inserted in
    bulk (reviews, cases, tasks, timers)."""
    from app import workdays
    from app.cases.models import IN_PROGRESS, Case
    from app.cases.records import CaseTask, CaseTimer
    from app.dbutil import bulk_insert
    from app.extensions import db
    from app.reviews.models import Review
    from app.rules import service as rules_service

    rule_version = rules_service.record_loaded_versions()["shenzhen"]
    code, name = _department()
    blank = {c.key: None for c in Review.__table__.columns}
    for start in range(1, count + 1, CHUNK):
        ids = range(start, min(start + CHUNK, count + 1))
        received = [now - timedelta(minutes=i % 1440) for i in ids]
        bulk_insert(Review.__table__, [{
            **blank, "id": i, "serial_no": f"SCH{i:09d}", "rating_count": 1,
            "rated_object": "item", "channel": "mobile", "level": "不满意", "score": 3,
            "is_bad": True, "is_default": False, "rated_at": at, "received_at": at,
            "tags": ["等候时间长"], "region_code": REGION, "reviewer_type": "individual",
            "department_code": code, "department_name": name, "source": "bench",
        } for i, at in zip(ids, received, strict=True)])
        bulk_insert(Case.__table__, [{
            "id": i, "number": f"CP-20260101-{i:06d}", "review_id": i, "status": IN_PROGRESS,
            "responsibility": "item", "department_code": code, "department_name": name,
            "dispatch": "auto", "region_code": REGION, "jurisdiction": "shenzhen",
            "rule_version_id": rule_version, "received_at": at, "version": 2,
            "current_steps": "contact", "invalid": False,
        } for i, at in zip(ids, received, strict=True)])
        timers, tasks = [], []
        for i in ids:
            days = 2 + i % 30 if i % 100 else 45 + i % 30  # 1%: in a year not yet published
            due = now + timedelta(days=days, seconds=i % 86_400)
            warn = due - timedelta(days=1)
            task_id = str(uuid.uuid4())
            for kind, event, at in (("warning", "contact_warn", warn),
                                    ("overdue", "contact_overdue", due)):
                timers.append({"task_id": str(uuid.uuid4()), "case_id": i, "event": event,
                               "kind": kind, "step": "contact", "due_at": at, "fire_at": at,
                               "attempts": 0, "last_error": None})
            tasks.append({
                "task_id": task_id, "case_id": i, "process_id": "bad_review", "step": "contact",
                "title": "联系评价人", "group_name": "department", "department_code": code,
                "region_code": REGION, "jurisdiction": "shenzhen", "state": "open",
                "created_at": received[i - start], "warn_at": warn,
                "due_at": due - timedelta(seconds=1), "rule_key": "contact",
                "provisional": due.date() > workdays.coverage(), "warned": False,
                "overdue": False, "late": False, "assignee_id": None, "claimed_at": None})
        bulk_insert(CaseTask.__table__, tasks)
        bulk_insert(CaseTimer.__table__, timers)
        db.session.commit()


def idle_sweeps(url: str) -> tuple[list[float], float, int]:
    """Milliseconds of each idle sweep, the seeding seconds, the timer rows and the
    provisional tasks."""
    from sqlalchemy import func, select

    from app.cases.records import CaseTask, CaseTimer
    from app.extensions import db
    from app.scheduler.sweep import sweep
    from app.timeutil import utcnow

    app = fresh_app(url)
    with app.app_context():
        t0 = time.perf_counter()
        seed_open_cases(OPEN_CASES, utcnow())
        if db.engine.dialect.name == "postgresql":  # as autovacuum would, after a bulk load
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        seeded = time.perf_counter() - t0
        timers = db.session.scalar(select(func.count()).select_from(CaseTimer))
        provisional = db.session.scalar(select(func.count()).select_from(CaseTask)
                                        .where(CaseTask.provisional.is_(True)))
        times = []
        for _ in range(IDLE_SWEEPS + 1):
            t1 = time.perf_counter()
            result = sweep()
            times.append((time.perf_counter() - t1) * 1e3)
            assert not (result.fired or result.started or result.failed or result.conflicts
                        or result.retimed)
        db.session.remove()
        db.engine.dispose()
    return times[1:], seeded, timers, provisional


def due_sweeps(url: str) -> list[tuple[float, int, int, int, int]]:
    """(seconds, timers fired, failures, SQL statements, workers) of the warning sweep and of the
    overdue sweep."""
    import time_machine
    from sqlalchemy import event

    from app.extensions import db
    from app.reviews.intake import intake
    from app.scheduler.sweep import start_waiting, sweep

    code, name = _department()
    ratings = [{
        "serial_no": f"DUE{i:08d}", "rated_object": "item", "channel": "mobile",
        "level": "不满意", "tags": ["等候时间长"], "text": "排队两个多小时。",
        "rated_at": (RECEIVED - timedelta(minutes=5)).isoformat(), "region_code": REGION,
        "department_code": code, "department_name": name,
    } for i in range(DUE_CASES)]
    app = fresh_app(url)
    out = []
    with app.app_context():
        with time_machine.travel(RECEIVED, tick=False):
            results = intake(ratings, source="bench", now=RECEIVED)
            assert sum(r.case_number is not None for r in results) == DUE_CASES
            started = start_waiting(RECEIVED + timedelta(minutes=1), limit=DUE_CASES)
            assert started == DUE_CASES, started
        workers = app.config["SCHEDULER_WORKERS"] if db.engine.dialect.name == "postgresql" else 1
        statements = [0]

        def count(*_args) -> None:
            statements[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        for when in (WARNINGS_DUE, OVERDUE_DUE):
            statements[0] = 0
            with time_machine.travel(when, tick=True):
                t0 = time.perf_counter()
                result = sweep(when)
                out.append((time.perf_counter() - t0, result.fired, result.failed,
                            statements[0], workers))
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
        db.engine.dispose()
    return out


def run() -> list[dict]:
    rows = []
    for label, url in (("SQLite", sqlite_url()), ("PostgreSQL", postgres_url())):
        if url is None:
            rows.append({"name": f"scheduler sweeps, {label}", "value": "skipped", "unit": "",
                         "goal": None, "ok": None, "detail": "no server reachable"})
            continue
        idle, seeded, timers, provisional = idle_sweeps(url)
        med = statistics.median(idle)
        rows.append({
            "name": f"sweep, nothing due among {OPEN_CASES:,} open cases, {label}",
            "value": round(med, 2), "unit": "ms", "goal": f"< {IDLE_GOAL_MS:g} ms",
            "ok": med < IDLE_GOAL_MS,
            "detail": f"median of {IDLE_SWEEPS} sweeps ({min(idle):.2f}-{max(idle):.2f} ms); "
                      f"{timers:,} timer rows, {provisional:,} provisional tasks, seeded in "
                      f"{seeded:.1f} s"})
        fired = due_sweeps(url)
        kinds = ("warnings", "overdue timers")
        for (seconds, count, failed, sql, workers), what in zip(fired, kinds, strict=True):
            rows.append({
                "name": f"sweep firing {count:,} due {what}, {label}", "value": round(seconds, 2),
                "unit": "s", "goal": f"< {DUE_GOAL_S:g} s",
                "ok": seconds < DUE_GOAL_S and count == DUE_CASES and failed == 0,
                "detail": f"{count / seconds:,.0f} timers/s, {failed} failed, "
                          f"{sql / max(count, 1):.1f} SQL statements a timer (commits apart); "
                          f"one transaction per case, {workers} worker(s), {DUE_CASES:,} cases "
                          "started on the engine"})
    return rows


def main() -> int:
    for row in run():
        goal = f"  (goal {row['goal']}) {'PASS' if row['ok'] else 'MISS'}" if row["goal"] else ""
        print(f"{row['name']}: {row['value']} {row['unit']}{goal}  {row['detail']}")
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT)]
    raise SystemExit(main())
