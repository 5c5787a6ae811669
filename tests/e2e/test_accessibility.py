"""Accessibility (GB/T 37668-2019, which follows WCAG 2.0/2.1 AA), checked in Chromium with
axe-core: every main page, as the person who uses it, in Chinese and in English, at 1280 px and
(where the layout changes) 375 px, runs axe with the WCAG 2.0/2.1 A and AA rules and has no
violation. axe is the npm package pinned in package.json (a devDependency that `make setup`'s
`npm ci` installs), injected from node_modules on disk: nothing comes from another host.

People, cases and the frozen clock (Monday 2026-03-02 10:30): tests/e2e/test_inbox_flows.py.
The keyboard test (Tab and Enter only, the focus always visible) is at the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e import test_inbox_flows as flows
from tests.e2e.test_case_page import wait_for_diagram
from tests.e2e.test_inbox_flows import PASSWORD, open_task, sign_in
from tests.materials.conftest import png_bytes

office = flows.office  # the fixture: people with passwords and tokens, the clock at NOW

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESK, PHONE = {"width": 1280, "height": 800}, {"width": 375, "height": 812}
LANGS = ("zh", "en")
EDITOR = "/modeler/shenzhen/bad_review.bpmn"
# bpmn-js's canvas and its properties panel are third-party widgets (npm bpmn-js,
# bpmn-js-properties-panel) drawn by their own scripts: the editor is checked without them.
BPMN_JS = ("#mod-canvas > .djs-container", "#mod-props > *")

RUN_JS = """async ([tags, exclude]) => {
  const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])}
                                 : document;
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""


@pytest.fixture(scope="session")
def axe_file() -> Path:
    """axe-core from node_modules (npm ci); CI fails without it, elsewhere the tests skip."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} missing: make setup runs npm ci, which installs axe-core")
        pytest.skip(f"{AXE} not installed (npm ci)")
    return AXE


def own_file(page, name: str, body: str | bytes, content_type: str) -> str:
    """The URL of a file the test adds to the page (axe, a stylesheet), answered by the test
    as if the site served it: the site's Content-Security-Policy (script-src 'self',
    style-src 'self') refuses the inline <script> or <style> add_script_tag(content=...) makes,
    and the pages are checked under the policy they have in production."""
    url = "{0.scheme}://{0.netloc}/_test/{1}".format(urlparse(page.url), name)
    page.route(url, lambda route: route.fulfill(body=body, content_type=content_type))
    return url


def violations(page, axe_file: Path, exclude: tuple[str, ...] = ()) -> list[dict]:
    """axe's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=own_file(page, "axe.min.js", axe_file.read_bytes(),
                                         "text/javascript"))
    return page.evaluate(RUN_JS, [TAGS, list(exclude)])


def report(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}\n      {n['summary']}" for n in v["nodes"]]
    return "\n".join(lines)


class Checker:
    """Runs axe on page after page and gathers what fails, so one run reports them all."""

    def __init__(self, page, axe_file: Path):
        self.page, self.axe_file, self.failures = page, axe_file, []

    def __call__(self, label: str, exclude: tuple[str, ...] = (), phone: bool = True) -> None:
        sizes = (DESK, PHONE) if phone else (DESK,)
        for size in sizes:
            self.page.set_viewport_size(size)
            found = violations(self.page, self.axe_file, exclude)
            if found:
                self.failures.append(f"== {label} at {size['width']} px "
                                     f"({self.page.url})\n{report(found)}")
        self.page.set_viewport_size(DESK)

    def visit(self, url: str, label: str, **kwargs) -> None:
        self.page.goto(url)
        self(label, **kwargs)

    def assert_clean(self) -> None:
        assert not self.failures, "axe found violations:\n" + "\n".join(self.failures)


@pytest.fixture()
def check(page, axe_file) -> Checker:
    return Checker(page, axe_file)


