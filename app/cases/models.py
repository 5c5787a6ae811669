"""Case 差评工单: the work order every bad rating opens."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime

# Status before the process engine takes a case over (the engine issue adds the rest).
AWAITING_ENGINE = "awaiting_engine"
STATUS_LABELS = {AWAITING_ENGINE: "待流程引擎启动"}

# Responsibility types 责任类型 (Shenzhen art. 23)
RESPONSIBILITY_LABELS = {
    "item": "事项所属部门",
    "system": "系统所属部门",
    "staff": "人员管理单位",
    "theme": "主题服务牵头部门",
}


class Case(db.Model):
    """差评工单. One per bad rating; numbered CP-YYYYMMDD-NNNNNN by day of receipt
    (Beijing time)."""

    __tablename__ = "cases"
    __table_args__ = (db.Index("ix_cases_status_received", "status", "received_at"),)

    id = db.Column(BigId, primary_key=True)
    number = db.Column(db.String(20), nullable=False, unique=True)
    review_id = db.Column(db.ForeignKey("reviews.id"), nullable=False, unique=True)
    status = db.Column(db.String(24), nullable=False, default=AWAITING_ENGINE)
    responsibility = db.Column(db.String(16), nullable=False)  # 责任类型
    department_code = db.Column(db.String(18), nullable=True, index=True)  # 责任部门
    department_name = db.Column(db.String(100), nullable=True)
    dispatch = db.Column(db.String(8), nullable=False)  # auto | hotline (12345 派单)
    routing_note = db.Column(db.String(200), nullable=True)
    region_code = db.Column(db.String(12), nullable=False, index=True)
    jurisdiction = db.Column(db.String(32), nullable=False, index=True)
    rule_version_id = db.Column(db.ForeignKey("rule_versions.id"), nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False)  # 收到工单
    version = db.Column(db.Integer, nullable=False, default=1)

    review = db.relationship("Review", lazy="joined", innerjoin=True,
                             backref=db.backref("case", uselist=False, lazy="select"))

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class CaseCounter(db.Model):
    """The last case number handed out on a day (Beijing time)."""

    __tablename__ = "case_counters"

    day = db.Column(db.String(8), primary_key=True)  # YYYYMMDD
    last = db.Column(db.Integer, nullable=False, default=0)
