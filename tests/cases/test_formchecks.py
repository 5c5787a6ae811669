"""formchecks on its own: what holds without a database (the API tests cover the rest)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from app.cases import formchecks
from app.engine import CaseClock, FormInvalid
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
