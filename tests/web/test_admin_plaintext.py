"""Names on the administration pages are plain text, as ratings, comments and forms are
(app/plaintext.py): a right-to-left override (U+202E) would show "王\u202e芳abc" as "王cba芳"
in every list, so it is refused on the field, as is broken encoding (U+FFFD)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.org.models import Department
from app.org.service import create_department
from tests.web.conftest import DEPT
from tests.web.test_admin import NEW_USER


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<div class="error" id="{field}-error">(.*?)</div>', html, re.S)
    assert found, f"no message on {field}"
    return unescape(found.group(1)).strip()


@pytest.mark.parametrize(("name", "message"), [
    ("王\u202e芳abc", "第 2 个字符是控制字符 U+202E"),
    ("王\u2066芳", "第 2 个字符是控制字符 U+2066"),
    ("王芳\ufffd", "第 3 个字符是替换字符 U+FFFD"),
])
def test_a_user_name_with_a_bidi_control_is_refused_in_place(admin_client, name, message):
    create_department(*DEPT, "440305000000")
    resp = admin_client.post("/admin/users/new", data={**NEW_USER, "name": name})
    assert resp.status_code == 400
    assert message in _field_error(resp.get_data(as_text=True), "name")
    assert db.session.scalar(select(User).where(User.username == "zhang.san")) is None


def test_editing_a_user_refuses_it_too(admin_client, make_user):
    user = make_user("wang")
    resp = admin_client.post(f"/admin/users/{user.id}", data={
        "name": "王\u202e芳abc", "role": "caseworker", "department_code": DEPT[0],
        "region_code": "", "active": "y"})
    assert resp.status_code == 400
    assert "U+202E" in _field_error(resp.get_data(as_text=True), "name")
    db.session.refresh(user)
    assert user.name == "测试wang"


def test_a_department_name_with_a_bidi_control_is_refused_in_place(admin_client):
    resp = admin_client.post("/admin/departments/new", data={
        "code": DEPT[0], "name": "测试\u202e局务政", "region_code": ""})
    assert resp.status_code == 400
    assert "第 3 个字符是控制字符 U+202E" in _field_error(resp.get_data(as_text=True), "name")
    assert db.session.scalar(select(Department).where(Department.code == DEPT[0])) is None
    dept = create_department(*DEPT, None)
    resp = admin_client.post(f"/admin/departments/{dept.id}?lang=en", data={
        "name": "测试\u202e局务政", "region_code": ""})
    assert resp.status_code == 400
    assert "Character 3 is the control character U+202E" in _field_error(
        resp.get_data(as_text=True), "name")
    db.session.refresh(dept)
    assert dept.name == DEPT[1]
