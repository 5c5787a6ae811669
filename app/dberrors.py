"""What a database error means for the person who meets it: the database cannot be reached
(503 on the web, one line on the command line), or its schema is missing or behind the code
(`flask db upgrade` was not run). Both SQLite and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

# SQLSTATE classes and codes of a connection that failed or was cut by the server
CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
SCHEMA_STATES = ("42P01", "42703")  # undefined table, undefined column
SQLITE_UNREACHABLE = ("unable to open database file",)
SQLITE_SCHEMA = ("no such table", "no such column", "has no column named")
NOT_MIGRATED = "the database is not migrated: run `flask db upgrade`"
NOT_SET_UP = "the database is not set up: run `flask db upgrade`; nothing was changed"


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


def schema_problem(conn: Connection, migrations: str) -> str | None:
    """None when the database is at the head of the migrations in directory `migrations`;
    else why not, in one line without connection details (its revisions and the code's).
    Database errors other than a missing `alembic_version` table are raised."""
    heads, known = _revisions(migrations)
    try:
        found = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except DBAPIError as err:
        if not_migrated(err):
            return f"{NOT_MIGRATED} (no alembic_version table)"
        raise
    if found == heads:
        return None
    if found - known:
        return (f"the database is at revision {', '.join(sorted(found))}, unknown to this "
                "version of the app (migrated by a newer one?)")
    return (f"{NOT_MIGRATED} (the database is at {', '.join(sorted(found)) or 'no revision'}, "
            f"the app needs {', '.join(sorted(heads))})")


@cache
def _revisions(migrations: str) -> tuple[frozenset[str], frozenset[str]]:
    """The head revisions and every revision of the migrations in `migrations` (read once)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(migrations)
    return (frozenset(script.get_heads()),
            frozenset(rev.revision for rev in script.walk_revisions()))
