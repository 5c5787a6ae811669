"""The login form (登录)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

REQUIRED = _l("请填写此项。")


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
