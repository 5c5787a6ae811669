"""Creating and checking API tokens. A token is 32 random bytes (url-safe); a high-entropy
secret needs no slow hash, so SHA-256 of it is stored and looked up directly."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import g, request
from sqlalchemy import select

from app.auth.errors import error_response, unauthorized
from app.auth.models import ApiToken
from app.extensions import db
from app.timeutil import utcnow

PREFIX = "hcp_"
DEACTIVATED = "the token's user account is deactivated; an administrator can reactivate it"
CHANNEL_ONLY = ("ratings are submitted with a channel system's token (评价渠道系统); a user's "
                "token is for the task and case APIs")
TOUCH_EVERY = timedelta(minutes=5)  # how often last_used_at is written


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(name: str, user_id: int | None = None) -> str:
    """A new token for `name` (committed), acting as user `user_id` when given; the plain
    token is returned once and never stored. ValueError for a blank name, a name with spaces
    around it, or one in use."""
    if not name.strip():
        raise ValueError("a token needs a name (the channel system or user it is for)")
    if name != name.strip():
        raise ValueError(f"a token name has no spaces around it: {name!r}")
    if db.session.scalar(select(ApiToken).where(ApiToken.name == name)):
        raise ValueError(f"a token named {name!r} exists; revoke it first")
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(name=name, token_hash=digest(token), prefix=token[:12],
                            user_id=user_id))
    db.session.commit()
    return token


def revoke(name: str) -> bool:
    """Revoke (and rename out of the way) the live token called `name`; False if none."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == name,
                                                   ApiToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = utcnow()
    row.name = f"{name}#revoked-{row.id}"
    db.session.commit()
    return True


def lookup(token: str) -> ApiToken | None:
    """The live token row for a presented token, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def _presented() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("X-API-Token") or None


def token_required(view):
    """Reject the request with 401 unless it carries a live API token, and with 403 when the
    token's user is deactivated (停用); sets g.api_token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = _presented()
        row = lookup(token) if token else None
        if row is None:
            why = "invalid or revoked API token" if token else "missing API token"
            return unauthorized(why)
        if row.user is not None and not row.user.active:
            return error_response(403, DEACTIVATED)
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            row.last_used_at = now
            db.session.commit()
        g.api_token = row
        return view(*args, **kwargs)

    return wrapper


def channel_required(view):
    """`token_required`, and 403 unless the token is a channel system's (not bound to a user):
    only channel systems submit ratings; people work cases with their user's token."""

    @token_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.api_token.user_id is not None:
            return error_response(403, CHANNEL_ONLY)
        return view(*args, **kwargs)

    return wrapper
