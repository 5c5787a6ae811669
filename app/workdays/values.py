"""Results that carry a `provisional` flag: True when the answer needed a day outside the published
arrangements (暂定: weekends only, no holidays known)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


class WorkDate(date):
    """A date (working-day arithmetic result) with `provisional`. Arithmetic on it gives plain
    values with `provisional=False`."""

    __slots__ = ("_provisional",)

    def __new__(cls, year: int, month: int, day: int, provisional: bool = False) -> WorkDate:
        self = super().__new__(cls, year, month, day)
        self._provisional = provisional
        return self

    @property
    def provisional(self) -> bool:
        return self._provisional

    def __repr__(self) -> str:
        return f"WorkDate({self.year}, {self.month}, {self.day}, provisional={self.provisional})"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (type(self), (self.year, self.month, self.day, self._provisional))


class DueAt(datetime):
    """An aware datetime (a deadline, 办理时限截止时间) with `provisional`."""

    __slots__ = ("_provisional",)

    def __new__(cls, *args: Any, provisional: bool = False, **kwargs: Any) -> DueAt:
        self = super().__new__(cls, *args, **kwargs)
        self._provisional = provisional
        return self

    @property
    def provisional(self) -> bool:
        return self._provisional

    def __repr__(self) -> str:
        return f"DueAt({self.isoformat()}, provisional={self.provisional})"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (_rebuild_due_at, (datetime(*self.timetuple()[:6], self.microsecond, self.tzinfo,
                                           fold=self.fold), self._provisional))


def _rebuild_due_at(value: datetime, provisional: bool) -> DueAt:
    return DueAt(value.year, value.month, value.day, value.hour, value.minute, value.second,
                 value.microsecond, value.tzinfo, fold=value.fold, provisional=provisional)
