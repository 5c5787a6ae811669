"""Forms of the administration pages: users, API tokens, departments (messages in place).
Names are plain text as everywhere else (app/web/plaintext.py): no U+202E to show a name
reversed in the lists, no broken encoding."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from app.auth.models import DEPARTMENT_ROLES, REGION_ROLES, ROLES
from app.auth.users import MIN_PASSWORD, USERNAME
from app.rules.schema import USCC_ALPHABET, uscc_check_char
from app.web.plaintext import PlainText

REQUIRED = _l("请填写此项。")
USERNAME_RULE = _l("用户名为 2 至 64 位字母、数字、下划线、点或连字符，以字母或数字开头。")
# 12 digits naming a region: all zeros would be every region nationwide (app/auth/users.py)
REGION = Regexp(r"^(?!0{12}$)[0-9]{12}$",
                message=_l("行政区划代码为 12 位数字，如 440305000000。"))


def role_choices() -> list[tuple[str, str]]:
    return [(key, _l(label)) for key, label in ROLES.items()]


def _password_fields(label):
    password = PasswordField(label, validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_PASSWORD, max=128, message=_l("密码长度须为 %(min)d 至 %(max)d 个字符。"))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("确认密码"), validators=[
        DataRequired(REQUIRED), EqualTo("password", message=_l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


class UserEditForm(FlaskForm):
    """The profile of a user; the department list is set by the view."""

    name = StringField(_l("姓名"), validators=[DataRequired(REQUIRED), Length(max=64), PlainText()])
    role = SelectField(_l("角色"), choices=role_choices, validators=[DataRequired(REQUIRED)])
    department_code = SelectField(_l("所属部门"), choices=[], validate_choice=True)
    region_code = StringField(_l("行政区划代码"), validators=[Optional(), REGION],
                              description=_l("12 位；部门已登记行政区划时可留空"))
    active = BooleanField(_l("启用（可登录）"), default=True)

    def validate(self, extra_validators=None) -> bool:
        """Fields first, then what the role needs: a department, or a region; a
        department only for the roles that belong to one."""
        ok = super().validate(extra_validators)
        if self.role.data in DEPARTMENT_ROLES and not self.department_code.data:
            self.department_code.errors.append(_l("此角色须选择所属部门。"))
            ok = False
        if self.role.data not in DEPARTMENT_ROLES and self.department_code.data:
            self.department_code.errors.append(_l("此角色不属于部门，所属部门须留空。"))
            ok = False
        if self.role.data in REGION_ROLES and not self.region_code.data:
            self.region_code.errors.append(_l("此角色须填写行政区划代码（按辖区查看工单）。"))
            ok = False
        return ok


class UserCreateForm(UserEditForm):
    username = StringField(_l("用户名"), validators=[
        DataRequired(REQUIRED),
        Regexp(USERNAME, message=USERNAME_RULE)],
        description=_l("登录用，创建后不可修改"))
    password, confirm = _password_fields(_l("初始密码"))


class PasswordForm(FlaskForm):
    password, confirm = _password_fields(_l("新密码"))


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[
        DataRequired(REQUIRED),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$",
               message=_l("名称为 2 至 64 位字母、数字、下划线、点或连字符。"))],
        description=_l("渠道系统或用户的标识，如 zwfw-app"))
    user_id = SelectField(_l("代表用户"), choices=[], coerce=str,
                          description=_l("留空：评价渠道系统令牌，只能提交评价"))


class DepartmentEditForm(FlaskForm):
    name = StringField(_l("部门名称"),
                       validators=[DataRequired(REQUIRED), Length(max=100), PlainText()])
    region_code = StringField(_l("行政区划代码"), validators=[Optional(), REGION])


class DepartmentCreateForm(DepartmentEditForm):
    code = StringField(_l("统一社会信用代码"), validators=[DataRequired(REQUIRED)],
                       description=_l("18 位，创建后不可修改"))

    def validate_code(self, field) -> None:
        field.data = (field.data or "").strip().upper()
        code = field.data
        if not re.fullmatch(f"[{USCC_ALPHABET}]{{18}}", code):
            raise ValidationError(
                _l("统一社会信用代码为 18 位数字或大写字母（不含 I、O、Z、S、V）。"))
        expected = uscc_check_char(code[:17])
        if code[17] != expected:
            raise ValidationError(_l("校验位不正确：第 18 位应为 %(char)s。", char=expected))
