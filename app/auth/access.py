"""Who may open a page (页面权限): decorators for browser views.

    @bp.get("/queue")
    @roles_required("hotline", "admin")
    def queue(): ...

`login_required` sends visitors to the login page (and back afterwards); `roles_required`
answers 403 with an HTML page to a signed-in user without one of the roles. Roles are exact:
list "admin" too where administrators should get in. `protect(bp, *roles)` guards a whole
blueprint. The JSON API does not use these: it authenticates by token (app/auth/tokens.py).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.web.i18n import N_
from app.web.urls import current_path

LOGIN_FIRST = N_("请先登录。")


def to_login():
    """Redirect to the login page, coming back to this page afterwards."""
    flash(gettext(LOGIN_FIRST), "info")
    target = current_path() if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def _check(roles: tuple[str, ...]):
    """None when the current user may go on, else the response (redirect or 403)."""
    if not current_user.is_authenticated:
        return to_login()
    if roles and current_user.role not in roles:
        abort(403)
    return None


def login_required(view):
    """Only for signed-in users; others go to the login page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return _check(()) or view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    """Only for signed-in users with one of `roles` (403 page for the others)."""
    if not roles:
        raise ValueError("roles_required needs at least one role")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return _check(roles) or view(*args, **kwargs)

        return wrapper

    return decorate


def protect(bp: Blueprint, *roles: str) -> None:
    """Every view of `bp` needs a signed-in user (with one of `roles`, when given)."""
    bp.before_request(lambda: _check(roles))
