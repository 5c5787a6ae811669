"""Review 评价: one rating of a service matter (fields after GB/T 39046-2020 table 9)."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime


class Review(db.Model):
    """评价. Unique per matter serial number, rating count and rated object (idempotent intake)."""

    __tablename__ = "reviews"
    __table_args__ = (
        db.UniqueConstraint("serial_no", "rating_count", "rated_object",
                            name="uq_reviews_identity"),
        db.Index("ix_reviews_rated_at", "rated_at"),
        db.Index("ix_reviews_bad_rated_at", "is_bad", "rated_at"),
    )

    id = db.Column(BigId, primary_key=True)
    serial_no = db.Column(db.String(64), nullable=False)  # 办件编号
    rating_count = db.Column(db.SmallInteger, nullable=False, default=1)  # 评价次数
    rated_object = db.Column(db.String(16), nullable=False)  # 评价对象
    channel = db.Column(db.String(16), nullable=False)  # 评价渠道
    level = db.Column(db.String(8), nullable=False)  # 满意度 (by name)
    score = db.Column(db.SmallInteger, nullable=False)
    is_bad = db.Column(db.Boolean, nullable=False, default=False)  # 差评
    is_default = db.Column(db.Boolean, nullable=False, default=False)  # 默认评价
    rated_at = db.Column(UTCDateTime, nullable=False)  # 评价时间
    received_at = db.Column(UTCDateTime, nullable=False)
    text = db.Column(db.Text, nullable=True)  # 文字评价
    tags = db.Column(db.JSON, nullable=False, default=list)  # 标签
    item_code = db.Column(db.String(10), nullable=True)  # 事项基本编码
    item_impl_code = db.Column(db.String(24), nullable=True)  # 实施编码
    item_name = db.Column(db.String(200), nullable=True)  # 事项名称
    department_code = db.Column(db.String(18), nullable=True, index=True)
    department_name = db.Column(db.String(100), nullable=True)
    region_code = db.Column(db.String(12), nullable=False, index=True)  # 行政区划
    staff_no = db.Column(db.String(32), nullable=True)  # 工号
    staff_name = db.Column(db.String(50), nullable=True)
    staff_unit_code = db.Column(db.String(18), nullable=True)  # 人员管理单位
    staff_unit_name = db.Column(db.String(100), nullable=True)
    reviewer_name = db.Column(db.String(100), nullable=True)  # 评价人 (never shown unmasked)
    reviewer_type = db.Column(db.String(16), nullable=False, default="individual")
    reviewer_phone = db.Column(db.String(20), nullable=True)
    reviewer_cert_no = db.Column(db.String(32), nullable=True)
    source = db.Column(db.String(64), nullable=False)  # the channel system's token name

    def __repr__(self) -> str:
        return f"<Review {self.serial_no}/{self.rating_count}/{self.rated_object} {self.level}>"
