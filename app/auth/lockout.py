"""Failed sign-ins (登录失败处理): after LOGIN_MAX_FAILURES wrong passwords for one username
within LOGIN_LOCK_MINUTES, sign-in with that username is refused for LOGIN_LOCK_MINUTES, the
right password included, as 等级保护 asks of a government system (限制非法登录次数). Counted
per username as typed, whether or not an account has it, so a lock tells nobody which
usernames exist. A success, or an administrator setting the password, clears the count. The
count is in the database, so every server process shares it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth.models import LoginFailure
from app.extensions import db

log = logging.getLogger("app.auth")


def _key(username: str | None) -> str:
    return (username or "").strip().lower()[:64]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def locked_until(username: str | None, now: datetime) -> datetime | None:
    """Until when sign-in with `username` is refused; None when it is not."""
    row = db.session.get(LoginFailure, _key(username))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def failed(username: str | None, now: datetime, remote: str | None = None) -> datetime | None:
    """Count a failed sign-in (committed); the instant the username is locked until when this
    failure locks it."""
    key = _key(username)
    if not key:
        return None
    try:
        row = _count(key, now)
        db.session.commit()
    except IntegrityError:  # a concurrent first failure of the same username
        db.session.rollback()
        row = _count(key, now)
        db.session.commit()
    if row.locked_until is not None:
        log.warning("sign-in locked for %r until %s after %d failed attempts (last from %s)",
                    key, row.locked_until.isoformat(timespec="seconds"), row.failures, remote)
    return row.locked_until


def _count(key: str, now: datetime) -> LoginFailure:
    row = db.session.get(LoginFailure, key)
    if row is None:
        row = LoginFailure(username=key, failures=0, first_at=now)
        db.session.add(row)
    elif row.first_at <= now - _window() or (row.locked_until is not None
                                              and row.locked_until <= now):
        row.failures, row.first_at, row.locked_until = 0, now, None  # a new count
    row.failures += 1
    if row.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        row.locked_until = now + _window()
    db.session.flush()
    return row


def clear(username: str | None) -> None:
    """Forget the username's failures (in the caller's transaction)."""
    row = db.session.get(LoginFailure, _key(username))
    if row is not None:
        db.session.delete(row)
