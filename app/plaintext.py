"""Text as people and channel systems send it (评价、表单、备注): any script and emoji, but no
control characters. NUL is refused by PostgreSQL, and the bidirectional overrides (U+202E
and its kin) make a text display reversed or reordered on a page, so a rating or a form could
be shown saying what it does not say. Tabs and line breaks are text; a Windows line break
(CR LF, as browsers send a textarea's) or a lone CR is read as one LF, so that a length limit
counts a line break as the one character the writer typed."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields

# The characters refused, as a regular-expression class both Python and JSON Schema read.
CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069"
FORBIDDEN = re.compile(f"[{CONTROL}]")


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


# Invisible characters a text may start or end with (byte order mark, zero-width space and
# joiners, word joiner), as a regular-expression class: trimmed with the spaces by `trimmed`.
INVISIBLE = r"\ufeff\u200b-\u200d\u2060"
_EDGES = re.compile(f"^[\\s{INVISIBLE}]+|[\\s{INVISIBLE}]+$")


def newlines(value: str) -> str:
    """CR LF and lone CR as LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def trimmed(value: str) -> str:
    """`value` without surrounding spaces (full-width 　 too) and invisible characters."""
    return _EDGES.sub("", value)


# Plain text in the OpenAPI document (a JSON Schema pattern).
PATTERN = f"^[^{CONTROL}]*$"
# Written text: plain and not blank once trimmed (a comment, a serial number, a tag).
WRITTEN = f"^[^{CONTROL}]*[^\\s{CONTROL}{INVISIBLE}][^{CONTROL}]*$"


class Text(fields.String):
    """A string field that refuses control characters (see `problem`); the OpenAPI document
    gives it the `pattern` that says so."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": PATTERN, **(kwargs.get("metadata") or {})}
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = newlines(super()._deserialize(value, attr, data, **kwargs))
        message = problem(text)
        if message:
            raise ValidationError(message)
        return text
