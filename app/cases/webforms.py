"""The case page's forms: an evidence file (证明材料) and a comment (备注). They carry the CSRF
token and the optional task and return address; the rules themselves (size, type, length) are
checked by the services, whose refusals are put on the fields (see `refuse`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField

from app.cases.refusals import Refused


class UploadForm(FlaskForm):
    file = FileField(_l("选择文件"))
    description = StringField(_l("材料说明"), render_kw={"maxlength": 200},
                              description=_l("选填，如“与评价人通话录音”"))
    task_id = HiddenField()
    next = HiddenField()


class CommentForm(FlaskForm):
    text = TextAreaField(_l("备注内容"), render_kw={"maxlength": 2000, "rows": 3})
    task_id = HiddenField()
    next = HiddenField()


def upload_form(**data) -> UploadForm:
    return UploadForm(prefix="upload", **data)


def comment_form(**data) -> CommentForm:
    return CommentForm(prefix="comment", **data)


def refuse(form: FlaskForm, exc: Refused) -> None:
    """Show the service's refusal on its field (the file field when the form has no such)."""
    target = form._fields.get(exc.field) or form._fields.get("file") or form._fields["text"]
    target.errors = [*target.errors, exc.translated()]
