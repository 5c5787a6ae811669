"""The context of the evidence-files-and-comments partial (`cases/_materials.html`), which the
case page and the task page include:

    return render_template("inbox/task.html", ...,
                           **materials_context(case, task_id=task.task_id, back=request.full_path))

    {% include materials_template %}   {# or: {% include "cases/_materials.html" %} #}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.cases import attachments, comments, filetypes
from app.cases.materials import CaseAttachment, CaseComment
from app.cases.models import Case
from app.cases.records import CaseTask
from app.cases.webforms import CommentForm, UploadForm, comment_form, upload_form
from app.extensions import db

TEMPLATE = "cases/_materials.html"
ACCEPT = ",".join(f".{ext}" for ext in filetypes.EXTENSIONS)


@dataclass
class Materials:
    """What the partial shows: the case's files and comments, the two forms (with messages
    after a refused submission), the task new ones are tied to, where to return."""

    case: Case
    attachments: list[CaseAttachment]
    comments: list[CaseComment]
    upload_form: UploadForm
    comment_form: CommentForm
    task_titles: dict[str, str]  # task id → step title, for "on step …"
    task_id: str | None = None
    back: str | None = None
    accept: str = ACCEPT
    max_mb: str = "20"


def materials_context(case: Case, *, task_id: str | None = None, back: str | None = None,
                      upload: UploadForm | None = None,
                      comment: CommentForm | None = None) -> dict[str, Any]:
    """`materials` (a Materials) and `materials_template` for the partial. `task_id`: new files
    and comments are tied to this task; `back`: a local path to return to after posting (the
    case page when None)."""
    titles = dict(db.session.execute(select(CaseTask.task_id, CaseTask.title)
                                     .where(CaseTask.case_id == case.id)).all())
    hidden = {"task_id": task_id, "next": back}
    return {"materials_template": TEMPLATE, "materials": Materials(
        case=case, attachments=attachments.for_case(case), comments=comments.for_case(case),
        upload_form=upload or upload_form(**hidden), comment_form=comment or comment_form(**hidden),
        task_titles=titles, task_id=task_id, back=back, max_mb=attachments.max_mb())}
