"""Databases for benchmarks: a fresh SQLite file, and PostgreSQL when one is reachable."""

from __future__ import annotations

import os
import tempfile

import psycopg

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/haochaping_bench"


def sqlite_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.sqlite3"


def postgres_url() -> str | None:
    """BENCH_DATABASE_URL, else a haochaping_bench database on the local server (created when
    missing); None when no PostgreSQL answers."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return url


def fresh_app(url: str):
    """An app on `url` with the schema rebuilt from the migrations."""
    from app import create_app
    from app.config import normalise_db_url

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_db_url(url), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        from app.dbutil import rebuild_schema

        rebuild_schema()
    return app
