"""A whole case lifecycle, persisted, against the same diagrams run in memory by bare
SpiffWorkflow.

Persisted: a bad rating posted through `app.reviews.intake.intake`, started on the engine
(`start_waiting`), then contact → verify (valid) → classify (general) → rectify → feedback →
revisit (satisfied) through `lifecycle.complete`, each change committed on its own, until the
case is closed. Bare: `bpmn/*.bpmn` parsed once with CamundaParser, the same path run in memory
with a PythonScriptEngine whose environment holds the same timer helpers (`TimerHelpers` on a
`CaseClock`: pure Python, the same working-day instants), the same tasks completed with the same
data. The two alternate case by case, so that the machine's noise hits both alike. Per-case
medians after a warm-up, on SQLite and PostgreSQL; goal: persisted at most 3x bare.

`python benchmarks/bench_engine.py [--cases N]` prints the figures; `--breakdown` times the
main calls of the persisted lifecycle on both databases (where the time goes), `--profile
[--postgres]` runs it under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from dbsetup import fresh_app, postgres_url, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
CASES = 200
WARMUP = 20
GOAL = 3.0
REGION = "440305000000"
PATH = (
    ("contact", {"contact_result": "reached", "reason": "排队两个多小时，叫号系统还出错。",
                 "demand": "希望增加高峰时段窗口"}),
    ("verify", {"determination": "valid",
                "findings": "经调取叫号系统记录，当日平均等候时间约95分钟，反映情况属实。"}),
    ("classify", {"rectify_class": "general"}),
    ("rectify", {"rectify_outcome": "done", "rectify_result": "高峰时段增开2个综合窗口。"}),
    ("feedback", {"feedback_text": "已电话告知评价人整改情况。", "feedback_channel": "phone"}),
    ("revisit", {"revisit_result": "satisfied", "revisit_channel": "phone"}),
)


def _rating(n: int, now) -> dict:
    from app.demo.data import uscc

    return {
        "serial_no": f"BE{n:010d}", "rated_object": "item", "channel": "mobile",
        "level": "不满意", "tags": ["等候时间长"], "text": "排队两个多小时，叫号系统还出错。",
        "rated_at": (now - timedelta(minutes=5)).isoformat(), "region_code": REGION,
        "item_code": "0001370004", "item_name": "社会保障卡申领",
        "department_code": uscc("440300", 3), "department_name": "深圳市人力资源和社会保障局",
        "reviewer_name": "张三", "reviewer_phone": "13812345678",
    }


class Bare:
    """The diagrams parsed once; one case run in memory as SpiffWorkflow's own examples do."""

    def __init__(self, rules) -> None:
        from SpiffWorkflow.camunda.parser import CamundaParser

        parser = CamundaParser()
        for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
            parser.add_bpmn_file(str(path))
        self.spec = parser.get_spec("bad_review")
        self.subprocess_specs = parser.get_subprocess_specs("bad_review")
        self.rules = rules

    def run(self, now) -> None:
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        from app.engine import CaseClock, TimerHelpers

        clock = CaseClock(now, REGION, self.rules, now=lambda: now)
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs)
        env = TaskDataEnvironment(TimerHelpers(clock).environment())
        workflow.script_engine = PythonScriptEngine(environment=env)
        data = _start_data(now)
        workflow.get_next_task(state=TaskState.READY).data.update(data)
        workflow.data.update(data)
        workflow.do_engine_steps()
        for step, form in PATH:
            task = next(t for t in workflow.get_tasks(state=TaskState.READY)
                        if t.task_spec.bpmn_id == step)
            task.data.update(form)
            task.run()
            workflow.do_engine_steps()
        assert workflow.is_completed()


def _start_data(now) -> dict:
    """The process variables of docs/process.md, as lifecycle.start_data gives them."""
    from app.demo.data import uscc

    return {
        "case_number": "CP-20260101-000001", "jurisdiction": "shenzhen", "region_code": REGION,
        "responsibility": "item", "rated_object": "item", "dispatch": "auto",
        "department_code": uscc("440300", 3), "department_name": "深圳市人力资源和社会保障局",
        "level": "不满意", "tags": ["等候时间长"], "received_at": now.isoformat(),
        "extended_until": None, "reopened": False, "determination": None,
        "rectify_class": None, "appeal_result": None, "staff_determination": None,
    }


