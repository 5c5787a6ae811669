"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL
is set (`make test` runs both). The schema is built by the Alembic migrations, as in production."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import create_app
from app.config import ROOT, normalise_db_url
from app.dbutil import rebuild_schema
from app.extensions import db


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_db_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RULES_RELOAD_SECONDS": 0,
    })
    app.instance_path = str(instance)
    with app.app_context():
        rebuild_schema()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.rollback()
        _clear_tables()
        db.session.remove()


def _clear_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture()
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture()
def data_root() -> Path:
    return ROOT
