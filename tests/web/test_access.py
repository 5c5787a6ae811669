"""Who may open what: login_required, roles_required, protect; HTML error pages for the
browser, JSON errors for the API."""

from __future__ import annotations

import pytest
from flask import Blueprint

from app import create_app
from app.auth.access import login_required, protect, roles_required
from app.web import nav
from app.web.i18n import N_
from tests.web.conftest import login


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "hotline", "agency", "personnel",
                                  "process_owner"])
def test_admin_pages_are_for_admins_only(client, make_user, role):
    make_user("someone", role)
    login(client, "someone")
    for path in ("/admin/users", "/admin/tokens", "/admin/departments", "/admin/users/new"):
        resp = client.get(path)
        assert resp.status_code == 403, path
        assert "无权访问" in resp.get_data(as_text=True)
    assert client.post("/admin/departments/new", data={}).status_code == 403


def test_403_page_in_english(client, make_user):
    make_user("someone")
    login(client, "someone")
    html = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert "Access denied" in html and 'lang="en"' in html


def test_admin_nav_entry_only_for_admins(client, make_user, admin):
    make_user("someone")
    login(client, "someone")
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(client, "root")
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)


def test_html_404_and_json_404(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "页面不存在" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such")
    assert api.status_code == 404 and api.json["code"] == 404


@pytest.fixture()
def pages_app(database_url):
    """A second app with a few test pages (routes must exist before its first request)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    bp = Blueprint("demo_pages", __name__)

    @bp.get("/t/signed-in")
    @login_required
    def signed_in():
        return "ok"

    @bp.get("/t/hotline")
    @roles_required("hotline", "admin")
    def hotline():
        return "queue"

    @bp.get("/t/boom")
    def boom():
        raise RuntimeError("boom")

    guarded = Blueprint("guarded", __name__, url_prefix="/g")
    protect(guarded, "agency")
    guarded.add_url_rule("/x", "x", lambda: "agency only")
    app.register_blueprint(bp)
    app.register_blueprint(guarded)
    return app


def test_decorators(pages_app, make_user):
    make_user("op", "hotline", department=None)
    make_user("cw", "caseworker")
    client = pages_app.test_client()
    assert client.get("/t/signed-in").headers["Location"] == "/login?next=/t/signed-in"
    assert client.get("/t/hotline").status_code == 302
    login(client, "cw")
    assert client.get("/t/signed-in").get_data(as_text=True) == "ok"
    assert client.get("/t/hotline").status_code == 403
    assert client.get("/g/x").status_code == 403
    client.post("/logout")
    login(client, "op")
    assert client.get("/t/hotline").get_data(as_text=True) == "queue"


def test_roles_required_needs_a_role():
    with pytest.raises(ValueError):
        roles_required()


def test_500_is_an_html_page(pages_app, app_ctx):
    resp = pages_app.test_client().get("/t/boom")
    assert resp.status_code == 500 and "系统出了点问题" in resp.get_data(as_text=True)


def test_nav_registry(pages_app, make_user):
    """An entry shows when its endpoint exists and the user has one of its roles."""
    nav.register("demo_pages.hotline", N_("热线队列"), roles=("hotline",), order=20)
    nav.register("inbox.not_built_yet", N_("我的待办"), roles=("hotline",), order=10)
    try:
        make_user("op", "hotline", department=None)
        make_user("cw", "caseworker")
        client = pages_app.test_client()
        login(client, "op")
        html = client.get("/").get_data(as_text=True)
        assert 'href="/t/hotline"' in html and "inbox.not_built_yet" not in html
        assert "我的待办" not in html
        client.post("/logout")
        login(client, "cw")
        assert 'href="/t/hotline"' not in client.get("/").get_data(as_text=True)
        with pages_app.test_request_context():
            from flask_login import AnonymousUserMixin

            shown = nav.visible(AnonymousUserMixin(), pages_app.view_functions)
            assert [e.endpoint for e in shown] == ["home.index"]
    finally:
        nav.unregister("demo_pages.hotline")
        nav.unregister("inbox.not_built_yet")
