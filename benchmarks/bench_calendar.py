"""Working-day deadlines: `app.workdays.deadline` against workalendar's own China calendar.

1,000,000 deadlines of 1-15 working days from random instants across the covered years (seeded),
through the module-level API as the app calls it. Baseline: `workalendar.asia.China()
.add_working_days` over the same offsets from dates in 2023 (a year it knows; it raises from 2024
on), on a smaller sample because it is slow. Medians of several repetitions; goal >= 20x faster.

Run from the repository root: `.venv/bin/python benchmarks/bench_calendar.py`.
"""

from __future__ import annotations

import logging
import random
import statistics
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CALLS = 1_000_000
BASELINE_CALLS = 20_000
REPEATS = 5
GOAL = 20.0
SEED = 20250127


def _inputs(count: int, seed: int) -> tuple[list[datetime], list[int]]:
    """Aware instants spread over the covered years, and offsets 1..15."""
    from app import workdays

    rng = random.Random(seed)
    first = datetime.combine(workdays.first_covered(), datetime.min.time(), workdays.SHANGHAI)
    span = int((workdays.coverage() - workdays.first_covered()).total_seconds()) + 86_400
    instants = [first + timedelta(seconds=rng.randrange(span)) for _ in range(count)]
    return instants, [rng.randint(1, 15) for _ in range(count)]


def _time_ours(instants: list[datetime], offsets: list[int]) -> float:
    from app.workdays import deadline

    start = time.perf_counter()
    for received, n in zip(instants, offsets, strict=True):
        deadline(received, n)
    return (time.perf_counter() - start) / len(instants) * 1e6


def _time_workalendar(offsets: list[int], seed: int) -> float:
    from workalendar.asia import China

    rng = random.Random(seed)
    # start dates up to 2023-11-30, so that 15 working days stay inside 2023
    days = [date(2023, 1, 1) + timedelta(days=rng.randrange(334)) for _ in offsets]
    china = China()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        for day, n in zip(days, offsets, strict=True):
            china.add_working_days(day, n)
        return (time.perf_counter() - start) / len(offsets) * 1e6


def run() -> list[dict]:
    """Rows {name, value, unit, goal, ok, detail} for benchmarks/run.py."""
    from app import workdays

    workdays.configure(ROOT / "calendars", reload_seconds=2.0)
    instants, offsets = _inputs(CALLS, SEED)
    log = logging.getLogger("app.workdays")
    level, log.level = log.level, logging.ERROR  # the once-per-year "provisional" note for 2027
    try:
        ours = statistics.median(_time_ours(instants, offsets) for _ in range(REPEATS))
    finally:
        log.setLevel(level)
    theirs = statistics.median(_time_workalendar(offsets[:BASELINE_CALLS], SEED + rep)
                               for rep in range(REPEATS))
    ratio = theirs / ours
    detail = (f"{CALLS:,} calls x {REPEATS} (baseline {BASELINE_CALLS:,} x {REPEATS}), medians; "
              f"deadlines across {workdays.first_covered().year}-{workdays.coverage().year}")
    return [
        {"name": "calendar.deadline", "value": round(ours, 2), "unit": "µs/call",
         "goal": None, "ok": None, "detail": detail},
        {"name": "workalendar China.add_working_days", "value": round(theirs, 1),
         "unit": "µs/call", "goal": None, "ok": None, "detail": "2023 dates, same offsets"},
        {"name": "calendar.deadline speed-up", "value": round(ratio, 1), "unit": "x",
         "goal": f">= {GOAL:g}x", "ok": ratio >= GOAL, "detail": ""},
    ]


def main() -> int:
    rows = {row["name"]: row for row in run()}
    ours = rows["calendar.deadline"]["value"]
    theirs = rows["workalendar China.add_working_days"]["value"]
    speed = rows["calendar.deadline speed-up"]
    verdict = "PASS" if speed["ok"] else "MISS"
    print(f"calendar.deadline: {ours:.2f} µs/call; workalendar China.add_working_days: "
          f"{theirs:.1f} µs/call; ratio {speed['value']:.1f}x (goal >= {GOAL:g}x) {verdict}")
    return 0 if speed["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
