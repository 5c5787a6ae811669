"""Rules as they were: a jurisdiction's rules read back from a `rule_versions` row (期限重算
counts a step's deadlines again with the rules it began with)."""

from __future__ import annotations

import logging

from sqlalchemy import insert

from app.extensions import db
from app.rules import RuleRegistry
from app.rules import service as rules
from app.rules.history import rules_at
from app.rules.models import RuleVersion
from app.timeutil import utcnow


def test_an_older_version_reads_back_with_its_own_values(app_ctx, rules_copy, monkeypatch):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    old = registry.current().get("jiangsu")
    old_id = rules.version_id(old)
    db.session.commit()
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: 6")
    monkeypatch.setitem(app_ctx.extensions, "rules", registry)
    new = rules.current().get("jiangsu")
    assert new.deadline_days("rectify.general") == 6

    back = rules_at(old_id, "jiangsu")
    assert back.deadline_days("rectify.general") == 5
    assert back.content_hash == old.content_hash
    assert back == old
    assert rules_at(old_id, "jiangsu") is back  # read once: a version never changes
    assert rules_at(rules.version_id(new), "jiangsu") is new
    assert rules_at(None, "jiangsu") is new  # rows older than the column
    db.session.rollback()


def test_a_version_that_no_longer_reads_gives_the_rules_in_force(app_ctx, caplog):
    row = db.session.execute(insert(RuleVersion).values(
        jurisdiction="jiangsu", content_hash="0" * 64, source_path="rules/jiangsu.yaml",
        content="jurisdiction: jiangsu\nname: 江苏\n", loaded_at=utcnow(),
    ).returning(RuleVersion.id)).scalar_one()
    with caplog.at_level(logging.WARNING, logger="app.rules.history"):
        assert rules_at(row, "jiangsu") is rules.current().get("jiangsu")
    assert f"rule_versions #{row} (rules/jiangsu.yaml) no longer reads" in caplog.text
    db.session.rollback()


def test_a_missing_or_foreign_version_gives_the_rules_in_force(app_ctx):
    shenzhen = rules.version_id(rules.current().get("shenzhen"))
    assert rules_at(shenzhen, "jiangsu") is rules.current().get("jiangsu")
    assert rules_at(10**9, "jiangsu") is rules.current().get("jiangsu")
    db.session.rollback()
