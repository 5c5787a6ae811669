"""ApiToken: how a channel system (评价渠道系统) authenticates to the intake API."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow


class ApiToken(db.Model):
    """One token per channel system; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id = db.Column(BigId, primary_key=True)
    name = db.Column(db.String(64), nullable=False, unique=True)  # channel system name
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    prefix = db.Column(db.String(12), nullable=False)  # shown in listings to tell tokens apart
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UTCDateTime, nullable=True)
    revoked_at = db.Column(UTCDateTime, nullable=True)
