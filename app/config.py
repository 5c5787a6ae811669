"""Configuration read from the environment (see README, "Configuration")."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
# For development and tests only: anyone can sign a session cookie with it, so a server that
# is not in debug or testing mode refuses to start with it (`require_secret_key`).
DEV_SECRET_KEY = "dev-only-change-me"
SECRET_KEY_MISSING = (
    "SECRET_KEY is not set (the development default would let anyone forge a session "
    "cookie): refusing to serve. Set SECRET_KEY to a long random value, e.g. "
    "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'); "
    "`make run` keeps one in instance/secret_key, `flask --debug run` is for development.")


class InsecureSecretKey(click.ClickException):
    """Serving with the development SECRET_KEY (`flask run` shows it as one line)."""


def _sqlite_default(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'haochaping.sqlite3'}"


def normalise_db_url(url: str) -> str:
    """Make plain ``postgresql://`` URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def web_settings() -> dict:
    """Browser sessions, cookies, CSRF and language (see README, "Logins and the web pages")."""
    secure = _flag("SESSION_COOKIE_SECURE")  # turn on behind HTTPS
    lifetime = timedelta(hours=float(os.environ.get("SESSION_HOURS", "8")))
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_NAME": "hcp_session",
        "PERMANENT_SESSION_LIFETIME": lifetime,  # of inactivity: every request renews it
        "SESSION_REFRESH_EACH_REQUEST": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_DURATION": lifetime,
        # werkzeug's scrypt (n=2^15): about 0.1 s a hash, which is the point; the tests, which
        # create hundreds of accounts, set a cheap method (tests/conftest.py)
        "PASSWORD_HASH_METHOD": "scrypt",
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": float(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": int(lifetime.total_seconds()),  # a form stays valid with its session
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "app" / "translations"),
    }


def attachment_settings() -> dict:
    """Evidence files (证明材料): where they are kept (default instance/attachments/), the
    largest file, and the largest request (the file plus the form around it)."""
    limit = int(float(os.environ.get("ATTACHMENT_MAX_MB", "20")) * 1024 * 1024)
    return {
        "ATTACHMENTS_DIR": os.environ.get("ATTACHMENTS_DIR") or None,
        "ATTACHMENT_MAX_BYTES": limit,
        "MAX_CONTENT_LENGTH": limit + 1024 * 1024,
    }


def from_env(instance_path: str) -> dict:
    """Settings for `create_app`, each overridable by an environment variable."""
    env = os.environ
    return {
        **web_settings(),
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": normalise_db_url(
            env.get("DATABASE_URL") or _sqlite_default(instance_path)
        ),
        # database errors (logged with their traceback) leave out the statement's values: they
        # may be a reviewer's phone, name or certificate number
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "CALENDARS_DIR": env.get("CALENDARS_DIR", str(ROOT / "calendars")),
        "RULES_DIR": env.get("RULES_DIR", str(ROOT / "rules")),
        # the last good copies of the calendar and rule files, for a start while one is bad
        "LAST_GOOD_DIR": env.get("LAST_GOOD_DIR", os.path.join(instance_path, "last-good")),
        "BPMN_DIR": env.get("BPMN_DIR", str(ROOT / "bpmn")),
        "PROCESS_KEY": "bad_review",  # the top process every case starts on
        # Scheduler (定时任务): run in the app process (make run) or only via `flask scheduler run`
        "SCHEDULER_IN_APP": env.get("SCHEDULER_IN_APP", "0") == "1",
        "START_INLINE_MAX": int(env.get("START_INLINE_MAX", "50")),  # cases started by intake
        # workflows of recently changed cases kept per process (0: always load the state)
        "RUN_CACHE_SIZE": int(env.get("RUN_CACHE_SIZE", "512")),
        "SCHEDULER_SAFETY_SECONDS": float(env.get("SCHEDULER_SAFETY_SECONDS", "60")),
        # connections a pass fires timers with at once (PostgreSQL; SQLite: always 1)
        "SCHEDULER_WORKERS": int(env.get("SCHEDULER_WORKERS", "2")),
        "RULES_RELOAD_SECONDS": float(env.get("RULES_RELOAD_SECONDS", "2")),
        "INTAKE_BATCH_MAX": int(env.get("INTAKE_BATCH_MAX", "1000")),
        "COVERAGE_WARNING_DAYS": int(env.get("COVERAGE_WARNING_DAYS", "60")),
        # the public home page's figures, counted at most this often for visitors (app/home)
        "HOME_FIGURES_SECONDS": float(env.get("HOME_FIGURES_SECONDS", "30")),
        **attachment_settings(),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "JSON_AS_ASCII": False,
        # flask-smorest / OpenAPI
        "API_TITLE": "政务服务好差评差评处置 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def require_secret_key(app: Flask) -> None:
    """Refuse to serve (log the reason, raise InsecureSecretKey) with the development
    SECRET_KEY, unless the app is in debug or testing mode."""
    if app.debug or app.testing or app.config.get("SECRET_KEY") not in (None, "", DEV_SECRET_KEY):
        return
    app.logger.error(SECRET_KEY_MISSING)
    raise InsecureSecretKey(SECRET_KEY_MISSING)
