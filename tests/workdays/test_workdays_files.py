"""Calendar file validation (`path:line: message`) and reloading (last good calendar stays)."""

from __future__ import annotations

import logging
import os
import re
from datetime import date
from pathlib import Path

import pytest

from app import workdays
from app.lastgood import LastGood
from app.workdays import CalendarFileError, load_calendar
from app.workdays.files import load_file
from tests.conftest import TEST_2027

VALID = """\
year: 2026
source:
  title: 国务院办公厅关于2026年部分节假日安排的通知
  number: 国办发明电〔2025〕7号
  published: 2025-11-04
holidays:
  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
  - {name: 春节, from: 2026-02-15, to: 2026-02-23}
  - {name: 清明节, from: 2026-04-04, to: 2026-04-06}
  - {name: 劳动节, from: 2026-05-01, to: 2026-05-05}
  - {name: 端午节, from: 2026-06-19, to: 2026-06-21}
  - {name: 中秋节, from: 2026-09-25, to: 2026-09-27}
  - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}
workdays:
  - {date: 2026-01-04, name: 元旦}
  - {date: 2026-02-14, name: 春节}
"""

BLOCK = """\
year: 2026
source: {title: 通知, number: 国办发明电〔2025〕7号, published: 2025-11-04}
holidays:
  - name: 春节
    from: 2026-02-15
    to: 2027-02-23
"""


def _write(folder: Path, text: str, name: str = "2026.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path, overlay: bool = False) -> CalendarFileError:
    with pytest.raises(CalendarFileError) as info:
        load_file(path, overlay=overlay)
    return info.value


def test_valid_file_loads(tmp_path):
    item = load_file(_write(tmp_path, VALID))
    assert item.year == 2026
    assert item.holidays[date(2026, 2, 23)] == "春节"
    assert item.workdays[date(2026, 1, 4)] == "元旦调休上班"
    assert item.source["number"] == "国办发明电〔2025〕7号"


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ("year: 2026", "year: 2025", 1, "year: 2025 does not match the file name 2026.yaml"),
    ("year: 2026", "year: '2026'", 1, "year: Not a valid integer."),
    ("published: 2025-11-04", "published: 下周", 5, "source.published: Not a valid date."),
    ("published: 2025-11-04", "published: 2025-11-04 08:00", 5, "Not a valid date."),
    ("from: 2026-01-01", "from: 2025-12-31", 7, "holidays[0].from: 2025-12-31 is not in 2026"),
    ("to: 2026-02-23}", "to: 2026-02-23, days: 9}", 8, "holidays[1].days: Unknown field."),
    ("to: 2026-02-23}", "to: 2026-02-13}", 8, "holidays[1].to: to is before from"),
    ("from: 2026-02-15", "from: 2026-01-03", 8, "is already listed under 元旦"),
    ("date: 2026-01-04", "date: 2026-01-05", 15,
     "is a Monday; a make-up working day is a Saturday or a Sunday"),
    ("date: 2026-02-14", "date: 2026-02-15", 16,
     "2026-02-15 is a holiday (春节), it cannot be a make-up working day too"),
    ("date: 2026-02-14", "date: 2026-01-04", 16, "workdays[1].date: 2026-01-04 is listed twice"),
    ("date: 2026-02-14", "date: 2027-02-13", 16, "is not in 2026"),
    ("date: 2026-02-14", "date: 2026-02-30", 16, "cannot read value '2026-02-30'"),
    ("  number: 国办发明电〔2025〕7号\n", "", 2, "source.number: Missing data for required field."),
    ("workdays:\n", "remark: 备注\nworkdays:\n", 14, "remark: Unknown field."),
    ("  - {date: 2026-01-04, name: 元旦}", "  - 2026-01-04", 15,
     "workdays[0]: Invalid input type."),
    ("holidays:\n", "holidays: 春节\nx:\n", 6, "holidays: Not a valid list."),
    ("name: 春节, from", "name: 春节, date: 2026-02-15, from", 8, "not both"),
    ("year: 2026\n", "year: 2026\nyear: 2026\n", 2, "year: duplicate key"),
    ("  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}", "  - {name: 元旦, from: 2026-01-01",
     8, "YAML syntax error"),
    ("  title:", "\ttitle:", 3, "YAML syntax error"),
])
def test_each_error_names_its_line(tmp_path, old, new, line, words):
    assert old in VALID
    path = _write(tmp_path, VALID.replace(old, new, 1))
    error = _error(path)
    assert error.line == line
    assert str(error).startswith(f"{path}:{line}: ")
    assert words in str(error)


