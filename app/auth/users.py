"""Users (用户) and what they may see: roles, departments, regions (部门与辖区范围).

API users authenticate with a token bound to them (`flask tokens create NAME --user USERNAME`);
the browser login of the inbox issue uses the same User rows.
"""

from __future__ import annotations

from functools import wraps

from flask import g
from sqlalchemy import and_, false, or_, select, true

from app.auth.errors import error_response
from app.auth.models import ROLES, User
from app.auth.tokens import token_required
from app.cases.models import Case
from app.cases.records import CaseTask
from app.extensions import db

DEPARTMENT_GROUPS = ("department", "personnel")  # scoped by the case's department
REGION_GROUPS = ("hotline", "agency")  # scoped by the case's region


def create(username: str, name: str, role: str, department_code: str | None = None,
           region_code: str | None = None) -> User:
    """A new user (committed); ValueError for an unknown role or a taken username."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    if db.session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"user {username!r} exists")
    user = User(username=username, name=name, role=role, department_code=department_code,
                region_code=region_code)
    db.session.add(user)
    db.session.commit()
    return user


def user_required(view):
    """401 without a live token, 403 for a channel token that is not bound to a user."""

    @token_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = g.api_token.user
        if user is None or not user.active:
            return error_response(403, "this API needs a user's token; channel tokens may "
                                       "only submit ratings")
        g.user = user
        return view(*args, **kwargs)

    return wrapper


def _in_region(user: User, column):
    prefix = user.region_prefix
    return column.startswith(prefix) if prefix else true()


def task_scope(user: User):
    """SQL condition: the tasks (of any state) `user` may see."""
    if user.role == "admin":
        return true()
    parts = []
    if user.department_code:
        parts.append(CaseTask.department_code == user.department_code)
    if any(gr in REGION_GROUPS for gr in user.groups):
        parts.append(and_(CaseTask.group_name.in_(user.groups),
                          _in_region(user, CaseTask.region_code)))
    return or_(*parts) if parts else false()


def can_act(user: User, task: CaseTask) -> bool:
    """May `user` claim or complete `task`: their group, their department or region."""
    if user.role == "admin":
        return True
    if task.group_name not in user.groups:
        return False
    if task.group_name in DEPARTMENT_GROUPS:
        return bool(user.department_code) and task.department_code == user.department_code
    return task.region_code.startswith(user.region_prefix)


def can_view_case(user: User, case: Case) -> bool:
    if user.role == "admin":
        return True
    if user.department_code and case.department_code == user.department_code:
        return True
    return (any(gr in REGION_GROUPS for gr in user.groups)
            and case.region_code.startswith(user.region_prefix))
