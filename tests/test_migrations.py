"""The Alembic migrations build the schema the models describe, from an empty database, on
SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

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


def test_workflow_state_is_compressed_with_lz4_on_postgresql(app):
    """Every change rewrites the case's state; lz4 compresses it for less CPU than pglz
    (migration 0009), where the server offers it."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL column setting")
        with db.engine.connect() as conn:
            offered = conn.execute(text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'")).scalar()
            method = conn.execute(text(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = "
                "'case_states'::regclass AND attname = 'state'")).scalar()
        assert method == ("l" if offered else "")
