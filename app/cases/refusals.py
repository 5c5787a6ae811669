"""Why an upload or a comment was refused, told once and shown twice: in English in the JSON
API, in the user's language (message ids are Chinese) on the pages."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from app import formbody
from app.cases.models import Case
from app.cases.records import CaseTask
from app.extensions import db
from app.plaintext import flaw, newlines, trimmed
from app.web.i18n import N_

# reason → (English for the API, Chinese message id for the pages)
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Choose a file to upload.", N_("请选择要上传的文件。")),
    "empty": ("The file is empty.", N_("文件是空的。")),
    "too_large": ("The file is larger than %(limit)s MB.",
                  N_("文件超过 %(limit)s MB 的大小限制。")),
    "type": ("Not an accepted file type: audio (mp3, m4a, wav, amr), images (jpg, png) or PDF.",
             N_("不支持的文件类型：只能上传音频（mp3、m4a、wav、amr）、图片（jpg、png）或 PDF。")),
    "mismatch": ("The file's content (%(found)s) does not match its extension (.%(ext)s).",
                 N_("文件内容（%(found)s）与扩展名（.%(ext)s）不符。")),
    "too_long": ("At most %(max)d characters.", N_("最多 %(max)d 个字。")),
    "blank": ("Write something.", N_("请填写内容。")),
    "control": ("Contains the control character %(char)s.",
                N_("含有控制字符 %(char)s，请删除后重新提交。")),
    "surrogate": ("Contains %(char)s, half of a UTF-16 surrogate pair and no character: the "
                  "text was broken in encoding.",
                  N_("含有无效字符 %(char)s（编码已损坏），请删除后重新提交。")),
    "replacement": ("Contains the replacement character %(char)s: the text was damaged in "
                    "encoding (bytes that were not UTF-8).",
                    N_("含有替换字符 %(char)s（文字在编码转换中已损坏），请改正后重新提交。")),
    "task": ("Not a task of this case.", N_("不是本工单的办理步骤。")),
    # the body werkzeug could not read (app/formbody.py): a file name not in UTF-8, or else
    "unreadable_name": formbody.MESSAGES[formbody.NAME],
    "unreadable_body": formbody.MESSAGES[formbody.BODY],
}


class Refused(ValueError):
    """A submission refused because of `field`; `status` is the HTTP status to answer."""

    def __init__(self, field: str, reason: str, status: int = 422, **params: Any) -> None:
        self.field, self.reason, self.status, self.params = field, reason, status, params
        super().__init__(self.english())

    def english(self) -> str:
        return MESSAGES[self.reason][0] % self.params

    def translated(self) -> str:
        """In the current language (needs a request or app context with Babel)."""
        return gettext(MESSAGES[self.reason][1], **self.params)

    def errors(self, location: str) -> dict[str, dict[str, list[str]]]:
        """The API's per-field errors: {location: {field: [message]}}."""
        return {location: {self.field: [self.english()]}}


def readable_form() -> None:
    """Refused (on `file`) when this request's form body could not be read: 422 for a file
    name not in UTF-8, 400 for any other damage."""
    error = formbody.form_error()
    if error == formbody.NAME:
        raise Refused("file", "unreadable_name")
    if error:
        raise Refused("file", "unreadable_body", 400)


def task_of(case: Case, task_id: str | None) -> CaseTask | None:
    """The case's task `task_id` (None for none); Refused when it is not one of the case's."""
    if not task_id:
        return None
    task = db.session.scalar(select(CaseTask).where(CaseTask.task_id == task_id,
                                                    CaseTask.case_id == case.id))
    if task is None:
        raise Refused("task_id", "task")
    return task


def text(value: str | None, field: str, max_length: int, required: bool = True) -> str | None:
    """`value` stripped, its line breaks as LF (a browser sends a textarea's as CR LF, and
    its maxlength counts one); Refused when blank (and required) or longer than
    `max_length`, or with a control character or broken encoding (app/plaintext.py: a lone
    surrogate, or U+FFFD where a multipart or form field's bytes were not UTF-8)."""
    value = trimmed(newlines(value or ""))
    if not value:
        if required:
            raise Refused(field, "blank")
        return None
    if len(value) > max_length:
        raise Refused(field, "too_long", max=max_length)
    found = flaw(value)
    if found:
        raise Refused(field, found.kind, char=found.char)
    return value
