"""Reviewer phone numbers (评价人联系电话) as channel systems send them, read into one stored form.

Channels write the same number in many ways: ``+86 138 1234 5678``, ``8613812345678``,
``138-1234-5678``, ``(0755)1234-5678``, ``0755-12345678转801``. Intake stores one form, so
that masking, the hotline's reveal and a search all see the same number:

- mobile 手机: 11 digits, ``13812345678`` (``+86``/``0086``/``86``, spaces and dashes dropped);
- landline 固定电话: area code, dash, local number, ``0755-12345678``; an extension 分机
  follows a second dash, ``0755-12345678-801``. Area codes 010 and 02x have three digits,
  all others four, so ``075512345678`` is ``0755-12345678``. A local number has 7 or 8 digits;
  one without its area code (``83456789``) is kept as sent;
- service numbers 服务号码: 400/800 numbers (``4001234567``, extension allowed) and short ones
  (``95588``, ``12345``, ``96xxx``).
An empty value is no number (None). Anything else is refused with a message that says what a
phone number looks like.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The extension: "转801", "分机801", "ext. 801", "x801", "#801" (or a dash after a complete
# landline, "0755-12345678-801": see `parse`).
_EXTENSION = re.compile(r"^(?P<main>.+?)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6})$", re.I)
_SEPARATORS = re.compile(r"[\s\-()（）.]")
_COUNTRY = re.compile(r"^(?:\+86|0086)")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SERVICE_LONG = re.compile(r"^[48]00[0-9]{7}$")
_SERVICE_SHORT = re.compile(r"^(?:1[0-9]{4}|9[56][0-9]{3,6})$")
_LOCAL = re.compile(r"^[1-9][0-9]{6,7}$")

HELP = ("Not a phone number: give a mobile number (13812345678, +86 allowed), a landline with "
        "its area code (0755-12345678, extension 0755-12345678-801) or a service number "
        "(4001234567, 95588).")


class PhoneInvalid(ValueError):
    """The value is not a phone number; the message says why."""


@dataclass(frozen=True)
class Phone:
    """A number split into its parts: kind (mobile, landline, local, service), area code (or
    ''), the number, and the extension (or '')."""

    kind: str
    area: str
    number: str
    extension: str = ""

    def __str__(self) -> str:
        parts = [p for p in (self.area, self.number, self.extension) if p]
        return "-".join(parts)


def normalise(raw: str | None) -> str | None:
    """The stored form of `raw`, None when it is empty; PhoneInvalid when it is no number."""
    phone = parse(raw)
    return str(phone) if phone else None


def parse(raw: str | None) -> Phone | None:
    """`raw` split into a Phone (None when empty); PhoneInvalid when it is no number."""
    text = _plain(raw or "")
    if not text:
        return None
    _check_digits(text)
    found = _EXTENSION.match(text)
    if found:
        return _with_extension(_digits(found["main"]), found["ext"])
    head, dash, tail = text.rpartition("-")
    if dash and tail.strip().isdigit() and len(tail.strip()) <= 6:
        try:  # 0755-1234567-801: the last group is an extension if the rest is a landline
            # (or a 400/800 number: 4001234567-2)
            phone = _classify(_digits(head), "")
        except PhoneInvalid:
            phone = None
        if phone is not None and (phone.kind == "landline" or _SERVICE_LONG.match(phone.number)):
            return _with_extension(_digits(head), tail.strip())
    return _classify(_digits(text), "")


def _plain(raw: str) -> str:
    """Full-width digits and dashes (an input method's 全角) as ASCII, without invisible
    format characters (zero-width space, BOM) and surrounding spaces."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def _check_digits(text: str) -> None:
    """PhoneInvalid when a digit of another script is left after NFKC (Arabic-Indic ١٣٨,
    Devanagari १): a number is written with 0-9 (full-width ０-９ were read as these)."""
    foreign = next((c for c in text if c.isdigit() and not c.isascii()), None)
    if foreign is not None:
        raise PhoneInvalid(f"Write the number with the digits 0-9 (it has {foreign!r}, "
                           f"U+{ord(foreign):04X}).")


def _digits(text: str) -> str:
    """The national number's digits (separators and country code dropped); PhoneInvalid
    when anything but digits is left."""
    digits = _national(_SEPARATORS.sub("", text))
    if not digits.isdigit():
        raise PhoneInvalid(HELP)
    return digits


def _with_extension(digits: str, extension: str) -> Phone:
    if not (digits.startswith("0") or _SERVICE_LONG.match(digits)):
        raise PhoneInvalid("Only a landline or a 400/800 number has an extension.")
    return _classify(digits, extension)


def _national(digits: str) -> str:
    """Without the country code: +86/0086 always; a bare 86 before a mobile number."""
    stripped = _COUNTRY.sub("", digits)
    if stripped != digits:
        return stripped if _MOBILE.match(stripped) or stripped.startswith("0") else "0" + stripped
    if digits.startswith("86") and len(digits) == 13 and _MOBILE.match(digits[2:]):
        return digits[2:]
    return digits


def _classify(digits: str, extension: str) -> Phone:
    if _MOBILE.match(digits):
        return Phone("mobile", "", digits)
    if _SERVICE_LONG.match(digits):
        return Phone("service", "", digits, extension)
    if _SERVICE_SHORT.match(digits):
        return Phone("service", "", digits)
    if digits.startswith("0"):
        return _landline(digits, extension)
    if _LOCAL.match(digits):
        return Phone("local", "", digits)
    if len(digits) < 5:
        raise PhoneInvalid(f"Too short for a phone number ({len(digits)} digits).")
    if digits.startswith("1") and 9 <= len(digits) <= 13:
        raise PhoneInvalid(f"A mobile number has 11 digits (this has {len(digits)}).")
    raise PhoneInvalid(HELP)


def _landline(digits: str, extension: str) -> Phone:
    """Area code (3 digits for 010 and 02x, else 4) and a local number of 7 or 8 digits that
    does not start with 0."""
    size = 3 if digits[1] in "12" else 4
    area, local = digits[:size], digits[size:]
    if not _LOCAL.match(local):
        raise PhoneInvalid(f"A landline number has 7 or 8 digits after the area code {area}, "
                           f"not starting with 0 (this has {len(local)} digits).")
    return Phone("landline", area, local, extension)
