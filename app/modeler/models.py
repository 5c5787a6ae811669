"""What the modeler keeps besides the versions: drafts (流程草稿) and the audit of changes to a
jurisdiction's process (流程变更记录: deploys, refused deploys, roll backs, cases moved)."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow


class ProcessDraft(db.Model):
    """A supervisor's unfinished edit of one file of a jurisdiction's process: one per file,
    shared by the jurisdiction's editors, saved over by the next save."""

    __tablename__ = "process_drafts"
    __table_args__ = (db.UniqueConstraint("jurisdiction", "process_key", "file_name",
                                          name="uq_process_drafts_file"),)

    id = db.Column(BigId, primary_key=True)
    jurisdiction = db.Column(db.String(32), nullable=False)
    process_key = db.Column(db.String(64), nullable=False)
    file_name = db.Column(db.String(100), nullable=False)
    xml = db.Column(db.Text, nullable=False)
    base_version_id = db.Column(db.ForeignKey("process_versions.id"), nullable=False)
    updated_by = db.Column(db.String(64), nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    base_version = db.relationship("ProcessVersion", lazy="joined")


class ProcessAudit(db.Model):
    """One change to a jurisdiction's process, append-only: who, when, what and why."""

    __tablename__ = "process_audit"
    __table_args__ = (db.Index("ix_process_audit_jurisdiction", "jurisdiction", "process_key",
                               "id"),)

    id = db.Column(BigId, primary_key=True)
    jurisdiction = db.Column(db.String(32), nullable=False)
    process_key = db.Column(db.String(64), nullable=False)
    kind = db.Column(db.String(24), nullable=False)  # deploy, deploy_refused, rollback, migrate
    version_id = db.Column(db.ForeignKey("process_versions.id"), nullable=True)
    actor = db.Column(db.String(64), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    comment = db.Column(db.String(200), nullable=True)
    data = db.Column(db.JSON, nullable=True)

    version = db.relationship("ProcessVersion", lazy="joined")
