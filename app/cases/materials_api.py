"""/api/v1/cases/<number>/…: evidence files (证明材料), comments (备注) and the reviewer's phone
number (查看联系电话) of a case. Everyone who may see the case may read, upload and comment;
the phone number only its open tasks' assignees and the region's 12345 hotline."""

from __future__ import annotations

from functools import wraps

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from app.apidoc import SECURITY, errors
from app.auth.errors import error_response
from app.auth.users import can_view_case, user_required
from app.cases import attachments, comments, contact, numbering
from app.cases.filetypes import TYPES
from app.cases.materials_schemas import (
    AttachmentOut,
    CommentIn,
    CommentOut,
    PhoneOut,
    UploadFiles,
    UploadForm,
    UploadIn,
)
from app.cases.refusals import Refused, readable_form
from app.extensions import db
from app.timeutil import utcnow

blp = Blueprint("case_materials", __name__, url_prefix="/api/v1/cases",
                description="证明材料、备注与联系电话 Case evidence files, comments, phone reveal")
CASE_ERRORS = ((403, "a channel token, or the case is another department's or region's"),
               (404, "no such case"))
# The file and the form fields arrive in one multipart/form-data body, parsed from two webargs
# locations (files, form; errors under each); flask-smorest would document the second location
# as a Swagger 2 `in: formData` parameter, so the body is documented once, as UploadIn.
UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": UploadIn}}}
FILE_CONTENT = {t.mime: {"schema": {"type": "string", "format": "binary"}} for t in TYPES}


def _case(number: str):
    """(case, None) or (None, error): 404 unknown, 403 another department's or region's."""
    case = numbering.find(number)
    if case is None:
        return None, error_response(404, f"no case {number}")
    if not can_view_case(g.user, case):
        return None, error_response(403, f"case {number} belongs to another department or "
                                         "region")
    return case, None


def _refused(exc: Refused, location: str):
    db.session.rollback()
    return error_response(exc.status, exc.english(), exc.errors(location))


def _readable_upload(view):
    """A body werkzeug could not read is refused for what it is (a file name not in UTF-8:
    422; anything else: 400) before its missing fields are counted (app/formbody.py)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            readable_form()
        except Refused as exc:
            return _refused(exc, "files")
        return view(*args, **kwargs)
    return wrapper


@blp.route("/<number>/attachments")
class Attachments(MethodView):
    @user_required
    @blp.doc(security=SECURITY)
    @errors(blp, *CASE_ERRORS)
    @blp.response(200, AttachmentOut(many=True))
    def get(self, number: str):
        """The case's evidence files, oldest first."""
        case, err = _case(number)
        return err or attachments.for_case(case)

    @user_required
    @blp.doc(security=SECURITY, requestBody=UPLOAD_BODY)
    @errors(blp, 400, *CASE_ERRORS, (413, "the file is larger than ATTACHMENT_MAX_MB"),
            (415, "the file is not mp3, m4a, wav, amr, jpg, png or PDF, or its content does "
                  "not match its extension; or the body is neither multipart nor JSON"),
            (422, "no file, an empty one, a file name not in UTF-8, or a form field refused "
                  "(errors.files, errors.form)"))
    @_readable_upload
    @blp.ARGUMENTS_PARSER.use_args(UploadFiles, location="files")
    @blp.ARGUMENTS_PARSER.use_args(UploadForm, location="form")
    @blp.response(201, AttachmentOut)
    def post(self, files: dict, form: dict, number: str):
        """Upload an evidence file (multipart `file`): 413 when larger than the limit, 415 when
        its content is not an accepted type or does not match its extension."""
        case, err = _case(number)
        if err:
            return err
        upload = files["file"]
        try:
            return attachments.save(case, g.user, upload.stream, upload.filename, utcnow(),
                                    task_id=form.get("task_id"),
                                    description=form.get("description"))
        except Refused as exc:
            return _refused(exc, "form" if exc.field != "file" else "files")


@blp.route("/<number>/attachments/<int:attachment_id>")
@user_required
@blp.doc(security=SECURITY, responses={
    "200": {"description": "the file (Content-Disposition: attachment), with its sniffed type",
            "content": FILE_CONTENT},
    "206": {"description": "the requested part of the file (Range)", "content": FILE_CONTENT},
    "304": {"description": "not modified (If-None-Match: the file's sha256)"}})
@errors(blp, *CASE_ERRORS[:1], (404, "no such case, or no such attachment on it"),
        (410, "the stored file is gone"), 416)
def download_attachment(number: str, attachment_id: int):
    """Download an evidence file (Content-Disposition: attachment, its sniffed type)."""
    case, err = _case(number)
    if err:
        return err
    found = attachments.one(case, attachment_id)
    if found is None:
        return error_response(404, f"no attachment {attachment_id} on case {number}")
    try:
        return attachments.send(found)
    except FileNotFoundError:
        return error_response(410, f"the file of attachment {attachment_id} is gone")


@blp.route("/<number>/comments")
class Comments(MethodView):
    @user_required
    @blp.doc(security=SECURITY)
    @errors(blp, *CASE_ERRORS)
    @blp.response(200, CommentOut(many=True))
    def get(self, number: str):
        """The case's comments, oldest first."""
        case, err = _case(number)
        return err or comments.for_case(case)

    @user_required
    @blp.doc(security=SECURITY)
    @errors(blp, 400, *CASE_ERRORS, 415, (422, "a field refused: a message under errors.json"))
    @blp.arguments(CommentIn)
    @blp.response(201, CommentOut)
    def post(self, args: dict, number: str):
        """Add a comment (备注/意见), optionally on one of the case's tasks."""
        case, err = _case(number)
        if err:
            return err
        try:
            comment = comments.add(case, g.user, args["text"], utcnow(),
                                   task_id=args.get("task_id"))
        except Refused as exc:
            return _refused(exc, "json")
        db.session.commit()
        return comment


@blp.route("/<number>/reveal-phone", methods=["POST"])
@user_required
@blp.doc(security=SECURITY)
@errors(blp, 400, (403, "a channel token, the case is another department's or region's, or you "
                        "are neither the assignee of an open task of it nor its 12345 hotline"),
        (404, "no such case, or its rating has no phone number"), 415)
@blp.response(200, PhoneOut)
def reveal_phone(number: str):
    """The reviewer's full phone number, for the assignee of an open task of the case and the
    region's 12345 hotline (403 for everyone else); every reveal is recorded on the case."""
    case, err = _case(number)
    if err:
        return err
    if not contact.may_reveal(g.user, case):
        return error_response(403, "only the assignee of an open task of this case and the "
                                   "12345 hotline of its region may see the phone number")
    now = utcnow()
    try:
        phone = contact.reveal(case, g.user, now, via="api")
    except contact.NoPhone:
        return error_response(404, f"the rating of case {number} has no phone number")
    db.session.commit()
    response_headers = {"Cache-Control": "no-store"}
    return {"phone": phone, "revealed_at": now}, 200, response_headers
