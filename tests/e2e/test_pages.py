"""The home page and the API docs render in a real browser from local assets only."""

from __future__ import annotations

from app.auth import users
from app.demo import generate
from app.reviews.intake import intake
from app.timeutil import utcnow
from tests.e2e.test_login import sign_in
from tests.web.conftest import PASSWORD


def test_home_page_shows_figures_and_cases(live_server, page, screenshot):
    """The figures to everyone; the latest cases to the signed-in (an administrator: all)."""
    intake(generate.ratings(60, utcnow(), bad_share=0.2, seed=7), source="demo")
    users.create("root", "赵敏", "admin", password=PASSWORD)
    page.goto(live_server + "/")
    assert page.locator(".brand").inner_text().endswith("差评处置系统")
    assert page.locator(".card .value").first.inner_text() == "60"
    assert "CP-" not in page.content()
    sign_in(page, live_server, "root")
    page.goto(live_server + "/")
    assert page.locator("tbody tr").count() >= 5
    assert page.locator("td.mono").first.inner_text().startswith("CP-")
    screenshot(page, "home")
    assert page.foreign_requests == []


def test_api_docs_render_from_local_assets(live_server, page, screenshot):
    page.goto(live_server + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    assert "/api/v1/reviews" in page.locator(".opblock-summary-path").first.inner_text()
    assert page.locator(".opblock").count() >= 2
    screenshot(page, "api-docs")
    assert page.foreign_requests == []


def test_the_guard_refuses_and_records_a_request_to_another_host(live_server, page):
    """What `assert page.foreign_requests == []` in the other tests relies on (from a blank
    page: the site's own pages have a CSP that stops such a request before the guard)."""
    page.goto("about:blank")
    for url in ("http://192.0.2.1/x.js", "https://127.0.0.1.example/x.js",
                f"{live_server}/static/css/app.css", "data:text/plain,x"):
        page.evaluate("u => fetch(u).then(() => 'ok', () => 'refused')", url)
    assert page.foreign_requests == ["http://192.0.2.1/x.js", "https://127.0.0.1.example/x.js"]


WIDTHS = """() => {
  const width = text => {
    const s = document.createElement("span");
    s.style.position = "absolute";
    s.textContent = text;
    document.body.appendChild(s);
    const found = s.getBoundingClientRect().width;
    s.remove();
    return found;
  };
  return {quote: width("\u201c"), letter: width("A"), han: width("\u4e2d")};
}"""


def test_english_quotes_take_a_latin_width_and_letters_stay_as_they_were(live_server, page):
    """English pages draw “quotes” in a Latin font (the CJK fonts draw them full width, as wide
    as 中); letters keep the width they have on Chinese pages, so no line gets longer."""
    page.goto(f"{live_server}/?lang=zh")
    chinese = page.evaluate(WIDTHS)
    page.goto(f"{live_server}/?lang=en")
    english = page.evaluate(WIDTHS)
    assert english["quote"] < 0.7 * english["han"], english
    assert english["letter"] == chinese["letter"], (english, chinese)
