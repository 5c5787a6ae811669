"""The time limit beside a step's deadline on the task page (办理时限): said in the rules the
step began with, and, for a step that began after its deadline counted from receipt, the
working days it got from its start (late_start_days) with the limit it began past."""

from __future__ import annotations

import re

from app.rules import RuleRegistry
from tests.process.test_late_start import case_of, reopened_feedback  # noqa: F401
from tests.process.test_retiming import _rules_with_contact_days
from tests.process.test_scenarios import R1, Flow


def _limit(client, f: Flow, step: str, lang: str = "") -> str:
    link = f"/tasks/{f.desk.task(f.number, step)['task_id']}{lang}"
    page = client.get(link).get_data(as_text=True)
    found = re.search(r"<dt>(?:办理时限|Deadline)</dt><dd>(.*?)</dd>", page, re.S)
    assert found, "no time limit on the page"
    return found.group(1)


def test_a_step_begun_past_its_deadline_says_what_it_got_from_its_start(case_of,  # noqa: F811
                                                                         signed_in):
    """Shenzhen's feedback after a reopened rectification (see test_late_start): 10 working
    days from receipt were over when it began, so it got late_start_days 2 from its start;
    the page said "10 个工作日，自收到工单之日起算" beside a deadline counted otherwise."""
    def on_time(f: Flow) -> None:  # the rule itself
        assert _limit(signed_in("sz_worker"), f, "feedback") == "10 个工作日，自收到工单之日起算"

    f = case_of("sz")
    reopened_feedback(f, on_time)
    assert f.deadline("feedback")[0] == "2026-11-03T23:59:59+08:00"
    worker = signed_in("sz_worker")  # days later: a new session
    assert _limit(worker, f, "feedback") == (
        "2 个工作日，自本环节开始之日起算（开始时已过原时限：10 个工作日，自收到工单之日起算）")
    assert _limit(worker, f, "feedback", "?lang=en") == (
        "2 working days, counted from the day this step began (it began after its original "
        "limit: 10 working days, counted from the day the case was received)")


def test_the_limit_is_the_one_the_step_began_with(app, case_of, browser_for,  # noqa: F811
                                                  tmp_path, monkeypatch):
    """The process owner makes Shenzhen's contact 5 working days while a case waits at it:
    its deadline stays counted with 3, and so does the limit beside it."""
    f = case_of("sz")
    f.post(R1)
    due = f.deadline("contact")
    monkeypatch.setitem(app.extensions, "rules",
                        RuleRegistry(_rules_with_contact_days(tmp_path / "rules", 5), 0))
    assert f.deadline("contact") == due
    assert _limit(browser_for("sz_worker"), f, "contact") == "3 个工作日，自收到工单之日起算"
