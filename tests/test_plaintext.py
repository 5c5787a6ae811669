"""app/plaintext.py: what is refused, and what the OpenAPI patterns say of it."""

from __future__ import annotations

import re

import pytest

from app.plaintext import PATTERN, WRITTEN, flaw, problem


@pytest.mark.parametrize(("text", "char", "kind"), [
    ("a\ud800b", "U+D800", "surrogate"), ("\udfff", "U+DFFF", "surrogate"),
    ("a\ufffdb", "U+FFFD", "replacement"), ("x\u202e", "U+202E", "control"),
])
def test_refused(text, char, kind):
    found = flaw(text)
    assert found is not None and (found.char, found.kind) == (char, kind)
    assert char in problem(text)


@pytest.mark.parametrize("text", ["办得很好 👍", "第一行\n第二行\t", "𠀀𪚥"])
def test_plain_text_including_characters_beyond_the_bmp(text):
    assert flaw(text) is None and problem(text) is None
    assert re.fullmatch(PATTERN, text) and re.fullmatch(WRITTEN, text)


def test_the_patterns_refuse_the_replacement_character_not_surrogates():
    """JSON Schema patterns are ECMAScript regular expressions, which see an emoji as two
    surrogates: lone ones are refused by the server only."""
    assert not re.fullmatch(PATTERN, "a\ufffd") and not re.fullmatch(WRITTEN, "\ufffd")
    assert "\\ud800" not in PATTERN.lower()