def test_error_line_inside_block_mapping(tmp_path):
    error = _error(_write(tmp_path, BLOCK))
    assert str(error).endswith(":6: holidays[0].to: 2027-02-23 is not in 2026")


def test_empty_file_and_bad_names(tmp_path):
    assert "the file is empty" in str(_error(_write(tmp_path, "# 只有注释\n")))
    assert "<year>.yaml" in str(_error(_write(tmp_path, VALID, name="2026-draft.yaml")))
    assert str(_error(_write(tmp_path, "- 1\n"))).endswith(":1: Invalid input type.")


def test_overlay_schema_allows_holidays_only(tmp_path):
    text = ("year: 2025\nregion: 广西壮族自治区\nsource: {title: 通知}\n"
            "holidays:\n  - {name: 壮族三月三, from: 2025-03-31, to: 2025-04-01}\n")
    assert load_file(_write(tmp_path, text, "2025.yaml"), overlay=True).holidays
    bad = _write(tmp_path, text + "workdays:\n  - {date: 2025-04-12}\n", "2025.yaml")
    message = str(_error(bad, overlay=True))
    assert message.endswith(":6: workdays: Unknown field.")


def test_missing_year_in_the_middle_is_an_error(tmp_calendars):
    (tmp_calendars / "cn" / "2025.yaml").unlink()
    with pytest.raises(CalendarFileError,
                       match=r"cn/2025\.yaml: missing: the files cover 2024-2026"):
        load_calendar(tmp_calendars)


def test_overlay_without_national_year_is_an_error(tmp_calendars):
    text = (tmp_calendars / "45" / "2025.yaml").read_text(encoding="utf-8")
    _write(tmp_calendars / "45", text.replace("2025", "2027"), "2027.yaml")
    with pytest.raises(CalendarFileError,
                       match=r"45/2027\.yaml: there is no national calendar for 2027"):
        load_calendar(tmp_calendars)


def test_bad_overlay_directory_name(tmp_calendars):
    (tmp_calendars / "45").rename(tmp_calendars / "guangxi")
    with pytest.raises(CalendarFileError, match="leading digits of its region codes"):
        load_calendar(tmp_calendars)


def test_local_holiday_wins_over_national_make_up_day(tmp_calendars):
    _write(tmp_calendars / "4501", "year: 2025\nregion: 南宁市\nsource: {title: 测试}\n"
           "holidays:\n  - {name: 测试假日, date: 2025-04-27}\n", "2025.yaml")
    calendar = load_calendar(tmp_calendars)
    assert calendar.is_working_day(date(2025, 4, 27))
    assert not calendar.for_region("450102000000").is_working_day(date(2025, 4, 27))
    assert not calendar.for_region("450102000000").is_working_day(date(2025, 3, 31))
    assert calendar.for_region("450200000000").is_working_day(date(2025, 4, 27))


