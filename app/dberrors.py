"""What a database error means for the person who meets it: the database cannot be reached
(503 on the web, one line on the command line), or its schema is missing or behind the code
(`flask db upgrade` was not run). Both SQLite and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

# SQLSTATE classes and codes of a connection that failed or was cut by the server
CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
SCHEMA_STATES = ("42P01", "42703")  # undefined table, undefined column
SQLITE_UNREACHABLE = ("unable to open database file",)
SQLITE_SCHEMA = ("no such table", "no such column", "has no column named")
NOT_MIGRATED = "the database is not migrated: run `flask db upgrade`"


def _driver_message(err: BaseException) -> str:
    """The driver's own message, first line (psycopg adds hints on the next ones)."""
    orig = getattr(err, "orig", None) or err
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


def unreachable(err: BaseException) -> bool:
    """Is `err` a failed or lost connection to the database (not an error of a statement)?"""
    if isinstance(err, DisconnectionError):
        return True
    if not isinstance(err, OperationalError | InterfaceError):
        return False
    if err.connection_invalidated:
        return True
    orig = err.orig
    if hasattr(orig, "sqlstate"):  # psycopg: no SQLSTATE when connecting failed
        state = orig.sqlstate or ""
        return not state or state.startswith(CONNECTION_STATES)
    return any(text in str(orig) for text in SQLITE_UNREACHABLE)


def not_migrated(err: BaseException) -> bool:
    """Is `err` a table or column missing: a database that `flask db upgrade` did not reach?"""
    if not isinstance(err, DBAPIError):
        return False
    state = getattr(err.orig, "sqlstate", None)
    if state is not None:
        return state in SCHEMA_STATES
    return any(text in str(err.orig) for text in SQLITE_SCHEMA)


def describe(err: BaseException) -> str | None:
    """One line for a database that is unreachable or not migrated; None for other errors."""
    if unreachable(err):
        return f"database unreachable: {_driver_message(err)}"
    if not_migrated(err):
        return f"{NOT_MIGRATED} ({_driver_message(err)})"
    return None
