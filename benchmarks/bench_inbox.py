"""The inbox page's server time with 50,000 open tasks across 100 departments.

Seeded in bulk: 100 departments of Shenzhen, 50,000 cases each with one open task (the steps
of every lane, deadlines from ten working days late to three weeks ahead, a third claimed) and
10,000 done tasks. Then signed-in users open their inbox pages through the Flask test client,
which is the whole server side of a request (session, queries, template): caseworkers their
department pool and their own tasks, supervisors every open task of their department, the
hotline its revisit queue and its watch lists (超期预警, 超期督办) over the whole city, the
agency its overdue (督办) queue over the whole city, and an administrator every open task. p95
of each view and of all of them; goal p95 under 150 ms.

`python benchmarks/bench_inbox.py [--requests N]` prints the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from dbsetup import fresh_app, postgres_url, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
DEPARTMENTS = 100
OPEN_TASKS = 50_000
DONE_TASKS = 10_000
REQUESTS = 40  # per view
GOAL_MS = 150.0
PASSWORD = "bench-pass-1"
CHUNK = 10_000
STEPS = (  # (step, title, group, weight)
    ("contact", "联系评价人", "department", 8), ("verify", "核实认定", "department", 6),
    ("classify", "整改分类", "department", 3), ("rectify", "整改", "department", 10),
    ("feedback", "反馈结果", "department", 4), ("revisit", "回访", "hotline", 4),
    ("dispatch", "派单", "hotline", 1), ("appeal_decide", "申诉审核", "agency", 1),
    ("approve_extension", "审批延期", "agency", 1),
)


def _departments() -> list[tuple[str, str, str]]:
    from app.demo.data import uscc

    districts = ("440303", "440304", "440305", "440306", "440307", "440308", "440309")
    return [(uscc("440300", 100 + n), f"深圳市第{n + 1}局", f"{districts[n % 7]}000000")
            for n in range(DEPARTMENTS)]


def seed(now) -> dict[str, str]:
    """Departments, people, cases and tasks in bulk; returns usernames by view."""
    from app.org.service import ensure_departments

    depts = _departments()
    ensure_departments(depts)
    people = _people(depts)
    _cases_and_tasks(depts, people, now)
    return {"caseworker": "w0", "supervisor": "s0", "hotline": "hotline", "agency": "agency",
            "admin": "root"}


def _people(depts) -> dict[str, int]:
    """A caseworker and a supervisor per department, the city's hotline and agency, an admin;
    only those who sign in get a (slow to hash) password. Department code → caseworker id."""
    from app.auth import users

    workers = {}
    for n, (code, _, region) in enumerate(depts):
        pw = PASSWORD if n == 0 else None
        workers[code] = users.create(f"w{n}", f"经办人{n}", "caseworker", code, region,
                                     password=pw).id
        users.create(f"s{n}", f"负责人{n}", "supervisor", code, region, password=pw)
    users.create("hotline", "话务员", "hotline", None, "440300000000", password=PASSWORD)
    users.create("agency", "管理机构", "agency", None, "440300000000", password=PASSWORD)
    users.create("root", "管理员", "admin", None, None, password=PASSWORD)
    return workers


def _cases_and_tasks(depts, workers, now) -> None:
    from app.cases.models import IN_PROGRESS, Case
    from app.cases.records import CaseTask
    from app.dbutil import bulk_insert
    from app.extensions import db
    from app.reviews.models import Review
    from app.rules import service as rules_service

    rnd = random.Random(7)
    rule_version = rules_service.record_loaded_versions()["shenzhen"]
    blank = {c.key: None for c in Review.__table__.columns}
    steps = [s for s in STEPS for _ in range(s[3])]
    total = OPEN_TASKS + DONE_TASKS
    for start in range(1, total + 1, CHUNK):
        ids = range(start, min(start + CHUNK, total + 1))
        rows = [(i, depts[i % DEPARTMENTS], rnd.choice(steps), i > OPEN_TASKS) for i in ids]
        received = {i: now - timedelta(days=rnd.randint(1, 40), minutes=i % 1440)
                    for i, *_ in rows}
        bulk_insert(Review.__table__, [{
            **blank, "id": i, "serial_no": f"INB{i:09d}", "rating_count": 1,
            "rated_object": "item", "channel": "mobile", "level": "不满意", "score": 3,
            "is_bad": True, "is_default": False, "rated_at": received[i],
            "received_at": received[i], "tags": ["等候时间长"], "region_code": d[2],
            "reviewer_type": "individual", "department_code": d[0], "department_name": d[1],
            "item_name": "社会保障卡申领", "source": "bench"} for i, d, _, _ in rows])
        bulk_insert(Case.__table__, [{
            "id": i, "number": f"CP-20261101-{i:06d}", "review_id": i, "status": IN_PROGRESS,
            "responsibility": "item", "department_code": d[0], "department_name": d[1],
            "dispatch": "auto", "region_code": d[2], "jurisdiction": "shenzhen",
            "rule_version_id": rule_version, "received_at": received[i], "version": 2,
            "current_steps": s[0], "invalid": False,
            "rectify_class": rnd.choice((None, "simple", "general", "complex"))}
            for i, d, s, _ in rows])
        bulk_insert(CaseTask.__table__, [_task(i, d, s, done, workers, now, rnd)
                                         for i, d, s, done in rows])
        db.session.commit()


def _task(i, dept, step, done, workers, now, rnd) -> dict:
    due = now + timedelta(days=rnd.randint(-14, 21), hours=rnd.randint(0, 23))
    claimed = done or rnd.random() < 0.33
    worker = workers[dept[0]] if step[2] == "department" and claimed else None
    return {
        "task_id": str(uuid.uuid4()), "case_id": i, "process_id": "bad_review",
        "step": step[0], "title": step[1], "group_name": step[2], "department_code": dept[0],
        "region_code": dept[2], "jurisdiction": "shenzhen",
        "state": "done" if done else "open", "assignee_id": worker,
        "claimed_at": now if worker else None, "created_at": now - timedelta(days=3),
        "warn_at": due - timedelta(days=1), "due_at": due, "rule_key": step[0],
        "provisional": False, "warned": due - timedelta(days=1) < now, "overdue": due < now,
        "completed_at": now - timedelta(hours=i % 500) if done else None,
        "completed_by_id": worker if done else None, "late": done and due < now}


VIEWS = (  # (label, who, path)
    ("caseworker: department pool", "caseworker", "/inbox?tab=pool"),
    ("caseworker: my tasks", "caseworker", "/inbox"),
    ("caseworker: done, sorted", "caseworker", "/inbox?tab=done"),
    ("supervisor: all open, overdue filter", "supervisor", "/inbox?tab=all&overdue=1"),
    ("hotline: revisit queue", "hotline", "/inbox?tab=pool&queue=revisit"),
    ("hotline: warned (超期预警), city-wide", "hotline", "/inbox?tab=all&queue=warned"),
    ("hotline: overdue (超期督办), city-wide", "hotline", "/inbox?tab=all&queue=escalated"),
    ("agency: overdue queue (督办), city-wide", "agency", "/inbox?tab=all&queue=escalated"),
    ("admin: all open, page 5", "admin", "/inbox?tab=all&page=5"),
    ("caseworker: search by serial number", "caseworker", "/inbox?tab=pool&q=INB000000100"),
)


def measure(url: str, requests: int) -> dict[str, list[float]]:
    from app.extensions import db
    from app.timeutil import utcnow

    app = fresh_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    out: dict[str, list[float]] = {}
    with app.app_context():
        who = seed(utcnow())
        with db.engine.connect() as conn:  # statistics, as autovacuum (PostgreSQL) and
            conn.exec_driver_sql("ANALYZE")  # the app's PRAGMA optimize (SQLite) keep them
            conn.commit()
        clients = {}
        for role, username in who.items():
            client = app.test_client()
            resp = client.post("/login", data={"username": username, "password": PASSWORD})
            assert resp.status_code == 302, (username, resp.status_code)
            clients[role] = client
        for label, role, path in VIEWS:
            times = []
            for n in range(requests + 3):
                t0 = time.perf_counter()
                resp = clients[role].get(path)
                elapsed = (time.perf_counter() - t0) * 1e3
                assert resp.status_code == 200, (path, resp.status_code)
                if n >= 3:  # warm-up: first template compile, first queries
                    times.append(elapsed)
            out[label] = times
        db.session.remove()
        db.engine.dispose()
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(requests: int = REQUESTS) -> list[dict]:
    rows = []
    for label, url in (("SQLite", sqlite_url()), ("PostgreSQL", postgres_url())):
        if url is None:
            rows.append({"name": f"inbox page, {label}", "value": "skipped", "unit": "",
                         "goal": f"p95 < {GOAL_MS:g} ms", "ok": None,
                         "detail": "no server reachable"})
            continue
        views = measure(url, requests)
        every = [t for times in views.values() for t in times]
        worst = max(views, key=lambda v: p95(views[v]))
        rows.append({
            "name": f"inbox page server time, 50,000 open tasks, {label}",
            "value": round(p95(every), 1), "unit": "ms p95", "goal": f"p95 < {GOAL_MS:g} ms",
            "ok": p95(every) < GOAL_MS,
            "detail": f"{len(views)} views x {requests} requests, median "
                      f"{statistics.median(every):.1f} ms; slowest view: {worst} "
                      f"(p95 {p95(views[worst]):.1f} ms)"})
        for view, times in views.items():
            rows.append({"name": f"  {view}, {label}", "value": round(p95(times), 1),
                         "unit": "ms p95", "goal": None, "ok": None,
                         "detail": f"median {statistics.median(times):.1f} ms"})
    return rows


def main(argv: list[str]) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--requests", type=int, default=REQUESTS)
    opts = args.parse_args(argv)
    for row in run(opts.requests):
        goal = f"  (goal {row['goal']}) {'PASS' if row['ok'] else 'MISS'}" if row["goal"] else ""
        print(f"{row['name']}: {row['value']} {row['unit']}{goal}  {row['detail']}")
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT)]
    raise SystemExit(main(sys.argv[1:]))
