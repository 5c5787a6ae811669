"""Opening cases for new bad reviews (差评自动生成工单)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from app.cases import numbering
from app.cases.models import AWAITING_ENGINE, Case
from app.cases.routing import route
from app.extensions import db
from app.reviews.models import Review
from app.rules import service as rules_service


def open_cases(reviews: Sequence[Review], received_at: datetime) -> dict[int, Case]:
    """One case per review, routed under the rules of the review's region, recording the
    jurisdiction and the rule version. Flushes; the caller commits. Returns review id → case."""
    if not reviews:
        return {}
    book = rules_service.current()
    numbers = numbering.allocate(received_at, len(reviews))
    cases = []
    for review, number in zip(reviews, numbers, strict=True):
        rules = book.for_region(review.region_code)
        r = route(_fields(review), rules.routing)
        cases.append(Case(
            number=number, review_id=review.id, status=AWAITING_ENGINE,
            responsibility=r.responsibility, department_code=r.department_code,
            department_name=r.department_name, dispatch=r.dispatch, routing_note=r.note,
            region_code=review.region_code, jurisdiction=rules.key,
            rule_version_id=rules_service.version_id(rules), received_at=received_at,
        ))
    db.session.add_all(cases)
    db.session.flush()
    return {c.review_id: c for c in cases}


def cases_for(review_ids: Sequence[int]) -> dict[int, Case]:
    """Existing cases of the given reviews."""
    if not review_ids:
        return {}
    rows = db.session.scalars(select(Case).where(Case.review_id.in_(review_ids)))
    return {c.review_id: c for c in rows}


def _fields(review: Review) -> dict:
    return {
        "rated_object": review.rated_object, "channel": review.channel,
        "department_code": review.department_code, "department_name": review.department_name,
        "staff_unit_code": review.staff_unit_code, "staff_unit_name": review.staff_unit_name,
    }
