"""formchecks on its own: what holds without a database (the API tests cover the rest)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.cases import formchecks
from app.engine import CaseClock, FormInvalid
from app.engine.forms import FormField
from app.rules.book import UnknownRuleKey
from app.timeutil import SHANGHAI

INFORMED = "hotline_informed_on"  # 反馈12345热线日期

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


SUNDAY = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)  # Sun 11/22; Sat 11/28, Sun 11/29 off
DUE_SATURDAY = datetime(2026, 11, 28, 23, 59, 59, tzinfo=SHANGHAI)  # a deadline on a day off


def _dated(*ids: str, **data) -> SimpleNamespace:
    """An open task whose form has the date fields `ids`, seeing `data`."""
    form = tuple(FormField(i, i, "date") for i in ids)
    return SimpleNamespace(info=SimpleNamespace(form=form), data=data)


def _clock_at(now: datetime, limit: bool = True) -> CaseClock:
    return CaseClock(now, "440305000000", Rules(limit), now=lambda: now)


def test_the_pickers_run_from_the_first_to_the_last_working_day_the_check_accepts(app_ctx):
    """Today a Sunday, the deadline a Saturday: the ledger's promised date runs Mon 11/23 to
    Fri 11/27, an extension from Mon 11/30 (the day after the deadline is a Sunday) to the
    limit, 20 working days from today (12/18); each first and last day is accepted, the day
    before the first refused."""
    clock = _clock_at(SUNDAY)
    task = _dated("promised_date", "requested_until")
    bounds = formchecks.date_bounds(task, SUNDAY, clock, DUE_SATURDAY)
    assert bounds == {"promised_date": (date(2026, 11, 23), date(2026, 11, 27)),
                      "requested_until": (date(2026, 11, 30), date(2026, 12, 18))}
    for field_id, (first, last) in bounds.items():
        for day in (first, last):
            formchecks.check({field_id: day.isoformat()}, SUNDAY, clock, DUE_SATURDAY, task)
        with pytest.raises(FormInvalid) as refused:
            formchecks.check({field_id: (first - timedelta(days=1)).isoformat()}, SUNDAY,
                             clock, DUE_SATURDAY, task)
        assert set(refused.value.errors) == {field_id}


def test_a_make_up_working_day_may_be_the_first(app_ctx):
    """Sat 2026-10-10 is worked: on it, the ledger's first day is that Saturday itself."""
    saturday = datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)
    bounds = formchecks.date_bounds(_dated("promised_date"), saturday, _clock_at(saturday),
                                    DUE)
    assert bounds == {"promised_date": (date(2026, 10, 10), date(2026, 10, 20))}


DECIDED = datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)  # the appeal upheld (the step began)


@pytest.mark.parametrize(("day", "errors"), [
    ("2026-10-12", {}), ("2026-10-15", {}),
    ("2026-10-16", {INFORMED: ["Must not be after today."]}),
    *((day, {INFORMED: ["Must not be before 2026-10-12, the day the result it reports was "
                        "confirmed (the step began)."]})
      for day in ("2026-10-11", "2019-01-01")),
])
def test_the_day_the_hotline_was_told_is_between_the_steps_start_and_today(app_ctx, day,
                                                                           errors):
    task = _dated(INFORMED)
    if errors:
        with pytest.raises(FormInvalid) as refused:
            formchecks.check({INFORMED: day}, NOW, _clock(True), DUE, task, DECIDED)
        assert refused.value.errors == errors
    else:
        formchecks.check({INFORMED: day}, NOW, _clock(True), DUE, task, DECIDED)
    assert formchecks.date_bounds(task, NOW, _clock(True), DUE, DECIDED) == {
        INFORMED: (date(2026, 10, 12), date(2026, 10, 15))}


def test_without_the_steps_start_the_day_of_receipt_is_the_first(app_ctx):
    received = datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI)
    clock = CaseClock(received, "440305000000", Rules(True), now=lambda: NOW)
    formchecks.check({INFORMED: "2026-10-09"}, NOW, clock, DUE, _dated(INFORMED))
    with pytest.raises(FormInvalid):
        formchecks.check({INFORMED: "2026-10-08"}, NOW, clock, DUE, _dated(INFORMED))
    assert formchecks.date_bounds(_dated(INFORMED), NOW, clock, DUE) == {
        INFORMED: (date(2026, 10, 9), date(2026, 10, 15))}


def _feedback(**data) -> SimpleNamespace:
    """反馈核实结果 as the engine shows it, seeing `data`."""
    form = (FormField(INFORMED, "反馈12345热线日期", "date", True),
            FormField("follow_up_guided", "已引导评价人追加评价并说明情况（误评）", "boolean"),
            FormField("follow_up_note", "引导追加评价情况（误评必填）", "string"))
    return SimpleNamespace(info=SimpleNamespace(form=form), data=data)


STAFF_WHY = ["Not a misjudged rating: there is no follow-up rating to guide."]
MALICIOUS_WHY = ["A malicious rating is not adopted: there is no follow-up rating to guide."]


@pytest.mark.parametrize(("data", "why"), [
    ({"responsibility": "staff", "staff_determination": "invalid"}, STAFF_WHY),
    ({"determination": "malicious"}, MALICIOUS_WHY),
    ({"determination": "misjudged"}, None),
])
def test_the_follow_up_fields_apply_to_a_misjudged_rating_only(app_ctx, data, why):
    """误评 only: otherwise both follow-up fields are omitted, refused with a value and left
    out of what is stored when blank."""
    task = _feedback(**data)
    posted = {INFORMED: "2026-10-15", "follow_up_guided": False, "follow_up_note": ""}
    if why is None:
        assert formchecks.omitted(task) == {}
        assert formchecks.applicable(posted, task) == posted
        return
    assert formchecks.omitted(task) == {"follow_up_guided": why, "follow_up_note": why}
    assert formchecks.applicable(posted, task) == {INFORMED: "2026-10-15"}
    formchecks.check({INFORMED: "2026-10-15"}, NOW, _clock(True), DUE, task, DECIDED)
    given = {"follow_up_guided": True, "follow_up_note": "已引导"}
    assert formchecks.applicable(given, task) == given
    with pytest.raises(FormInvalid) as refused:
        formchecks.check({INFORMED: "2026-10-15", **given}, NOW, _clock(True), DUE, task,
                         DECIDED)
    assert refused.value.errors == {"follow_up_guided": why, "follow_up_note": why}
