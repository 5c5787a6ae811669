"""In Chromium, the task page offers only what completing the step accepts now: 整改 of a
rectification that is not complex has no 申请延期 (and says why), a complex one has it until its
deadline; 登记整改台账's date picker runs from today to the rectification deadline, says so, and
a promised day off comes back refused in place naming the next working day.

The clock is frozen at Monday 2026-03-02 10:30 (tests/e2e/test_inbox_flows.py's office): the
complex rectification (Shenzhen, 10 working days from receipt) is due Monday 03-16.
"""

from __future__ import annotations

import pytest

from tests.e2e import test_inbox_flows as flows
from tests.e2e.test_inbox_flows import open_task, sign_in

office = flows.office  # the fixture: people, CSRF on, the clock at Monday 2026-03-02 10:30

EXTEND = "无法按期完成，申请延期"


def _to(people, klass: str, until: str) -> str:
    """A case of class `klass` brought to its open `until` step through the API."""
    number = people.post()
    for step in ("contact", "verify", "classify", "ledger"):
        if step == until or (step == "ledger" and klass != "complex"):
            break
        extra = {"rectify_class": klass} if step == "classify" else {}
        if step == "ledger":
            extra = {"plan": "增设窗口", "promised_date": "2026-03-16", "owner": "王主任"}
        people.do("sz_worker", number, step, **extra)
    return number


@pytest.mark.parametrize("klass", ["simple", "general"])
def test_a_rectification_that_is_not_complex_offers_no_extension(live_server, page, office,
                                                                 klass):
    number = _to(office, klass, "rectify")
    sign_in(page, live_server, "sz_worker", f"/tasks/{open_task(number, 'rectify').task_id}")
    outcome = page.locator('[data-field="rectify_outcome"]')
    assert outcome.get_by_role("radio").count() == 1
    assert outcome.get_by_role("radio", name="整改完成", exact=True).is_visible()
    assert outcome.get_by_role("radio", name=EXTEND).count() == 0
    hint = outcome.locator(".hint")
    assert hint.inner_text() == f"不可选择“{EXTEND}”：只有综合协调（复杂）类整改可以申请延期。"
    assert hint.get_attribute("id") in outcome.locator("fieldset").get_attribute(
        "aria-describedby").split()
    assert page.foreign_requests == []


def test_a_complex_rectification_offers_it(live_server, page, office):
    number = _to(office, "complex", "rectify")
    sign_in(page, live_server, "sz_worker", f"/tasks/{open_task(number, 'rectify').task_id}")
    outcome = page.locator('[data-field="rectify_outcome"]')
    assert outcome.get_by_role("radio", name=EXTEND).is_visible()
    assert outcome.locator(".hint").count() == 0


def test_the_ledgers_date_picker_and_a_promised_day_off(live_server, page, office):
    number = _to(office, "complex", "ledger")
    task_id = open_task(number, "ledger").task_id
    sign_in(page, live_server, "sz_worker", f"/tasks/{task_id}")
    picker = page.locator("#f-promised_date")
    assert (picker.get_attribute("min"), picker.get_attribute("max")) == (
        "2026-03-02", "2026-03-16")
    promised = page.locator('[data-field="promised_date"]')
    assert promised.locator(".hint").inner_text() == (
        "须为工作日，2026年3月2日 至 2026年3月16日（整改期限）之间；需要更长时间的，请在整改环节"
        "申请延期。")
    page.fill("#f-plan", "增设窗口")
    page.fill("#f-owner", "王主任")
    picker.fill("2026-03-07")  # a Saturday
    page.click("#task-form button[type=submit]")
    page.wait_for_load_state()
    assert promised.locator(".error").inner_text() == (
        "承诺完成日期须为工作日；其后最近的工作日为 2026年3月9日。")
    assert page.evaluate("document.activeElement.id") == "f-promised_date"
    assert page.input_value("#f-plan") == "增设窗口"
    assert open_task(number, "ledger") is not None
    page.locator("#f-promised_date").fill("2026-03-09")
    page.click("#task-form button[type=submit]")
    page.wait_for_url(lambda url: "/inbox" in url)
    assert office.steps(number) == ["rectify"]
