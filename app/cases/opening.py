"""Opening cases for new bad reviews (差评自动生成工单)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.cases import numbering
from app.cases.models import AWAITING_ENGINE, Case
from app.cases.routing import route
from app.dbutil import bulk_insert
from app.extensions import db
from app.rules import service as rules_service


def open_cases(reviews: Sequence[Mapping[str, Any]], received_at: datetime) -> dict[int, str]:
    """One case per stored review (its column values, with `id`), routed under the rules of
    the review's region, recording the jurisdiction and the rule version. Executes in the
    caller's transaction; the caller commits. Returns review id → case number."""
    if not reviews:
        return {}
    book = rules_service.current()
    numbers = numbering.allocate(received_at, len(reviews))
    rows = []
    for review, number in zip(reviews, numbers, strict=True):
        rules = book.for_region(review["region_code"])
        r = route(review, rules.routing)
        rows.append({
            "number": number, "review_id": review["id"], "status": AWAITING_ENGINE,
            "responsibility": r.responsibility, "department_code": r.department_code,
            "department_name": r.department_name, "dispatch": r.dispatch,
            "routing_note": r.note, "region_code": review["region_code"],
            "jurisdiction": rules.key, "rule_version_id": rules_service.version_id(rules),
            "received_at": received_at, "version": 1,
        })
    bulk_insert(Case.__table__, rows)
    return {row["review_id"]: row["number"] for row in rows}


def case_numbers(review_ids: Sequence[int]) -> dict[int, str]:
    """Review id → case number for those of the reviews that have a case."""
    if not review_ids:
        return {}
    found: dict[int, str] = {}
    for start in range(0, len(review_ids), 1000):
        chunk = review_ids[start:start + 1000]
        rows = db.session.execute(
            select(Case.review_id, Case.number).where(Case.review_id.in_(chunk)))
        found.update({review_id: number for review_id, number in rows})
    return found
