"""The one INFO line a process that serves requests logs when it starts (app/health/startup.py):
rules, calendar, current process versions, database backend, scheduler; never under tests nor
other `flask` commands, and never a reason not to start."""

from __future__ import annotations

import logging
import re

import click
import pytest
from flask.cli import FlaskGroup, run_command

from app import create_app
from app.extensions import db
from app.health import startup
from app.processes import service as processes

SETTINGS = {"SECRET_KEY": "a-long-random-value", "RULES_RELOAD_SECONDS": 0,
            "SCHEDULER_IN_APP": False}


def _flask(command: str) -> click.Context:
    """The click context the app is created in under `flask run` or another command."""
    root = click.Context(FlaskGroup(), info_name="flask")
    if command != "run":
        return root
    ctx = click.Context(run_command, info_name="run", parent=root)
    ctx.params = {"reload": False}
    return ctx


@pytest.fixture(autouse=True)
def _kept(monkeypatch, tmp_path):
    """The last good copies under tmp_path, not the project's instance folder."""
    monkeypatch.setitem(SETTINGS, "LAST_GOOD_DIR", str(tmp_path / "last-good"))


def _started(caplog, url: str, command: str = "run", **settings) -> list[str]:
    """The summary lines logged by creating the app on `url` under `flask <command>`."""
    caplog.clear()
    caplog.set_level(logging.INFO, logger="app.startup")
    with _flask(command):
        app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **settings})
    with app.app_context():
        db.engine.dispose()
    return [r.getMessage() for r in caplog.records if r.name == "app.startup"]


def test_a_server_logs_one_summary_line(app_ctx, database_url, caplog):
    for jurisdiction in ("jiangsu", "shenzhen"):
        processes.current(jurisdiction)
    db.session.commit()
    rules = app_ctx.extensions["rules"].current()
    [line] = _started(caplog, database_url)
    assert line == (
        f"started: rules jiangsu@{rules.get('jiangsu').content_hash[:12]}, "
        f"shenzhen@{rules.get('shenzhen').content_hash[:12]} (default shenzhen); calendar "
        f"through 2026-12-31; 2 current process versions; database "
        f"{db.engine.dialect.name}; scheduler not in this process")
    assert database_url.split("://")[1] not in line  # the dialect only: no host, no user
    app_ctx.extensions[startup.SCHEDULER] = object()  # as SCHEDULER_IN_APP=1 starts it
    try:
        assert startup.summary(app_ctx).endswith("; scheduler in this process")
    finally:
        del app_ctx.extensions[startup.SCHEDULER]


def test_nothing_under_tests_or_other_commands(database_url, caplog):
    assert _started(caplog, database_url, "db upgrade") == []
    assert _started(caplog, database_url, TESTING=True) == []


@pytest.mark.parametrize(("url", "why"), [
    ("postgresql+psycopg://someone:secret@127.0.0.1:1/nowhere", "database unreachable"),
    ("sqlite:///{tmp}/empty.sqlite3", "database not migrated"),
], ids=["unreachable", "not migrated"])
def test_a_database_that_cannot_say_is_named_without_details(caplog, tmp_path, url, why):
    [line] = _started(caplog, url.format(tmp=tmp_path))
    assert f"; process versions not read ({why}); database " in line
    assert not re.search(r"secret|someone|127\.0\.0\.1|empty\.sqlite3", line)


def test_the_summary_never_stops_a_start(database_url, caplog, monkeypatch):
    def broken(app):
        raise RuntimeError("boom")

    monkeypatch.setattr(startup, "summary", broken)
    caplog.set_level(logging.INFO, logger="app.startup")
    with _flask("run"):
        app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app is not None
    assert [r.getMessage() for r in caplog.records if r.name == "app.startup"] == [
        "started; no summary: RuntimeError: boom"]
