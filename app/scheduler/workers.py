"""Firing due timers on several database connections at once (并行触发, PostgreSQL).

Firing a timer waits on the database for a good part of its time (round trips, the server's
work, the commit's flush to disk); a second worker fires another case meanwhile. Workers share
the due timers as separate scheduler processes do (a claim skips timers another holds), and two
of them never work on one case: a worker that claims a timer of a case in another worker's
hands lets it go, as that worker's change fires every due timer of the case. This also keeps
two workers from waiting for each other's row locks (a deadlock PostgreSQL would break only
after a second). SQLite has one writer at a time, so it gets one worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import current_app

from app.extensions import db


class CasesInHand:
    """The cases the workers of one pass are firing timers of."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[int] = set()

    def take(self, case_id: int) -> bool:
        """Take the case; False when another worker has it."""
        with self._lock:
            if case_id in self._ids:
                return False
            self._ids.add(case_id)
            return True

    def release(self, case_id: int) -> None:
        with self._lock:
            self._ids.discard(case_id)


def run_workers(count: int, work: Callable[[CasesInHand], Any]) -> list[Any]:
    """`work(hand)` in `count` threads, each in its own app context (its own session and
    connection); their results, once all have finished. The first error is raised then."""
    app = current_app._get_current_object()
    hand = CasesInHand()
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        with app.app_context():
            try:
                results[index] = work(hand)
            except BaseException as exc:  # noqa: BLE001 - raised in the calling thread below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,), name=f"timers-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
