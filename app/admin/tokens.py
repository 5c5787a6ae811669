"""API tokens (接口令牌): list, create (the token is shown once), revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from sqlalchemy import select

from app.admin import bp
from app.admin.forms import TokenForm
from app.auth import tokens
from app.auth.models import ApiToken, User
from app.extensions import db
from app.web.pages import form_page


def _user_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(User.id, User.username, User.name)
                              .where(User.active).order_by(User.username))
    return [("", "—"), *((str(i), gettext("%(name)s（%(detail)s）", name=username, detail=name))
                         for i, username, name in rows)]


def _page(form: TokenForm):
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                        ApiToken.name)).all()
    return form_page("admin/tokens.html", form=form, tokens=rows)


@bp.get("/tokens")
def tokens_list():
    form = TokenForm()
    form.user_id.choices = _user_choices()
    return _page(form)


@bp.post("/tokens")
def token_new():
    form = TokenForm()
    form.user_id.choices = _user_choices()
    if not form.validate_on_submit():
        return _page(form)
    if db.session.scalar(select(ApiToken.id).where(ApiToken.name == form.name.data)):
        form.name.errors.append(gettext("已有同名的有效令牌，请先吊销或换一个名称。"))
        return _page(form)
    user_id = int(form.user_id.data) if form.user_id.data else None
    token = tokens.create(form.name.data, user_id)
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == form.name.data))
    response = render_template("admin/token_created.html", token=token, row=row)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    row = db.session.get(ApiToken, token_id) or abort(404)
    if row.revoked_at is None:
        name = row.name
        tokens.revoke(name)
        flash(gettext("已吊销令牌 %(name)s。", name=name), "success")
    return redirect(url_for("admin.tokens_list"))
