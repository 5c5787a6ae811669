"""ApiToken: how a channel system (评价渠道系统) authenticates to the intake API."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow
from app.web.i18n import N_


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
    "caseworker": N_("政务服务机构经办人"),
    "supervisor": N_("部门负责人"),
    "hotline": N_("12345热线话务员"),
    "agency": N_("政务服务管理机构"),
    "personnel": N_("人员管理单位"),
    "process_owner": N_("流程负责人"),
    "admin": N_("系统管理员"),
}
DEPARTMENT_ROLES = ("caseworker", "supervisor", "personnel")  # see their department's cases
REGION_ROLES = ("hotline", "agency")  # see their region's cases
ROLE_GROUPS = {
    "caseworker": ("department",),
    "supervisor": ("department", "supervisor"),  # and confirms determinations (确认认定)
    "hotline": ("hotline",),
    "agency": ("agency",),
    "personnel": ("personnel", "department"),
    "process_owner": (),
    "admin": ("hotline", "department", "agency", "personnel", "supervisor"),
}


def region_prefix(code: str | None) -> str:
    """A region code (行政区划代码) without its trailing 00 pairs: 4403 for 440300000000, the
    prefix every code inside that region starts with."""
    code = code or ""
    while code.endswith("00"):
        code = code[:-2]
    return code


class User(UserMixin, db.Model):
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
    password_hash = db.Column(db.String(256), nullable=True)  # werkzeug's; None: no login
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    def set_password(self, password: str) -> None:
        """Store a salted hash (PASSWORD_HASH_METHOD: scrypt); signs out the user's other
        sessions. A check reads the method from the stored hash."""
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return bool(self.active)

    def get_id(self) -> str:
        """Session id `<id>.<stamp>`: the stamp changes with the password, which ends the other
        sessions of this user (see app/auth/web.py, load_user)."""
        return f"{self.id}.{self.session_stamp}"

    @property
    def session_stamp(self) -> str:
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    @property
    def role_label(self) -> str:
        """The role's Chinese name (message id; translate with `_()` where shown)."""
        return ROLES.get(self.role, self.role)

    @property
    def groups(self) -> tuple[str, ...]:
        return ROLE_GROUPS.get(self.role, ())

    @property
    def region_prefix(self) -> str:
        """The region code without its trailing 00 pairs (4403 for 440300000000)."""
        return region_prefix(self.region_code)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginFailure(db.Model):
    """Failed sign-ins of one username as typed (登录失败记录), whether or not an account has
    it (so a lock says nothing of which usernames exist): how many since `first_at`, and until
    when sign-in is refused (see app/auth/lockout.py)."""

    __tablename__ = "login_failures"

    username = db.Column(db.String(64), primary_key=True)  # lower-cased, trimmed
    failures = db.Column(db.Integer, nullable=False, default=0)
    first_at = db.Column(UTCDateTime, nullable=False)
    locked_until = db.Column(UTCDateTime, nullable=True)
