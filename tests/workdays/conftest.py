"""Fixtures for the working-day calendar tests: plain library, no Flask app."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from app import workdays
from app.workdays import WorkdayCalendar, load_calendar

CALENDARS = Path(__file__).resolve().parents[2] / "calendars"


@pytest.fixture(scope="session")
def calendars_dir() -> Path:
    """The real calendars/ directory (never modified by the tests)."""
    return CALENDARS


@pytest.fixture()
def calendar() -> WorkdayCalendar:
    """A fresh calendar from the real files (fresh: its warn-once memory is empty)."""
    return load_calendar(CALENDARS)


@pytest.fixture()
def keep_default():
    """Restore the module's default calendar after a test that reconfigures it."""
    state = workdays._state
    saved = {f.name: getattr(state, f.name) for f in dataclasses.fields(state) if f.name != "lock"}
    yield
    for name, value in saved.items():
        setattr(state, name, value)


@pytest.fixture()
def configured(keep_default) -> WorkdayCalendar:
    """The real files as the default calendar."""
    return workdays.configure(CALENDARS, reload_seconds=3600)


@pytest.fixture()
def tmp_calendars(tmp_path) -> Path:
    """A copy of calendars/ the test may change."""
    target = tmp_path / "calendars"
    shutil.copytree(CALENDARS, target)
    return target
