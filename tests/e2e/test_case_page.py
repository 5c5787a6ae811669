"""In Chromium: a caseworker opens a case page, sees the diagram drawn with the current step
marked, reveals the reviewer's phone, uploads a PNG and adds a comment; a caseworker of another
department gets the 403 page. CSRF stays on; nothing is loaded from another host."""

from __future__ import annotations

import re

import pytest

from tests.materials.conftest import PASSWORD, open_office, png_bytes


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture()
def office(client, bad_rating):
    office = open_office(client, bad_rating)
    office.claim("worker")
    return office


def sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def wait_for_diagram(page) -> None:
    page.wait_for_selector("[data-case-diagram][data-state=ready]", timeout=15000)


def shoot(page, screenshot, name: str) -> None:
    """A full-page screenshot from the top (the sticky top bar stays at the top)."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def test_case_page(live_server, page, screenshot, office, csrf_on):
    path = f"/cases/{office.number}"
    sign_in(page, live_server, "worker", path)
    wait_for_diagram(page)
    diagram = page.locator("[data-case-diagram]")
    assert diagram.get_attribute("data-marked") == "contact"
    assert page.locator('.djs-element.cp-current[data-element-id="contact"]').count() == 1
    assert page.locator(".djs-element.cp-current").count() == 1
    assert "剩余" in page.locator("#tasks").inner_text()
    assert "138****5678" in page.locator("#rating").inner_text()
    shoot(page, screenshot, "case-page")

    page.click("text=查看完整号码")
    page.wait_for_selector(".phone.revealed")
    assert page.locator("[data-phone]").inner_text() == "13812345678"

    page.set_input_files("#upload-file", files=[{
        "name": "窗口现场.png", "mimeType": "image/png", "buffer": png_bytes(40, 30)}])
    page.fill("#upload-description", "窗口排队现场照片")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector(".files .file-name")
    assert page.locator(".files .file-name").inner_text() == "窗口现场.png"
    assert "已上传证明材料" in page.locator(".flashes").inner_text()

    page.fill("#comment-text", "已与评价人电话沟通，约定三个工作日内回复。")
    page.click("form.comment-form button[type=submit]")
    page.wait_for_selector(".comment-body")
    assert "约定三个工作日内回复" in page.locator(".comment-list").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "上传证明材料" in timeline and "查看评价人联系电话" in timeline and "备注" in timeline
    wait_for_diagram(page)
    shoot(page, screenshot, "case-page-with-materials")
    assert page.foreign_requests == []


def test_case_page_of_another_department_is_forbidden(live_server, page, screenshot, office):
    path = f"/cases/{office.number}"
    page.goto(f"{live_server}/login?next={path}")
    page.fill("#username", "outsider")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(path)
    assert "无权访问" in page.locator("h1").inner_text()
    assert "排队太久" not in page.content()  # nothing of the case leaks
    screenshot(page, "case-page-forbidden")
    assert page.foreign_requests == []


def test_case_page_at_tablet_width_in_english(live_server, page, screenshot, office):
    page.set_viewport_size({"width": 820, "height": 1180})
    path = f"/cases/{office.number}"
    sign_in(page, live_server, "worker", path)
    page.goto(f"{live_server}{path}?lang=en")
    wait_for_diagram(page)
    assert "Evidence files" in page.locator("#materials").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the page scrolls sideways ({width}px)"
    screenshot(page, "case-page-tablet-en")
    assert page.foreign_requests == []


def test_case_in_appeal_marks_the_call_and_its_own_diagram(live_server, page, screenshot,
                                                           office):
    office.do("worker", "contact", contact_result="reached", reason="按错了评价按钮")
    office.do("worker", "verify", determination="misjudged", findings="经调取录像，属误评")
    office.do("boss", "confirm_determination", confirm_decision="confirmed")
    sign_in(page, live_server, "worker", f"/cases/{office.number}")
    wait_for_diagram(page)
    diagram = page.locator("[data-case-diagram]")
    assert diagram.get_attribute("data-marked") == "appeal"  # the call activity
    done = page.locator(".djs-element.cp-done").evaluate_all(
        "els => els.map(e => e.dataset.elementId)")
    assert {"contact", "verify"} <= set(done)
    shoot(page, screenshot, "case-page-appeal")
    page.click(".diagram-tabs [data-diagram=appeal]")
    page.wait_for_function(
        "() => document.querySelector('[data-case-diagram]').dataset.process === 'appeal'"
        " && document.querySelector('[data-case-diagram]').dataset.state === 'ready'")
    assert diagram.get_attribute("data-marked") == "appeal_submit"
    page.locator("#diagram").scroll_into_view_if_needed()
    shoot(page, screenshot, "case-page-appeal-tab")
    assert page.foreign_requests == []


# the diagram tabs as a screen reader and the keyboard find them
TABS_STATE_JS = """() => {
  const tabs = [...document.querySelectorAll('.diagram-tabs [role=tab]')];
  const pane = document.querySelector('[role=tabpanel]');
  return {focused: document.activeElement.dataset.diagram || document.activeElement.id,
          selected: tabs.filter(t => t.getAttribute('aria-selected') === 'true')
                        .map(t => t.dataset.diagram),
          inTabOrder: tabs.filter(t => t.tabIndex === 0).map(t => t.dataset.diagram),
          active: tabs.filter(t => t.classList.contains('active')).map(t => t.dataset.diagram),
          controls: tabs.map(t => t.getAttribute('aria-controls')),
          pane: pane && pane.id, labelledBy: pane && pane.getAttribute('aria-labelledby'),
          paneHoldsDiagram: !!pane && pane.contains(document.querySelector('[data-case-diagram]'))};
}"""
MARKED = {"bad_review": "appeal", "appeal": "appeal_submit"}  # each diagram's current step


def expect_tab(page, process: str) -> None:
    """`process`'s tab selected and focused, alone in the Tab order, its diagram drawn."""
    page.wait_for_function(
        "p => { const d = document.querySelector('[data-case-diagram]');"
        " return d.dataset.process === p && d.dataset.state === 'ready'; }", arg=process)
    state = page.evaluate(TABS_STATE_JS)
    assert state == {
        "focused": process, "selected": [process], "inTabOrder": [process], "active": [process],
        "controls": ["diagram-pane"] * 2, "pane": "diagram-pane",
        "labelledBy": f"diagram-tab-{process}", "paneHoldsDiagram": True}, state
    assert page.locator("[data-case-diagram]").get_attribute("data-marked") == MARKED[process]
    assert page.locator(f'.djs-element.cp-current[data-element-id="{MARKED[process]}"]') \
        .count() == 1


