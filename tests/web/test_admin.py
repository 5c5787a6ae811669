"""Administration pages: users, API tokens and departments, with messages in place."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth import tokens
from app.auth.models import ApiToken, User
from app.auth.users import by_username
from app.config import web_settings
from app.extensions import db
from app.org.models import Department
from app.org.service import create_department
from tests.web.conftest import DEPT, login

NEW_USER = {"username": "zhang.san", "name": "张三", "role": "caseworker",
            "department_code": DEPT[0], "region_code": "", "active": "y",
            "password": "initial-pass-1", "confirm": "initial-pass-1"}


def _errors(html: str) -> list[str]:
    """The in-place messages, in page order."""
    return re.findall(r'<div class="error" id="([\w-]+)-error">', html)


def test_admin_lists_users(admin_client, make_user):
    make_user("wang")
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "wang" in html and "root" in html and "共 2 条" in html
    filtered = admin_client.get("/admin/users?role=admin").get_data(as_text=True)
    assert "root" in filtered and "测试wang" not in filtered


def test_admin_creates_a_user_who_can_sign_in(admin_client, app, monkeypatch):
    assert web_settings()["PASSWORD_HASH_METHOD"] == "scrypt"  # in production
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    create_department(*DEPT, "440305000000")
    resp = admin_client.post("/admin/users/new", data=NEW_USER)
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/users"
    user = by_username("zhang.san")
    assert user.role == "caseworker" and user.department_code == DEPT[0]
    assert user.region_code == "440305000000"  # taken from the department
    assert user.password_hash.startswith("scrypt:")
    other = app.test_client()
    assert login(other, "zhang.san", "initial-pass-1").status_code == 302


def test_invalid_user_shows_every_problem_in_place(admin_client, make_user):
    make_user("taken")
    data = {**NEW_USER, "username": "x y", "name": "", "department_code": "",
            "password": "short", "confirm": "other", "role": "caseworker"}
    resp = admin_client.post("/admin/users/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert _errors(html) == ["username", "name", "department_code", "password", "confirm"]
    assert "用户名为 2 至 64 位字母" in html and "密码长度须为 8 至 128 个字符" in html
    assert "两次输入的密码不一致" in html and "此角色须选择所属部门" in html
    assert "请修正下面标出的 5 处问题" in html
    taken = admin_client.post("/admin/users/new", data={**NEW_USER, "username": "taken",
                                                         "department_code": ""})
    assert "该用户名已被使用" not in taken.get_data(as_text=True)  # form errors come first
    create_department(*DEPT, "440305000000")
    taken = admin_client.post("/admin/users/new", data={**NEW_USER, "username": "taken"})
    assert taken.status_code == 400 and "该用户名已被使用" in taken.get_data(as_text=True)
    upper = admin_client.post("/admin/users/new", data={**NEW_USER, "username": "TAKEN"})
    assert upper.status_code == 400 and "该用户名已被使用" in upper.get_data(as_text=True)


def test_admin_home_opens_the_user_list(admin_client):
    resp = admin_client.get("/admin/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/users"


def test_hotline_needs_a_region(admin_client):
    data = {**NEW_USER, "role": "hotline", "department_code": "", "region_code": "4403"}
    html = admin_client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert _errors(html) == ["region_code"] and "12 位数字" in html
    html = admin_client.post("/admin/users/new", data={**data, "region_code": ""}).get_data(
        as_text=True)
    assert "此角色须填写行政区划代码" in html


def test_admin_edits_a_user_and_resets_the_password(admin_client, make_user, app):
    user = make_user("wang")
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "重置密码" in page and 'value="测试wang"' in page
    resp = admin_client.post(f"/admin/users/{user.id}", data={
        "name": "王芳", "role": "supervisor", "department_code": "", "region_code": "",
        "active": ""})
    assert resp.status_code == 400  # a supervisor needs a department
    create_department(*DEPT, None)
    resp = admin_client.post(f"/admin/users/{user.id}", data={
        "name": "王芳", "role": "supervisor", "department_code": DEPT[0],
        "region_code": "440305000000", "active": ""})
    assert resp.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.role, user.active) == ("王芳", "supervisor", False)
    short = admin_client.post(f"/admin/users/{user.id}/password",
                              data={"pw-password": "short", "pw-confirm": "short"})
    assert short.status_code == 400 and "pw-password-error" in short.get_data(as_text=True)
    ok = admin_client.post(f"/admin/users/{user.id}/password",
                           data={"pw-password": "brand-new-pass", "pw-confirm": "brand-new-pass"})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.check_password("brand-new-pass")


def test_admin_cannot_lock_themself_out(admin_client, admin):
    resp = admin_client.post(f"/admin/users/{admin.id}", data={
        "name": "root", "role": "caseworker", "department_code": "", "region_code": "",
        "active": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "不能取消自己的管理员角色" in html and "不能停用自己的账号" in html
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active


def test_admin_resets_own_password_and_stays_signed_in(admin_client, admin):
    resp = admin_client.post(f"/admin/users/{admin.id}/password",
                             data={"pw-password": "root-new-pass", "pw-confirm": "root-new-pass"})
    assert resp.status_code == 302
    assert admin_client.get("/admin/users").status_code == 200


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/99999").status_code == 404


def test_token_is_shown_once_and_works(admin_client, make_user, rating):
    user = make_user("wang")
    resp = admin_client.post("/admin/tokens", data={"name": "wang-api", "user_id": str(user.id)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    token = re.search(r'value="(hcp_[^"]+)"', html).group(1)
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "wang-api"))
    assert row.user_id == user.id and token not in row.token_hash
    listing = admin_client.get("/admin/tokens").get_data(as_text=True)
    assert "wang-api" in listing and token not in listing and row.prefix in listing
    api = admin_client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200


def test_channel_token_and_revoke(admin_client, rating):
    resp = admin_client.post("/admin/tokens", data={"name": "zwfw-app", "user_id": ""})
    token = re.search(r'value="(hcp_[^"]+)"', resp.get_data(as_text=True)).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    assert admin_client.post("/api/v1/reviews", json=rating(), headers=auth).status_code == 201
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "zwfw-app"))
    assert admin_client.post(f"/admin/tokens/{row.id}/revoke").status_code == 302
    assert admin_client.post("/api/v1/reviews", json=rating(), headers=auth).status_code == 401
    assert "已吊销" in admin_client.get("/admin/tokens").get_data(as_text=True)


def test_invalid_token_names(admin_client):
    tokens.create("dup")
    for name, message in (("", "请填写此项"), ("a b", "名称为 2 至 64 位"),
                          ("dup", "已有同名的有效令牌")):
        resp = admin_client.post("/admin/tokens", data={"name": name, "user_id": ""})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and message in html and _errors(html) == ["name"]
    resp = admin_client.post("/admin/tokens", data={"name": "ok-name", "user_id": "424242"})
    assert _errors(resp.get_data(as_text=True)) == ["user_id"]


def test_departments_create_list_edit(admin_client):
    code = DEPT[0]
    resp = admin_client.post("/admin/departments/new", data={
        "code": code.lower(), "name": " 深圳市测试局 ", "region_code": "440300000000"})
    assert resp.status_code == 302
    dept = db.session.scalar(select(Department).where(Department.code == code))
    assert dept.name == "深圳市测试局" and dept.region_code == "440300000000"
    listing = admin_client.get("/admin/departments?q=测试").get_data(as_text=True)
    assert code in listing
    resp = admin_client.post(f"/admin/departments/{dept.id}", data={
        "name": "深圳市测试管理局", "region_code": ""})
    assert resp.status_code == 302
    db.session.refresh(dept)
    assert dept.name == "深圳市测试管理局" and dept.region_code is None


def test_invalid_departments(admin_client):
    create_department(*DEPT, None)
    wrong_check = DEPT[0][:17] + ("0" if DEPT[0][17] != "0" else "1")
    cases = [
        ({"code": "", "name": ""}, ["code", "name"], "请填写此项"),
        ({"code": "12345", "name": "x"}, ["code"], "18 位数字或大写字母"),
        ({"code": wrong_check, "name": "x"}, ["code"], f"第 18 位应为 {DEPT[0][17]}"),
        ({"code": DEPT[0], "name": "x", "region_code": "44"}, ["region_code"], "12 位数字"),
        ({"code": DEPT[0], "name": "x"}, ["code"], "该统一社会信用代码已登记"),
    ]
    for data, fields, message in cases:
        resp = admin_client.post("/admin/departments/new", data=data)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400, data
        assert _errors(html) == fields and message in html, data


def test_admin_pages_in_english(admin_client):
    html = admin_client.get("/admin/users?lang=en").get_data(as_text=True)
    assert "Users" in html and "API tokens" in html and "Administrator" in html
    html = admin_client.post("/admin/departments/new", data={"code": "1"}).get_data(as_text=True)
    assert "Please fill in this field." in html and "Please correct the 2 problems" in html


def test_the_pickers_wrap_their_details_in_the_pages_punctuation(admin_client, make_user):
    """A department (its code) and a token's user (their name) in （） on a Chinese page and in
    ( ) on an English one."""
    create_department(*DEPT, "440305000000")
    make_user("wang")
    zh = admin_client.get("/admin/users/new?lang=zh_CN").get_data(as_text=True)
    assert f">深圳市测试局（{DEPT[0]}）</option>" in zh
    assert ">wang（测试wang）</option>" in admin_client.get("/admin/tokens").get_data(as_text=True)
    en = admin_client.get("/admin/users/new?lang=en").get_data(as_text=True)
    assert f">深圳市测试局 ({DEPT[0]})</option>" in en
    assert ">wang (测试wang)</option>" in admin_client.get("/admin/tokens").get_data(as_text=True)


def test_user_list_pages(admin_client, make_user):
    for i in range(30):
        db.session.add(User(username=f"bulk{i:02d}", name=f"批量{i}", role="caseworker"))
    db.session.commit()
    first = admin_client.get("/admin/users").get_data(as_text=True)
    assert "共 31 条" in first and 'href="/admin/users?page=2"' in first
    second = admin_client.get("/admin/users?page=2").get_data(as_text=True)
    assert "bulk29" in second and "bulk00" not in second


def test_a_department_only_for_roles_that_belong_to_one(admin_client):
    """The agency sees its region's cases: a department chosen for it is refused in place."""
    create_department(*DEPT, "440305000000")
    data = {**NEW_USER, "role": "agency", "region_code": "440300000000"}
    resp = admin_client.post("/admin/users/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and _errors(html) == ["department_code"]
    assert "此角色不属于部门，所属部门须留空" in html and by_username("zhang.san") is None
    resp = admin_client.post("/admin/users/new", data={**data, "department_code": ""})
    assert resp.status_code == 302 and by_username("zhang.san").department_code is None
