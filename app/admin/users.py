"""Users (用户管理): list, create, edit, reset a password, lift a sign-in lock."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from sqlalchemy import or_, select

from app.admin import bp
from app.admin.forms import PasswordForm, UserCreateForm, UserEditForm
from app.auth import lockout, users
from app.auth.models import ROLES, User
from app.extensions import db
from app.org.models import Department
from app.org.service import by_code
from app.timeutil import utcnow
from app.web.pages import form_page

log = logging.getLogger("app.auth")

PER_PAGE = 25


def _department_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Department.code, Department.name).order_by(Department.name))
    return [("", "—"), *((code, gettext("%(name)s（%(detail)s）", name=name, detail=code))
                         for code, name in rows)]


def _region(form: UserEditForm) -> str | None:
    """The region typed, else the one registered for the chosen department."""
    if form.region_code.data:
        return form.region_code.data
    dept = by_code(form.department_code.data) if form.department_code.data else None
    return dept.region_code if dept else None


@bp.get("/users")
def users_list():
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    stmt = select(User).order_by(User.username)
    if q:
        stmt = stmt.where(or_(User.username.contains(q), User.name.contains(q)))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    form.department_code.choices = _department_choices()
    if form.validate_on_submit():
        if users.username_taken(form.username.data):
            form.username.errors.append(gettext("该用户名已被使用。"))
        else:
            user = users.create(form.username.data, form.name.data, form.role.data,
                                form.department_code.data or None, _region(form),
                                password=form.password.data, active=form.active.data)
            flash(gettext("已创建用户 %(name)s。", name=user.username), "success")
            return redirect(url_for("admin.users_list"))
    return form_page("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user)
    form.department_code.choices = _department_choices()
    valid = form.validate_on_submit()
    if valid & _keeps_admin(form, user):  # both run: every message shows at once
        users.update(user, name=form.name.data, role=form.role.data,
                     department_code=form.department_code.data or None,
                     region_code=_region(form), active=form.active.data)
        flash(gettext("已保存用户 %(name)s。", name=user.username), "success")
        return redirect(url_for("admin.users_list"))
    return form_page("admin/user_form.html", form=form, user=user,
                      password_form=PasswordForm(prefix="pw"),
                      locked_until=lockout.locked_until(user.username, utcnow()))


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int):
    """Lift the lock of repeated wrong passwords (登录锁定) before it runs out."""
    user = db.session.get(User, user_id) or abort(404)
    lockout.clear(user.username)
    db.session.commit()
    log.info("%s lifted the sign-in lock of %r", current_user.username, user.username)
    flash(gettext("已解除 %(name)s 的登录锁定。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


def _keeps_admin(form: UserEditForm, user: User) -> bool:
    """An administrator cannot lock themself out (drop their own role or deactivate)."""
    if user.id != current_user.id or request.method != "POST":
        return True
    if form.role.data != "admin":
        form.role.errors.append(gettext("不能取消自己的管理员角色。"))
    if not form.active.data:
        form.active.errors.append(gettext("不能停用自己的账号。"))
    return form.role.data == "admin" and form.active.data


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    password_form = PasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        users.set_password(user, password_form.password.data)
        if user.id == current_user.id:
            login_user(user)  # keep this session (the new password ends the others)
        flash(gettext("已重置 %(name)s 的密码，其已登录的会话随之失效。", name=user.username),
              "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    form = UserEditForm(obj=user, formdata=None)
    form.department_code.choices = _department_choices()
    return form_page("admin/user_form.html", form=form, user=user,
                      password_form=password_form,
                      locked_until=lockout.locked_until(user.username, utcnow()))
