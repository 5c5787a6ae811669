"""The line a process that serves requests logs once when it starts (启动摘要): the rules and
the calendar in force, how many process versions are current, the database backend and whether
the timer scheduler runs in it. Not under tests nor other `flask` commands; cheap (one short
query, a connection that gives up after CONNECT_TIMEOUT seconds), and never fails startup."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app import dberrors, serving, workdays
from app.extensions import db
from app.processes.service import current_count
from app.rules import service as rules_service
from app.scheduler.runner import EXTENSION as SCHEDULER

log = logging.getLogger("app.startup")
CONNECT_TIMEOUT = 3  # seconds


def init_app(app: Flask) -> None:
    """Log the summary when this process serves requests (a WSGI server, `flask run`)."""
    if app.testing or not serving.serves_requests(serving.cli_context()):
        return
    try:
        with app.app_context():
            log.info("started: %s", summary(app))
    except Exception as err:  # noqa: BLE001 - a summary never stops a start
        log.warning("started; no summary: %s: %s", type(err).__name__, err)


def summary(app: Flask) -> str:
    """`rules …; calendar …; … process versions; database <dialect>; scheduler …`."""
    in_app = "in this process" if SCHEDULER in app.extensions else "not in this process"
    return "; ".join((_rules(), _calendar(), _processes(),
                      f"database {db.engine.dialect.name}", f"scheduler {in_app}"))


def _rules() -> str:
    registry = rules_service.registry()
    if not registry.available:
        return "rules: none in force (the files are bad)"
    book = registry.current()
    kept = " (the last good copy: the files are bad)" if registry.last_error else ""
    return (f"rules {', '.join(f'{r.key}@{r.content_hash[:12]}' for r in book)} "
            f"(default {book.default.key}){kept}")


def _calendar() -> str:
    if not workdays.available():
        return "calendar missing (the files are bad)"
    kept = " (the last good copy: the files are bad)" if workdays.last_error() else ""
    return f"calendar through {workdays.coverage().isoformat()}{kept}"


def _processes() -> str:
    """How many process versions are current, or why the database cannot say (no host or
    credentials: the reason's kind only)."""
    engine = _quick_engine()
    try:
        with engine.connect() as conn:
            return f"{current_count(conn)} current process versions"
    except SQLAlchemyError as err:
        why = ("database unreachable" if dberrors.unreachable(err) else
               "database not migrated" if dberrors.not_migrated(err) else type(err).__name__)
        return f"process versions not read ({why})"
    finally:
        engine.dispose()


def _quick_engine() -> Engine:
    """An engine of its own on the app's database, keeping no connection (a server that forks
    workers after creating the app shares none), that waits CONNECT_TIMEOUT seconds at most
    for a server database (a host that does not answer would hold the start)."""
    timeout = {"connect_timeout": CONNECT_TIMEOUT} if db.engine.dialect.name == "postgresql" \
        else {}
    return create_engine(db.engine.url, poolclass=NullPool, connect_args=timeout)
