"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def dialect_insert(model):
    """An INSERT for the session's dialect that supports ON CONFLICT."""
    name = db.session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(model)


def insert_ignore(model, conflict_columns: list[str]):
    """INSERT ... ON CONFLICT (cols) DO NOTHING: concurrent duplicates are skipped, not raised."""
    return dialect_insert(model).on_conflict_do_nothing(index_elements=conflict_columns)


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"