def persisted_case(n: int) -> None:
    """One case from intake to close through the service layer, a transaction per change."""
    from sqlalchemy import select

    from app.cases import lifecycle
    from app.cases.models import CLOSED, Case
    from app.cases.records import CaseTask
    from app.extensions import db
    from app.reviews.intake import intake
    from app.scheduler.sweep import start_waiting
    from app.timeutil import utcnow

    now = utcnow()
    (result,) = intake([_rating(n, now)], source="bench", now=now)
    case_id = db.session.scalar(select(Case.id).where(Case.number == result.case_number))
    start_waiting(now, case_ids=[case_id])
    for step, form in PATH:
        case = db.session.get(Case, case_id)
        task_id = db.session.scalar(select(CaseTask.task_id).where(
            CaseTask.case_id == case_id, CaseTask.state == "open", CaseTask.step == step))
        lifecycle.complete(case, task_id, form, None, utcnow())
        db.session.commit()
    assert db.session.get(Case, case_id).status == CLOSED


def _measure(url: str, cases: int) -> tuple[list[float], list[float]]:
    """Per-case seconds of the persisted and the bare lifecycle, alternating."""
    from app.extensions import db
    from app.rules import service as rules_service
    from app.timeutil import utcnow

    app = fresh_app(url)
    with app.app_context():
        bare = Bare(rules_service.current().get("shenzhen"))
        persisted, memory = [], []
        for n in range(WARMUP + cases):
            t0 = time.perf_counter()
            persisted_case(n)
            t1 = time.perf_counter()
            bare.run(utcnow())
            t2 = time.perf_counter()
            if n >= WARMUP:
                persisted.append(t1 - t0)
                memory.append(t2 - t1)
        db.session.remove()
        db.engine.dispose()
    return persisted, memory


def run(cases: int = CASES) -> list[dict]:
    rows = []
    for label, url in (("SQLite", sqlite_url()), ("PostgreSQL", postgres_url())):
        if url is None:
            rows.append({"name": f"case lifecycle ratio, {label}", "value": "skipped",
                         "unit": "", "goal": f"<= {GOAL:g}x", "ok": None,
                         "detail": "no server reachable"})
            continue
        persisted, memory = _measure(url, cases)
        p, m = statistics.median(persisted) * 1e3, statistics.median(memory) * 1e3
        ratio = p / m
        rows += [
            {"name": f"case lifecycle persisted, {label}", "value": round(p, 1),
             "unit": "ms/case", "goal": None, "ok": None,
             "detail": f"intake, start, 6 tasks to close, 8 transactions; median of {cases} "
                       f"(p90 {statistics.quantiles(persisted, n=10)[-1] * 1e3:.1f} ms)"},
            {"name": f"case lifecycle bare SpiffWorkflow (with {label} run)",
             "value": round(m, 2), "unit": "ms/case", "goal": None, "ok": None,
             "detail": "same diagrams, path and timer helpers, in memory"},
            {"name": f"case lifecycle ratio, {label}", "value": round(ratio, 1), "unit": "x",
             "goal": f"<= {GOAL:g}x", "ok": ratio <= GOAL, "detail": "persisted / bare"},
        ]
    return rows


# (module, attribute, label): where a persisted lifecycle's time goes, for --breakdown. Each
# is timed inclusively where callers look it up; names the code no longer has are skipped.
TIMED = (
    ("app.reviews.intake", "intake", "intake (one bad rating)"),
    ("app.scheduler.sweep", "start_waiting", "start_waiting"),
    ("app.cases.lifecycle", "start", "  lifecycle.start"),
    ("app.processes.service", "current", "    processes.current (bpmn/ stat, version query)"),
    ("app.cases.lifecycle", "complete", "lifecycle.complete (x6)"),
    ("app.cases.lifecycle", "claim", "  claim (UPDATE ... version)"),
    ("app.cases.writes", "claim_with_open_tasks", "  claim with the open tasks"),
    ("app.cases.lifecycle", "load", "  lifecycle.load (state row, cached definition, loads)"),
    ("app.processes.service", "definition", "    processes.definition (first use: hash)"),
    ("app.engine.state.StateSerializer", "loads", "    StateSerializer.loads"),
    ("app.engine.runs.CaseRun", "user_task", "  CaseRun.user_task"),
    ("app.engine.runs.CaseRun", "complete", "  CaseRun.complete"),
    ("app.engine.runs", "validate_form", "    validate_form"),
    ("app.engine.runs.CaseRun", "_advance", "    CaseRun._advance (engine steps)"),
    ("app.cases.lifecycle", "_after", "  lifecycle._after (also in start)"),
    ("app.cases.lifecycle", "sync_tasks", "    sync_tasks"),
    ("app.cases.lifecycle", "sync_timers", "    sync_timers"),
    ("app.engine.state.StateSerializer", "dumps", "    StateSerializer.dumps"),
    ("app.cases.writes", "apply", "    writes.apply (the change's writes)"),
    ("app.engine.runs.CaseRun", "timers", "CaseRun.timers (every call)"),
    ("app.engine.runs.CaseRun", "user_tasks", "CaseRun.user_tasks (every call)"),
    ("sqlalchemy.orm.Session", "flush", "Session.flush (every call, autoflush too)"),
    ("sqlalchemy.orm.Session", "commit", "Session.commit (last flush + COMMIT)"),
)


