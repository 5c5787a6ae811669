"""ProcessVersion 流程版本: the diagram files of one deployment, stored once."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow


class ProcessVersion(db.Model):
    """A deployed set of BPMN files for a jurisdiction (辖区). The newest of a jurisdiction's
    versions of a process is the current one; cases keep the version they started on."""

    __tablename__ = "process_versions"
    __table_args__ = (
        db.Index("ix_process_versions_current", "jurisdiction", "process_key", "id"),
        db.UniqueConstraint("jurisdiction", "process_key", "number",
                            name="uq_process_versions_number"),
    )

    id = db.Column(BigId, primary_key=True)
    jurisdiction = db.Column(db.String(32), nullable=False)
    process_key = db.Column(db.String(64), nullable=False)  # the top process id, e.g. bad_review
    number = db.Column(db.Integer, nullable=False)  # 1, 2, ... per jurisdiction and process
    content_hash = db.Column(db.String(64), nullable=False, index=True)
    files = db.Column(db.JSON, nullable=False)  # file name → BPMN XML text
    source = db.Column(db.String(16), nullable=False)  # files (bpmn/ of a release) | modeler
    comment = db.Column(db.String(200), nullable=True)
    deployed_by = db.Column(db.String(64), nullable=False)
    deployed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.process_key} v{self.number}"
