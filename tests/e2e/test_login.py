"""In Chromium: sign in, switch to English and back, open the administration, at a laptop's
1366x768 and a tablet's 820px; screenshots of the login page and the shell. CSRF stays on."""

from __future__ import annotations

import pytest

from app.auth import users
from app.org.service import create_department
from tests.web.conftest import DEPT, PASSWORD


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture()
def people(app_ctx):
    create_department(*DEPT, "440305000000")
    users.create("wang", "王芳", "caseworker", DEPT[0], "440305000000", password=PASSWORD)
    users.create("root", "赵敏", "admin", password=PASSWORD)


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_login_language_and_admin(live_server, page, screenshot, people, csrf_on):
    page.goto(live_server + "/admin/users")
    assert page.url.endswith("/login?next=/admin/users")
    screenshot(page, "login")
    page.fill("#username", "root")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator(".field .error").inner_text()
    screenshot(page, "login-failed")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/users")
    assert page.locator(".usercard b").inner_text() == "赵敏"
    assert page.locator(".mainnav a.active").inner_text() == "系统管理"
    screenshot(page, "admin-users")

    page.click(".langswitch a[hreflang=en]")
    page.wait_for_url("**/admin/users")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Users"
    assert page.locator(".usercard small").inner_text().startswith("Administrator")
    screenshot(page, "admin-users-en")
    page.click(".langswitch a[hreflang=zh-CN]")
    page.wait_for_url("**/admin/users")
    assert page.locator("h1").inner_text() == "用户"

    page.click("text=新建用户")
    page.fill("#username", "li")
    page.click("main form.form button[type=submit]")  # with its CSRF token: messages come back
    page.wait_for_load_state()  # the click returns once the answer starts: count the whole page
    assert page.locator(".has-error").count() >= 3
    screenshot(page, "admin-user-form-errors")
    page.click(".tabs >> text=部门")
    assert DEPT[0] in page.locator("table").inner_text()
    assert page.foreign_requests == []


def test_shell_at_tablet_width(live_server, page, screenshot, people, csrf_on):
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(live_server + "/login")
    screenshot(page, "login-tablet")
    sign_in(page, live_server, "wang")
    assert page.locator(".usercard").is_visible() and page.locator(".mainnav").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the page scrolls sideways ({width}px)"
    screenshot(page, "home-tablet")
    page.goto(live_server + "/admin/users")
    assert "无权访问" in page.locator("h1").inner_text()
    screenshot(page, "forbidden-tablet")
    page.click("form.logout button")
    page.wait_for_url("**/login")
    assert "您已安全退出" in page.locator(".alert").inner_text()
    assert page.foreign_requests == []


def test_shell_on_a_laptop(live_server, page, screenshot, people):
    sign_in(page, live_server, "wang")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366
    assert "深圳市测试局" in page.locator(".usercard small").inner_text()
    screenshot(page, "home-signed-in")