@contextmanager
def timed(targets=TIMED) -> Iterator[tuple[dict, dict]]:
    """Wrap `targets` with timers; yields (seconds, calls) by label, restores on exit."""
    seconds: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    undo = []
    for where, name, label in targets:
        owner = _resolve(where)
        if owner is None or not hasattr(owner, name):
            continue
        original = owner.__dict__.get(name, getattr(owner, name))
        func = original.__func__ if isinstance(original, classmethod | staticmethod) else original

        def wrapper(*a, _f=func, _l=label, **k):
            t0 = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                seconds[_l] += time.perf_counter() - t0
                calls[_l] += 1

        wrapped = functools.wraps(func)(wrapper)
        setattr(owner, name, classmethod(wrapped) if isinstance(original, classmethod)
                else wrapped)
        undo.append((owner, name, original))
    try:
        yield seconds, calls
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


def _resolve(where: str):
    """A module, or a class inside one, by dotted name; None when it is gone."""
    parts = where.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def breakdown(url: str, cases: int) -> None:
    """Milliseconds per lifecycle in each of TIMED (inclusive), and SQL statements with the
    time between handing each to the driver and its return."""
    from sqlalchemy import event

    from app.extensions import db

    app = fresh_app(url)
    with app.app_context():
        for n in range(WARMUP):
            persisted_case(n)
        statements, in_driver, started = [0], [0.0], [0.0]

        def before(*_a) -> None:
            statements[0] += 1
            started[0] = time.perf_counter()

        def after(*_a) -> None:
            in_driver[0] += time.perf_counter() - started[0]

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        with timed() as (seconds, calls):
            t0 = time.perf_counter()
            for n in range(WARMUP, WARMUP + cases):
                persisted_case(n)
            total = time.perf_counter() - t0
        db.session.remove()
        db.engine.dispose()
    print(f"== {url.split(':')[0]}: {total / cases * 1e3:.1f} ms per lifecycle (with the "
          f"timers), {statements[0] / cases:.0f} SQL statements taking "
          f"{in_driver[0] / cases * 1e3:.1f} ms in the driver (round trips included; "
          "commits apart)")
    for _, _, label in TIMED:
        if label in seconds:
            print(f"   {label:52s} {seconds[label] / cases * 1e3:7.2f} ms "
                  f"({calls[label] / cases:4.1f} calls)")


def profile(url: str, cases: int, top: int = 40) -> None:
    """cProfile of `cases` persisted lifecycles after a warm-up: the functions by cumulative
    and by own time."""
    from app.extensions import db

    app = fresh_app(url)
    with app.app_context():
        for n in range(WARMUP):
            persisted_case(n)
        prof = cProfile.Profile()
        prof.enable()
        for n in range(WARMUP, WARMUP + cases):
            persisted_case(n)
        prof.disable()
        db.session.remove()
        db.engine.dispose()
    stats = pstats.Stats(prof).strip_dirs()
    print(f"\n== {cases} persisted lifecycles on {url.split(':')[0]}: by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)
    print("== by own time")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str]) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--profile", action="store_true", help="cProfile the persisted runs")
    args.add_argument("--breakdown", action="store_true",
                      help="time the persisted runs' main calls (both databases)")
    args.add_argument("--cases", type=int, default=CASES)
    args.add_argument("--postgres", action="store_true", help="profile on PostgreSQL")
    opts = args.parse_args(argv)
    if opts.breakdown:
        for url in (sqlite_url(), postgres_url()):
            if url:
                breakdown(url, opts.cases)
        return 0
    if opts.profile:
        profile(postgres_url() if opts.postgres else sqlite_url(), opts.cases)
        return 0
    for row in run(opts.cases):
        goal = f"  (goal {row['goal']}) {'PASS' if row['ok'] else 'MISS'}" if row["goal"] else ""
        print(f"{row['name']}: {row['value']} {row['unit']}{goal}  {row['detail']}")
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT)]
    raise SystemExit(main(sys.argv[1:]))