def test_the_diagram_tabs_follow_the_arrow_keys(live_server, page, office):
    """The WAI-ARIA tabs pattern: Tab reaches the selected tab only (then the panel);
    Left/Right (wrapping), Home and End select a tab, focus it and draw its diagram."""
    office.do("worker", "contact", contact_result="reached", reason="按错了评价按钮")
    office.do("worker", "verify", determination="misjudged", findings="经调取录像，属误评")
    office.do("boss", "confirm_determination", confirm_decision="confirmed")
    sign_in(page, live_server, "worker", f"/cases/{office.number}")
    wait_for_diagram(page)
    page.focus("[data-zoom=current]")  # the control just before the tabs
    page.keyboard.press("Tab")
    expect_tab(page, "bad_review")
    for key, process in (("ArrowRight", "appeal"), ("ArrowRight", "bad_review"),
                         ("ArrowLeft", "appeal"), ("Home", "bad_review"), ("End", "appeal")):
        page.keyboard.press(key)
        expect_tab(page, process)
    page.keyboard.press("Tab")  # past the tablist, to the panel: not the other tab
    assert page.evaluate("document.activeElement.id") == "diagram-pane"
    page.keyboard.press("Shift+Tab")
    expect_tab(page, "appeal")
    assert page.foreign_requests == []


def drawn(page, element_id: str) -> str:
    """The text the viewer drew for an element (or its external label)."""
    return page.locator(f'.djs-element[data-element-id="{element_id}"] text').first \
        .text_content()


def drawn_texts(page) -> str:
    return " ".join(page.locator("[data-case-diagram] svg text").all_text_contents())


def test_the_diagram_speaks_the_page_language(live_server, page, screenshot, office):
    office.do("worker", "contact", contact_result="reached", reason="按错了评价按钮")
    office.do("worker", "verify", determination="misjudged", findings="经调取录像，属误评")
    office.do("boss", "confirm_determination", confirm_decision="confirmed")
    path = f"/cases/{office.number}"
    sign_in(page, live_server, "worker", path)
    wait_for_diagram(page)
    assert drawn(page, "lane_hotline") == "12345热线"  # Chinese: as deployed
    assert drawn(page, "contact_warn_label") == "超期预警"

    page.goto(f"{live_server}{path}?lang=en")
    wait_for_diagram(page)
    assert drawn(page, "lane_hotline") == "12345 hotline"
    assert drawn(page, "contact").replace(" ", "") == "Contactthereviewer"  # wrapped
    assert drawn(page, "contact_warn_label").replace(" ", "") == "Overduewarning"
    assert not re.search(r"[\u4e00-\u9fff]", drawn_texts(page)), drawn_texts(page)
    assert page.locator(".djs-element.cp-current").count() == 1  # still marked
    shoot(page, screenshot, "case-page-diagram-en")
    page.click(".diagram-tabs [data-diagram=appeal]")
    page.wait_for_function(
        "() => document.querySelector('[data-case-diagram]').dataset.process === 'appeal'"
        " && document.querySelector('[data-case-diagram]').dataset.state === 'ready'")
    assert page.locator(".diagram-tabs [data-diagram=appeal]").inner_text() == "Appeal"
    assert not re.search(r"[\u4e00-\u9fff]", drawn_texts(page)), drawn_texts(page)
    assert page.foreign_requests == []


LONG_LABEL = "已告知被评价工作人员（未提供评价人信息）"
LONG_VALUE = "评价人反映窗口工作人员服务态度冷淡、答复不耐烦，要求工作人员当面道歉并说明情况。"


@pytest.mark.parametrize("width", [1366, 375])
def test_a_long_label_leaves_its_value_room(live_server, page, office, width):
    """A step's data in the timeline (and a facts list) with a label as long as 已告知被评价
    工作人员（未提供评价人信息）: the label wraps at 40% of the list, so a value is not squeezed
    into a column one character wide beside it."""
    page.set_viewport_size({"width": width, "height": 900})
    path = f"/cases/{office.number}"
    sign_in(page, live_server, "worker", path)
    for host in ("#timeline .tl", "#facts"):
        ratio = page.evaluate("""([host, label, value]) => {
            const dl = document.createElement('dl');
            dl.className = host.startsWith('#timeline') ? 'tl-data' : 'facts';
            dl.innerHTML = `<dt>${label}</dt><dd>${value}</dd><dt>差评原因</dt><dd>${value}</dd>`;
            document.querySelector(host).appendChild(dl);
            const dds = [...dl.querySelectorAll('dd')].map(d => d.getBoundingClientRect().width);
            return Math.min(...dds) / dl.clientWidth;
        }""", [host, LONG_LABEL, LONG_VALUE])
        assert ratio >= 0.5, f"{host}: a value gets {ratio:.0%} of its list's width"
