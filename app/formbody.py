"""A form body (multipart/form-data, urlencoded) that could not be read. Werkzeug drops such a
body without a word (no fields, no files), so an upload whose file name is not UTF-8 (a part
header in GBK, say) would be answered "file: missing"; `Request` remembers why instead, and
`MESSAGES` says it (English for the API, a Chinese message id for the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Request as FlaskRequest
from flask import request
from werkzeug.formparser import FormDataParser

from app.web.i18n import N_

NAME = "name"  # a part's header, in practice a file name, is not UTF-8
BODY = "body"  # anything else: no boundary, a cut-off body …
MESSAGES = {
    NAME: ("The file name could not be read: it is not UTF-8. Rename the file, or send its "
           "name in UTF-8.", N_("无法读取文件名（不是 UTF-8 编码），请将文件改名后重新上传。")),
    BODY: ("The multipart/form-data body could not be read.",
           N_("无法读取提交的内容，请重新选择文件后再提交。")),
}


class _Parser(FormDataParser):
    """Werkzeug's parser, telling `on_error` what it dropped."""

    def __init__(self, *args: Any, on_error: Callable[[ValueError], None], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.on_error = on_error

    def parse(self, stream, mimetype, content_length, options=None):  # type: ignore[no-untyped-def]
        self.silent = False
        try:
            return super().parse(stream, mimetype, content_length, options)
        except ValueError as exc:
            self.on_error(exc)
            return stream, self.cls(), self.cls()


class Request(FlaskRequest):
    """Flask's request; `form_error` says why its form body was dropped (NAME or BODY)."""

    form_error: str | None = None

    def make_form_data_parser(self) -> FormDataParser:
        return _Parser(stream_factory=self._get_file_stream,
                       max_form_memory_size=self.max_form_memory_size,
                       max_content_length=self.max_content_length,
                       max_form_parts=self.max_form_parts,
                       cls=self.parameter_storage_class, on_error=self._dropped)

    def _dropped(self, exc: ValueError) -> None:
        self.form_error = NAME if isinstance(exc, UnicodeDecodeError) else BODY


def form_error() -> str | None:
    """Why this request's form body could not be read (NAME, BODY); None when it was read
    or is no form."""
    request.form  # noqa: B018  (parse it, if not yet)
    return getattr(request, "form_error", None)
