"""Text as people and channel systems send it (评价、表单、备注): any script and emoji, but no
control characters. NUL is refused by PostgreSQL, and the bidirectional overrides (U+202E
and its kin) make a text display reversed or reordered on a page, so a rating or a form could
be shown saying what it does not say. Tabs and line breaks are text; a Windows line break
(CR LF, as browsers send a textarea's) or a lone CR is read as one LF, so that a length limit
counts a line break as the one character the writer typed.

Broken encoding is refused too, the same way whichever way the text came:
- a lone surrogate (U+D800–U+DFFF, e.g. JSON "\\ud800"): half of a UTF-16 pair, no character,
  cannot be stored as UTF-8 (a JSON body may carry one; an emoji is one code point, never
  two surrogates, once decoded);
- U+FFFD, the replacement character: what a decoder puts where bytes were not UTF-8 (a web
  form or multipart field with such bytes arrives with U+FFFD in their place, so the text is
  no longer what the writer wrote). Nobody types it; refusing it tells the sender to fix the
  encoding instead of storing a damaged text without a word."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from marshmallow import ValidationError, fields

# The characters refused, as a regular-expression class both Python and JSON Schema read:
# the control characters, and U+FFFD (see above).
CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069"
REFUSED = CONTROL + r"\ufffd"
# Lone surrogates: Python only. Not in the JSON Schema patterns, whose regular expressions
# (ECMAScript without the u flag) see an emoji as two surrogates and would refuse it.
SURROGATES = r"\ud800-\udfff"
FORBIDDEN = re.compile(f"[{REFUSED}{SURROGATES}]")


class Flaw(NamedTuple):
    """A refused character: `char` as U+XXXX, its `position` (from 1), and its `kind`:
    control, surrogate (lone) or replacement (U+FFFD)."""

    char: str
    position: int
    kind: str


def flaw(value: str) -> Flaw | None:
    """The first refused character of `value`; None when it is plain text."""
    found = FORBIDDEN.search(value)
    if found is None:
        return None
    code = ord(found.group())
    kind = ("surrogate" if 0xD800 <= code <= 0xDFFF
            else "replacement" if code == 0xFFFD else "control")
    return Flaw(f"U+{code:04X}", found.start() + 1, kind)


def control_character(value: str) -> tuple[str, int] | None:
    """The first refused character of `value` as U+XXXX, and its position (from 1); None
    when it is plain text."""
    found = flaw(value)
    return None if found is None else (found.char, found.position)


# kind → the API's message (English), with the character and its position
MESSAGES = {
    "control": "Contains the control character {char} at position {position}.",
    "surrogate": "Contains {char} at position {position}, half of a UTF-16 surrogate pair "
                 "and no character: the text was broken in encoding.",
    "replacement": "Contains the replacement character {char} at position {position}: the "
                   "text was damaged in encoding (bytes that were not UTF-8).",
}


def problem(value: str) -> str | None:
    """What is wrong with `value`, or None when it is plain text."""
    found = flaw(value)
    if found is None:
        return None
    return MESSAGES[found.kind].format(char=found.char, position=found.position)


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
PATTERN = f"^[^{REFUSED}]*$"
# Written text: plain and not blank once trimmed (a comment, a serial number, a tag).
WRITTEN = f"^[^{REFUSED}]*[^\\s{REFUSED}{INVISIBLE}][^{REFUSED}]*$"


class Text(fields.String):
    """A string field that refuses control characters and broken encoding (see `problem`);
    the OpenAPI document gives it the `pattern` that says so."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": PATTERN, **(kwargs.get("metadata") or {})}
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = newlines(super()._deserialize(value, attr, data, **kwargs))
        message = problem(text)
        if message:
            raise ValidationError(message)
        return text
