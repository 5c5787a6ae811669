"""The Flask side: rule versions in the database, status, startup with bad rules."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, func, insert, select

from app.extensions import db
from app.rules import RuleRegistry
from app.rules import service as rules
from app.rules.models import RuleVersion


def _count(**where) -> int:
    query = select(func.count()).select_from(RuleVersion).filter_by(**where)
    return db.session.execute(query).scalar_one()


def test_init_app_stores_the_registry(app):
    assert isinstance(app.extensions["rules"], RuleRegistry)


def test_lookups(app_ctx):
    assert rules.current().jurisdictions() == ("jiangsu", "shenzhen")
    assert rules.for_region("320102000000").key == "jiangsu"
    assert rules.for_region("999999999999").key == "shenzhen"
    assert rules.registry() is app_ctx.extensions["rules"]


def test_version_id_inserts_once_and_is_stable(app_ctx):
    jiangsu = rules.current().get("jiangsu")
    first = rules.version_id(jiangsu)
    assert rules.version_id(jiangsu) == first
    assert rules.version_id(rules.for_region("320100000000")) == first
    assert _count(jurisdiction="jiangsu") == 1
    row = db.session.get(RuleVersion, first)
    assert (row.jurisdiction, row.content_hash) == ("jiangsu", jiangsu.content_hash)
    assert row.content == jiangsu.text
    assert row.source_path == jiangsu.source_path
    assert row.loaded_at.tzinfo is not None
    assert rules.version_id(rules.current().get("shenzhen")) != first


def test_version_id_survives_commit_and_a_new_session(app_ctx):
    shenzhen = rules.current().get("shenzhen")
    first = rules.version_id(shenzhen)
    db.session.commit()
    db.session.remove()
    assert rules.version_id(shenzhen) == first
    assert _count() == 1


def test_a_committed_version_id_is_answered_without_sql(app_ctx):
    shenzhen = rules.current().get("shenzhen")
    first = rules.version_id(shenzhen)
    db.session.commit()
    db.session.remove()
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert rules.version_id(shenzhen) == first
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []


def test_changed_file_gives_a_new_version(app_ctx, rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    before = registry.current().get("jiangsu")
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: 6")
    after = registry.current().get("jiangsu")
    assert after.content_hash != before.content_hash
    old, new = rules.version_id(before), rules.version_id(after)
    assert old != new
    assert rules.version_id(before) == old
    assert _count(jurisdiction="jiangsu") == 2


def test_rolled_back_insert_is_not_trusted(app_ctx):
    jiangsu = rules.current().get("jiangsu")
    rules.version_id(jiangsu)
    db.session.rollback()
    assert _count() == 0
    again = rules.version_id(jiangsu)
    assert db.session.get(RuleVersion, again) is not None
    assert _count() == 1


def test_cached_id_of_another_row_is_not_trusted(app_ctx):
    jiangsu, shenzhen = rules.current().get("jiangsu"), rules.current().get("shenzhen")
    stale = rules.version_id(jiangsu)
    db.session.rollback()
    # The table was emptied and the id now belongs to another version.
    db.session.execute(insert(RuleVersion).values(
        id=stale, jurisdiction="shenzhen", content_hash=shenzhen.content_hash,
        source_path="x", content="x", loaded_at=jiangsu.loaded_at))
    fresh = rules.version_id(jiangsu)
    assert fresh != stale
    assert db.session.get(RuleVersion, fresh).jurisdiction == "jiangsu"


def test_concurrent_insert_of_the_same_version(app_ctx, monkeypatch):
    """Another transaction inserts the same version between our lookup and our insert."""
    jiangsu = rules.current().get("jiangsu")
    rules.forget_versions()
    with db.engine.begin() as conn:  # the other transaction, committed
        theirs = conn.execute(insert(RuleVersion).values(
            jurisdiction="jiangsu", content_hash=jiangsu.content_hash,
            source_path=jiangsu.source_path, content=jiangsu.text,
            loaded_at=jiangsu.loaded_at).returning(RuleVersion.id)).scalar_one()
    real_find, calls = rules._find, []

    def find_missing_first(key):
        calls.append(key)
        return None if len(calls) == 1 else real_find(key)

    monkeypatch.setattr(rules, "_find", find_missing_first)
    assert rules.version_id(jiangsu) == theirs
    assert len(calls) == 2
    # The caller's transaction is still usable.
    assert rules.version_id(rules.current().get("shenzhen")) != theirs
    assert _count() == 2


def test_record_loaded_versions(app_ctx):
    ids = rules.record_loaded_versions()
    assert set(ids) == {"jiangsu", "shenzhen"}
    assert rules.record_loaded_versions() == ids
    assert _count() == 2


def test_status(app_ctx):
    status = rules.status()
    assert status["default"] == "shenzhen"
    assert status["last_error"] is None and status["last_error_at"] is None
    assert set(status["jurisdictions"]) == {"jiangsu", "shenzhen"}
    jiangsu = status["jurisdictions"]["jiangsu"]
    assert jiangsu["name"] == "江苏省"
    assert jiangsu["hash"] == rules.current().get("jiangsu").content_hash
    assert jiangsu["loaded_at"].endswith("+00:00")


def test_status_reports_a_rejected_edit(rules_copy):
    app = Flask(__name__)
    app.config.update(RULES_DIR=str(rules_copy.path), RULES_RELOAD_SECONDS=0)
    rules.init_app(app)
    with app.app_context():
        rules_copy.edit("shenzhen", "dispatch: auto", "dispatch: pigeon")
        status = rules.status()
        assert "routing.dispatch: Must be one of: auto, hotline." in status["last_error"]
        assert status["last_error_at"] is not None
        assert status["default"] == "shenzhen"


def test_startup_with_bad_rules_starts_without_and_says_why(rules_copy, caplog):
    rules_copy.edit("jiangsu", "jurisdiction: jiangsu", "jurisdiction: js")
    app = Flask(__name__)
    app.config.update(RULES_DIR=str(rules_copy.path), RULES_RELOAD_SECONDS=0)
    rules.init_app(app)
    with app.app_context():
        status = rules.status()
    assert status["unavailable"] and status["jurisdictions"] == {}
    assert "does not match the file name" in status["last_error"]
    assert any("no rules in force until they are fixed" in r.getMessage()
               for r in caplog.records)


def test_healthz_names_the_files_not_read(client, rules_copy, monkeypatch):
    (rules_copy.path / "shenzhen.yaml.orig").write_text("x", encoding="utf-8")
    monkeypatch.setitem(client.application.extensions, "rules", RuleRegistry(rules_copy.path))
    body = client.get("/healthz").json
    assert body["rules"]["ignored_files"] == [str(rules_copy.path / "shenzhen.yaml.orig")]
    assert body["rules"]["last_error"] is None
    assert body["status"] == "warning"
