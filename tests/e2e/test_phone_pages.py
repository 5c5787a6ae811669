"""In Chromium: the pages the other browser tests do not take to a phone, at 375 px and 320 px
and at 1280 px, in Chinese and in English. The administration's tables (用户, 接口令牌, 部门),
the modeler's versions (流程建模) and the home page's latest cases are lists of cards on a phone
(`.table.stack`: each cell under its column's name), so nothing scrolls sideways, inside its
panel or the page; at 1280 px they are tables again and fit their panel. The top bar's links
wrap to a second row rather than scroll out of sight (an administrator's five in English), and
on the login page the language switch sits above the brand, not over it. People, cases and the
frozen clock: test_inbox_flows."""

from __future__ import annotations

import pytest

from tests.e2e import test_inbox_flows as flows
from tests.e2e.test_inbox_flows import sign_in
from tests.e2e.test_tab_strips import _in

office = flows.office  # the fixture: people with passwords and tokens, the clock at NOW

PHONES = ({"width": 375, "height": 812}, {"width": 320, "height": 700})
DESK = {"width": 1280, "height": 800}
TABLE_PAGES = ("/admin/users", "/admin/tokens", "/admin/departments", "/modeler/", "/")
# each stacked table: whether it (or its wrapper) scrolls, its rows' right edges, and each
# labelled cell's label (its ::before) against its column's heading
TABLES_JS = """() => [...document.querySelectorAll('table.stack')].map(t => {
  const wrap = t.closest('.table-wrap') || t.parentElement;
  const heads = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
  const cells = [...t.querySelectorAll('tbody tr:first-child td')];
  return {scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
          headVisible: getComputedStyle(t.querySelector('thead')).display !== 'none',
          right: Math.max(...[...t.querySelectorAll('tbody td')].map(
            td => td.getBoundingClientRect().right)),
          labels: cells.map((td, i) => ({
            head: heads[i] || '', label: td.dataset.label || null,
            shown: getComputedStyle(td, '::before').content}))};
})"""


def _tables(page) -> list[dict]:
    return page.evaluate(TABLES_JS)


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _cases(office) -> None:
    """Two cases: the home page lists them, and the process is deployed for the modeler."""
    office.post()
    office.post(department_code=None, department_name=None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tables_are_cards_on_a_phone(live_server, page, screenshot, office, lang):
    _cases(office)
    sign_in(page, live_server, "root", "/admin/users")
    _in(page, lang)
    for path in TABLE_PAGES:
        page.goto(live_server + path)
        for phone in PHONES:
            page.set_viewport_size(phone)
            page.reload()
            tables = _tables(page)
            assert tables, path
            for t in tables:
                assert not t["scrolls"] and not t["headVisible"], (path, phone, t)
                assert t["right"] <= phone["width"], (path, phone, t)
                for cell in t["labels"][1:]:  # the first cell is the card's title
                    if cell["label"] is not None:
                        assert cell["label"] == cell["head"], (path, cell)
                        assert cell["shown"] == f'"{cell["head"]}"', (path, cell)
            assert _page_width(page) <= phone["width"], (path, phone)
        screenshot(page, f"phone{path.replace('/', '-').rstrip('-') or '-home'}-{lang}")
        page.set_viewport_size(DESK)
        page.reload()
        for t in _tables(page):
            assert t["headVisible"] and not t["scrolls"], (path, t)
        assert _page_width(page) <= DESK["width"], path
    assert page.foreign_requests == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_top_bar_links_stay_on_screen(live_server, page, office, lang):
    sign_in(page, live_server, "root", "/admin/users")
    _in(page, lang)
    for phone in PHONES:
        page.set_viewport_size(phone)
        page.reload()
        links = page.evaluate("""() => [...document.querySelectorAll('.mainnav a')].map(a => {
            const r = a.getBoundingClientRect();
            const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return {text: a.innerText, x: r.x, right: r.right,
                    hit: !!hit && a.contains(hit)}; })""")
        assert len(links) == 5, links  # 首页, 待办, 流程建模, 系统管理, 接口文档
        for link in links:
            assert link["x"] >= 0 and link["right"] <= phone["width"] and link["hit"], link
        assert not page.evaluate("(n => n.scrollWidth > n.clientWidth + 1)"
                                 "(document.querySelector('.mainnav'))")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_language_switch_is_clear_of_the_brand_on_login(live_server, page, screenshot,
                                                            lang):
    page.goto(f"{live_server}/login?lang={lang}")
    for size in (*PHONES, {"width": 820, "height": 1180}, DESK):
        page.set_viewport_size(size)
        boxes = page.evaluate("""() => ['.login-lang', '.login-intro .brand', '.login-intro h1']
            .map(s => { const r = document.querySelector(s).getBoundingClientRect();
                        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })""")
        switch, brand, title = boxes
        apart = (switch["right"] <= brand["left"] or brand["right"] <= switch["left"]
                 or switch["bottom"] <= brand["top"] or brand["bottom"] <= switch["top"])
        assert apart, (size, switch, brand)
        assert brand["bottom"] <= title["top"], (size, brand, title)
        assert _page_width(page) <= size["width"], size
    page.set_viewport_size(PHONES[0])
    screenshot(page, f"login-phone-{lang}")


def test_the_footer_lines_are_centred_on_a_phone(live_server, page, office):
    """Its second sentence wraps on a phone: each of its lines is centred, as the first is."""
    sign_in(page, live_server, "root", "/admin/users")
    _in(page, "en")
    page.set_viewport_size(PHONES[0])
    page.reload()
    lines = page.evaluate("""() => [...document.querySelectorAll('.foot span')].flatMap(s => {
        const range = document.createRange(); range.selectNodeContents(s);
        return [...range.getClientRects()].map(r => [r.left, window.innerWidth - r.right]); })""")
    assert len(lines) >= 3, lines  # the second sentence on two lines
    for left, right in lines:
        assert abs(left - right) <= 2, lines
