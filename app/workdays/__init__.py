"""Working days (工作日): China's official holiday arrangements (法定节假日, 调休上班) read from
`calendars/`, and deadline arithmetic on them. A plain library: no Flask.

`configure(path)` once at start-up; the module-level functions then use that calendar, reloading
the files when they change (a bad file is rejected and the last good calendar stays in force, and
so is a reload that would drop a year in force: only a restart drops one). Dates past the last
published year are answered with weekends only and flagged `provisional`. A process starting
while a file is bad loads the last good copy (`app.lastgood`), or, with none, has no calendar
(CalendarUnavailable) until the files are fixed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app.filewatch import Watcher
from app.lastgood import LastGood
from app.workdays.calendar import SHANGHAI, WorkdayCalendar
from app.workdays.files import check_kept, ignored_files, load_directory, watched_files
from app.workdays.values import DueAt, WorkDate
from app.workdays.yamlfile import CalendarFileError

__all__ = [
    "SHANGHAI", "CalendarFileError", "CalendarUnavailable", "DueAt", "WorkDate",
    "WorkdayCalendar", "add_working_days", "available", "configure", "configured_path",
    "coverage", "deadline",
    "default_calendar", "first_covered", "ignored", "is_working_day", "last_error",
    "load_calendar", "working_days_between",
]

logger = logging.getLogger("app.workdays")


@dataclass
class _State:
    path: Path | None = None
    calendar: WorkdayCalendar | None = None
    watcher: Watcher | None = None
    error: str | None = None
    ignored: tuple[str, ...] = ()
    last_good: LastGood = field(default_factory=lambda: LastGood(None))
    lock: threading.Lock = field(default_factory=threading.Lock)


class CalendarUnavailable(RuntimeError):
    """No calendar is in force: its files were bad when the process started, with no last
    good copy to fall back on."""


_state = _State()


def load_calendar(path: Path | str) -> WorkdayCalendar:
    """Load a calendars directory (`cn/<year>.yaml` plus overlays); raises CalendarFileError."""
    return WorkdayCalendar(load_directory(path))


def configure(path: Path | str, reload_seconds: float = 2.0,
              last_good: LastGood | None = None) -> WorkdayCalendar | None:
    """Make the calendars directory at `path` the default calendar, re-read when its files change
    (checked at most every `reload_seconds`). When its files are bad, the last good copy is in
    force, or none (None): the error is logged and kept as `last_error`."""
    root, last_good = Path(path), last_good or LastGood(None)
    watcher = Watcher(lambda: watched_files(root), interval=reload_seconds)
    watcher.mark()
    calendar, error = _first_load(root, last_good)
    with _state.lock:
        _state.path, _state.calendar, _state.watcher = root, calendar, watcher
        _state.error, _state.ignored, _state.last_good = error, (), last_good
        _note_ignored(root)
    if calendar is not None and error is None:
        logger.debug("working-day calendar %s covers %s to %s", root, calendar.first_covered(),
                     calendar.coverage())
    return calendar


def _first_load(root: Path, last_good: LastGood) -> tuple[WorkdayCalendar | None, str | None]:
    """The directory's calendar (kept as the last good copy), else the copy's, else None; and
    the directory's error."""
    try:
        calendar = load_calendar(root)
    except (CalendarFileError, OSError) as exc:
        copy = last_good.path()
        try:
            calendar = load_calendar(copy) if copy is not None else None
        except (CalendarFileError, OSError):
            calendar = None
        logger.error("calendar files rejected, %s: %s", f"the last good copy ({copy}) is in "
                     "force" if calendar else "no calendar in force until they are fixed", exc)
        return calendar, str(exc)
    last_good.save(root, watched_files(root))
    return calendar, None


