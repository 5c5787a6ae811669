"""In Chromium: the inbox's tabs on a phone, and its checkboxes. At 375 px every tab of a
supervisor, the agency, the hotline and a caseworker is on screen (inside the viewport, not
clipped by a strip that scrolls inside itself), the current one marked; at 1280 px they stay one
row. A bulk button is enabled only while a ticked row is one it applies to; the hotline's watch
list (超期督办) has no checkbox at all. People, cases and the frozen clock: test_inbox_flows."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.timeutil import SHANGHAI
from tests.e2e import test_inbox_flows as flows
from tests.e2e.test_inbox_flows import NOW, row, sign_in, sign_out

office = flows.office  # the fixture: people with passwords and tokens, the clock at NOW

PHONE, DESK = {"width": 375, "height": 812}, {"width": 1280, "height": 800}
# a tab's box, whether the point at its centre is the tab (a clipped tab is covered by what
# scrolls past it, or lies outside its strip's visible box), and how it is drawn
TABS_JS = """() => [...document.querySelectorAll('.inbox-tabs a')].map(a => {
  const r = a.getBoundingClientRect(), s = getComputedStyle(a);
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  const strip = a.parentElement.getBoundingClientRect();
  return {tab: a.dataset.tab, x: r.x, y: r.y, right: r.right, bottom: r.bottom,
          inStrip: r.x >= strip.x - 0.5 && r.right <= strip.right + 0.5,
          hit: !!hit && a.contains(hit), current: a.getAttribute('aria-current') === 'page',
          look: s.backgroundColor + ' ' + s.borderBottomColor + ' ' + s.color};
})"""


def _tabs(page) -> list[dict]:
    page.locator(".inbox-tabs").scroll_into_view_if_needed()
    return page.evaluate(TABS_JS)


def _strip_scrolls(page) -> bool:
    return page.evaluate("() => { const n = document.querySelector('.inbox-tabs');"
                         " return n.scrollWidth > n.clientWidth + 1; }")


@pytest.mark.parametrize(("who", "count", "lang"), [
    ("sz_boss", 4, "zh"), ("sz_agency", 4, "zh"), ("sz_hotline", 4, "zh"),
    ("sz_worker", 3, "zh"), ("sz_boss", 4, "en")])
def test_every_tab_is_on_screen_on_a_phone(live_server, page, screenshot, office, who, count,
                                          lang):
    office.post()
    sign_in(page, live_server, who, "/inbox?tab=pool")
    if lang == "en":
        with page.expect_navigation():
            page.click(".langswitch a[hreflang=en]")
    page.set_viewport_size(PHONE)
    page.reload()
    tabs = _tabs(page)
    assert len(tabs) == count
    assert not _strip_scrolls(page)
    for t in tabs:
        assert t["x"] >= 0 and t["right"] <= PHONE["width"], t
        assert t["inStrip"] and t["hit"], t
    current = [t for t in tabs if t["current"]]
    assert [t["tab"] for t in current] == ["pool"]
    assert all(t["look"] != current[0]["look"] for t in tabs if not t["current"]), tabs
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"inbox-tabs-phone-{who}-{lang}")
    page.set_viewport_size(DESK)
    page.reload()
    tabs = _tabs(page)
    assert len({round(t["y"]) for t in tabs}) == 1, tabs  # one row at 1280 px
    assert not _strip_scrolls(page) and all(t["hit"] for t in tabs)
    assert page.foreign_requests == []


def test_bulk_buttons_follow_the_ticked_rows(live_server, page, office, time_machine):
    time_machine.move_to(datetime(2026, 2, 24, 10, 0, tzinfo=SHANGHAI), tick=False)
    late = office.post(rated_at="2026-02-24T08:00:00+08:00")  # contact due Fri 2/27
    time_machine.move_to(NOW, tick=False)
    fresh = office.post()
    sign_in(page, live_server, "sz_worker", "/inbox?tab=pool")
    row(page, fresh).locator("button", has_text="认领").click()
    page.wait_for_load_state()
    sign_out(page)

    sign_in(page, live_server, "sz_boss", "/inbox?tab=all")
    claim = page.locator(".bulkbar [data-bulk=claim]")
    give_back = page.locator(".bulkbar [data-bulk=unclaim]")
    assign = page.locator(".bulkbar [data-bulk=reassign]")
    assert claim.is_disabled() and give_back.is_disabled() and assign.is_disabled()
    row(page, late).locator('input[name="task"]').check()  # unclaimed
    assert claim.is_enabled() and give_back.is_disabled() and assign.is_enabled()
    row(page, late).locator('input[name="task"]').uncheck()
    row(page, fresh).locator('input[name="task"]').check()  # held by the caseworker
    assert claim.is_disabled() and give_back.is_enabled() and assign.is_enabled()
    page.check("#check-all")
    assert claim.is_enabled() and give_back.is_enabled()
    sign_out(page)

    sign_in(page, live_server, "sz_hotline")
    page.goto(f"{live_server}/inbox?queue=escalated&tab=all")
    assert page.locator("tr[data-task]").count() == 1  # the late contact, its department's
    assert page.locator('input[type="checkbox"]').count() == 0
    assert page.locator(".bulkbar").count() == 0
    assert "待责任部门办理" in row(page, late).inner_text()
    assert page.foreign_requests == []
