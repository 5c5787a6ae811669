"""A database that cannot be reached or is not migrated: the app's commands say so in one line
and exit 1, the API answers 503 (JSON) and pages a 503 page, nothing half done."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from app import create_app, dberrors
from app.extensions import db

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",  # nothing listens there
    "sqlite": "sqlite:////nonexistent-directory/x.sqlite3",
}
COMMANDS = [["users", "list"], ["tokens", "create", "foo"], ["tokens", "list"],
            ["scheduler", "status"], ["scheduler", "once"], ["scheduler", "run"],
            ["demo", "load", "--count", "5"]]


def _app(url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "RULES_RELOAD_SECONDS": 0})


@pytest.fixture(params=sorted(UNREACHABLE))
def down(request):
    app = _app(UNREACHABLE[request.param])
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def unmigrated(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_commands_say_the_database_is_unreachable(down, args):
    result = down.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: database unreachable: ")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_commands_say_the_database_is_not_migrated(unmigrated, args):
    result = unmigrated.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        "Error: the database is not migrated: run `flask db upgrade` (no such table: ")
    assert len(result.output.strip().splitlines()) == 1


def test_other_database_errors_are_not_explained_away():
    err = IntegrityError("insert", {}, Exception("UNIQUE constraint failed: users.username"))
    assert dberrors.describe(err) is None
    locked = OperationalError("update", {}, Exception("database is locked"))
    assert not dberrors.unreachable(locked) and dberrors.describe(locked) is None


def test_api_answers_503_when_the_database_is_down(down):
    resp = down.test_client().post("/api/v1/reviews", json={"serial_no": "1"},
                                   headers={"Authorization": "Bearer hcp_x"})
    assert resp.status_code == 503
    assert resp.get_json()["message"] == "database unavailable; nothing was changed"


def test_pages_answer_503_when_the_database_is_down(down):
    resp = down.test_client().get("/")
    assert resp.status_code == 503
    html = resp.get_data(as_text=True)
    assert "系统暂时无法使用" in html and "数据库暂时无法连接" in html


def test_a_signed_in_page_answers_503_when_the_database_is_down(down):
    """The user cannot be read: the page is the 503 page for nobody, not a bare 500."""
    client = down.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.0123456789abcdef"
    resp = client.get("/inbox")
    assert resp.status_code == 503
    assert "数据库暂时无法连接" in resp.get_data(as_text=True)


@pytest.fixture()
def not_set_up(database_url, tmp_path):
    """The app on a database without tables: an empty SQLite file, or on PostgreSQL the
    database under test seen through a schema that does not exist."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    if database_url.startswith("postgresql"):
        url = f"{database_url}?options=-csearch_path%3Dno_such_schema"
    app = _app(url)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_api_answers_503_when_the_database_is_not_migrated(not_set_up):
    resp = not_set_up.test_client().post("/api/v1/reviews", json={"serial_no": "1"},
                                         headers={"Authorization": "Bearer hcp_x"})
    assert resp.status_code == 503
    assert resp.get_json()["message"] == (
        "the database is not set up: run `flask db upgrade`; nothing was changed")


def test_pages_answer_503_when_the_database_is_not_migrated(not_set_up):
    client = not_set_up.test_client()
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503 and "系统暂时无法使用" in html
    assert "数据库尚未建立或未升级到当前版本" in html and "flask db upgrade" in html
    with client.session_transaction() as session:  # signed in: the user cannot be read
        session["_user_id"] = "1.0123456789abcdef"
    resp = client.get("/inbox?lang=en")
    assert resp.status_code == 503
    assert "The database is not set up or not upgraded" in resp.get_data(as_text=True)


def test_healthz_says_the_database_is_not_migrated(not_set_up):
    resp = not_set_up.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["status"] == "error"
    assert resp.json["database"] == {
        "ok": False,
        "error": "the database is not migrated: run `flask db upgrade` (no alembic_version table)"}


def test_healthz_says_the_database_is_behind_the_code(tmp_path):
    """Migrated, but not to the newest revision: 503 until `flask db upgrade`."""
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    app = _app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    head = ScriptDirectory(app.extensions["migrate"].directory).get_revision("head")
    with app.app_context():
        upgrade(revision=head.down_revision)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json["database"]["error"] == (
        "the database is not migrated: run `flask db upgrade` (the database is at "
        f"{head.down_revision}, the app needs {head.revision})")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    assert app.test_client().get("/healthz").json["database"]["ok"] is True
