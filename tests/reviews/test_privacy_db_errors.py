"""A database error does not list the statement's values, nor the row PostgreSQL quotes
("Failing row contains …"): the reviewer's phone number, name or certificate number do not
reach the log with it."""

from __future__ import annotations

import logging
import traceback
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
    assert "hide_parameters" in message  # the statement's values
    logged = "".join(traceback.format_exception(raised.value))  # as a log prints it
    for value in ("13812345678", "张三", "440305199001011234"):
        assert value not in logged


def test_the_refused_row_is_cut_and_the_rest_of_the_message_kept(app_ctx, caplog):
    """Text with brackets and line breaks in the row, and a section after it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's message")
    from sqlalchemy import text
    values = {"b": "张三 (13812345678)\n）"}  # a line of its own: a traceback quotes the next
    with pytest.raises(IntegrityError) as raised, db.engine.connect() as conn:
        conn.execute(text("CREATE TEMP TABLE t (a text NOT NULL, b text)"))
        conn.execute(text("INSERT INTO t VALUES (NULL, :b)"), values)
    message = str(raised.value)
    assert "13812345678" not in message and "张三" not in message
    assert 'null value in column "a"' in message and "(values left out)" in message
    assert "[SQL: INSERT INTO t VALUES (NULL, %(b)s)]" in message
    with caplog.at_level(logging.ERROR):
        logging.getLogger("app").exception("refused", exc_info=raised.value)
    assert "13812345678" not in caplog.text
