"""The reviewer's phone number (查看联系电话): shown masked to everyone; in full only to whoever
holds an open task of the case (CaseTask.assignee_id) and to 12345 hotline operators of the
case's region, and every reveal is an audit event (who, when). Shenzhen art. 13: reviewer data
is protected and never reaches the staff member reviewed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from app.auth.models import User
from app.auth.users import in_region
from app.cases import events
from app.cases.models import Case
from app.cases.records import CaseTask
from app.extensions import db
from app.reviews.masking import mask_name, mask_phone


class NoPhone(LookupError):
    """The rating came without a phone number."""


def holds_open_task(user: User, case: Case) -> bool:
    return bool(db.session.scalar(select(exists().where(
        CaseTask.case_id == case.id, CaseTask.state == "open",
        CaseTask.assignee_id == user.id))))


def may_reveal(user: User, case: Case) -> bool:
    """The assignee of an open task of the case, or a hotline operator (12345热线话务员) of
    its region. Nobody else, administrators included."""
    if user.role == "hotline" and in_region(user, case.region_code):
        return True
    return holds_open_task(user, case)


def masked(case: Case) -> dict[str, str | None]:
    """The reviewer as everyone sees them: 张*, 138****5678."""
    review = case.review
    return {"name": mask_name(review.reviewer_name, review.reviewer_type),
            "phone": mask_phone(review.reviewer_phone)}


def reveal(case: Case, user: User, at: datetime, via: str) -> str:
    """The full phone number, recording the reveal (in the caller's transaction; the caller
    commits). The caller checks `may_reveal` first; NoPhone when there is none."""
    phone = case.review.reviewer_phone
    if not phone:
        raise NoPhone(case.number)
    events.record(case.id, "phone_revealed", user.username, at,
                  data={"via": via, "masked": mask_phone(phone)})
    return phone
