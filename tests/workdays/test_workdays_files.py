"""Calendar file validation (`path:line: message`) and reloading (last good calendar stays)."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest

from app import workdays
from app.workdays import CalendarFileError, load_calendar
from app.workdays.files import load_file

VALID = """\
year: 2026
source:
  title: 国务院办公厅关于2026年部分节假日安排的通知
  number: 国办发明电〔2025〕7号
  published: 2025-11-04
holidays:
  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
  - {name: 春节, from: 2026-02-15, to: 2026-02-23}
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
    ("year: 2026", "year: 2025", 1, "year: 2025 与文件名 2026.yaml 不符"),
    ("year: 2026", "year: '2026'", 1, "year: 应为整数"),
    ("published: 2025-11-04", "published: 下周", 5, "source.published: 不是有效日期"),
    ("published: 2025-11-04", "published: 2025-11-04 08:00", 5, "不是有效日期"),
    ("from: 2026-01-01", "from: 2025-12-31", 7, "holidays[0].from: 2025-12-31 不在 2026 年内"),
    ("to: 2026-02-23}", "to: 2026-02-23, days: 9}", 8, "holidays[1].days: 未知字段"),
    ("to: 2026-02-23}", "to: 2026-02-13}", 8, "holidays[1].to: to 早于 from"),
    ("from: 2026-02-15", "from: 2026-01-03", 8, "已列在「元旦」中"),
    ("date: 2026-01-04", "date: 2026-01-05", 10, "星期一，调休上班日只能是周六或周日"),
    ("date: 2026-02-14", "date: 2026-02-15", 11,
     "2026-02-15 已列为「春节」的放假日，不能同时是调休上班日"),
    ("date: 2026-02-14", "date: 2026-01-04", 11, "workdays[1].date: 2026-01-04 重复列出"),
    ("date: 2026-02-14", "date: 2027-02-13", 11, "不在 2026 年内"),
    ("date: 2026-02-14", "date: 2026-02-30", 11, "无法识别的值"),
    ("  number: 国办发明电〔2025〕7号\n", "", 2, "source.number: 缺少必填字段"),
    ("workdays:\n", "remark: 备注\nworkdays:\n", 9, "remark: 未知字段"),
    ("  - {date: 2026-01-04, name: 元旦}", "  - 2026-01-04", 10, "workdays[0]: 应为 键: 值"),
    ("holidays:\n", "holidays: 春节\nx:\n", 6, "holidays: 应为列表"),
    ("name: 春节, from", "name: 春节, date: 2026-02-15, from", 8, "不要同时写"),
    ("year: 2026\n", "year: 2026\nyear: 2026\n", 2, "重复的键: year"),
    ("  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}", "  - {name: 元旦, from: 2026-01-01",
     8, "YAML 语法错误"),
    ("  title:", "\ttitle:", 3, "YAML 语法错误"),
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
    assert str(error).endswith(":6: holidays[0].to: 2027-02-23 不在 2026 年内")


def test_empty_file_and_bad_names(tmp_path):
    assert "文件为空" in str(_error(_write(tmp_path, "# 只有注释\n")))
    assert "<年份>.yaml" in str(_error(_write(tmp_path, VALID, name="2026-draft.yaml")))
    assert str(_error(_write(tmp_path, "- 1\n"))).endswith(":1: 应为 键: 值 形式的条目")


def test_overlay_schema_allows_holidays_only(tmp_path):
    text = ("year: 2025\nregion: 广西壮族自治区\nsource: {title: 通知}\n"
            "holidays:\n  - {name: 壮族三月三, from: 2025-03-31, to: 2025-04-01}\n")
    assert load_file(_write(tmp_path, text, "2025.yaml"), overlay=True).holidays
    bad = _write(tmp_path, text + "workdays:\n  - {date: 2025-04-12}\n", "2025.yaml")
    message = str(_error(bad, overlay=True))
    assert message.endswith(":6: workdays: 未知字段（拼写错误，或此处不允许该字段）")


def test_missing_year_in_the_middle_is_an_error(tmp_calendars):
    (tmp_calendars / "cn" / "2025.yaml").unlink()
    with pytest.raises(CalendarFileError, match=r"cn/2025\.yaml: 缺少 2025 年"):
        load_calendar(tmp_calendars)


def test_overlay_without_national_year_is_an_error(tmp_calendars):
    text = (tmp_calendars / "45" / "2025.yaml").read_text(encoding="utf-8")
    _write(tmp_calendars / "45", text.replace("2025", "2027"), "2027.yaml")
    with pytest.raises(CalendarFileError, match=r"45/2027\.yaml: 全国 2027 年日历"):
        load_calendar(tmp_calendars)


def test_bad_overlay_directory_name(tmp_calendars):
    (tmp_calendars / "45").rename(tmp_calendars / "guangxi")
    with pytest.raises(CalendarFileError, match="行政区划代码"):
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


def test_first_load_of_a_bad_file_raises(tmp_calendars, keep_default):
    path = tmp_calendars / "cn" / "2026.yaml"
    _rewrite(path, path.read_text(encoding="utf-8").replace("2026-01-04", "2026-01-05"))
    with pytest.raises(CalendarFileError, match=r"2026\.yaml:\d+: "):
        workdays.configure(tmp_calendars)


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
    assert "调休上班日只能是周六或周日" in error
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
    _rewrite(tmp_calendars / "cn" / "2027.yaml",  # test data, not the real 2027 arrangement
             "year: 2027\nsource: {title: 测试, number: 测试1号, published: 2026-11-01}\n"
             "holidays:\n  - {name: 元旦, date: 2027-01-01}\n")
    assert workdays.coverage() == date(2027, 12, 31)
    assert workdays.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert workdays.add_working_days(date(2026, 12, 31), 1).provisional is False