def in_language(page, base: str, lang: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-CN")


@pytest.mark.parametrize("lang", LANGS)
def test_login_home_and_error_pages(live_server, page, check, office, lang):
    office.post()
    in_language(page, live_server, lang)
    check("home, visitor")
    check.visit(f"{live_server}/login", "login")
    page.fill("#username", "sz_worker")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    check("login, wrong password")
    check.visit(f"{live_server}/no-such-page", "404, visitor")
    sign_in(page, live_server, "sz_worker", "/")
    check("home, caseworker")
    number = office.post()
    other = open_task(number, "contact").task_id
    sign_out_and_in(page, live_server, "sz_other", f"/tasks/{other}")
    check("403, another department's caseworker")
    check.visit(f"{live_server}/no-such-page", "404, signed in")
    check.assert_clean()


def sign_out_and_in(page, base: str, username: str, path: str) -> None:
    """Sign out (if signed in) and sign in as `username`, landing on `path` (any status)."""
    if page.locator("form.logout button").count():
        page.click("form.logout button")
        page.wait_for_url("**/login")
    page.goto(f"{base}/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", LANGS)
def test_inbox_tabs(live_server, page, check, office, lang):
    mine = office.post()
    office.do("sz_worker", mine, "contact")  # a verify task, kept by its caseworker
    office.post()  # a contact task in the department's pool
    in_language(page, live_server, lang)
    sign_in(page, live_server, "sz_worker", "/inbox")
    check("inbox 我的待办, caseworker")
    check.visit(f"{live_server}/inbox?tab=pool", "inbox group tab, caseworker")
    check.visit(f"{live_server}/inbox?tab=done", "inbox done tab, caseworker")
    sign_out_and_in(page, live_server, "sz_boss", "/inbox?tab=all")
    page.locator("tr[data-task] input[name=task]").first.check()
    check("inbox all tab with a ticked row, supervisor")
    sign_out_and_in(page, live_server, "sz_hotline", "/inbox?queue=escalated&tab=all")
    check("inbox watch list 超期督办, hotline")
    check.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_task_pages(live_server, page, check, office, lang):
    contact = office.post()
    verify = office.post()
    office.do("sz_worker", verify, "contact")
    rectify = office.post()
    for step, extra in (("contact", {}), ("verify", {}), ("classify", {"rectify_class": "complex"}),
                        ("ledger", {"plan": "增设窗口", "promised_date": "2026-03-16",
                                    "owner": "王主任"})):
        office.do("sz_worker", rectify, step, **extra)
    ledger = office.post()
    for step, extra in (("contact", {}), ("verify", {}),
                        ("classify", {"rectify_class": "complex"})):
        office.do("sz_worker", ledger, step, **extra)
    revisit = office.post()
    for step in ("contact", "verify", "classify", "rectify", "feedback"):
        office.do("sz_worker", revisit, step)
    in_language(page, live_server, lang)
    first = f"/tasks/{open_task(contact, 'contact').task_id}"
    sign_in(page, live_server, "sz_worker", first)
    check("task contact")
    page.click("#task-form button[type=submit]")  # required fields empty: errors in place
    page.wait_for_load_state()
    check("task contact with errors")
    for number, step in ((verify, "verify"), (rectify, "rectify"), (ledger, "ledger")):
        check.visit(f"{live_server}/tasks/{open_task(number, step).task_id}", f"task {step}")
    task = f"/tasks/{open_task(revisit, 'revisit').task_id}"
    sign_out_and_in(page, live_server, "sz_hotline", task)
    check("task revisit with the call script, hotline")
    check.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_case_page(live_server, page, check, office, lang):
    number = office.post()
    office.do("sz_worker", number, "contact", reason="按错了评价按钮")
    office.do("sz_worker", number, "verify", determination="misjudged", findings="属误评")
    office.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
    in_language(page, live_server, lang)
    sign_in(page, live_server, "sz_worker", f"/cases/{number}")
    wait_for_diagram(page)
    page.set_input_files("#upload-file", files=[{
        "name": "窗口现场.png", "mimeType": "image/png", "buffer": png_bytes(40, 30)}])
    page.fill("#upload-description", "窗口排队现场照片")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector(".files .file-name")
    page.fill("#comment-text", "已与评价人电话沟通。")
    page.click("form.comment-form button[type=submit]")
    page.wait_for_selector(".comment-body")
    wait_for_diagram(page)
    check("case page with timeline and materials")
    page.click(".diagram-tabs [data-diagram=appeal]")
    page.wait_for_function(
        "() => document.querySelector('[data-case-diagram]').dataset.process === 'appeal'"
        " && document.querySelector('[data-case-diagram]').dataset.state === 'ready'")
    check("case page, the appeal diagram tab")
    check.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_admin_and_modeler_pages(live_server, page, check, office, lang):
    office.post()
    in_language(page, live_server, lang)
    sign_in(page, live_server, "root", "/admin/users")
    check("admin users")
    page.goto(f"{live_server}/admin/users/new")
    page.click("form.form button[type=submit]")  # nothing filled in: errors in place
    page.wait_for_load_state()
    assert page.locator(".has-error").count() > 0
    check("admin new user with errors")
    page.goto(f"{live_server}/admin/users")
    page.locator("tr", has_text="sz_worker").locator("a[href^='/admin/users/']").click()
    page.wait_for_url("**/admin/users/*")
    check("admin edit user (reset password)")
    for path in ("/admin/users/new", "/admin/departments", "/admin/departments/new",
                 "/admin/tokens", "/modeler/"):
        check.visit(live_server + path, path)
    page.goto(f"{live_server}{EDITOR}")
    page.wait_for_selector('#modeler[data-state="ready"]')
    page.wait_for_selector('.djs-element[data-element-id="contact"]')
    check("modeler editor", exclude=BPMN_JS, phone=False)
    check.assert_clean()



@pytest.mark.parametrize("lang", LANGS)
def test_a_waiting_release_and_a_sign_in_lock(live_server, page, check, office, lang,
                                              bpmn_copy):
    """/modeler/ with a release waiting (its diff and both forms open), and a user's admin
    page while their username is locked."""
    from app.auth import lockout
    from app.auth.models import User
    from app.extensions import db
    from app.modeler import service
    from app.processes import service as processes
    from app.timeutil import utcnow

    boss = db.session.scalar(db.select(User).where(User.username == "sz_boss"))
    renamed = processes.current("shenzhen").files["bad_review.bpmn"].replace(
        'name="联系评价人"', 'name="电话联系评价人"')
    service.deploy_file("shenzhen", "bad_review.bpmn", renamed, "联系环节改名",
                        processes.current("shenzhen").id, boss)
    path = bpmn_copy / "appeal.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("申诉审核", "申诉复核"),
                    encoding="utf-8")
    in_language(page, live_server, lang)
    sign_in(page, live_server, "sz_boss", "/modeler/")
    held = page.locator(".release-held")
    held.locator(".release-diff summary").click()
    for summary in held.locator(".release-actions summary").all():
        summary.click()
    check("modeler, a release waiting")
    for _ in range(5):  # as five wrong passwords would (the forms need CSRF tokens here)
        lockout.failed("sz_worker", utcnow())
    sign_out_and_in(page, live_server, "root", "/admin/users")
    page.locator("tr", has_text="sz_worker").locator("a[href^='/admin/users/']").click()
    page.wait_for_url("**/admin/users/*")
    assert page.locator("[data-locked]").is_visible()
    check("admin edit user, locked")
    check.assert_clean()

