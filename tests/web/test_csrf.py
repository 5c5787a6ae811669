"""CSRF: every form needs its token in production; the JSON API (bearer tokens, never the
session cookie) is exempt."""

from __future__ import annotations

import re

import pytest

from app import create_app
from tests.web.conftest import PASSWORD, login


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_production_config_protects_forms(database_url):
    prod = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert prod.config["WTF_CSRF_ENABLED"] is True and not prod.testing
    assert "csrf" in prod.extensions
    resp = prod.test_client().post("/login", data={"username": "x", "password": "y"})
    assert resp.status_code == 400
    assert "表单已过期或来源无法验证" in resp.get_data(as_text=True)


def test_login_without_token_is_refused(client, make_user, csrf_on):
    make_user("wang")
    resp = login(client, "wang")
    assert resp.status_code == 400 and "表单已过期" in resp.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302  # not signed in


def test_login_with_token_works(client, make_user, csrf_on):
    make_user("wang")
    token = _token(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"username": "wang", "password": PASSWORD,
                                       "csrf_token": token})
    assert resp.status_code == 302


def test_logout_and_admin_forms_need_the_token(admin_client, csrf_on):
    assert admin_client.post("/admin/departments/new", data={"name": "x"}).status_code == 400
    assert admin_client.post("/logout").status_code == 400
    assert admin_client.get("/admin/users").status_code == 200  # still signed in


def test_api_is_exempt_and_ignores_the_session(admin_client, csrf_on, token, rating):
    """A signed-in browser session gives no access to the API; a bearer token does, without a
    CSRF token."""
    assert admin_client.get("/api/v1/tasks").status_code == 401
    assert admin_client.post("/api/v1/reviews", json=rating()).status_code == 401
    resp = admin_client.post("/api/v1/reviews", json=rating(),
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201
