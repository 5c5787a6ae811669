"""A database error does not list the statement's values: the reviewer's phone number, name
or certificate number do not reach the log with it. (The database's own message may still
quote the row: PostgreSQL's "Failing row contains …".)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.reviews.models import Review


def test_database_errors_leave_out_the_values(app_ctx):
    now = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)
    row = Review(serial_no="S1", rated_object="item", channel="mobile", level="不满意",
                 score=3, rated_at=now, received_at=now, region_code=None,  # NOT NULL
                 reviewer_name="张三", reviewer_phone="13812345678",
                 reviewer_cert_no="440305199001011234", source="test")
    db.session.add(row)
    with pytest.raises(IntegrityError) as raised:
        db.session.flush()
    db.session.rollback()
    message = str(raised.value)
    assert "region_code" in message  # still says what failed
    ours = message.replace(str(raised.value.orig), "")  # SQLAlchemy's part: statement, values
    assert "hide_parameters" in ours
    for value in ("13812345678", "张三", "440305199001011234"):
        assert value not in ours
