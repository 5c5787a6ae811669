"""The Alembic migrations build the schema the models describe, from an empty database, on
SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db


def _diff() -> list:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, db.metadata)


def test_down_to_empty_and_up_again_matches_the_models(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"reviews", "cases", "case_counters", "departments", "api_tokens",
                "rule_versions"} <= tables
        assert _diff() == []
