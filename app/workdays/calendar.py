"""China's working-day calendar (工作日历) built from the calendar files.

A real workalendar calendar (Saturday and Sunday off, the same `add_working_days` semantics), whose
法定节假日 and 调休上班 days come only from the files. The hot paths read a precomputed table:
for each covered day the number of working days up to it, and the sorted working days. Outside the
covered years every Monday-Friday counts (weekends only) and the result is flagged `provisional`.
"""

from __future__ import annotations

import logging
import operator
from datetime import date, datetime
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from workalendar.core import SAT, SUN, Calendar, cleaned_date

from app.workdays.files import CalendarData
from app.workdays.values import DueAt, WorkDate
from app.yamldoc import display_path

logger = logging.getLogger("app.workdays")
SHANGHAI = ZoneInfo("Asia/Shanghai")
_MAX_CACHED_CODES = 100_000
_MAX_CACHED_RESULTS = 50_000
_results: dict[tuple[type, int, bool], WorkDate | DueAt] = {}


def _weekdays_upto(ordinal: int) -> int:
    """Mondays-Fridays among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _nth_weekday(k: int) -> int:
    """Ordinal of the k-th Monday-Friday counted from 0001-01-01."""
    weeks, rest = divmod(k - 1, 5)
    return weeks * 7 + rest + 1


def _result(kind: type, ordinal: int, provisional: bool) -> Any:
    """The WorkDate or DueAt (23:59:59 Asia/Shanghai) of a day. Both are immutable, so one
    instance per day serves every caller (building a datetime subclass costs more than the
    arithmetic)."""
    key = (kind, ordinal, provisional)
    found = _results.get(key)
    if found is None:
        if len(_results) >= _MAX_CACHED_RESULTS:
            _results.clear()
        day = date.fromordinal(ordinal)
        if kind is WorkDate:
            found = WorkDate(day.year, day.month, day.day, provisional)
        else:
            found = DueAt(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI,
                          provisional=provisional)
        _results[key] = found
    return found


class WorkdayCalendar(Calendar):
    """China (national arrangement plus the overlays of one region) from the calendar files."""

    WEEKEND_DAYS = (SAT, SUN)
    include_new_years_day = False  # 元旦 comes from the files like every other holiday

    def __init__(self, data: CalendarData, overlays: tuple[str, ...] = (),
                 root: WorkdayCalendar | None = None) -> None:
        super().__init__()
        self.data = data
        self.overlays = overlays
        self._root = root or self
        if root is None:
            self._by_code: dict[str, WorkdayCalendar] = {}
            self._by_overlays: dict[tuple[str, ...], WorkdayCalendar] = {(): self}
            self._warned: set[int] = set()
        self._build()

    def _build(self) -> None:
        labels: dict[date, str] = {}
        workdays: dict[date, str] = {}
        for item in self.data.national.values():
            labels.update(item.holidays)
            workdays.update(item.workdays)
        for prefix in self.overlays:  # a local holiday wins over a national make-up day
            for item in self.data.overlays[prefix].values():
                labels.update(item.holidays)
                for day in item.holidays:
                    workdays.pop(day, None)
        self._labels = labels
        self._first = date(self.data.first_year, 1, 1)
        self._last = date(self.data.last_year, 12, 31)
        self._base, self._end = self._first.toordinal(), self._last.toordinal()
        days = [date.fromordinal(o) for o in range(self._base, self._end + 1)]
        self._flags = [d in workdays or (d.weekday() < 5 and d not in labels) for d in days]
        self._prefix = list(accumulate(int(flag) for flag in self._flags))
        self._work = [d.toordinal() for d, flag in zip(days, self._flags, strict=True) if flag]
        self._before = _weekdays_upto(self._base - 1)
        self._after = self._before + len(self._work) - _weekdays_upto(self._end)

    # -- regions --------------------------------------------------------------------------

    def for_region(self, region: str | None) -> WorkdayCalendar:
        """The calendar of a region code (行政区划代码, e.g. 450102000000): the national days
        plus every overlay whose directory name is a prefix of the code. None: national."""
        if not region:
            return self._root
        root = self._root
        found = root._by_code.get(region)
        if found is None:
            if not (isinstance(region, str) and region.isascii() and region.isdigit()):
                raise ValueError(f"region code must be digits, got {region!r}")
            key = tuple(p for p in sorted(root.data.overlays) if region.startswith(p))
            found = root._by_overlays.get(key)
            if found is None:
                found = root._by_overlays[key] = WorkdayCalendar(root.data, key, root=root)
            if len(root._by_code) >= _MAX_CACHED_CODES:
                root._by_code.clear()
            root._by_code[region] = found
        return found

    # -- coverage -------------------------------------------------------------------------

    def first_covered(self) -> date:
        """The first day the files cover (1 January of the first year)."""
        return self._first

    def coverage(self) -> date:
        """The last day the files cover (31 December of the last year)."""
        return self._last

    def covers(self, day: date) -> bool:
        """True when `day` lies in a year with a published arrangement."""
        return self._base <= cleaned_date(day).toordinal() <= self._end

    def _warn_uncovered(self, lo: int, hi: int) -> None:
        """Log once per year that a computation used a year without an arrangement."""
        root = self._root
        for year in range(date.fromordinal(lo).year, date.fromordinal(hi).year + 1):
            if self._first.year <= year <= self._last.year or year in root._warned:
                continue
            root._warned.add(year)
            logger.warning("no official working-day arrangement for %d (%s is missing): "
                           "counting weekends only, results are provisional",
                           year, display_path(self.data.missing_file(year)))

    # -- counting -------------------------------------------------------------------------

    def _count(self, ordinal: int) -> int:
        """Working days from 0001-01-01 up to and including `ordinal`."""
        index = ordinal - self._base
        if index < 0:
            return _weekdays_upto(ordinal)
        if ordinal <= self._end:
            return self._before + self._prefix[index]
        return self._after + _weekdays_upto(ordinal)

    def _nth(self, k: int) -> int:
        """Ordinal of the k-th working day counted from 0001-01-01."""
        j = k - self._before
        if j <= 0:
            return _nth_weekday(k)
        if j <= len(self._work):
            return self._work[j - 1]
        return _nth_weekday(k - self._after)

    def _shift(self, ordinal: int, n: int) -> tuple[int, bool]:
        """(ordinal of the n-th working day after `ordinal`, provisional)."""
        if n > 0:
            result = self._nth(self._count(ordinal) + n)
            lo, hi = ordinal, result
        elif n < 0:
            result = self._nth(self._count(ordinal - 1) + n + 1)
            lo, hi = result, ordinal
        else:
            result = lo = hi = ordinal
        if lo < self._base or hi > self._end:
            self._warn_uncovered(lo, hi)
            return result, True
        return result, False

    # -- workalendar API, fast paths ------------------------------------------------------

    def is_working_day(self, day: date, extra_working_days: Any = None,
                       extra_holidays: Any = None) -> bool:
        """True for a working day (工作日): Monday-Friday that is no holiday, or a make-up day."""
        if extra_working_days or extra_holidays:
            day = cleaned_date(day)
            if extra_working_days and day in {cleaned_date(d) for d in extra_working_days}:
                return True
            if extra_holidays and day in {cleaned_date(d) for d in extra_holidays}:
                return False
        ordinal = day.toordinal()
        index = ordinal - self._base
        if index >= 0 and ordinal <= self._end:
            return self._flags[index]
        self._warn_uncovered(ordinal, ordinal)
        return day.weekday() < 5

    def is_holiday(self, day: date, extra_holidays: Any = None) -> bool:
        """True for a listed holiday (法定节假日 or local holiday), weekends aside."""
        day = cleaned_date(day)
        if extra_holidays and day in {cleaned_date(d) for d in extra_holidays}:
            return True
        return day in self._labels

    def get_calendar_holidays(self, year: int) -> list[tuple[date, str]]:
        """(day, festival) for every listed holiday of `year`; empty for an uncovered year."""
        return sorted((d, label) for d, label in self._labels.items() if d.year == year)

    def get_holiday_label(self, day: date) -> str | None:
        """The festival name (e.g. 春节) of a listed holiday, else None."""
        return self._labels.get(cleaned_date(day))

    def add_working_days(self, day: date, delta: int, extra_working_days: Any = None,
                         extra_holidays: Any = None, keep_datetime: bool = False) -> Any:
        """The `delta`-th working day after `day` (before it when negative; `day` itself for 0),
        as a WorkDate. With workalendar's extra_* or keep_datetime arguments, workalendar's own
        day-by-day loop runs and its plain result is returned."""
        if extra_working_days or extra_holidays or keep_datetime:
            return super().add_working_days(day, delta, extra_working_days, extra_holidays,
                                            keep_datetime)
        if isinstance(day, datetime):
            day = day.date()
        return _result(WorkDate, *self._shift(day.toordinal(), operator.index(delta)))

    def get_working_days_delta(self, start: date, end: date, include_start: bool = False,
                               extra_working_days: Any = None, extra_holidays: Any = None) -> int:
        """workalendar's count (order-insensitive, >= 0) of working days in (start, end]."""
        if extra_working_days or extra_holidays:
            return super().get_working_days_delta(start, end, include_start,
                                                  extra_working_days, extra_holidays)
        start, end = sorted((cleaned_date(start), cleaned_date(end)))
        if start == end:
            return 0
        count = self.working_days_between(start, end)
        return count + 1 if include_start and self.is_working_day(start) else count

    # -- our API --------------------------------------------------------------------------

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: 0 when a == b, negated (working days in (b, a]) when b < a.
        For every `d` and n >= 0, `working_days_between(d, add_working_days(d, n)) == n`; for
        n < 0 that holds when `d` is a working day (else the result is n + 1)."""
        first, last = cleaned_date(a).toordinal(), cleaned_date(b).toordinal()
        if min(first, last) < self._base or max(first, last) > self._end:
            self._warn_uncovered(min(first, last), max(first, last))
        return self._count(last) - self._count(first)

    def deadline(self, received_at: datetime, n: int) -> DueAt:
        """End (23:59:59 Asia/Shanghai) of the n-th working day after the day of receipt; the
        day of receipt itself is not counted. `received_at` must be timezone-aware."""
        if not isinstance(received_at, datetime):
            raise TypeError(f"received_at must be a datetime, got {type(received_at).__name__}")
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        local = received_at.astimezone(SHANGHAI)
        return _result(DueAt, *self._shift(local.toordinal(), operator.index(n)))