def default_calendar() -> WorkdayCalendar:
    """The configured calendar, reloaded first if its files changed."""
    watcher = _state.watcher
    if watcher is None:
        raise RuntimeError("app.workdays is not configured: call app.workdays.configure(path)")
    if watcher.changed():
        _reload(watcher)
    calendar = _state.calendar
    if calendar is None:
        raise CalendarUnavailable(f"no working-day calendar in force, the calendar files are "
                                  f"bad: {_state.error}")
    return calendar


def configured_path() -> Path:
    """The calendars directory `configure` was given (its files, whatever is in force)."""
    if _state.path is None:
        raise RuntimeError("app.workdays is not configured: call app.workdays.configure(path)")
    return _state.path


def available() -> bool:
    """Is a calendar in force (after a check of the files)?"""
    try:
        default_calendar()
    except CalendarUnavailable:
        return False
    return True


def _reload(watcher: Watcher) -> None:
    if not _state.lock.acquire(blocking=False):
        return  # another thread is reloading; use the current calendar meanwhile
    try:
        if watcher is not _state.watcher or _state.path is None:
            return
        watcher.mark()  # before reading: a change made while loading is seen next time
        _note_ignored(_state.path)
        try:
            calendar = load_calendar(_state.path)
            if _state.calendar is not None:
                check_kept(_state.calendar.data, calendar.data)
        except (CalendarFileError, OSError) as exc:
            _state.error = str(exc)
            logger.error("calendar files rejected, the last good calendar stays in force: %s", exc)
            return
        _state.calendar, _state.error = calendar, None
        _state.last_good.save(_state.path, watched_files(_state.path))
        logger.info("calendar files reloaded: covered through %s", calendar.coverage())
    finally:
        _state.lock.release()


def _note_ignored(root: Path) -> None:
    """Remember the entries that are not read, and warn when they change."""
    found = tuple(ignored_files(root))
    if found and found != _state.ignored:
        logger.warning("not calendar files, not read (calendar files are <folder>/<year>.yaml):"
                       " %s", ", ".join(found))
    _state.ignored = found


def ignored() -> tuple[str, ...]:
    """The entries of the calendars directory that are not read (neither data nor an error)."""
    return _state.ignored


def last_error() -> str | None:
    """`path:line: message` of the last rejected reload, None when the files in force are
    the current ones."""
    return _state.error


def is_working_day(day: date, region: str | None = None) -> bool:
    """True when `day` is a working day (工作日) for `region` (行政区划代码; None: national)."""
    return default_calendar().for_region(region).is_working_day(day)


def add_working_days(day: date, n: int, region: str | None = None) -> WorkDate:
    """The n-th working day after `day` (n = 0: `day` itself; n < 0: counting backwards).
    `day` itself is never counted. E.g. add_working_days(date(2025, 1, 27), 5) == 2025-02-10."""
    return default_calendar().for_region(region).add_working_days(day, n)


def working_days_between(a: date, b: date, region: str | None = None) -> int:
    """Working days in the half-open interval (a, b]: 0 when a == b, negative when b < a
    (minus the working days in (b, a]). Inverse of add_working_days: for n >= 0,
    working_days_between(d, add_working_days(d, n)) == n for every d; for n < 0 it holds when
    d is a working day (when it is not, the result is n + 1, as d itself is not counted)."""
    return default_calendar().for_region(region).working_days_between(a, b)


def deadline(received_at: datetime, n: int, region: str | None = None) -> DueAt:
    """Deadline (办理时限) of "within n working days" for something received at `received_at`
    (aware; naive raises ValueError): 23:59:59 Asia/Shanghai of add_working_days(day of receipt
    in Shanghai, n). The day of receipt is not counted; received on a holiday or weekend,
    counting starts with the next working day."""
    return default_calendar().for_region(region).deadline(received_at, n)


def coverage() -> date:
    """The last day the calendar files cover (e.g. 2026-12-31)."""
    return default_calendar().coverage()


def first_covered() -> date:
    """The first day the calendar files cover (e.g. 2024-01-01)."""
    return default_calendar().first_covered()
