"""Case 差评工单: the work order every bad rating opens."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime

# Status 工单状态: opened by intake and waiting for the engine, running, or closed (办结).
AWAITING_ENGINE = "awaiting_engine"
IN_PROGRESS = "in_progress"
CLOSED = "closed"
STATUS_LABELS = {AWAITING_ENGINE: "待流程引擎启动", IN_PROGRESS: "办理中", CLOSED: "已办结"}
# Determination 认定结果: the department's (核实认定), or on a staff review the personnel unit's
# (复核认定, or the re-check window run out: valid). 差评无效（人员复核） is the personnel unit
# finding a staff review invalid: neither misjudged nor malicious, no appeal.
STAFF_INVALID = "staff_invalid"
DETERMINATION_LABELS = {"valid": "属实", "misjudged": "误评", "malicious": "恶意评价",
                        "unreasonable": "诉求不合理", STAFF_INVALID: "差评无效（人员复核）"}
# The personnel unit's decision (staff_determination) as the case's determination
STAFF_DETERMINATIONS = {"valid": "valid", "invalid": STAFF_INVALID}
CLASS_LABELS = {"simple": "立整立改", "general": "限时整改", "complex": "综合协调"}

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
    version = db.Column(db.Integer, nullable=False, default=1)  # bumped by every change (claim)
    # Set by the process engine (流程引擎)
    process_version_id = db.Column(db.ForeignKey("process_versions.id"), nullable=True)
    current_steps = db.Column(db.String(200), nullable=True)  # open user tasks' step ids
    determination = db.Column(db.String(16), nullable=True)  # 认定结果 (DETERMINATION_LABELS)
    rectify_class = db.Column(db.String(16), nullable=True, index=True)  # 整改类别
    revisit_result = db.Column(db.String(24), nullable=True)  # 回访结果
    # 差评无效 (appeal upheld, or a staff review found invalid): out of the figures
    invalid = db.Column(db.Boolean, nullable=False, default=False)
    warned_at = db.Column(UTCDateTime, nullable=True)  # first 超期预警
    overdue_at = db.Column(UTCDateTime, nullable=True)  # first 超期; escalated to the agency (督办)
    closed_at = db.Column(UTCDateTime, nullable=True)  # 办结

    review = db.relationship("Review", lazy="joined", innerjoin=True,
                             backref=db.backref("case", uselist=False, lazy="select"))

    process_version = db.relationship("ProcessVersion", lazy="select")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def overdue(self) -> bool:
        return self.overdue_at is not None


class CaseCounter(db.Model):
    """The last case number handed out on a day (Beijing time)."""

    __tablename__ = "case_counters"

    day = db.Column(db.String(8), primary_key=True)  # YYYYMMDD
    last = db.Column(db.Integer, nullable=False, default=0)
