"""Readable case numbers: CP-20250127-000123, counted per day of receipt (Beijing time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app.cases.models import Case, CaseCounter
from app.dbutil import bulk_insert
from app.extensions import db
from app.timeutil import to_local

PREFIX = "CP"


def allocate(received_at: datetime, count: int) -> list[str]:
    """Reserve `count` consecutive numbers for the day of `received_at`. The counter row is
    locked until the transaction ends, so concurrent intakes never share a number."""
    if count <= 0:
        return []
    day = to_local(received_at).strftime("%Y%m%d")
    bump = (update(CaseCounter).where(CaseCounter.day == day)
            .values(last=CaseCounter.last + count).returning(CaseCounter.last))
    last = db.session.execute(bump).scalar()
    if last is None:
        bulk_insert(CaseCounter.__table__, [{"day": day, "last": 0}], conflict=("day",))
        last = db.session.execute(bump).scalar_one()
    return [f"{PREFIX}-{day}-{n:06d}" for n in range(last - count + 1, last + 1)]


def canonical(number: str) -> str:
    """A case number as stored: ``cp-20261122-000001`` and `` CP-20261122-000001 `` (typed,
    pasted from a message) are CP-20261122-000001."""
    return number.strip().upper()


def find(number: str) -> Case | None:
    """The case numbered `number` in any letter case, None when there is none."""
    wanted = canonical(number)
    if "\x00" in wanted:  # PostgreSQL takes no NUL in text
        return None
    return db.session.scalar(select(Case).where(Case.number == wanted))
