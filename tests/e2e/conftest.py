"""Browser tests: the app served on 127.0.0.1 in a thread, Debian's Chromium driven by
Playwright. .ci/run installs chromium; elsewhere the tests skip when it is missing."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Any URL but this machine's and data: ones. A pattern, not a Python check of every URL: the
# browser then stops only such requests, and the page's own go straight through.
FOREIGN = re.compile(r"^(?!data:|blob:|https?://(127\.0\.0\.1|localhost)(:[0-9]+)?/)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture()
def live_server(app_ctx):
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    """A page that refuses and records every request to another host."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.foreign_requests = []

    def refuse(route):
        page.foreign_requests.append(route.request.url)
        route.abort()

    page.route(FOREIGN, refuse)
    yield page
    context.close()


@pytest.fixture()
def screenshot():
    """Save a full-page screenshot under test-artifacts/screenshots/."""

    def take(page, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