# -- what axe does not check: the focus ring and form fields' borders (WCAG 2.4.7, 1.4.11) --

COLOUR_JS = """
const parse = c => { const m = /rgba?\\(([^)]+)\\)/.exec(c || ''); if (!m) return null;
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
const backdrop = node => {  // what is drawn behind node: gradients by their first colour
  const layers = [];
  for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
    const s = getComputedStyle(n);
    const c = (s.backgroundImage.includes('gradient') && parse(s.backgroundImage))
      || parse(s.backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  return layers.reverse().reduce((bg, c) => over(c, bg), [255, 255, 255, 1]);
};
const lum = c => { const f = v => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const ratio = (fg, bg) => { const a = lum(over(fg, bg)), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
"""

# the focused element, and how its focus is drawn: an outline of 2px or more, or a box-shadow
# ring (spread 1px or more), with its contrast against what is behind the element
FOCUS_JS = "() => {" + COLOUR_JS + """
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el), bg = backdrop(el.parentElement);
  let best = 0, how = 'none';
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) {
    best = ratio(parse(s.outlineColor), bg); how = 'outline'; }
  if (s.boxShadow !== 'none') {
    for (const part of s.boxShadow.split(/,(?![^(]*\\))/)) {
      const lengths = part.replace(/rgba?\\([^)]*\\)/, '').trim().split(/\\s+/).map(parseFloat);
      const r = ratio(parse(part), bg);
      if (lengths[3] >= 1 && r > best) { best = r; how = 'box-shadow'; }
    }
  }
  const r = el.getBoundingClientRect();
  return {key: el.dataset.kb || null, tag: el.tagName.toLowerCase(), id: el.id,
          name: el.getAttribute('name'), value: el.value || null,
          text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 24),
          how, ratio: Math.round(best * 100) / 100,
          onScreen: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth};
}"""

# every control Tab should reach, numbered (data-kb) in document order; of a radio group, the
# one Tab stops at (the checked one, else the first)
TABBABLE_JS = """() => {
  const all = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')].filter(el =>
    !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden' && !el.closest('[hidden], [inert]')
    && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
  const seen = new Set();
  const stops = all.filter(el => {
    if (el.type !== 'radio') return true;
    const group = [...document.getElementsByName(el.name)];
    const stop = group.find(r => r.checked) || group[0];
    return el === stop;
  });
  stops.forEach((el, i) => { el.dataset.kb = String(i); });
  return stops.map(el => (el.innerText || el.value || el.name || el.id || '').trim().slice(0, 24));
}"""

# each visible form field's border against what is behind it (1.4.11: 3:1)
FIELDS_JS = "() => {" + COLOUR_JS + """
  return [...document.querySelectorAll('.input')].filter(el => el.getClientRects().length)
    .map(el => ({id: el.id, ratio: ratio(parse(getComputedStyle(el).borderTopColor),
                                         backdrop(el.parentElement))}));
}"""


