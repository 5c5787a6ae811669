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

from app.cases.opening import case_numbers, open_cases
from app.dbutil import bulk_insert
from app.extensions import db
from app.org.service import ensure_departments
from app.reviews.models import Review
from app.reviews.schemas import ReviewIn
from app.rules import service as rules_service
from app.timeutil import utcnow

IDENTITY = ("serial_no", "rating_count", "rated_object")
_schema = ReviewIn()
_table = Review.__table__
_COLUMNS = [c.key for c in _table.columns if c.key != "id"]

Key = tuple[str, int, str]


@dataclass
class ItemResult:
    """What happened to one submitted rating."""

    index: int
    status: str  # created | duplicate | invalid
    review_id: int | None = None
    case_number: str | None = None
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
        ids, new_keys, numbers = _store(valid, source, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for res, key in zip(results, keys, strict=True):
        if key is not None:
            res.review_id, res.case_number = ids[key], numbers.get(ids[key])
            if key not in new_keys:
                res.status = "duplicate"
    return results


def _store(valid: dict[Key, dict], source: str,
           now: datetime) -> tuple[dict[Key, int], set[Key], dict[int, str]]:
    """Insert new ratings and open cases for the new bad ones. Returns every key's review id,
    the keys inserted now, and case numbers by review id (new ones and those of duplicates)."""
    if not valid:
        return {}, set(), {}
    rules_service.record_loaded_versions()  # every rule version in force has its row
    blank = dict.fromkeys(_COLUMNS)
    rows = {k: {**blank, **d, "source": source, "received_at": now} for k, d in valid.items()}
    ensure_departments((r["department_code"], r["department_name"], r["region_code"])
                       for r in rows.values())
    inserted = bulk_insert(_table, list(rows.values()), conflict=IDENTITY,
                           returning=("id", *IDENTITY))
    ids = {(s, c, o): i for i, s, c, o in inserted}
    new_keys = set(ids)
    old = _existing([k for k in valid if k not in new_keys])
    ids.update(old)
    new_bad = [{**rows[k], "id": ids[k]} for k in new_keys
               if rows[k]["is_bad"] and not rows[k]["is_default"]]
    numbers = open_cases(sorted(new_bad, key=lambda r: r["id"]), now)
    numbers.update(case_numbers(list(old.values())))
    return ids, new_keys, numbers


def _existing(keys: list[Key]) -> dict[Key, int]:
    """Ids of ratings stored before (duplicates), chunked to keep statements small."""
    found: dict[Key, int] = {}
    cols = tuple_(Review.serial_no, Review.rating_count, Review.rated_object)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = db.session.execute(select(Review.id, Review.serial_no, Review.rating_count,
                                         Review.rated_object).where(cols.in_(chunk)))
        found.update({(s, c, o): i for i, s, c, o in rows})
    return found


def _key(data: dict) -> Key:
    return (data["serial_no"], int(data.get("rating_count") or 1), data["rated_object"])
