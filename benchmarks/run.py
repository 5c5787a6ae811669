"""`make bench`: run every benchmark and print each figure next to its goal.

Each module benchmarks/bench_*.py has `run() -> list[dict]` with rows
{name, value, unit, goal, ok, detail}, and is found here by its name:
- bench_calendar: working-day deadlines against workalendar (goal >= 20x faster);
- bench_engine: a whole case lifecycle persisted against bare SpiffWorkflow (goal <= 3x);
- bench_inbox: the inbox page's server time with 50,000 open tasks (goal p95 < 150 ms);
- bench_intake: batch intake throughput on PostgreSQL (goal >= 5,000 ratings/s);
- bench_scheduler: an idle sweep among 100,000 open cases (goal < 20 ms) and a sweep firing
  1,000 due timers (goal < 10 s).
SQLite and PostgreSQL (BENCH_DATABASE_URL, skipped when unreachable) each time. Medians of
several repetitions; the machine is small and noisy, so read the figures as orders of
magnitude, not to the last digit. `python benchmarks/run.py engine` runs the modules whose
names contain "engine"."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]


def main(names: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    rows = []
    for name in modules:
        if names and not any(n in name for n in names):
            continue
        print(f"== {name}", flush=True)
        for row in importlib.import_module(name).run():
            rows.append(row)
            verdict = "n/a" if row.get("ok") is None else ("PASS" if row["ok"] else "MISS")
            goal = f"  (goal {row['goal']})  {verdict}" if row.get("goal") else ""
            detail = f"  — {row['detail']}" if row.get("detail") else ""
            print(f"   {row['name']}: {row['value']} {row['unit']}{goal}{detail}", flush=True)
    out = HERE / "results.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    print(f"\nwritten to {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
