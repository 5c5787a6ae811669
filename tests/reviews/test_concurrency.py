"""The same rating arriving twice at the same moment is stored once, with one case."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.reviews.models import Review

THREADS = 6


def test_concurrent_duplicates_store_one_rating_and_one_case(app, client, auth, bad_rating):
    payloads = [bad_rating(serial_no=f"DUP{i}") for i in range(5)]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    numbers: list[list[str]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with app.app_context():
                c = app.test_client()
                barrier.wait()
                resp = c.post("/api/v1/reviews", json=payloads, headers=auth)
                statuses.append(resp.status_code)
                numbers.append([r["case_number"] for r in resp.json["results"]])
                db.session.remove()
        except BaseException as err:  # noqa: BLE001 - surfaced below
            errors.append(err)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert statuses == [200] * THREADS
    assert all(n == numbers[0] for n in numbers), numbers
    assert db.session.scalar(select(func.count(Review.id))) == 5
    assert db.session.scalar(select(func.count(Case.id))) == 5
