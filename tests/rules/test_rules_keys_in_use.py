"""A rule reload that drops a rule key the deployed diagrams use is refused (app.modeler.rulekeys),
naming the file, the key and the timers; keys no current version uses may go. `flask rules
check` finds the same in the files it checks."""

from __future__ import annotations

import logging
import re

import pytest

from app import create_app
from app.extensions import db
from app.modeler.rulekeys import dropped_keys_in_use
from app.processes import service as processes
from app.rules import RuleRegistry


def _drop(rules_copy, key: str) -> None:
    """Remove the top-level deadline `key` (three lines) from both files."""
    for name in ("jiangsu", "shenzhen"):
        text = rules_copy.text(name)
        block = re.search(rf"^  {re.escape(key)}:.*\n(    .*\n)+", text, re.M)
        rules_copy.edit(name, block.group(0), "")


@pytest.fixture()
def deployed(app_ctx):
    """The shipped diagrams deployed for both jurisdictions (committed: the check reads them
    on a connection of its own)."""
    versions = [processes.current(j) for j in ("jiangsu", "shenzhen")]
    db.session.commit()
    return versions


def test_dropping_a_key_in_use_is_refused(deployed, rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0, reload_check=dropped_keys_in_use)
    _drop(rules_copy, "supervise")
    assert registry.current().get("jiangsu").deadline_days("supervise") == 5  # last good stays
    lines = registry.last_error.splitlines()
    assert len(lines) == 2
    for line, name in zip(lines, ("jiangsu", "shenzhen"), strict=True):
        where = rf"{re.escape(str(rules_copy.file(name)))}:{rules_copy.line_of(name, 'deadlines:')}"
        assert re.fullmatch(
            where + r": deadlines: rule key 'supervise' is removed, but the process in force "
            r"uses it: bad_review v1 \(jiangsu\), bad_review v1 \(shenzhen\) at "
            r"bad_review\.bpmn:\d+ supervise_warn, bad_review\.bpmn:\d+ supervise_overdue\. "
            r"Deploy diagrams without it first \(modeler\), then remove the key\.", line), line


def test_a_key_no_current_version_uses_may_go(deployed, rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0, reload_check=dropped_keys_in_use)
    files = dict(deployed[0].files)
    files["bad_review.bpmn"] = files["bad_review.bpmn"].replace(
        'warning("supervise")', 'warning("revisit")').replace(
        'overdue("supervise")', 'overdue("revisit")')
    for jurisdiction in ("jiangsu", "shenzhen"):
        processes.deploy(jurisdiction, "bad_review", files, source="modeler", by="test")
    db.session.commit()
    _drop(rules_copy, "supervise")
    assert "supervise" not in registry.current().get("jiangsu").deadlines
    assert registry.last_error is None


def test_without_versions_or_tables_the_reload_goes_through(app_ctx, rules_copy, tmp_path,
                                                            caplog):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0, reload_check=dropped_keys_in_use)
    _drop(rules_copy, "supervise")
    assert "supervise" not in registry.current().get("jiangsu").deadlines  # nothing deployed

    bare = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.sqlite3'}",
                       "RULES_DIR": str(rules_copy.path), "RULES_RELOAD_SECONDS": 0})
    caplog.set_level(logging.WARNING, logger="app.rules")
    with bare.app_context():  # no tables: as during `flask db upgrade` of a new database
        _drop(rules_copy, "feedback")
        book = bare.extensions["rules"].current()
        db.engine.dispose()
    assert "feedback" not in book.get("jiangsu").deadlines
    assert any("rule keys in use not checked" in r.getMessage() for r in caplog.records)


def _check(app, rules_copy):
    return app.test_cli_runner().invoke(args=["rules", "check", "--dir", str(rules_copy.path)])


def test_check_names_a_key_the_deployed_process_uses_and_the_files_lack(app, deployed,
                                                                         rules_copy):
    """As a reload would refuse them, and as /healthz would report them after a restart."""
    _drop(rules_copy, "supervise")
    result = _check(app, rules_copy)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    for line, name in zip(lines, ("jiangsu", "shenzhen"), strict=True):
        where = f"{rules_copy.file(name)}:{rules_copy.line_of(name, 'deadlines:')}"
        assert re.fullmatch(
            re.escape(where) + r": deadlines: rule key 'supervise' is missing, but the process "
            rf"in force uses it: bad_review v1 \({name}\) at bad_review\.bpmn:\d+ "
            r"supervise_warn, bad_review\.bpmn:\d+ supervise_overdue\. Add the key back, or "
            r"deploy diagrams without it first \(modeler\)\.", line), line


def test_check_passes_files_without_a_key_nothing_deployed_uses(app_ctx, rules_copy):
    _drop(rules_copy, "supervise")
    result = _check(app_ctx, rules_copy)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == "ok: 2 jurisdictions (jiangsu, shenzhen)\n"


@pytest.mark.parametrize(("url", "why"), [
    ("sqlite:////nonexistent-directory/x.sqlite3",
     "database unreachable: unable to open database file"),
    ("sqlite:///{tmp}/empty.sqlite3",
     "the database is not migrated: run `flask db upgrade` (no such table: process_versions)"),
], ids=["unreachable", "not migrated"])
def test_check_without_the_deployed_processes_checks_the_files_and_says_so(rules_copy, tmp_path,
                                                                          url, why):
    bare = create_app({"SQLALCHEMY_DATABASE_URI": url.format(tmp=tmp_path),
                       "RULES_RELOAD_SECONDS": 0})
    _drop(rules_copy, "supervise")
    result = _check(bare, rules_copy)
    assert result.exit_code == 0
    assert result.stderr == f"warning: not compared with the deployed processes: {why}\n"
    assert result.stdout == "ok: 2 jurisdictions (jiangsu, shenzhen)\n"
    rules_copy.edit("jiangsu", "reminder_hours: 24", "reminder_hours: -1")
    result = _check(bare, rules_copy)
    assert result.exit_code == 1 and "rating.reminder_hours" in result.stderr
    with bare.app_context():
        db.engine.dispose()
