"""formchecks on its own: what holds without a database (the API tests cover the rest)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from app.cases import formchecks
from app.engine import CaseClock, FormInvalid
from app.engine.forms import FormField
from app.rules.book import UnknownRuleKey
from app.timeutil import SHANGHAI

NOW = datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI)
DUE = datetime(2026, 10, 20, 23, 59, 59, tzinfo=SHANGHAI)


class Rules:
    """Rules with only `extension.limit` (20 working days from the step), or none at all."""

    def __init__(self, limit: bool) -> None:
        self.limit = limit

    def deadline(self, key: str):
        if not self.limit:
            raise UnknownRuleKey(key)
        return SimpleNamespace(working_days=20, counted_from="step", late_start_days=None)

    def warn_before(self, key: str) -> int:
        return 1


def _clock(limit: bool) -> CaseClock:
    return CaseClock(NOW, "440305000000", Rules(limit), now=lambda: NOW)


def test_an_extension_past_the_limit_is_refused(app_ctx):
    with pytest.raises(FormInvalid) as refused:
        formchecks.check({"requested_until": "2026-11-30"}, NOW, _clock(True), DUE)
    assert refused.value.errors == {
        "requested_until": ["Must be no later than 2026-11-12 (rule extension.limit)."]}
    formchecks.check({"requested_until": "2026-11-12"}, NOW, _clock(True), DUE)


def test_rules_written_before_the_limit_set_none(app_ctx):
    formchecks.check({"requested_until": "2027-06-30"}, NOW, _clock(False), DUE)
    with pytest.raises(FormInvalid):  # the deadline still has to be passed
        formchecks.check({"requested_until": "2026-10-20"}, NOW, _clock(False), DUE)


def _approval(*extra: FormField, asked: str = "2026-10-15") -> SimpleNamespace:
    """An open 审批延期 as the engine shows it: the request's day in its data."""
    form = (FormField("extension_decision", "审批意见", "enum", True,
                      (("approved", "同意延期"), ("rejected", "不同意延期"))), *extra)
    return SimpleNamespace(info=SimpleNamespace(form=form), data={"requested_until": asked})


def test_an_approval_of_the_day_asked_for_once_it_has_come_is_withheld_and_refused(app_ctx):
    """On 10/15, the day asked for: not offered, and refused if chosen; rejecting is not."""
    task, why = _approval(), ["The day asked for, 2026-10-15, is not after today: reject the "
                              "request, so that the department asks for a later day."]
    assert formchecks.withheld(task, NOW, _clock(True), DUE) == {
        "extension_decision": {"approved": why}}
    with pytest.raises(FormInvalid) as refused:
        formchecks.check({"extension_decision": "approved"}, NOW, _clock(True), DUE, task)
    assert refused.value.errors == {"extension_decision": why}
    formchecks.check({"extension_decision": "rejected"}, NOW, _clock(True), DUE, task)
    formchecks.check({"extension_decision": "approved"}, NOW, _clock(True), DUE,
                     _approval(asked="2026-10-16"))


def test_an_approval_form_with_a_date_of_its_own_checks_that_date(app_ctx):
    """A diagram whose 审批延期 lets the agency set another day (requested_until in its form):
    approving is offered, and the day set is checked as a request's is."""
    task = _approval(FormField("requested_until", "批准延期至", "date"))
    assert formchecks.withheld(task, NOW, _clock(True), DUE) == {}
    with pytest.raises(FormInvalid) as refused:
        formchecks.check({"extension_decision": "approved", "requested_until": "2026-10-15"},
                         NOW, _clock(True), DUE, task)
    assert set(refused.value.errors) == {"requested_until"}
    assert "Must be a day after today." in refused.value.errors["requested_until"]
    formchecks.check({"extension_decision": "approved", "requested_until": "2026-10-21"},
                     NOW, _clock(True), DUE, task)
