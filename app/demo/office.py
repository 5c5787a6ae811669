"""Office hours (办公时间) of the demo: 9:00-18:00 Beijing on working days of the region."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from app import workdays
from app.timeutil import SHANGHAI

OPEN_AT, CLOSE_AT = time(9, 0), time(18, 0)


def opening(day: date, region: str) -> datetime:
    """9:00 of `day`, or of the next working day."""
    while not workdays.is_working_day(day, region):
        day += timedelta(days=1)
    return datetime.combine(day, OPEN_AT, SHANGHAI)


def add_hours(at: datetime, hours: float, region: str) -> datetime:
    """`hours` of office time (9:00-18:00 of working days, Beijing) after `at`."""
    local = at.astimezone(SHANGHAI)
    if not workdays.is_working_day(local.date(), region) or local.time() >= CLOSE_AT:
        local = opening(local.date() + timedelta(days=1), region)
    elif local.time() < OPEN_AT:
        local = opening(local.date(), region)
    left = timedelta(hours=hours)
    while True:
        closing = datetime.combine(local.date(), CLOSE_AT, SHANGHAI)
        if local + left <= closing:
            return (local + left).astimezone(at.tzinfo)
        left -= closing - local
        local = opening(local.date() + timedelta(days=1), region)


def hours_between(a: datetime, b: datetime, region: str) -> float:
    """Office hours from `a` to `b`."""
    total, day, end = 0.0, a.astimezone(SHANGHAI).date(), b.astimezone(SHANGHAI).date()
    while day <= end:
        if workdays.is_working_day(day, region):
            lo = max(a, datetime.combine(day, OPEN_AT, SHANGHAI))
            hi = min(b, datetime.combine(day, CLOSE_AT, SHANGHAI))
            total += max(0.0, (hi - lo).total_seconds() / 3600)
        day += timedelta(days=1)
    return total


def last_moment(at: datetime, region: str) -> datetime:
    """`at` if the office is open then, else the last closing (17:59) before it."""
    local = at.astimezone(SHANGHAI)
    day = local.date()
    if workdays.is_working_day(day, region) and local.time() >= OPEN_AT:
        if local.time() < CLOSE_AT:
            return at
    else:
        day -= timedelta(days=1)
    while not workdays.is_working_day(day, region):
        day -= timedelta(days=1)
    return datetime.combine(day, time(17, 59), SHANGHAI).astimezone(at.tzinfo)
