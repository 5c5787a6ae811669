"""Case materials (工单材料): evidence files (证明材料) and comments (备注/意见) on a case,
optionally tied to one of its tasks. Each is also an event of the case's audit trail."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow


class CaseAttachment(db.Model):
    """证明材料: a file stored under the attachments directory by a random name; the name the
    uploader gave is kept only here, for showing and for the download's file name."""

    __tablename__ = "case_attachments"
    __table_args__ = (db.Index("ix_case_attachments_case", "case_id", "id"),)

    id = db.Column(BigId, primary_key=True)
    case_id = db.Column(db.ForeignKey("cases.id"), nullable=False)
    task_id = db.Column(db.String(36), nullable=True)  # CaseTask.task_id, when tied to a step
    storage_name = db.Column(db.String(80), nullable=False, unique=True)  # relative path, random
    original_name = db.Column(db.String(255), nullable=False)
    file_type = db.Column(db.String(8), nullable=False)  # filetypes name: png, pdf, mp3, ...
    content_type = db.Column(db.String(64), nullable=False)  # from the sniffed type
    kind = db.Column(db.String(8), nullable=False)  # audio | image | pdf
    size = db.Column(db.BigInteger, nullable=False)  # bytes
    sha256 = db.Column(db.String(64), nullable=False)
    description = db.Column(db.String(200), nullable=True)  # 材料说明
    uploaded_by_id = db.Column(db.ForeignKey("users.id"), nullable=False)
    uploaded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    uploaded_by = db.relationship("User", lazy="joined")
    case = db.relationship("Case", lazy="select")  # many-to-one: from the identity map


class CaseComment(db.Model):
    """备注/意见: a remark on a case by someone who may see it. Append-only."""

    __tablename__ = "case_comments"
    __table_args__ = (db.Index("ix_case_comments_case", "case_id", "id"),)

    id = db.Column(BigId, primary_key=True)
    case_id = db.Column(db.ForeignKey("cases.id"), nullable=False)
    task_id = db.Column(db.String(36), nullable=True)  # CaseTask.task_id, when tied to a step
    body = db.Column(db.Text, nullable=False)
    author_id = db.Column(db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    author = db.relationship("User", lazy="joined")
