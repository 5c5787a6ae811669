"""The calendar against an independent oracle (PyPI chinese-calendar) and against workalendar's own
day-by-day loops; coverage, provisional answers, regions."""

from __future__ import annotations

import logging
import pickle
from datetime import date, timedelta

import chinese_calendar
import pytest
from workalendar.core import CoreCalendar

from app.workdays import WorkDate


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def test_every_day_2024_to_2026_matches_chinese_calendar(calendar):
    wrong = [d for d in _days(date(2024, 1, 1), date(2026, 12, 31))
             if calendar.is_working_day(d) != chinese_calendar.is_workday(d)]
    assert wrong == []


def test_domain_table_examples(calendar):
    assert calendar.is_working_day(date(2024, 2, 9))       # 除夕 2024 was worked
    assert not calendar.is_working_day(date(2024, 2, 10))
    assert calendar.is_working_day(date(2024, 2, 18))      # Sunday make-up day
    assert calendar.is_working_day(date(2025, 1, 26))
    assert not calendar.is_working_day(date(2025, 10, 8))
    assert calendar.is_working_day(date(2026, 2, 28))      # Saturday make-up day
    assert not calendar.is_working_day(date(2026, 2, 23))


def test_still_a_workalendar_calendar(calendar):
    assert isinstance(calendar, CoreCalendar)
    assert calendar.get_holiday_label(date(2026, 2, 16)) == "春节"
    assert calendar.get_holiday_label(date(2026, 2, 14)) is None
    assert calendar.is_holiday(date(2025, 10, 8))
    holidays = calendar.holidays(2025)
    assert holidays[0] == (date(2025, 1, 1), "元旦")
    assert len(holidays) == 1 + 8 + 3 + 5 + 3 + 8
    assert calendar.holidays(2027) == []
    assert calendar.sub_working_days(date(2025, 2, 10), 5) == date(2025, 1, 27)
    # workalendar's extra_* arguments still work (its own loop)
    assert calendar.is_working_day(date(2025, 1, 28), extra_working_days=[date(2025, 1, 28)])
    assert not calendar.is_working_day(date(2025, 1, 27), extra_holidays=[date(2025, 1, 27)])
    assert calendar.add_working_days(date(2025, 1, 24), 1,
                                     extra_holidays=[date(2025, 1, 26)]) == date(2025, 1, 27)


def test_required_example(calendar):
    result = calendar.add_working_days(date(2025, 1, 27), 5)
    assert result == date(2025, 2, 10)
    assert isinstance(result, WorkDate) and result.provisional is False


@pytest.mark.parametrize("n", [-16, -6, -5, -1, 0, 1, 2, 5, 15, 16])
def test_add_working_days_equals_workalendar_loop(calendar, n):
    """The table arithmetic gives what workalendar's day-by-day loop gives, in and around the
    covered years (the loop asks the same is_working_day, checked above against the oracle)."""
    for day in _days(date(2023, 11, 1), date(2027, 2, 28)):
        expected = CoreCalendar.add_working_days(calendar, day, n)
        assert calendar.add_working_days(day, n) == expected, (day, n)


def test_working_days_between_counts_half_open_interval(calendar):
    start = date(2023, 12, 20)
    for end in _days(date(2023, 12, 1), date(2027, 1, 20)):
        lo, hi = sorted((start, end))
        count = sum(calendar.is_working_day(d) for d in _days(lo + timedelta(1), hi))
        assert calendar.working_days_between(start, end) == (count if end >= start else -count)
        assert calendar.get_working_days_delta(start, end) == \
            CoreCalendar.get_working_days_delta(calendar, start, end)
    assert calendar.get_working_days_delta(date(2025, 2, 10), date(2025, 1, 27),
                                           include_start=True) == 6


@pytest.mark.parametrize("n", [0, 1, 3, 7, 22])
def test_between_inverts_add(calendar, n):
    for day in _days(date(2023, 12, 1), date(2027, 1, 31)):
        assert calendar.working_days_between(day, calendar.add_working_days(day, n)) == n
        back = calendar.working_days_between(day, calendar.add_working_days(day, -n))
        if n == 0 or calendar.is_working_day(day):
            assert back == -n
        else:  # `day` itself is not counted, and it is no working day
            assert back == -n + 1


def test_coverage(calendar):
    assert calendar.first_covered() == date(2024, 1, 1)
    assert calendar.coverage() == date(2026, 12, 31)
    assert calendar.covers(date(2026, 12, 31)) and not calendar.covers(date(2027, 1, 1))


def test_past_coverage_is_weekends_only_and_provisional(calendar, caplog):
    caplog.set_level(logging.WARNING, logger="app.workdays")
    result = calendar.add_working_days(date(2026, 12, 31), 6)
    assert result == date(2027, 1, 8) and result.provisional  # 2027-01-01 counted: unknown yet
    assert calendar.add_working_days(date(2026, 12, 25), 3).provisional is False
    assert calendar.add_working_days(date(2026, 12, 25), 5).provisional is True
    assert calendar.add_working_days(date(2030, 6, 7), 1) == date(2030, 6, 10)
    assert calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 2))
    before = calendar.add_working_days(date(2023, 12, 29), 1)
    assert before == date(2024, 1, 2) and before.provisional
    assert calendar.add_working_days(date(2024, 1, 2), -1).provisional
    for _ in range(3):
        calendar.add_working_days(date(2027, 3, 1), 2)
    warned = [r.getMessage() for r in caplog.records if r.name == "app.workdays"]
    assert sum("2027" in m for m in warned) == 1  # once per year, not per call
    assert sum("2030" in m for m in warned) == 1
    assert sum("2023" in m for m in warned) == 1
    assert any("cn/2027.yaml" in m for m in warned)


def test_workdate_value_semantics():
    value = WorkDate(2027, 1, 8, provisional=True)
    assert value == date(2027, 1, 8) and hash(value) == hash(date(2027, 1, 8))
    assert str(value) == "2027-01-08"
    assert pickle.loads(pickle.dumps(value)).provisional is True
    assert (value + timedelta(days=1)).provisional is False
    with pytest.raises(AttributeError):
        value.provisional = False  # read-only


def test_overlay_applies_only_to_matching_region_codes(calendar):
    guangxi = calendar.for_region("450102000000")  # 南宁市兴宁区
    for day in (date(2025, 3, 31), date(2025, 4, 1)):
        assert calendar.is_working_day(day)
        assert not guangxi.is_working_day(day)
        assert guangxi.get_holiday_label(day) == "壮族三月三"
        assert calendar.for_region("440305000000").is_working_day(day)  # 深圳市南山区
    assert calendar.for_region("45") is guangxi
    assert calendar.for_region("4501") is guangxi
    assert calendar.for_region("4") is calendar
    assert calendar.for_region(None) is calendar
    assert guangxi.add_working_days(date(2025, 3, 28), 1) == date(2025, 4, 2)
    assert calendar.add_working_days(date(2025, 3, 28), 1) == date(2025, 3, 31)
    assert guangxi.is_working_day(date(2025, 4, 27))  # national make-up days still apply
    with pytest.raises(ValueError):
        calendar.for_region("45-01")
