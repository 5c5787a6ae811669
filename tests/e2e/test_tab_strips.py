"""In Chromium: the generic tab strips (`.tabs`) on a phone, as the inbox's are: the admin
area's (系统管理: 用户, 接口令牌, 部门) and the case page's diagram tabs (差评处置 with 申诉 or
工作人员差评核查). At 375 px and at 320 px (the narrowest phones still sold) every tab is
inside the viewport and not clipped (the point at its centre is the tab), the strip does not
scroll inside itself, the current one is drawn apart; at 1280 px they stay one underlined row.
The case page itself does not scroll sideways on a phone (its current tasks are cards). People,
cases and the frozen clock: test_inbox_flows."""

from __future__ import annotations

import pytest

from app.demo.data import uscc
from app.org.service import create_department
from tests.e2e import test_inbox_flows as flows
from tests.e2e.test_inbox_flows import sign_in

office = flows.office  # the fixture: people with passwords and tokens, the clock at NOW

PHONES = ({"width": 375, "height": 812}, {"width": 320, "height": 700})
DESK = {"width": 1280, "height": 800}
STAFF_UNIT = (uscc("440305", 7), "深圳市南山区政务服务数据管理局")
# each tab's box, whether the point at its centre is the tab, and how it is drawn
TABS_JS = """(sel) => [...document.querySelectorAll(sel + ' > *')].map(t => {
  const r = t.getBoundingClientRect(), s = getComputedStyle(t);
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  const strip = t.parentElement.getBoundingClientRect();
  return {text: t.innerText, x: r.x, y: r.y, right: r.right,
          inStrip: r.x >= strip.x - 0.5 && r.right <= strip.right + 0.5,
          hit: !!hit && t.contains(hit), current: t.classList.contains('active'),
          look: s.backgroundColor + ' ' + s.borderTopColor + ' ' + s.color};
})"""


def _tabs(page, selector: str) -> list[dict]:
    page.locator(selector).scroll_into_view_if_needed()
    return page.evaluate(TABS_JS, selector)


def _scrolls(page, selector: str) -> bool:
    return page.evaluate("(sel) => { const n = document.querySelector(sel);"
                         " return n.scrollWidth > n.clientWidth + 1; }", selector)


def _check_phone(page, selector: str, count: int, width: int) -> None:
    tabs = _tabs(page, selector)
    assert len(tabs) == count, tabs
    assert not _scrolls(page, selector), f"{selector} scrolls at {width}px"
    for t in tabs:
        assert t["x"] >= 0 and t["right"] <= width, t
        assert t["inStrip"] and t["hit"], t
    current = [t for t in tabs if t["current"]]
    assert len(current) == 1
    assert all(t["look"] != current[0]["look"] for t in tabs if not t["current"]), tabs
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _check_desk(page, selector: str) -> None:
    tabs = _tabs(page, selector)
    assert len({round(t["y"]) for t in tabs}) == 1, tabs  # one row
    assert not _scrolls(page, selector) and all(t["hit"] for t in tabs)
    underline = page.evaluate("(sel) => getComputedStyle("
                              "document.querySelector(sel + ' > .active')).borderBottomWidth",
                              selector)
    assert underline == "3px"  # the underlined tabs, as before


def _in(page, lang: str) -> None:
    if page.locator(f".langswitch a[hreflang={lang}]").count():
        with page.expect_navigation():
            page.click(f".langswitch a[hreflang={lang}]")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_admin_tabs_fit_a_phone(live_server, page, screenshot, office, lang):
    sign_in(page, live_server, "root", "/admin/users")
    _in(page, lang)
    for phone in PHONES:
        page.set_viewport_size(phone)
        page.reload()
        _check_phone(page, "nav.tabs", 3, phone["width"])
    screenshot(page, f"admin-tabs-phone-{lang}")
    page.set_viewport_size(DESK)
    page.reload()
    _check_desk(page, "nav.tabs")
    assert page.foreign_requests == []


def _diagram_ready(page) -> None:
    page.wait_for_selector("[data-case-diagram][data-state=ready]", timeout=15000)


@pytest.mark.parametrize(("kind", "lang"), [
    ("appeal", "zh"), ("appeal", "en"), ("staff", "zh"), ("staff", "en")])
def test_the_diagram_tabs_and_the_case_page_fit_a_phone(live_server, page, screenshot, office,
                                                        kind, lang):
    if kind == "appeal":  # 差评处置 and 申诉
        number = office.post()
        office.do("sz_worker", number, "contact")
        office.do("sz_worker", number, "verify", determination="misjudged", findings="误点")
        office.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
        who = "sz_worker"
    else:  # 差评处置 and 工作人员差评核查 (English: the longest labels)
        create_department(*STAFF_UNIT, "440300000000")
        number = office.post(rated_object="staff", channel="hall_tablet", staff_no="A0123",
                             staff_name="李四", staff_unit_code=STAFF_UNIT[0],
                             staff_unit_name=STAFF_UNIT[1])
        who = "sz_hotline"
    sign_in(page, live_server, who, f"/cases/{number}")
    _in(page, lang)
    for phone in PHONES:
        page.set_viewport_size(phone)
        page.reload()
        _diagram_ready(page)
        _check_phone(page, ".diagram-tabs", 2, phone["width"])
        cards = page.locator("#tasks .current-tasks").bounding_box()
        assert cards["x"] + cards["width"] <= phone["width"]
    page.locator(".diagram-tabs > :not(.active)").click()  # the other diagram, on the phone
    page.wait_for_function("() => document.querySelector('[data-case-diagram]').dataset.process"
                           f" === '{'appeal' if kind == 'appeal' else 'staff_review'}'")
    assert page.locator(".diagram-tabs > .active").get_attribute("data-diagram") != "bad_review"
    screenshot(page, f"case-diagram-tabs-phone-{kind}-{lang}")
    page.set_viewport_size(DESK)
    page.reload()
    _diagram_ready(page)
    _check_desk(page, ".diagram-tabs")
    assert page.foreign_requests == []
