"""The scheduler: cases opened before the engine existed are started; passes wake at the earliest
due timer; the in-app scheduler never starts under tests or in the reloader's watcher."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from types import SimpleNamespace

import click
import pytest
from flask.cli import FlaskGroup, run_command
from sqlalchemy import func, select

from app.cases.models import AWAITING_ENGINE, IN_PROGRESS, Case
from app.cases.records import CaseTask, CaseTimer
from app.extensions import db
from app.reviews.intake import intake
from app.scheduler import runner
from app.scheduler import sweep as sweep_module
from app.scheduler.sweep import backoff, sweep
from app.scheduler.workers import CasesInHand, run_workers
from app.timeutil import SHANGHAI


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_cases_opened_without_the_engine_are_started(app_ctx, bad_rating, time_machine):
    time_machine.move_to(bj("2026-09-30 10:00"), tick=False)
    results = intake([bad_rating(), bad_rating(), bad_rating(rated_object="channel")],
                     source="legacy")  # the service layer: opens cases, starts nothing
    assert all(r.status == "created" for r in results)
    assert {c.status for c in db.session.scalars(select(Case))} == {AWAITING_ENGINE}
    result = sweep()
    assert result.started == 3 and result.fired == 0
    assert {c.status for c in db.session.scalars(select(Case))} == {IN_PROGRESS}
    assert db.session.scalar(select(func.count(CaseTask.id))) == 3
    assert db.session.scalar(select(func.count(CaseTimer.id))) == 6  # warning + overdue each
    # Shenzhen contact: 3 working days after Wed 9/30: 10/8, 10/9, 10/10 (make-up Saturday)
    assert result.next_due == bj("2026-10-10 00:00")  # the first warning
    assert sweep().started == 0


def test_backoff_grows_then_stays():
    assert [backoff(n) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=6), timedelta(hours=6)]


class FakeScheduler:
    def __init__(self):
        self.jobs = {}

    def add_job(self, func, trigger, **kw):
        self.jobs[kw["id"]] = (trigger, kw)

    def start(self):
        pass


def test_a_pass_wakes_at_the_next_due_timer(app, app_ctx, bad_rating, time_machine):
    time_machine.move_to(bj("2026-10-09 09:00"), tick=False)
    intake([bad_rating()], source="legacy")
    app.config["SCHEDULER_SAFETY_SECONDS"] = 30 * 24 * 3600  # the safety run is far away
    fake = FakeScheduler()
    timers = runner.TimerScheduler(app, fake)
    timers.tick()
    trigger, kw = fake.jobs[runner.WAKE_JOB]
    # contact 3 working days after Fri 10/9: 10/10 (make-up), 10/12, 10/13; warning at 00:00
    assert trigger == "date" and kw["run_date"] == bj("2026-10-13 00:00:01")
    assert timers.last.started == 1
    app.config["SCHEDULER_SAFETY_SECONDS"] = 60


def test_no_in_app_scheduler_under_tests(app):
    app.config["SCHEDULER_IN_APP"] = True
    try:
        runner.init_app(app)
        assert runner.EXTENSION not in app.extensions
    finally:
        app.config["SCHEDULER_IN_APP"] = False


def _contexts() -> dict[str, click.Context | None]:
    """The click context the app is created in, per command line (as Flask's CLI makes it:
    `flask run` loads the app inside the run command, other commands under the group)."""
    root = click.Context(FlaskGroup(), info_name="flask")

    def run(reload):
        ctx = click.Context(run_command, info_name="run", parent=root)
        ctx.params = {"reload": reload}
        return ctx

    group = click.Context(click.Group("scheduler"), info_name="scheduler", parent=root)
    return {"run": run(None), "run --reload": run(True), "run --no-reload": run(False),
            "db upgrade": root, "scheduler run": click.Context(
                click.Command("run"), info_name="run", parent=group), "gunicorn": None}


WATCHER_CHILD = {"WERKZEUG_RUN_MAIN": "true"}
CLI = {"FLASK_RUN_FROM_CLI": "true"}


@pytest.mark.parametrize(("argv", "command", "env", "starts"), [
    ("flask run", "run", CLI, True),
    ("flask --app wsgi run", "run", CLI, True),
    ("flask run --reload (watcher)", "run --reload", CLI, False),
    ("flask run --reload (child)", "run --reload", {**CLI, **WATCHER_CHILD}, True),
    ("flask --debug run (watcher)", "run", {**CLI, "FLASK_DEBUG": "1"}, False),
    ("flask --debug run (child)", "run", {**CLI, "FLASK_DEBUG": "1", **WATCHER_CHILD}, True),
    ("FLASK_DEBUG=yes flask run (watcher)", "run", {**CLI, "FLASK_DEBUG": "yes"}, False),
    ("FLASK_DEBUG=0 flask run", "run", {**CLI, "FLASK_DEBUG": "0"}, True),
    ("flask --debug run --no-reload", "run --no-reload", {**CLI, "FLASK_DEBUG": "1"}, True),
    ("flask db upgrade", "db upgrade", CLI, False),
    ("flask scheduler run", "scheduler run", CLI, False),
    ("gunicorn wsgi:app", "gunicorn", {}, True),
])
def test_in_app_scheduler_starts_once_in_the_serving_process(monkeypatch, argv, command, env,
                                                            starts):
    monkeypatch.setattr(sys, "argv", argv.split(" (")[0].split())  # not read: the context is
    app = SimpleNamespace(config={"SCHEDULER_IN_APP": True}, testing=False)
    assert runner.should_start(app, _contexts()[command], env) is starts
    app.config["SCHEDULER_IN_APP"] = False
    assert not runner.should_start(app, _contexts()[command], env)


def test_workers_share_cases_and_report_the_first_error(app_ctx):
    hand = CasesInHand()
    assert hand.take(7) and not hand.take(7)
    hand.release(7)
    assert hand.take(7)
    done = []

    def work(shared):
        done.append(shared)
        if len(done) == 2:
            raise RuntimeError("worker failed")
        return len(done)

    with pytest.raises(RuntimeError, match="worker failed"):
        run_workers(3, work)
    assert len(done) == 3 and len({id(h) for h in done}) == 1  # all ran, one hand
    assert run_workers(2, lambda shared: "ok") == ["ok", "ok"]


def test_sqlite_fires_with_one_worker(app_ctx, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setattr(sweep_module, "run_workers", lambda *a: pytest.fail("no workers"))
    assert sweep_module.fire_due_timers(bj("2026-10-10 08:00"), workers=4).fired == 0