# Tab from the top of the page (whatever has the focus now, e.g. an autofocused field)
START_JS = """() => { const s = document.createElement('span'); s.tabIndex = -1;
  document.body.prepend(s); s.focus(); s.remove(); window.scrollTo(0, 0); }"""
STILL_CSS = "*, *::before, *::after { transition: none !important; animation: none !important; }"


def focus(page) -> dict | None:
    """The focused element and its focus ring, read with transitions off (not mid-way)."""
    if not page.evaluate("!!document.querySelector('[data-still]')"):
        still = page.add_style_tag(url=own_file(page, "still.css", STILL_CSS, "text/css"))
        still.evaluate("el => { el.dataset.still = '1'; }")
    return page.evaluate(FOCUS_JS)


def assert_focus_visible(info: dict, where: str) -> None:
    assert info["how"] != "none" and info["ratio"] >= 3, f"focus not visible on {where}: {info}"
    assert info["onScreen"], f"focused element off screen on {where}: {info}"


def tab_round(page, where: str) -> list[dict]:
    """Tab from the top of the page through every control and back to the first: each
    control is reached once, in order, its focus visible; nothing traps the focus."""
    names = page.evaluate(TABBABLE_JS)
    focus(page)  # transitions off before the first stop
    page.evaluate(START_JS)
    visited: list[dict] = []
    for _ in range(len(names) + 3):
        page.keyboard.press("Tab")
        info = focus(page)
        if info is None:  # past the last control: the browser's own UI
            continue
        if visited and info["key"] == visited[0]["key"]:
            break
        assert_focus_visible(info, where)
        visited.append(info)
    keys = [v["key"] for v in visited]
    missed = [name for i, name in enumerate(names) if str(i) not in keys]
    assert not missed, f"Tab never reaches {missed} on {where}"
    assert keys == [str(i) for i in range(len(names))], f"Tab order on {where}: {keys}"
    return visited


def tab_to(page, test: str, where: str, limit: int = 80) -> dict:
    """Press Tab until the focused element passes `test` (JS: el => bool); the focus is
    visible at every stop on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focus(page)
        if info is None:
            continue
        assert_focus_visible(info, where)
        if page.evaluate(f"({test})(document.activeElement)"):
            return info
    raise AssertionError(f"Tab never reached {test} on {where}")


def test_keyboard_only_from_the_inbox_to_a_completed_task(live_server, page, office):
    """Sign in, open the task from the inbox and complete it with the keyboard alone: Tab
    and Enter (Space ticks a radio button, as in any browser). Every control of the inbox and
    the task page is reached in order, and the focus is drawn at 3:1 at every stop."""
    number = office.post()
    task_id = open_task(number, "contact").task_id
    claimed = office.client.post(f"/api/v1/tasks/{task_id}/claim",
                                 headers=office.headers["sz_worker"])
    assert claimed.status_code == 200, claimed.get_json()
    page.goto(f"{live_server}/login?next=/inbox")
    tab_round(page, "login")
    tab_to(page, "el => el.id === 'username'", "login")
    page.keyboard.type("sz_worker")
    tab_to(page, "el => el.id === 'password'", "login")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/inbox") and "login" not in url)

    tab_round(page, "inbox")
    tab_to(page, f"el => el.matches('a.btn[href^=\"/tasks/{task_id}\"]')", "inbox")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"/tasks/{task_id}" in url)

    tab_round(page, "task page")
    tab_to(page, "el => el.name === 'contact_result'", "task page")
    while page.evaluate("document.activeElement.value") != "reached":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.get_by_role("radio", name="已联系评价人", exact=True).is_checked()
    tab_to(page, "el => el.id === 'f-reason'", "task page")
    page.keyboard.type("窗口排队时间过长")
    tab_to(page, "el => el.id === 'f-demand'", "task page")
    page.keyboard.type("增开窗口")
    tab_to(page, "el => el.matches('#task-form button[type=submit]')", "task page")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/inbox" in url)
    assert "“联系评价人”已提交" in flows.flash(page)
    assert office.steps(number) == ["verify"]
    assert page.foreign_requests == []


@pytest.mark.parametrize("path", ["/login", "task"])
def test_form_fields_are_outlined_at_3_to_1(live_server, page, office, path):
    """A text box is found by its border: 3:1 against the panel (WCAG 1.4.11)."""
    if path == "task":
        number = office.post()
        path = f"/tasks/{open_task(number, 'contact').task_id}"
        sign_in(page, live_server, "sz_worker", path)
    else:
        page.goto(live_server + path)
    fields = page.evaluate(FIELDS_JS)
    assert fields and all(f["ratio"] >= 3 for f in fields), fields
