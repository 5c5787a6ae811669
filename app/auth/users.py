"""Users (用户) and what they may see: roles, departments, regions (部门与辖区范围).

API users authenticate with a token bound to them (`flask tokens create NAME --user USERNAME`);
people in the browser sign in with a password (app/auth/web.py) as the same User rows.
"""

from __future__ import annotations

import re
import secrets
from functools import cache, wraps

from flask import current_app, g
from marshmallow import ValidationError
from sqlalchemy import and_, false, func, or_, select, true
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import lockout
from app.auth.errors import error_response
from app.auth.models import DEPARTMENT_ROLES, REGION_ROLES, ROLES, User, region_prefix
from app.auth.tokens import token_required
from app.cases.models import Case
from app.cases.records import CaseTask
from app.extensions import db
from app.plaintext import problem, trimmed
from app.reviews.models import Review
from app.rules.schema import validate_uscc

DEPARTMENT_GROUPS = ("department", "personnel", "supervisor")  # scoped by the case's department
REGION_GROUPS = ("hotline", "agency")  # scoped by the case's region
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
MIN_PASSWORD = 8
REGION_CODE = re.compile(r"[0-9]{12}")


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so that answer takes as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def create(username: str, name: str, role: str, department_code: str | None = None,
           region_code: str | None = None, password: str | None = None,
           active: bool = True) -> User:
    """A new user (committed); ValueError for an unknown role, a taken username, or a
    department or region the role needs missing or malformed (`check_scope`). Without a
    password the user can use an API token but cannot sign in."""
    _check_role(role)
    _check_name(name)
    check_scope(role, department_code, region_code)
    if username_taken(username):
        raise ValueError(f"user {username!r} exists")
    if password is not None:
        _check_password(password)
    user = User(username=username, name=name, role=role, department_code=department_code,
                region_code=region_code, active=active)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def update(user: User, *, name: str, role: str, department_code: str | None,
           region_code: str | None, active: bool) -> User:
    """Change a user's profile (committed); ValueError for an unknown role, or a department or
    region the role needs missing or malformed (`check_scope`)."""
    _check_role(role)
    _check_name(name)
    check_scope(role, department_code or None, region_code or None)
    user.name, user.role, user.active = name, role, active
    user.department_code, user.region_code = department_code or None, region_code or None
    db.session.commit()
    return user


def _check_name(name: str) -> None:
    """A display name (姓名) is plain text, not blank: the admin form checks it on its field,
    this catches the rest (`flask users create`)."""
    if not trimmed(name or ""):
        raise ValueError("a user needs a name")
    found = problem(name)
    if found:
        raise ValueError(f"name: {found}")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")


def check_scope(role: str, department_code: str | None, region_code: str | None) -> None:
    """ValueError unless the department is a unified social credit code (统一社会信用代码, 18
    characters with its check character) and the region a 12-digit region code (行政区划代码)
    naming a region, and the role has what it is scoped by: a department for caseworkers,
    supervisors and personnel units, a region for the hotline and the agency. No other role
    has a department: stored, it would let the user see that department's cases."""
    if department_code and role not in DEPARTMENT_ROLES:
        raise ValueError(f"--department is not for the {role} role: only "
                         f"{', '.join(DEPARTMENT_ROLES)} users belong to a department")
    if department_code is not None:
        try:
            validate_uscc(department_code)
        except ValidationError as err:
            raise ValueError(f"department {department_code!r}: {err.messages[0]}") from None
    if region_code is not None and not (REGION_CODE.fullmatch(region_code)
                                        and region_prefix(region_code)):
        raise ValueError(f"region {region_code!r}: a region code is 12 digits naming a "
                         "region, e.g. 440305000000")
    if role in DEPARTMENT_ROLES and not department_code:
        raise ValueError(f"a {role} needs a department (--department, its unified social "
                         "credit code)")
    if role in REGION_ROLES and not region_code:
        raise ValueError(f"a {role} user needs a region (--region, 12 digits): it sees the "
                         "cases of its region")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")


