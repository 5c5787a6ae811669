"""Plain text (app/plaintext.py) on the pages: the refusal in the page's language, and a
WTForms validator that puts it on the field (管理页面的姓名、部门名称)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from wtforms.validators import ValidationError

from app.plaintext import flaw
from app.web.i18n import N_

# Flaw.kind → message id, with the character's position (%(at)s) and code (%(char)s)
MESSAGES = {
    "control": N_("第 %(at)s 个字符是控制字符 %(char)s，请删除后重新提交。"),
    "surrogate": N_("第 %(at)s 个字符 %(char)s 不是有效字符（编码已损坏），请删除后重新提交。"),
    "replacement": N_("第 %(at)s 个字符是替换字符 %(char)s（文字在编码转换中已损坏），"
                      "请改正后重新提交。"),
}


def message(value: str) -> str | None:
    """Why `value` is refused, in the current language; None when it is plain text."""
    found = flaw(value)
    if found is None:
        return None
    return gettext(MESSAGES[found.kind], at=found.position, char=found.char)


class PlainText:
    """Refuses control characters (the bidirectional overrides U+202E … too) and broken
    encoding (a lone surrogate, U+FFFD), as the API does (app/plaintext.py)."""

    def __call__(self, form: Any, field: Any) -> None:
        problem = message(field.data or "") if isinstance(field.data, str) else None
        if problem:
            raise ValidationError(problem)
