"""The department register (部门): kept in step with the departments that ratings name, and
edited by administrators."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.dbutil import bulk_insert
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
        bulk_insert(Department.__table__, missing, conflict=("code",))
    return len(missing)


def by_code(code: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.code == code))


def create_department(code: str, name: str, region_code: str | None) -> Department:
    """A new department (committed); ValueError when the code is registered already."""
    if by_code(code):
        raise ValueError(f"department {code} exists")
    dept = Department(code=code, name=name, region_code=region_code or None)
    db.session.add(dept)
    db.session.commit()
    return dept


def update_department(dept: Department, name: str, region_code: str | None) -> Department:
    """Rename a department or change its region (the code identifies it and stays)."""
    dept.name, dept.region_code = name, region_code or None
    db.session.commit()
    return dept


def names(codes: Iterable[str | None]) -> dict[str, str]:
    """Department code → name for the given codes (unknown codes are left out)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = db.session.execute(select(Department.code, Department.name)
                              .where(Department.code.in_(wanted)))
    return dict(rows.all())
