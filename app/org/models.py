"""Organisations: Department 部门 (identified by its 18-character unified social credit code)."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow


class Department(db.Model):
    """部门: a department or unit that receives work orders (also personnel units 人员管理单位)."""

    __tablename__ = "departments"

    id = db.Column(BigId, primary_key=True)
    code = db.Column(db.String(18), nullable=False, unique=True)  # 统一社会信用代码
    name = db.Column(db.String(100), nullable=False)
    region_code = db.Column(db.String(12), nullable=True, index=True)  # 行政区划代码
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"