def _rewrite(path: Path, text: str) -> None:
    """Write and move the modification time on, so the change is seen without waiting."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_first_load_of_a_bad_file_has_no_calendar_until_fixed(tmp_calendars, keep_default):
    path = tmp_calendars / "cn" / "2026.yaml"
    good = path.read_text(encoding="utf-8")
    _rewrite(path, good.replace("2026-01-04", "2026-01-05"))
    assert workdays.configure(tmp_calendars, reload_seconds=0) is None
    assert re.search(r"2026\.yaml:\d+: ", workdays.last_error())
    assert not workdays.available()
    with pytest.raises(workdays.CalendarUnavailable, match=r"2026\.yaml:\d+: "):
        workdays.is_working_day(date(2026, 1, 4))
    _rewrite(path, good)  # fixed: in force without a restart
    assert workdays.is_working_day(date(2026, 1, 4))
    assert workdays.last_error() is None


def test_first_load_of_a_bad_file_takes_the_last_good_copy(tmp_calendars, keep_default,
                                                           tmp_path):
    kept = LastGood(tmp_path / "last-good")
    workdays.configure(tmp_calendars, reload_seconds=0, last_good=kept)
    assert (tmp_path / "last-good" / "cn" / "2026.yaml").is_file()
    path = tmp_calendars / "cn" / "2026.yaml"
    _rewrite(path, path.read_text(encoding="utf-8").replace("2026-01-04", "2026-01-05"))
    calendar = workdays.configure(tmp_calendars, reload_seconds=0, last_good=kept)  # a restart
    assert calendar is not None and workdays.is_working_day(date(2026, 1, 4))  # make-up day
    assert re.search(r"2026\.yaml:\d+: ", workdays.last_error())


def test_reload_good_bad_fixed(tmp_calendars, keep_default, caplog):
    caplog.set_level(logging.INFO, logger="app.workdays")
    path = tmp_calendars / "cn" / "2026.yaml"
    good = path.read_text(encoding="utf-8")
    workdays.configure(tmp_calendars, reload_seconds=0)
    assert workdays.is_working_day(date(2026, 1, 4))

    _rewrite(path, good.replace("{date: 2026-01-04,", "{date: 2026-01-05,"))
    assert workdays.is_working_day(date(2026, 1, 4))  # last good calendar stays in force
    error = workdays.last_error()
    assert error is not None and error.startswith(f"{path}:")
    assert "a make-up working day is a Saturday or a Sunday" in error
    rejected = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(rejected) == 1 and rejected[0].name == "app.workdays"
    workdays.is_working_day(date(2026, 1, 4))
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1  # logged once

    extra = "  - {name: 测试假日, date: 2026-03-02}\n"
    fixed = good.replace("  - {name: 清明节", extra + "  - {name: 清明节")
    _rewrite(path, fixed)
    assert not workdays.is_working_day(date(2026, 3, 2))  # the new file is in force
    assert workdays.last_error() is None


def test_reload_sees_a_new_year(tmp_calendars, keep_default):
    workdays.configure(tmp_calendars, reload_seconds=0)
    assert workdays.add_working_days(date(2026, 12, 31), 1).provisional
    _rewrite(tmp_calendars / "cn" / "2027.yaml", TEST_2027)  # not the real 2027 arrangement
    assert workdays.coverage() == date(2027, 12, 31)
    assert workdays.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert workdays.add_working_days(date(2026, 12, 31), 1).provisional is False


def test_errors_name_the_file_relative_to_the_project_in_english(tmp_calendars, keep_default,
                                                                  monkeypatch):
    """As rule errors do: `calendars/cn/2026.yaml:line: message`, not an absolute path."""
    monkeypatch.chdir(tmp_calendars.parent)
    workdays.configure("calendars", reload_seconds=0)
    path = tmp_calendars / "cn" / "2026.yaml"
    good = path.read_text(encoding="utf-8")
    _rewrite(path, good.replace("{date: 2026-01-04,", "{date: 2026-01-05,"))
    line = next(i for i, text in enumerate(good.splitlines(), 1) if "2026-01-04" in text)
    workdays.coverage()
    assert workdays.last_error() == (
        f"calendars/cn/2026.yaml:{line}: workdays[0].date: 2026-01-05 is a Monday; "
        "a make-up working day is a Saturday or a Sunday")
    with pytest.raises(CalendarFileError) as info:
        load_calendar(tmp_calendars)  # an absolute path inside the working directory
    assert info.value.path == "calendars/cn/2026.yaml"


def test_removing_a_year_in_force_is_refused_until_a_restart(tmp_calendars, keep_default):
    workdays.configure(tmp_calendars, reload_seconds=0)
    path = tmp_calendars / "cn" / "2026.yaml"
    path.unlink()
    assert workdays.coverage() == date(2026, 12, 31)  # the last good calendar stays
    assert not workdays.is_working_day(date(2026, 10, 1))
    assert workdays.last_error() == (
        f"{path}: file missing: the national calendar of 2026 is in force; put the file back. "
        "To drop it, remove the file and restart the app.")
    assert workdays.configure(tmp_calendars).coverage() == date(2025, 12, 31)  # a restart


def test_removing_a_regional_year_in_force_is_refused(tmp_calendars, keep_default):
    workdays.configure(tmp_calendars, reload_seconds=0)
    (tmp_calendars / "45" / "2025.yaml").unlink()
    assert not workdays.is_working_day(date(2025, 3, 31), "450102000000")
    assert "45/2025.yaml: file missing: the region 45's calendar of 2025" in workdays.last_error()


def test_a_yml_file_is_an_error_naming_it(tmp_calendars, keep_default):
    workdays.configure(tmp_calendars, reload_seconds=0)
    path = tmp_calendars / "cn" / "2026.yaml"
    path.rename(path.with_suffix(".yml"))
    assert workdays.coverage() == date(2026, 12, 31)
    assert workdays.last_error() == (f"{path.with_suffix('.yml')}: not read: calendar files are "
                                     "named <year>.yaml; rename it to 2026.yaml")
    with pytest.raises(CalendarFileError, match=r"cn/2026\.yml: not read"):
        load_calendar(tmp_calendars)  # at startup too


def test_other_entries_are_named_as_not_read(tmp_calendars, keep_default, caplog):
    caplog.set_level(logging.WARNING, logger="app.workdays")
    (tmp_calendars / "README.md").write_text("# 说明", encoding="utf-8")
    (tmp_calendars / "cn" / ".#2026.yaml").write_text("lock", encoding="utf-8")
    (tmp_calendars / "2027.yaml").write_text("year: 2027", encoding="utf-8")
    workdays.configure(tmp_calendars, reload_seconds=0)
    assert workdays.ignored() == (str(tmp_calendars / "2027.yaml"),)
    (tmp_calendars / "cn" / "2026.yaml.bak").write_text("x", encoding="utf-8")
    (tmp_calendars / "guangxi").mkdir()
    workdays.coverage()
    assert workdays.ignored() == tuple(str(tmp_calendars / p) for p in (
        "2027.yaml", "cn/2026.yaml.bak", "guangxi"))
    assert workdays.last_error() is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and warnings[1].endswith("cn/2026.yaml.bak, "
                                                       f"{tmp_calendars / 'guangxi'}")


@pytest.mark.parametrize("holidays", [
    "holidays: []\n",
    "holidays:\n  - {name: 元旦, date: 2027-01-01}\n  - {name: 测试假日, date: 2027-03-01}\n"])
def test_a_national_year_without_the_statutory_festivals_is_refused(tmp_path, holidays):
    """A year must not be guessed: a file with no holidays (or only some festivals) is not
    read as a year without holidays, which would make 春节 working days."""
    path = _write(tmp_path, "year: 2027\nsource: {title: 测试, number: 测试1号, "
                            "published: 2026-11-01}\n" + holidays + "workdays: []\n", "2027.yaml")
    error = _error(path)
    assert error.line == 3
    assert str(error).startswith(f"{path}:3: holidays: no holiday for ")
    assert "春节, 清明节, 劳动节" in str(error)
    assert "国庆节" in str(error) and "leave the file out" in str(error)


def test_festivals_may_share_one_holiday_and_overlays_need_none(tmp_path):
    """2025's 国庆节、中秋节 covers both; a regional overlay lists only its own days."""
    shared = VALID.replace("  - {name: 中秋节, from: 2026-09-25, to: 2026-09-27}\n", "").replace(
        "name: 国庆节,", "name: 国庆节、中秋节,")
    assert load_file(_write(tmp_path, shared)).holidays[date(2026, 10, 1)] == "国庆节、中秋节"
    overlay = "year: 2026\nregion: 测试\nsource: {title: 测试}\nholidays: []\n"
    assert load_file(_write(tmp_path / "45", overlay), overlay=True).holidays == {}


def test_reload_of_an_empty_national_year_keeps_the_last_good_calendar(tmp_calendars,
                                                                       keep_default):
    """An empty 2027.yaml is refused on reload: 2027 stays provisional, /healthz's error names
    the file and line."""
    workdays.configure(tmp_calendars, reload_seconds=0)
    _rewrite(tmp_calendars / "cn" / "2027.yaml",
             "year: 2027\nsource: {title: 测试, number: 测试1号, published: 2026-11-01}\n"
             "holidays: []\nworkdays: []\n")
    assert workdays.coverage() == date(2026, 12, 31)
    assert workdays.add_working_days(date(2026, 12, 31), 1).provisional
    assert re.search(r"2027\.yaml:3: holidays: no holiday for 元旦, 春节", workdays.last_error())
