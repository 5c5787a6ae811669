"""Comments (备注/意见) on a case, by anyone who may see it; each is an event of the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.cases import events
from app.cases.materials import CaseComment
from app.cases.models import Case
from app.cases.refusals import task_of, text
from app.extensions import db

MAX_COMMENT = 2000  # characters


def add(case: Case, user: User, body: str | None, at: datetime, *,
        task_id: str | None = None) -> CaseComment:
    """A comment with its event, in the caller's transaction (the caller commits). Refused for
    an empty or too long text, or a task of another case."""
    task = task_of(case, task_id)
    body = text(body, "text", MAX_COMMENT)
    comment = CaseComment(case_id=case.id, task_id=task.task_id if task else None, body=body,
                          author_id=user.id, created_at=at)
    db.session.add(comment)
    db.session.flush()
    events.record(case.id, "commented", user.username, at,
                  step=task.step if task else None, title=task.title if task else None,
                  task_id=task.task_id if task else None,
                  data={"comment_id": comment.id, "text": body})
    return comment


def for_case(case: Case) -> list[CaseComment]:
    return list(db.session.scalars(select(CaseComment).where(CaseComment.case_id == case.id)
                                   .order_by(CaseComment.id)))
