"""`RuleVersion` (规则版本): every rule-file content the app has used, so a case can record
exactly which rules its deadlines were computed from."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import deferred

from app.extensions import db
from app.models_base import UTCDateTime
from app.timeutil import utcnow


class RuleVersion(db.Model):
    """One jurisdiction's rule file content, identified by the sha256 of its bytes."""

    __tablename__ = "rule_versions"
    __table_args__ = (UniqueConstraint("jurisdiction", "content_hash"),)

    id = db.Column(db.Integer, primary_key=True)
    jurisdiction = db.Column(db.String(32), nullable=False)
    content_hash = db.Column(db.String(64), nullable=False)
    source_path = db.Column(db.String(500), nullable=False)
    content = deferred(db.Column(db.Text, nullable=False))  # loaded only when read
    loaded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<RuleVersion {self.id} {self.jurisdiction} {self.content_hash[:12]}>"
