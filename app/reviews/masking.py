"""Masking of reviewer data (Shenzhen art. 13): names shown as 张*, phones as 138****5678."""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    """张三 → 张*, 欧阳娜娜 → 欧***; an organisation name keeps its first two characters."""
    if not name:
        return name
    keep = 2 if len(name) > 5 else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_phone(phone: str | None) -> str | None:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    if not phone:
        return phone
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_cert(cert: str | None) -> str | None:
    """Certificate numbers: the first 4 and last 2 characters only."""
    if not cert:
        return cert
    return cert[:4] + "*" * max(len(cert) - 6, 0) + cert[-2:]
