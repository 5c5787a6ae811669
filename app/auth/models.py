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
    user_id = db.Column(db.ForeignKey("users.id"), nullable=True, index=True)  # acts as this user

    user = db.relationship("User", lazy="joined")


# Roles (角色) per DOMAIN.md, and the task groups (lanes) each works.
ROLES = {
    "caseworker": "政务服务机构经办人",
    "supervisor": "部门负责人",
    "hotline": "12345热线话务员",
    "agency": "政务服务管理机构",
    "personnel": "人员管理单位",
    "process_owner": "流程负责人",
    "admin": "系统管理员",
}
ROLE_GROUPS = {
    "caseworker": ("department",),
    "supervisor": ("department",),
    "hotline": ("hotline",),
    "agency": ("agency",),
    "personnel": ("personnel", "department"),
    "process_owner": (),
    "admin": ("hotline", "department", "agency", "personnel"),
}


class User(db.Model):
    """A person who works cases (用户), bound to a department (部门) and a region (行政区划).
    Caseworkers, supervisors and personnel units see their department's cases; the hotline and
    the management agency see their region's."""

    __tablename__ = "users"

    id = db.Column(BigId, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True)
    name = db.Column(db.String(64), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    department_code = db.Column(db.String(18), nullable=True, index=True)
    region_code = db.Column(db.String(12), nullable=True)
    password_hash = db.Column(db.String(256), nullable=True)  # set by the browser login issue
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def groups(self) -> tuple[str, ...]:
        return ROLE_GROUPS.get(self.role, ())

    @property
    def region_prefix(self) -> str:
        """The region code without its trailing 00 pairs (4403 for 440300000000)."""
        code = self.region_code or ""
        while code.endswith("00"):
            code = code[:-2]
        return code

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
