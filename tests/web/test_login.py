"""Browser login: sign in and out, one message for every failure, safe `next`, cookie flags,
sessions ended by a password reset or deactivation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from app import config
from app.auth import users
from app.extensions import db
from tests.web.conftest import PASSWORD, login

GENERIC = "用户名或密码不正确，或账号已停用。"


def _cookie(resp, name: str = "hcp_session") -> str:
    found = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert found, resp.headers.getlist("Set-Cookie")
    return found[-1]


def test_login_page_is_chinese_with_the_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "登录工作台" in html
    assert 'name="username"' in html and 'type="password"' in html


def test_login_and_logout(client, make_user):
    user = make_user("wang")
    resp = login(client, "wang")
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"  # a caseworker
    home = client.get("/").get_data(as_text=True)
    assert user.name in home and "政务服务机构经办人" in home and "深圳市测试局" not in home
    assert client.get("/logout").status_code == 200  # a confirmation page
    out = client.post("/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert "您已安全退出" in client.get("/login").get_data(as_text=True)
    assert user.name not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("username, password", [
    ("wang", "wrong-password"),  # wrong password
    ("nobody", PASSWORD),  # unknown user
    ("", ""),  # nothing typed: field messages
])
def test_failed_logins_say_one_generic_thing(client, make_user, username, password):
    make_user("wang")
    resp = login(client, username, password)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    if username:
        assert GENERIC in html
    else:
        assert html.count("请填写此项。") == 2 and GENERIC not in html
    assert client.get("/admin/users").status_code == 302  # still signed out


def test_inactive_user_gets_the_same_message(client, make_user):
    make_user("li", active=False)
    resp = login(client, "li")
    assert resp.status_code == 400 and GENERIC in resp.get_data(as_text=True)


def test_user_without_password_cannot_sign_in(client, make_user):
    make_user("api_only", password=None)
    resp = login(client, "api_only", "anything-at-all")
    assert resp.status_code == 400 and GENERIC in resp.get_data(as_text=True)


def test_login_required_comes_back_to_the_page(client, admin):
    resp = client.get("/admin/users?role=admin")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/admin/users?role%3Dadmin"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'value="/admin/users?role=admin"' in page and "请先登录" in page
    back = login(client, "root", next_url="/admin/users?role=admin")
    assert back.headers["Location"] == "/admin/users?role=admin"


@pytest.mark.parametrize("target", [
    "https://evil.example/phish", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", "evil.example", "/ok\x00", "/\tevil",
])
def test_next_never_leaves_the_site(client, make_user, target):
    make_user("wang")
    resp = login(client, "wang", next_url=target)
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"


def test_people_who_do_not_work_cases_land_on_the_home_page(client, make_user):
    make_user("owner", "process_owner", department=None)
    assert login(client, "owner").headers["Location"] == "/"


def test_session_cookie_flags_and_lifetime(client, make_user):
    make_user("wang")
    cookie = login(client, "wang").headers.getlist("Set-Cookie")
    session = [c for c in cookie if c.startswith("hcp_session=")][-1]
    assert "HttpOnly" in session and "SameSite=Lax" in session
    assert "Secure" not in session  # off by default so `make run` works on http
    expires = parsedate_to_datetime(session.split("Expires=")[1].split(";")[0])
    assert timedelta(hours=7, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=8)
    # every request renews it: 8 hours of inactivity, not 8 hours from login
    assert "Expires=" in _cookie(client.get("/"))


def test_secure_cookies_by_environment(app, monkeypatch, make_user):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_HOURS", "2")
    settings = config.web_settings()
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=2)
    assert settings["REMEMBER_COOKIE_HTTPONLY"] and settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    make_user("wang")
    client = app.test_client()
    session = _cookie(login(client, "wang"))
    assert "Secure" in session and "HttpOnly" in session


def test_password_reset_ends_other_sessions(client, make_user):
    user = make_user("wang")
    login(client, "wang")
    assert client.get("/logout").status_code == 200  # signed in
    users.set_password(user, "another-pass-1")
    assert client.get("/logout").status_code == 302  # the old session no longer counts


def test_deactivation_signs_the_user_out(client, make_user):
    user = make_user("wang")
    login(client, "wang")
    user.active = False
    db.session.commit()
    assert client.get("/logout").status_code == 302


def test_login_page_redirects_a_signed_in_user(client, make_user):
    make_user("wang")
    login(client, "wang")
    assert client.get("/login?next=/admin/users").headers["Location"] == "/admin/users"


def test_signing_in_keeps_the_language_but_not_the_old_session(client, make_user):
    make_user("wang")
    client.get("/lang/en")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    login(client, "wang")
    with client.session_transaction() as s:
        assert s.get("lang") == "en" and "planted" not in s and s.permanent
