"""Masking of reviewer data (Shenzhen art. 13): what pages and the API show of a reviewer.

A masked value lets a caseworker or the hotline confirm a number or a name with its owner
("您尾号5678的电话", "张先生"), and no more; the full phone number is behind the recorded
reveal (app/cases/contact.py). Decisions, for the forms app/reviews/phones.py stores:

- mobile: the first 3 and last 4 digits, ``138****5678`` (the usual form in China);
- landline: only the last 4 digits of the local number; the area code and the extension are
  hidden, their length kept, ``****-****5678``, ``***-***4567``, ``****-****5678-***``. The
  area code would narrow the number to a city the rating's region already names, and the
  last four digits with the landline's shape are enough to tell which number it is;
- local number without area code: ``****5678``;
- 400/800 numbers (an organisation's line): the prefix and the last 4, ``400***4567``; short
  service numbers (95588, 12345) the last 2, ``***88``;
- a value stored before numbers were normalised: every digit hidden but the last 4 (the last
  2 when it has 6 digits or fewer), other characters kept.
Names: a person keeps the first character, ``张*``, ``阿*******`` for 阿依古丽·买买提 (the
middle dot is hidden too: it is part of the name, and its place would tell the name's parts).
A one-character name is all hidden, ``*``: showing its character would show the whole name.
An organisation (reviewer_type legal_person) keeps its first two characters when its name is
longer than five. Lengths are counted in characters (code points: 𠮷 is one).
"""

from __future__ import annotations

from app.reviews.phones import Phone, PhoneInvalid, parse


def mask_name(name: str | None, reviewer_type: str | None = "individual") -> str | None:
    """张三 → 张*, 欧阳娜娜 → 欧***, 张 → *; an organisation's long name keeps two characters."""
    if not name:
        return name
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name) or None
    keep = 2 if reviewer_type == "legal_person" and len(name) > 5 else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_phone(phone: str | None) -> str | None:
    """13812345678 → 138****5678, 0755-12345678 → ****-****5678, 95588 → ***88."""
    if not phone:
        return phone
    try:
        parsed = parse(phone)
    except PhoneInvalid:
        parsed = None
    if parsed is None:
        return _mask_digits(phone, 4 if sum(c.isdigit() for c in phone) > 6 else 2)
    return _mask_parsed(parsed)


def _mask_parsed(phone: Phone) -> str:
    number = phone.number
    if phone.kind == "mobile":
        masked = number[:3] + "****" + number[-4:]
    elif phone.kind == "service" and len(number) == 10:
        masked = number[:3] + "*" * 3 + number[-4:]
    elif phone.kind == "service":
        masked = _mask_digits(number, 2)
    else:
        masked = _mask_digits(number, 4)
    parts = ["*" * len(phone.area)] if phone.area else []
    parts.append(masked)
    if phone.extension:
        parts.append("*" * len(phone.extension))
    return "-".join(parts)


def _mask_digits(text: str, keep: int) -> str:
    """Every digit of `text` hidden but the last `keep` digits; other characters kept."""
    total = sum(c.isdigit() for c in text)
    seen, out = 0, []
    for c in text:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - keep else "*")
        else:
            out.append(c)
    return "".join(out)


def mask_cert(cert: str | None) -> str | None:
    """Certificate numbers: the first 4 and last 2 characters only; one of 6 characters or
    fewer all hidden (its first 4 and last 2 would be all of it)."""
    if not cert:
        return cert
    if len(cert) <= 6:
        return "*" * len(cert)
    return cert[:4] + "*" * max(len(cert) - 6, 0) + cert[-2:]
