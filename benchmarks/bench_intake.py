"""Batch intake throughput through the service layer (validate, store, route, open cases).

Goal (issue 2): at least 5,000 ratings/s on PostgreSQL. Batches of 1,000 demo-shaped ratings,
7% of them bad (each opening a case), as `app.reviews.intake.intake` receives them from the API."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from dbsetup import fresh_app, postgres_url, sqlite_url

BATCH = 1000
BATCHES = 10
REPEATS = 3
GOAL = 5000


def _throughput(url: str) -> list[float]:
    from app.demo.generate import ratings
    from app.extensions import db
    from app.reviews.intake import intake
    from app.timeutil import utcnow

    app = fresh_app(url)
    rates = []
    with app.app_context():
        now = utcnow()
        for rep in range(REPEATS):
            items = ratings(BATCH * BATCHES, now - timedelta(minutes=1), seed=1000 + rep)
            for i, item in enumerate(items):
                item["serial_no"] = f"B{rep}-{i:08d}"
            start = time.perf_counter()
            for b in range(BATCHES):
                results = intake(items[b * BATCH:(b + 1) * BATCH], source="bench")
                assert all(r.status == "created" for r in results)
            rates.append(len(items) / (time.perf_counter() - start))
        db.session.remove()
        db.engine.dispose()
    return rates


def run() -> list[dict]:
    rows = []
    for label, url in (("SQLite", sqlite_url()), ("PostgreSQL", postgres_url())):
        if url is None:
            rows.append({"name": f"intake throughput, {label}", "value": "skipped", "unit": "",
                         "goal": f">= {GOAL}/s", "ok": None, "detail": "no server reachable"})
            continue
        rates = _throughput(url)
        med = statistics.median(rates)
        rows.append({
            "name": f"intake throughput, {label}", "value": f"{med:,.0f}", "unit": "ratings/s",
            "goal": f">= {GOAL:,}/s" + ("" if label == "PostgreSQL" else " (on PostgreSQL)"),
            "ok": med >= GOAL if label == "PostgreSQL" else None,
            "detail": f"median of {REPEATS} runs of {BATCHES}x{BATCH}; runs "
                      + ", ".join(f"{r:,.0f}" for r in rates)})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
