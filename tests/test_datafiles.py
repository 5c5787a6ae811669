"""A process that starts while a rule or calendar file is bad (a gunicorn worker replaced, a
scheduler restarted) starts: on the last good copy under the instance folder when there is one,
otherwise without, answering 503 and naming the file until it is fixed (app/datafiles.py).
`flask rules check` then reports the file instead of failing to load the app."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from flask.cli import FlaskGroup

from app import create_app, workdays
from app.auth import tokens, users
from app.config import ROOT
from app.extensions import db

BAD = ("working_days: 5", "working_days: five")  # the first one: rectify.general, Jiangsu


@pytest.fixture()
def files(tmp_path) -> Path:
    """Copies of rules/ and calendars/ to break, and a last good folder, under tmp_path."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "calendars", tmp_path / "calendars")
    return tmp_path


@pytest.fixture()
def start(app_ctx, database_url, files):
    """create_app on the test database with the copies (the workdays module's default
    calendar is the suite's again afterwards)."""
    saved = workdays._state.path

    def start_app():
        return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                           "RULES_DIR": str(files / "rules"),
                           "CALENDARS_DIR": str(files / "calendars"),
                           "LAST_GOOD_DIR": str(files / "last-good"),
                           "RULES_RELOAD_SECONDS": 0, "WTF_CSRF_ENABLED": False})

    yield start_app
    workdays.configure(saved, reload_seconds=0)


def _break(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_a_start_with_bad_rules_and_no_copy_answers_503_naming_the_file(start, files,
                                                                        bad_rating):
    _break(files / "rules" / "jiangsu.yaml", *BAD)
    app = start()
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "error" and body["rules"]["unavailable"]
    assert "jiangsu.yaml:" in body["rules"]["last_error"]
    assert "Not a valid integer" in body["rules"]["last_error"]
    with app.app_context():
        token = tokens.create("datafiles-channel")
    resp = client.post("/api/v1/reviews", json=bad_rating(),
                       headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 503
    assert "no rules in force" in resp.get_json()["message"]
    assert "jiangsu.yaml:" in resp.get_json()["message"]
    home = client.get("/").get_data(as_text=True)  # the home page says why
    assert "规则文件有误，且没有可用的上一版本，系统暂停办理" in home and "jiangsu.yaml:" in home
    with app.app_context():
        users.set_password(users.create("df_agency", "督办", "agency", None, "440300000000"),
                           "datafiles-pass-1")
        db.session.commit()
    login = client.post("/login", data={"username": "df_agency",
                                        "password": "datafiles-pass-1"})
    assert login.status_code == 302
    page = client.get("/inbox")
    assert page.status_code == 503 and "系统暂不可用" in page.get_data(as_text=True)
    _break(files / "rules" / "jiangsu.yaml", *reversed(BAD))  # fixed: no restart
    assert client.get("/healthz").status_code == 200


def test_a_restart_with_a_bad_file_runs_on_the_last_good_copy(start, files):
    start()  # a good start keeps the copies
    assert (files / "last-good" / "rules" / "jiangsu.yaml").is_file()
    assert (files / "last-good" / "calendars" / "cn" / "2026.yaml").is_file()
    _break(files / "rules" / "jiangsu.yaml", *BAD)
    _break(files / "calendars" / "cn" / "2026.yaml", "2026-01-04", "2026-01-05")
    app = start()  # e.g. a gunicorn worker replaced after a crash
    body = app.test_client().get("/healthz").get_json()
    assert body["status"] == "warning"
    assert not body["rules"]["unavailable"] and "jiangsu" in body["rules"]["jurisdictions"]
    assert "jiangsu.yaml:" in body["rules"]["last_error"]
    assert body["calendar"]["covered_through"] == "2026-12-31"
    assert "2026.yaml:" in body["calendar"]["last_error"]


def test_rules_check_reports_the_bad_file(start, files):
    _break(files / "rules" / "jiangsu.yaml", *BAD)
    app = start()
    with app.app_context():  # the command's app (the suite's is pushed by app_ctx)
        result = app.test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 1
    assert "jiangsu.yaml:" in result.output and "Not a valid integer" in result.output


def test_rules_show_says_why_there_are_none(start, files):
    _break(files / "rules" / "jiangsu.yaml", *BAD)
    app = start()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["rules", "show"])
    assert result.exit_code == 1
    assert "no rules in force" in result.output and "jiangsu.yaml:" in result.output
    assert "Traceback" not in result.output


def test_calendar_check_reads_the_files_not_the_copy_in_force(start, files):
    start()  # a good start keeps the copies
    _break(files / "calendars" / "cn" / "2026.yaml", "2026-01-04", "2026-01-05")
    app = start()  # runs on the last good copy
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["calendar", "check"])
        added = app.test_cli_runner().invoke(args=["calendar", "add", "2026-12-30", "1"])
    assert result.exit_code == 1 and "2026.yaml:" in result.output
    assert added.exit_code == 0  # the copy in force answers, and says so
    assert added.stdout == "2026-12-31\n"
    assert added.stderr.startswith("warning: the latest edit was rejected, the previous "
                                   f"calendar answers:\n{files / 'calendars' / 'cn'}/2026.yaml:")


def test_calendar_commands_say_why_there_is_none(start, files):
    _break(files / "calendars" / "cn" / "2026.yaml", "2026-01-04", "2026-01-05")
    app = start()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["calendar", "add", "2026-12-30", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no working-day calendar in force" in result.output and "2026.yaml:" in result.output


def _loading_records(caplog) -> list[str]:
    return [f"{r.name} {r.levelname}" for r in caplog.records
            if r.name in ("app.rules", "app.workdays") and r.levelno >= logging.WARNING]


def test_flask_commands_hold_back_the_startup_log_of_the_files(start, files, caplog):
    """Under `flask <command>` loading a bad file logs nothing at once: the check commands
    report it themselves (once, in their format); the app's other commands log it first."""
    _break(files / "rules" / "jiangsu.yaml", *BAD)
    _break(files / "calendars" / "cn" / "2026.yaml", "2026-01-04", "2026-01-05")
    caplog.set_level(logging.INFO)
    with click.Context(FlaskGroup(), info_name="flask"):  # as `flask rules check` loads it
        app = start()
    assert _loading_records(caplog) == []
    with app.app_context():
        runner = app.test_cli_runner()
        for args in (["rules", "check"], ["calendar", "check"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 1 and result.stdout == ""
            assert len(result.stderr.splitlines()) == 1, result.stderr
        assert _loading_records(caplog) == []
        runner.invoke(args=["tokens", "list"])
        runner.invoke(args=["tokens", "list"])
    assert _loading_records(caplog) == ["app.workdays ERROR", "app.rules ERROR"]  # once


def test_rules_check_prints_only_its_own_report(files, database_url):
    """The real command line: no startup log line before the report."""
    _break(files / "rules" / "jiangsu.yaml", *BAD)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    environ.update(DATABASE_URL=database_url, RULES_DIR=str(files / "rules"),
                   LAST_GOOD_DIR=str(files / "last-good"), LOG_LEVEL="INFO")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "rules", "check"],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    line = next(n for n, text in enumerate(
        (files / "rules" / "jiangsu.yaml").read_text(encoding="utf-8").splitlines(), 1)
        if "working_days: five" in text)
    assert done.stderr.startswith(f"{files / 'rules' / 'jiangsu.yaml'}:{line}: ")
    assert len(done.stderr.splitlines()) == 1, done.stderr
