"""Deadlines (办理时限) through the module-level API: the day of receipt is not counted, the
deadline is 23:59:59 Asia/Shanghai of the n-th working day after it."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app import workdays
from app.workdays import DueAt

SH = ZoneInfo("Asia/Shanghai")


def _at(text: str, tz=SH) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def _due(text: str) -> datetime:
    return datetime.fromisoformat(text + "T23:59:59+08:00")


@pytest.mark.parametrize(("received", "n", "due"), [
    # Spring Festival 2024: 除夕 (2/9) worked, 2/18 (Sunday) worked
    ("2024-02-08T10:00", 1, "2024-02-09"),
    ("2024-02-08T10:00", 2, "2024-02-18"),
    ("2024-02-08T10:00", 3, "2024-02-19"),
    # Spring Festival 2025: 1/26 (Sunday) and 2/8 (Saturday) worked
    ("2025-01-24T17:30", 1, "2025-01-26"),
    ("2025-01-27T09:00", 1, "2025-02-05"),
    ("2025-01-27T09:00", 5, "2025-02-10"),
    # Spring Festival 2026: 2/14 and 2/28 (Saturdays) worked
    ("2026-02-13T16:00", 1, "2026-02-14"),
    ("2026-02-13T16:00", 2, "2026-02-24"),
    ("2026-02-13T16:00", 5, "2026-02-27"),
    ("2026-02-13T16:00", 6, "2026-02-28"),
    # National Day 2025 (8 days with 中秋) and its Saturday make-up day 10/11
    ("2025-09-30T11:00", 1, "2025-10-09"),
    ("2025-09-30T11:00", 3, "2025-10-11"),
    ("2025-09-27T11:00", 1, "2025-09-28"),   # received Saturday, Sunday 9/28 is worked
    # National Day 2024: 9/29 (Sunday) and 10/12 (Saturday) worked
    ("2024-09-28T08:00", 1, "2024-09-29"),
    ("2024-10-11T08:00", 1, "2024-10-12"),
    # received on a holiday or weekend: counting starts with the next working day
    ("2026-10-03T10:00", 1, "2026-10-08"),
    ("2025-05-03T10:00", 15, "2025-05-26"),
    # year ends
    ("2024-12-31T12:00", 1, "2025-01-02"),
    ("2025-12-31T12:00", 1, "2026-01-04"),   # 1/1-1/3 off, Sunday 1/4 worked
    ("2025-12-31T12:00", 2, "2026-01-05"),
    ("2025-12-31T12:00", 10, "2026-01-15"),
    # n = 0: end of the day of receipt; negative n counts backwards
    ("2025-01-27T09:00", 0, "2025-01-27"),
    ("2025-02-10T09:00", -5, "2025-01-27"),
    ("2025-02-10T09:00", -1, "2025-02-08"),
])
def test_deadlines(configured, received, n, due):
    result = workdays.deadline(_at(received), n)
    assert result == _due(due)
    assert isinstance(result, DueAt) and result.provisional is False
    assert result.isoformat() == f"{due}T23:59:59+08:00"
    assert result.utcoffset() == timedelta(hours=8)


def test_receipt_late_at_night_utc_is_next_day_in_shanghai(configured):
    received = _at("2025-01-26T16:30", UTC)  # 2025-01-27 00:30 in Shanghai
    assert workdays.deadline(received, 5) == _due("2025-02-10")
    # read as a UTC day it would have been Sunday 1/26 and a different deadline
    assert workdays.deadline(_at("2025-01-26T15:30", UTC), 5) == _due("2025-02-08")
    new_york = ZoneInfo("America/New_York")
    assert workdays.deadline(_at("2025-01-26T11:30", new_york), 5) == _due("2025-02-10")
    assert workdays.deadline(_at("2025-01-27T09:00", timezone(timedelta(hours=9))), 0) \
        == _due("2025-01-27")


def test_naive_datetime_is_rejected(configured):
    with pytest.raises(ValueError, match="aware"):
        workdays.deadline(datetime(2025, 1, 27, 9), 5)
    with pytest.raises(TypeError):
        workdays.deadline(date(2025, 1, 27), 5)


def test_past_coverage_deadline_is_provisional(configured):
    result = workdays.deadline(_at("2026-12-30T10:00"), 5)
    assert result == _due("2027-01-06")  # 12/31, 1/1 (unknown yet, counted), 1/4, 1/5, 1/6
    assert result.provisional
    far = workdays.deadline(_at("2031-03-06T10:00"), 1)  # Thursday -> Friday
    assert far == _due("2031-03-07") and far.provisional
    assert workdays.deadline(_at("2026-12-24T10:00"), 5).provisional is False


def test_regional_deadline(configured):
    received = _at("2025-03-28T10:00")
    assert workdays.deadline(received, 1) == _due("2025-03-31")
    assert workdays.deadline(received, 1, region="450102000000") == _due("2025-04-02")
    assert workdays.deadline(received, 3, region="450102000000") == _due("2025-04-07")
    assert workdays.deadline(received, 1, region="440305000000") == _due("2025-03-31")


def test_module_functions(configured):
    assert workdays.add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)
    assert workdays.is_working_day(date(2025, 1, 26))
    assert not workdays.is_working_day(date(2025, 3, 31), region="450102000000")
    assert workdays.working_days_between(date(2025, 1, 27), date(2025, 2, 10)) == 5
    assert workdays.working_days_between(date(2025, 2, 10), date(2025, 1, 27)) == -5
    assert workdays.working_days_between(date(2025, 2, 10), date(2025, 2, 10)) == 0
    assert workdays.coverage() == date(2026, 12, 31)
    assert workdays.first_covered() == date(2024, 1, 1)
    assert workdays.default_calendar() is configured
    assert workdays.last_error() is None


@time_machine.travel(datetime(2027, 6, 1, tzinfo=UTC), tick=False)
def test_answers_do_not_depend_on_today(configured):
    assert workdays.deadline(_at("2025-01-27T09:00"), 5) == _due("2025-02-10")
    assert workdays.coverage() == date(2026, 12, 31)


def test_not_configured(keep_default):
    workdays._state.calendar = workdays._state.watcher = None
    with pytest.raises(RuntimeError, match="configure"):
        workdays.default_calendar()


def test_due_at_value_semantics(configured):
    due = workdays.deadline(_at("2026-12-30T10:00"), 5)
    copy = pickle.loads(pickle.dumps(due))
    assert copy == due and copy.provisional is True and copy.tzinfo == SH
    assert (due + timedelta(hours=1)).provisional is False
    with pytest.raises(AttributeError):
        due.provisional = False  # read-only
    # the same day, reached from inside and from outside the covered years
    inside = workdays.deadline(_at("2024-01-01T10:00"), 1)
    outside = workdays.deadline(_at("2023-12-29T10:00"), 1)
    assert inside == outside == _due("2024-01-02")
    assert inside.provisional is False and outside.provisional is True
