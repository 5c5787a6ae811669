"""Text as people and channel systems send it (评价、表单、备注): any script and emoji, but no
control characters. NUL is refused by PostgreSQL, and the bidirectional overrides (U+202E
and its kin) make a text display reversed or reordered on a page, so a rating or a form could
be shown saying what it does not say. Tabs and line breaks are text."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def control_character(value: str) -> tuple[str, int] | None:
    """The first control character of `value` as U+XXXX, and its position (from 1); None
    when it is plain text."""
    found = FORBIDDEN.search(value)
    if found is None:
        return None
    return f"U+{ord(found.group()):04X}", found.start() + 1


def problem(value: str) -> str | None:
    """What is wrong with `value`, or None when it is plain text."""
    found = control_character(value)
    if found is None:
        return None
    return f"Contains the control character {found[0]} at position {found[1]}."


class Text(fields.String):
    """A string field that refuses control characters (see `problem`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        message = problem(text)
        if message:
            raise ValidationError(message)
        return text