def by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def username_taken(username: str) -> bool:
    """Is the name in use, in any letter case? (ADMIN beside admin would be a look-alike
    account.)"""
    return db.session.scalar(select(func.count()).select_from(User).where(
        func.lower(User.username) == username.lower())) > 0


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (whatever the reason: the
    caller shows one message, so nobody learns which usernames exist or are disabled)."""
    user = by_username(username.strip()) if username else None
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
                            password or "")  # same time as a wrong password
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set (reset) a password, committed; ValueError when shorter than MIN_PASSWORD. The
    user's other browser sessions end, and failed sign-ins of the username are forgotten."""
    _check_password(password)
    user.set_password(password)
    lockout.clear(user.username)  # an administrator's reset also lifts a lock
    db.session.commit()


def user_required(view):
    """401 without a live token, 403 for a channel token that is not bound to a user (and,
    from `token_required`, for a deactivated user's token)."""

    @token_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = g.api_token.user
        if user is None:
            return error_response(403, "this API needs a user's token; channel tokens may "
                                       "only submit ratings")
        g.user = user
        return view(*args, **kwargs)

    return wrapper


def region_condition(user: User, column):
    """SQL condition: `column` is a region code inside the user's region; nothing for a user of
    no region (an empty prefix would match every region nationwide)."""
    if not user.region_prefix:
        return false()
    return code_prefix(column, user.region_prefix)


def in_region(user: User, region_code: str | None) -> bool:
    """Is `region_code` inside the user's region? Never for a user of no region."""
    prefix = user.region_prefix
    return bool(prefix) and (region_code or "").startswith(prefix)


def code_prefix(column, prefix: str):
    """SQL condition: a code column starts with `prefix` (digits), as a range an index serves
    on every database (`LIKE 'p%'` is not, on SQLite)."""
    if not prefix:
        return true()
    if not (prefix.isascii() and prefix.isdigit()):
        return column.startswith(prefix)
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return and_(column >= prefix, column < upper) if len(upper) == len(prefix) \
        else column >= prefix


def task_scope(user: User):
    """SQL condition: the tasks (of any state) `user` may see."""
    if user.role == "admin":
        return true()
    parts = []
    if user.department_code:
        parts.append(CaseTask.department_code == user.department_code)
    if any(gr in REGION_GROUPS for gr in user.groups):
        parts.append(and_(CaseTask.group_name.in_(user.groups),
                          region_condition(user, CaseTask.region_code)))
    return or_(*parts) if parts else false()


def can_act(user: User, task: CaseTask) -> bool:
    """May `user` claim or complete `task`: their group, their department or region."""
    if user.role == "admin":
        return True
    if task.group_name not in user.groups:
        return False
    if task.group_name in DEPARTMENT_GROUPS:
        return bool(user.department_code) and task.department_code == user.department_code
    return in_region(user, task.region_code)


def can_claim(user: User, task: CaseTask) -> bool:
    """May `user` claim `task` (认领) now: open, held by nobody, and theirs to work (`can_act`).
    `task` may be an inbox row with the same attributes."""
    return task.state == "open" and task.assignee_id is None and can_act(user, task)


def case_scope(user: User):
    """SQL condition: the cases `user` may see (`can_view_case` as a query)."""
    if user.role == "admin":
        return true()
    parts = []
    if user.department_code:
        parts.append(Case.department_code == user.department_code)
    if any(gr in REGION_GROUPS for gr in user.groups):
        parts.append(region_condition(user, Case.region_code))
    return or_(*parts) if parts else false()


def review_scope(user: User):
    """SQL condition: the ratings (评价) `user` may list: those naming their department or in
    their region, and those of the cases they may see (a staff review routed to its personnel
    unit, a case dispatched to them)."""
    if user.role == "admin":
        return true()
    parts = [Review.id.in_(select(Case.review_id).where(case_scope(user)))]
    if user.department_code:
        parts.append(Review.department_code == user.department_code)
    if any(gr in REGION_GROUPS for gr in user.groups):
        parts.append(region_condition(user, Review.region_code))
    return or_(*parts)


def can_view_case(user: User, case: Case) -> bool:
    if user.role == "admin":
        return True
    if user.department_code and case.department_code == user.department_code:
        return True
    return (any(gr in REGION_GROUPS for gr in user.groups)
            and in_region(user, case.region_code))
