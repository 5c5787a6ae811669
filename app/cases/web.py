"""The case page (工单详情) in the browser: the rating (reviewer masked, the phone number for
those allowed), status and process version, current tasks with their working-day deadlines and
who holds them, the diagram with the current step, the timeline, evidence files and comments.

Signed-in users only; a case outside the user's department or region answers the 403 page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app.auth.access import protect
from app.auth.users import can_view_case
from app.cases import attachments, comments, contact, diagram, numbering, present
from app.cases.holders import holder
from app.cases.materials_view import materials_context
from app.cases.models import CLASS_LABELS, DETERMINATION_LABELS, RESPONSIBILITY_LABELS, Case
from app.cases.records import CaseTask
from app.cases.refusals import Refused, readable_form
from app.cases.webforms import CommentForm, UploadForm, comment_form, refuse, upload_form
from app.extensions import db
from app.reviews import vocab
from app.rules import service as rules_service
from app.timeutil import utcnow
from app.web.i18n import current_language
from app.web.urls import local_target

bp = Blueprint("case_pages", __name__, url_prefix="/cases")
protect(bp)

NO_STORE = {"Cache-Control": "no-store"}


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    """1,024 → 1 KB; 2,400,000 → 2.3 MB."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _case(number: str) -> Case:
    """The case, if the user may see it: 404 unknown, 403 another department's or region's."""
    case = numbering.find(number)
    if case is None:
        abort(404)
    if not can_view_case(current_user, case):
        abort(403)
    return case


def _user():
    return current_user._get_current_object()


def _render(case: Case, status: int = 200, *, phone: str | None = None,
            upload: UploadForm | None = None, comment: CommentForm | None = None):
    now = utcnow()
    tasks = list(db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)
                                    .order_by(CaseTask.id)))
    open_tasks = [t for t in tasks if t.state == "open"]
    html = render_template(
        "cases/page.html", case=case, review=case.review, tasks=tasks, open_tasks=open_tasks,
        deadlines={t.task_id: present.deadline_text(t, now) for t in tasks},
        holders={t.task_id: holder(_user(), t, t.assignee.name if t.assignee else None)
                 for t in open_tasks},
        timeline=present.timeline(case.id, case.process_version_id, tasks),
        diagrams=diagram.views(case, tasks, gettext), reviewer=contact.masked(case),
        may_reveal=contact.may_reveal(_user(), case), phone=phone,
        channels=vocab.CHANNELS, objects=vocab.RATED_OBJECTS, reviewer_types=vocab.REVIEWER_TYPES,
        responsibility=RESPONSIBILITY_LABELS, determinations=DETERMINATION_LABELS,
        classes=CLASS_LABELS, jurisdiction=_jurisdiction_name(case.jurisdiction),
        task_page="inbox.task" in current_app.view_functions,
        **materials_context(case, upload=upload, comment=comment))
    return html, status, NO_STORE if phone else {}


def _jurisdiction_name(key: str) -> str:
    try:
        return rules_service.current().get(key).label(current_language())
    except KeyError:
        return key


@bp.get("/<number>", endpoint="case")
def show(number: str):
    """The case page; endpoint `case_pages.case`. A number typed in another letter case
    (cp-20261122-000001) leads to the page's own address."""
    if number != numbering.canonical(number):
        return redirect(url_for(".case", number=numbering.canonical(number), **request.args),
                        301)
    return _render(_case(number))


@bp.get("/<number>/diagram/<process_id>.bpmn")
def diagram_xml(number: str, process_id: str):
    """The BPMN XML of a process of the case's version, for the viewer (which fetches it).
    Opened as a page it runs nothing: a diagram deployed from the modeler may hold any element,
    an XHTML <script> too, and XML is rendered as a document of this site (nosniff: on
    every response, app/web)."""
    case = _case(number)
    text = diagram.xml(case.process_version, process_id) if case.process_version else None
    if text is None:
        abort(404)
    return text, 200, {"Content-Type": "application/xml; charset=utf-8",
                       "Cache-Control": "private, max-age=3600",
                       "Content-Security-Policy": "default-src 'none'; sandbox"}


def _back(case: Case, form) -> str | None:
    return local_target(form.next.data)


def _refused(case: Case, form, exc: Refused, which: str):
    """Back to the task page with the message as a flash when the form came from there; else
    the case page again with the message on the field (400)."""
    refuse(form, exc)
    back = _back(case, form)
    if back:
        flash(exc.translated(), "error")
        return redirect(back)
    return _render(case, 400, **{which: form})


@bp.post("/<number>/attachments")
def upload(number: str):
    case, form = _case(number), upload_form()
    if not form.validate_on_submit():
        abort(400)
    stream = form.file.data
    try:
        readable_form()  # a file name not in UTF-8 drops the whole body (app/formbody.py)
        attachments.save(case, _user(), stream.stream if stream else None,
                         stream.filename if stream else None, utcnow(),
                         task_id=form.task_id.data or None, description=form.description.data)
    except Refused as exc:
        return _refused(case, form, exc, "upload")
    flash(gettext("已上传证明材料。"), "success")
    return redirect(_back(case, form) or url_for(".case", number=number, _anchor="materials"))


@bp.get("/<number>/attachments/<int:attachment_id>")
def download(number: str, attachment_id: int):
    found = attachments.one(_case(number), attachment_id)
    if found is None:
        abort(404)
    try:
        return attachments.send(found)
    except FileNotFoundError:
        abort(404)


@bp.post("/<number>/comments")
def comment(number: str):
    case, form = _case(number), comment_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        comments.add(case, _user(), form.text.data, utcnow(), task_id=form.task_id.data or None)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        return _refused(case, form, exc, "comment")
    flash(gettext("已添加备注。"), "success")
    return redirect(_back(case, form) or url_for(".case", number=number, _anchor="comments"))


@bp.post("/<number>/phone")
def reveal_phone(number: str):
    """The full phone number (JSON for the page's script, else the page showing it); 403 for
    anyone but the assignee of an open task and the region's 12345 hotline."""
    case = _case(number)
    if not contact.may_reveal(_user(), case):
        abort(403)
    try:
        phone = contact.reveal(case, _user(), utcnow(), via="web")
    except contact.NoPhone:
        abort(404)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(phone=phone), 200, NO_STORE
    return _render(case, phone=phone)
