"""How evidence files, comments and a revealed phone number travel in the API."""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from app.cases.schemas import Local
from app.plaintext import PATTERN, WRITTEN, Text


def _user(attr: str):
    return fields.Function(lambda obj: getattr(obj, attr).username, metadata={"type": "string"})


def _user_name(attr: str):
    return fields.Function(lambda obj: getattr(obj, attr).name, metadata={"type": "string"})


class AttachmentOut(Schema):
    """证明材料: the stored file's facts; `download_url` sends it (Content-Disposition:
    attachment)."""

    id = fields.Integer()
    name = fields.String(attribute="original_name", metadata={"example": "通话录音.m4a"})
    type = fields.String(attribute="file_type", metadata={"example": "m4a"})
    content_type = fields.String(metadata={"example": "audio/mp4"})
    kind = fields.String(metadata={"description": "audio, image or pdf"})
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String()
    description = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True,
                            metadata={"description": "the task it belongs to, if any"})
    uploaded_by = _user("uploaded_by")
    uploaded_by_name = _user_name("uploaded_by")
    uploaded_at = Local()
    download_url = fields.Function(lambda a: url_for(
        "case_materials.download_attachment", number=a.case.number, attachment_id=a.id),
        metadata={"type": "string"})


class UploadFiles(Schema):
    file = Upload(required=True, metadata={
        "description": "mp3, m4a, wav, amr, jpg, png or pdf; checked by content"})


class UploadForm(Schema):
    task_id = Text(metadata={"description": "tie the file to this task of the case"})
    description = fields.String(metadata={"description": "材料说明", "maxLength": 200,
                                          "pattern": PATTERN})


class UploadIn(UploadForm, UploadFiles):
    """The multipart/form-data body of an upload as the OpenAPI document shows it: the file
    (read from `request.files`) and its form fields (from `request.form`)."""


class CommentIn(Schema):
    text = fields.String(required=True, metadata={"description": "备注", "minLength": 1,
                                                  "maxLength": 2000, "pattern": WRITTEN})
    task_id = Text(metadata={"description": "tie the comment to this task of the case"})


class CommentOut(Schema):
    """备注/意见."""

    id = fields.Integer()
    text = fields.String(attribute="body")
    task_id = fields.String(allow_none=True)
    author = _user("author")
    author_name = _user_name("author")
    created_at = Local()


class PhoneOut(Schema):
    """The reviewer's full phone number; the reveal is recorded on the case."""

    phone = fields.String(metadata={"example": "13812345678"})
    revealed_at = Local()
