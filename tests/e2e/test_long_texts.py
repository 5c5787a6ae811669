"""In Chromium at 375 px: a rating whose text is one long unbroken line (a pasted URL, a run
of letters), with a long tag and a long minority name, does not push the case page, the task
page or the inbox sideways; its line breaks are kept on both pages."""

from __future__ import annotations

import pytest

from tests.e2e.test_case_page import sign_in
from tests.materials.conftest import open_office

URL = "https://www.gdzwfw.gov.cn/portal/v2/guide/" + "abcdefghij" * 30
TEXT = f"链接打不开：{URL}\n第二行：" + "Ａ" * 120 + "\n" + "x" * 400
PHONE = {"width": 375, "height": 812}
# the elements (outside the diagram's drawing) that reach past the viewport's right edge, or
# whose text spills out of them
OVERFLOW_JS = """() => [...document.querySelectorAll('body *:not(svg *):not(svg)')]
  .filter(e => !e.closest('[data-case-diagram]') && (
    e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
    || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')))
  .map(e => e.tagName + '.' + e.className).slice(0, 8)"""


@pytest.fixture()
def office(client, bad_rating):
    office = open_office(client, lambda **kw: bad_rating(**{
        **kw, "text": TEXT, "tags": ["材料" + "Ｘ" * 48],
        "staff_name": "买买提·艾力·阿不都热合曼·吐尔逊江", "reviewer_name": "阿依古丽·买买提",
        "item_name": "社会保障卡申领" + "（补换领）" * 30}))
    office.task_id = office.claim("worker")
    return office


def test_long_unbroken_texts_fit_a_phone(live_server, page, screenshot, office):
    sign_in(page, live_server, "worker", f"/cases/{office.number}")
    page.set_viewport_size(PHONE)
    for path, text in ((f"/cases/{office.number}", ".rating-text"),
                       (f"/tasks/{office.task_id}", "[data-review-text]"), ("/inbox", None)):
        page.goto(live_server + path)
        assert page.evaluate(OVERFLOW_JS) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        if text:
            box = page.locator(text)
            assert box.inner_text().count("\n") >= 2, path  # its line breaks shown
        screenshot(page, "long-texts" + path.replace("/", "-")[:20])
