"""Administration (系统管理), for the admin role only: users, API tokens, departments."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from app.auth.access import protect

bp = Blueprint("admin", __name__, url_prefix="/admin")
protect(bp, "admin")


@bp.get("/")
def index():
    return redirect(url_for("admin.users_list"))


from app.admin import departments, tokens, users  # noqa: E402,F401  (their routes join bp)
