"""Keep the department register in step with the departments that ratings name."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.dbutil import insert_ignore
from app.extensions import db
from app.org.models import Department
from app.timeutil import utcnow


def ensure_departments(rows: Iterable[tuple[str, str, str | None]]) -> int:
    """Register unknown departments given as (code, name, region_code); returns how many were
    added. Known codes are left as they are (names change through the admin, not intake)."""
    wanted = {code: (name, region) for code, name, region in rows if code}
    if not wanted:
        return 0
    known = set(db.session.scalars(select(Department.code).where(Department.code.in_(wanted))))
    missing = [
        {"code": code, "name": name, "region_code": region, "created_at": utcnow()}
        for code, (name, region) in wanted.items() if code not in known
    ]
    if missing:
        db.session.execute(insert_ignore(Department, ["code"]), missing)
    return len(missing)
