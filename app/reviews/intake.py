"""Rating intake 评价接收: validate, store once, open a case for every new bad rating.

Idempotent: a rating is identified by (serial_no, rating_count, rated_object). Sending it again,
in the same batch or concurrently from another request, returns the first stored result and
creates nothing (INSERT ... ON CONFLICT DO NOTHING, then read back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, tuple_

from app.cases.models import Case
from app.cases.opening import cases_for, open_cases
from app.dbutil import insert_ignore
from app.extensions import db
from app.org.service import ensure_departments
from app.reviews.models import Review
from app.reviews.schemas import ReviewIn
from app.timeutil import utcnow

IDENTITY = ("serial_no", "rating_count", "rated_object")
_schema = ReviewIn()
_COLUMNS = [c.key for c in Review.__table__.columns if c.key != "id"]

Key = tuple[str, int, str]


@dataclass
class ItemResult:
    """What happened to one submitted rating."""

    index: int
    status: str  # created | duplicate | invalid
    review: Review | None = None
    case: Case | None = None
    errors: dict[str, Any] | None = None


def validate(payload: Any) -> dict:
    """One rating, validated and normalised; raises ValidationError with per-field messages."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["A rating is a JSON object."]})
    return _schema.load(payload)


def intake(payloads: Sequence[Any], source: str, now: datetime | None = None) -> list[ItemResult]:
    """Store a batch of ratings in one transaction; invalid items are reported, not stored."""
    now = now or utcnow()
    results: list[ItemResult] = []
    keys: list[Key | None] = []
    valid: dict[Key, dict] = {}
    for i, payload in enumerate(payloads):
        try:
            data = validate(payload)
        except ValidationError as err:
            results.append(ItemResult(i, "invalid", errors=err.normalized_messages()))
            keys.append(None)
            continue
        key = _key(data)
        results.append(ItemResult(i, "created" if key not in valid else "duplicate"))
        keys.append(key)
        valid.setdefault(key, data)
    try:
        by_key, new_keys, cases = _store(valid, source, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for res, key in zip(results, keys, strict=True):
        if key is None:
            continue
        res.review = by_key[key]
        res.case = cases.get(res.review.id)
        if key not in new_keys:
            res.status = "duplicate"
    return results


def _store(valid: dict[Key, dict], source: str,
           now: datetime) -> tuple[dict[Key, Review], set[Key], dict[int, Case]]:
    """Insert new ratings and open their cases. Returns every key's review, the keys inserted
    now, and the cases by review id (new ones and those of duplicates)."""
    if not valid:
        return {}, set(), {}
    blank = dict.fromkeys(_COLUMNS)
    rows = [{**blank, **data, "source": source, "received_at": now} for data in valid.values()]
    ensure_departments((r.get("department_code"), r.get("department_name"), r["region_code"])
                       for r in rows)
    stmt = insert_ignore(Review, list(IDENTITY)).returning(
        Review.serial_no, Review.rating_count, Review.rated_object)
    new_keys = {tuple(row) for row in db.session.execute(stmt, rows)}
    by_key = _load(list(valid))
    new_bad = [r for k, r in by_key.items() if k in new_keys and r.is_bad and not r.is_default]
    cases = open_cases(new_bad, now)
    cases.update(cases_for([r.id for k, r in by_key.items() if k not in new_keys and r.is_bad]))
    return by_key, new_keys, cases


def _load(keys: list[Key]) -> dict[Key, Review]:
    """The stored reviews for the given identity keys (chunked to keep statements small)."""
    found: dict[Key, Review] = {}
    cols = tuple_(Review.serial_no, Review.rating_count, Review.rated_object)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for review in db.session.scalars(select(Review).where(cols.in_(chunk))):
            found[_key(review.__dict__)] = review
    return found


def _key(data: dict) -> Key:
    return (data["serial_no"], int(data.get("rating_count") or 1), data["rated_object"])
