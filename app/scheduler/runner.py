"""APScheduler around `sweep`: wake at the earliest due instant and on a slow safety interval.

In the app process (`make run`, SCHEDULER_IN_APP=1) a BackgroundScheduler runs it, started once
per process and never in the reloader's watcher process; with gunicorn, run it as its own
process: `flask scheduler run`. Several schedulers may run: claims keep firing exactly-once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

import click
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app import serving
from app.scheduler.sweep import SweepResult, sweep
from app.timeutil import utcnow

log = logging.getLogger("app.scheduler")
EXTENSION = "timer_scheduler"
WAKE_JOB, SAFETY_JOB = "wake", "safety"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TimerScheduler:
    """Runs `sweep` passes for `app`, one at a time."""

    def __init__(self, app: Flask, scheduler: BaseScheduler) -> None:
        self.app, self.scheduler = app, scheduler
        self._lock = threading.Lock()
        self._again = False
        self.last: SweepResult | None = None
        self.last_at: datetime | None = None

    def start(self) -> None:
        safety = self.app.config["SCHEDULER_SAFETY_SECONDS"]
        self.scheduler.add_job(self.tick, "interval", seconds=safety, id=SAFETY_JOB,
                               max_instances=1, coalesce=True, next_run_time=utcnow())
        log.info("scheduler started (safety interval %ss)", safety)
        self.scheduler.start()

    def nudge(self) -> None:
        """Run a pass soon (after intake opened cases)."""
        self._wake_at(utcnow())

    def _wake_at(self, when: datetime) -> None:
        self.scheduler.add_job(self.tick, "date", run_date=when, id=WAKE_JOB,
                               replace_existing=True, misfire_grace_time=None)

    def tick(self) -> None:
        """One pass (or, when one is running, another right after it)."""
        if not self._lock.acquire(blocking=False):
            self._again = True
            return
        try:
            while True:
                self._again = False
                self._pass()
                if not self._again:
                    break
        finally:
            self._lock.release()

    def _pass(self) -> None:
        with self.app.app_context():
            try:
                result = sweep()
            except Exception:
                log.exception("scheduler pass failed")
                return
        self.last, self.last_at = result, utcnow()
        if result.fired or result.started or result.failed:
            log.info("scheduler: started %s cases, fired %s timers, %s failed",
                     result.started, result.fired, result.failed)
        safety = timedelta(seconds=self.app.config["SCHEDULER_SAFETY_SECONDS"])
        if result.next_due is not None and result.next_due < utcnow() + safety:
            # a timer fires once its instant has passed: wake just after it
            self._wake_at(max(result.next_due + timedelta(seconds=1), utcnow()))


def should_start(app: Flask, ctx: click.Context | None,
                 environ: Mapping[str, str] | None = None) -> bool:
    """Start the in-process scheduler? When SCHEDULER_IN_APP is set, not under tests, and only
    in the process that serves requests: once under `flask run` with or without the reloader
    (its child, not the watcher), `flask --debug run`, `flask --app wsgi run`, and in a WSGI
    server; never in other `flask` commands (`flask db upgrade`, `flask demo load`, ...)."""
    if not app.config["SCHEDULER_IN_APP"] or app.testing:
        return False
    return serving.serves_requests(ctx, environ)


def init_app(app: Flask) -> None:
    """Start the in-process scheduler when `should_start` says so (make run)."""
    if not should_start(app, serving.cli_context()):
        return
    runner = TimerScheduler(app, BackgroundScheduler(timezone="UTC", daemon=True))
    app.extensions[EXTENSION] = runner
    runner.start()


def nudge(app: Flask) -> None:
    runner = app.extensions.get(EXTENSION)
    if runner is not None:
        runner.nudge()


def run_blocking(app: Flask) -> None:
    """`flask scheduler run`: the scheduler as its own process, until Ctrl-C (SIGINT) or
    SIGTERM (systemd, Kubernetes): the pass in progress finishes, then it stops."""
    runner = TimerScheduler(app, BlockingScheduler(timezone="UTC"))
    app.extensions[EXTENSION] = runner
    stopper = Stopper(runner.scheduler)
    previous = {sig: signal.signal(sig, stopper.request) for sig in STOP_SIGNALS}
    try:
        if not stopper.requested:
            runner.start()  # returns once the stopper shut the scheduler down
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stopper.finish()
    log.info("scheduler stopped")


class Stopper:
    """Shuts a blocking scheduler down from a signal handler. The handler only starts a thread
    (no exception is raised into the scheduler's main loop, wherever it is): the thread waits
    until the scheduler runs (a signal may come as it starts) and shuts it down, waiting for
    the running pass."""

    def __init__(self, scheduler: BaseScheduler) -> None:
        self.scheduler = scheduler
        self.requested = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def request(self, _signum: int = 0, _frame=None) -> None:
        if self.requested:
            return
        self.requested = True
        self._thread = threading.Thread(target=self._stop, name="scheduler-stop")
        self._thread.start()

    def _stop(self) -> None:
        while not self._done.is_set():
            try:
                self.scheduler.shutdown(wait=True)
                return
            except SchedulerNotRunningError:
                self._done.wait(0.05)  # not started yet

    def finish(self) -> None:
        """After the scheduler returned: end the stop thread once it is done."""
        self._done.set()
        if self._thread is not None:
            self._thread.join()
