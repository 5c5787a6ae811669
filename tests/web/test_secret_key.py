"""Sessions cannot be forged: a server refuses the development SECRET_KEY outside debug and
testing mode, and a user without a password (API only) never has a browser session, whatever
the cookie says."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from flask.cli import FlaskGroup, run_command

from app import create_app
from app.config import DEV_SECRET_KEY, ROOT, InsecureSecretKey, require_secret_key


def _forge(client, user) -> None:
    """The session cookie someone who knows the signing key would make for `user`."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}.{user.session_stamp}"


def test_a_user_without_a_password_has_no_browser_session(client, make_user):
    api_only = make_user("api_only", password=None)
    _forge(client, api_only)
    resp = client.get("/inbox")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_forged_cookie_would_work_for_a_user_with_a_password(client, make_user):
    _forge(client, make_user("wang"))  # the same cookie, so the test above proves the refusal
    assert client.get("/inbox").status_code == 200


@pytest.mark.parametrize(("key", "debug", "testing", "refused"), [
    (DEV_SECRET_KEY, False, False, True),
    ("", False, False, True),
    (DEV_SECRET_KEY, True, False, False),
    (DEV_SECRET_KEY, False, True, False),
    ("a-long-random-value", False, False, False),
])
def test_require_secret_key(app, monkeypatch, key, debug, testing, refused):
    for name, value in (("SECRET_KEY", key), ("DEBUG", debug), ("TESTING", testing)):
        monkeypatch.setitem(app.config, name, value)
    if refused:
        with pytest.raises(InsecureSecretKey, match="set SECRET_KEY|Set SECRET_KEY"):
            require_secret_key(app)
    else:
        require_secret_key(app)


def _context(command: str) -> click.Context:
    root = click.Context(FlaskGroup(), info_name="flask")
    if command == "run":
        ctx = click.Context(run_command, info_name="run", parent=root)
        ctx.params = {"reload": None}
        return ctx
    return root  # other commands: the app is loaded while the group resolves them


def test_flask_run_refuses_the_development_key(database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    settings = {"SQLALCHEMY_DATABASE_URI": database_url}
    with _context("run"), pytest.raises(InsecureSecretKey):
        create_app(settings)
    with _context("run"):
        assert create_app({**settings, "SECRET_KEY": "a-long-random-value"})
    with _context("db upgrade"):  # commands that serve nothing need no key
        assert create_app(settings)


def _import_wsgi(database_url: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("SECRET_KEY", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI")}
    environ.update(DATABASE_URL=database_url, **env)
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_a_wsgi_server_refuses_the_development_key(app, database_url):
    refused = _import_wsgi(database_url)  # as `gunicorn wsgi:app` imports it
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr and "refusing to serve" in refused.stderr
    assert _import_wsgi(database_url, SECRET_KEY="a-long-random-value").returncode == 0
