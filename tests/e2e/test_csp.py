"""The Content-Security-Policy (app/web/__init__.py) in Chromium: the main pages, as the people who
use them, load and work with no violation reported (the case diagram drawn, the modeler's
diagram and properties panel, Swagger UI's operations), and a script put into a page inline is
refused.

Every violation is caught twice: the page's `securitypolicyviolation` event, reported to the test
by a binding an init script installs before any of the page's own code runs, and Chromium's
console message ("... violates the following Content Security Policy directive ...").

People, cases and the frozen clock: tests/e2e/test_inbox_flows.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e import test_inbox_flows as flows
from tests.e2e.test_accessibility import EDITOR, sign_out_and_in
from tests.e2e.test_case_page import wait_for_diagram
from tests.e2e.test_inbox_flows import open_task, sign_in
from tests.e2e.test_modeler import click_action, rename, shape

office = flows.office  # the fixture: people with passwords and tokens, the clock at NOW

LISTEN_JS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  const report = {page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
                  sample: e.sample, source: e.sourceFile, line: e.lineNumber,
                  column: e.columnNumber};
  window.cspViolations.push(report);
  window.reportCspViolation(report);
});
"""

ICON_FONT_LOADED = """async () => { await document.fonts.ready;
  return [...document.fonts].some(f => f.family.replace(/"/g, '') === 'bpmn'
                                       && f.status === 'loaded'); }"""


@pytest.fixture()
def violations(page) -> list[dict]:
    """The CSP violations the page meets, from any of the pages it visits."""
    found: list[dict] = []
    page.expose_function("reportCspViolation", lambda report: found.append(report))
    page.add_init_script(LISTEN_JS)
    page.on("console", lambda msg: "Content Security Policy" in msg.text and found.append(
        {"page": page.url, "console": msg.text}))
    page.on("pageerror", lambda exc: found.append({"page": page.url, "error": str(exc)}))
    return found


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_main_pages_load_with_no_violation(live_server, page, violations, office):
    contact = office.post()
    verify = office.post()
    office.do("sz_worker", verify, "contact")
    case = office.post()  # misjudged and confirmed: an appeal, its diagram a second tab
    office.do("sz_worker", case, "contact", reason="按错了评价按钮")
    office.do("sz_worker", case, "verify", determination="misjudged", findings="属误评")
    office.do("sz_boss", case, "confirm_determination", confirm_decision="confirmed")
    visit(page, f"{live_server}/login")
    visit(page, f"{live_server}/")
    sign_in(page, live_server, "sz_worker", "/")
    for path in ("/", "/inbox", "/inbox?tab=pool", "/inbox?tab=done",
                 f"/tasks/{open_task(contact, 'contact').task_id}",
                 f"/tasks/{open_task(verify, 'verify').task_id}"):
        visit(page, live_server + path)
    visit(page, f"{live_server}/cases/{case}")
    wait_for_diagram(page)
    assert page.locator("[data-case-diagram] svg .djs-element[data-element-id]").count() > 5
    page.click(".diagram-tabs [data-diagram=appeal]")
    page.wait_for_function(
        "() => document.querySelector('[data-case-diagram]').dataset.process === 'appeal'"
        " && document.querySelector('[data-case-diagram]').dataset.state === 'ready'")
    assert violations == []

    sign_out_and_in(page, live_server, "root", "/admin/users")
    for path in ("/admin/users", "/admin/users/new", "/admin/departments",
                 "/admin/departments/new", "/admin/tokens", "/modeler/"):
        visit(page, live_server + path)
    visit(page, f"{live_server}/admin/tokens")
    page.fill("#name", "csp-check")
    page.click("form[action$='/admin/tokens'] button[type=submit]")
    page.wait_for_load_state("load")  # its deferred script has run, as for a person reading it
    page.focus("#token")  # the token shown once: selected as it takes the focus, to copy
    selected = page.evaluate("() => { const t = document.getElementById('token');"
                             " return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected == page.input_value("#token") != ""
    page.goto(f"{live_server}{EDITOR}")
    page.wait_for_selector('#modeler[data-state="ready"]')
    page.wait_for_selector('.djs-element[data-element-id="contact"]')
    assert page.evaluate(ICON_FONT_LOADED)  # the palette's icons, from font files (font-src)
    rename(page, "contact", "电话联系评价人")  # the properties panel, its general group open
    page.wait_for_function(
        "t => window.hcpModeler.get('elementRegistry').get('contact').businessObject.name === t",
        arg="电话联系评价人")
    assert "电话联系评价人" in shape(page, "contact").text_content()  # the label on the canvas
    click_action(page, "validate")  # posted to the server (connect-src), the results drawn
    assert page.locator("#modeler").get_attribute("data-validated") == "ok"
    assert violations == []


def test_swagger_ui_shows_the_operations_with_no_violation(live_server, page, violations):
    visit(page, f"{live_server}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock-summary").first.click()  # an operation opened: its parameters
    page.wait_for_selector(".opblock.is-open .opblock-body")
    assert violations == []


# What an escaping bug would let into a page: a <script> with code in it, an on*= handler, a
# javascript: link; and code compiled from a string (as eval does). Each would set
# window.injected.
INJECT_JS = """() => {
  const script = document.createElement('script');
  script.textContent = 'window.injected = "script"';
  document.body.append(script);
  document.body.insertAdjacentHTML('beforeend',
    '<img id="injected-img" src="/static/img/seal.svg" onload="window.injected = \\'onload\\'">'
    + '<a id="injected-link" href="javascript:window.injected = \\'link\\'">x</a>');
  setTimeout('window.injected = "string timer"');  // compiled from a string, as eval
}"""


def test_a_script_put_into_a_page_does_not_run(live_server, page, violations):
    response = page.goto(f"{live_server}/login")
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    with pytest.raises(PlaywrightError, match="violates the following Content Security Policy"):
        page.add_script_tag(content="window.injected = 'add_script_tag'")
    page.evaluate(INJECT_JS)
    page.click("#injected-link")
    # reported: the two <script>s, the onload handler, the javascript: link, the string timer
    page.wait_for_function("() => window.cspViolations.length >= 5")
    assert page.evaluate("window.injected") is None
    refused = sorted(v["directive"] for v in page.evaluate("window.cspViolations"))
    assert refused == ["script-src", "script-src-attr"] + ["script-src-elem"] * 3, refused
