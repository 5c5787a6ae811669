"""Calendar files (日历文件): `calendars/cn/<year>.yaml` holds the State Council arrangement of one
year (法定节假日 and 调休上班 days); `calendars/<region prefix>/<year>.yaml` adds a region's own
holidays. Validated with marshmallow; every error names its file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.workdays.yamlfile import CalendarFileError, Key, line_of, read_yaml
from app.yamldoc import flatten_messages

NATIONAL = "cn"
_YEAR_FILE = re.compile(r"^\d{4}\.yaml$")
_WEEKDAYS = "一二三四五六日"
_MAKE_UP = object()  # marks make-up days among the days seen so far

# marshmallow's own messages, in the words of the people who edit the files.
_MESSAGES = {
    "Unknown field.": "未知字段（拼写错误，或此处不允许该字段）",
    "Missing data for required field.": "缺少必填字段",
    "Field may not be null.": "不能为空",
    "Not a valid date.": "不是有效日期（格式 YYYY-MM-DD）",
    "Not a valid integer.": "应为整数",
    "Not a valid string.": "应为文字",
    "Not a valid list.": "应为列表",
    "Invalid input type.": "应为 键: 值 形式的条目",
    "Not a valid URL.": "不是有效网址",
    "Shorter than minimum length 1.": "不能为空",
}


class StrictDate(fields.Date):
    """A date; unlike `fields.Date` it refuses a date-time (`2026-02-15 08:00`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, datetime):
            raise self.make_error("invalid")
        if isinstance(value, date):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


def _text(required: bool = True) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=1))


class SourceSchema(Schema):
    """The notice (通知) an arrangement comes from."""
    title = _text()
    number = _text()  # 文号, e.g. 国办发明电〔2025〕7号
    published = StrictDate(required=True)
    url = fields.Url()


class OverlaySourceSchema(SourceSchema):
    """A local notice; its number and date may be unknown, its legal basis (依据) helps."""
    number = _text(required=False)
    published = StrictDate()
    basis = _text(required=False)
    note = _text(required=False)


class HolidaySchema(Schema):
    """One holiday: a single `date`, or a range `from` .. `to` (both included)."""
    name = _text()
    day = StrictDate(data_key="date")
    start = StrictDate(data_key="from")
    end = StrictDate(data_key="to")
    note = _text(required=False)

    @validates_schema(skip_on_field_errors=True)
    def _one_form(self, data: dict, **_: Any) -> None:
        has_range = "start" in data or "end" in data
        if "day" in data and has_range:
            raise ValidationError("写 date，或写 from 和 to，不要同时写", "date")
        if "day" not in data and not ("start" in data and "end" in data):
            missing = "from" if "start" not in data else "to"
            raise ValidationError("需要 date，或 from 和 to", missing)
        if has_range and data["end"] < data["start"]:
            raise ValidationError("to 早于 from", "to")


class WorkdaySchema(Schema):
    """One make-up working day (调休上班日): a Saturday or Sunday that is worked."""
    day = StrictDate(data_key="date", required=True)
    name = _text(required=False)
    note = _text(required=False)


class _YearSchema(Schema):
    year = fields.Integer(strict=True, required=True)
    holidays = fields.List(fields.Nested(HolidaySchema), required=True)

    def __init__(self, expected_year: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expected_year = expected_year

    @validates_schema(skip_on_field_errors=True)
    def _check_days(self, data: dict, **_: Any) -> None:
        errors: dict = {}
        if data["year"] != self.expected_year:
            errors["year"] = [f"{data['year']} 与文件名 {self.expected_year}.yaml 不符"]
        year = self.expected_year
        seen: dict[date, Any] = {}
        for index, item in enumerate(data["holidays"]):
            problem = _holiday_problem(item, year, seen)
            if problem:
                errors.setdefault("holidays", {})[index] = {problem[0]: [problem[1]]}
        for index, item in enumerate(data.get("workdays", [])):
            problem = _workday_problem(item["day"], year, seen)
            if problem:
                errors.setdefault("workdays", {})[index] = {"date": [problem]}
            seen.setdefault(item["day"], _MAKE_UP)
        if errors:
            raise ValidationError(errors)


class NationalFileSchema(_YearSchema):
    """`calendars/cn/<year>.yaml`: the State Council arrangement of one year."""
    source = fields.Nested(SourceSchema, required=True)
    workdays = fields.List(fields.Nested(WorkdaySchema), load_default=list)


class OverlayFileSchema(_YearSchema):
    """`calendars/<region prefix>/<year>.yaml`: a region's own extra holidays (地方性假日)."""
    region = _text()  # the region's name, e.g. 广西壮族自治区
    source = fields.Nested(OverlaySourceSchema, required=True)


def _holiday_problem(item: dict, year: int, seen: dict[date, Any]) -> tuple[str, str] | None:
    """(data key, message) for the first thing wrong with one holiday entry, else None."""
    ends = [("date", item["day"])] if "day" in item else [("from", item["start"]),
                                                          ("to", item["end"])]
    for key, day in ends:
        if day.year != year:
            return key, f"{day} 不在 {year} 年内"
    first, last = ends[0][1], ends[-1][1]
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day in seen:
            return ends[0][0], f"{day} 已列在「{seen[day]}」中，日期重复"
        seen[day] = item["name"]
    return None


def _workday_problem(day: date, year: int, seen: dict[date, Any]) -> str | None:
    if day.year != year:
        return f"{day} 不在 {year} 年内"
    if day.weekday() < 5:
        return f"{day} 是星期{_WEEKDAYS[day.weekday()]}，调休上班日只能是周六或周日"
    if seen.get(day) == _MAKE_UP:
        return f"{day} 重复列出"
    if day in seen:
        return f"{day} 已列为「{seen[day]}」的放假日，不能同时是调休上班日"
    return None


@dataclass(frozen=True)
class YearFile:
    """One valid calendar file: its year, holidays {day: festival}, make-up days {day: note}."""
    path: Path
    year: int
    holidays: dict[date, str]
    workdays: dict[date, str] = field(default_factory=dict)
    source: dict = field(default_factory=dict)


def load_file(path: Path, overlay: bool = False) -> YearFile:
    """Read and validate one file; raises CalendarFileError (`path:line: message`)."""
    path = Path(path)
    if not _YEAR_FILE.match(path.name):
        raise CalendarFileError(path, None, "文件名应为 <年份>.yaml，例如 2026.yaml")
    data, node = read_yaml(path)
    schema_cls = OverlayFileSchema if overlay else NationalFileSchema
    try:
        loaded = schema_cls(expected_year=int(path.stem)).load(data)
    except ValidationError as exc:
        key, message = _first_error(exc.messages, node)
        raise CalendarFileError(path, line_of(node, key), message) from exc
    return YearFile(path=path, year=loaded["year"], holidays=_expand(loaded["holidays"]),
                    workdays={w["day"]: w.get("note") or f"{w.get('name', '')}调休上班"
                              for w in loaded.get("workdays", [])},
                    source=loaded["source"])


def _expand(holidays: list[dict]) -> dict[date, str]:
    days: dict[date, str] = {}
    for item in holidays:
        first = item.get("day") or item["start"]
        last = item.get("day") or item["end"]
        for offset in range((last - first).days + 1):
            days[first + timedelta(days=offset)] = item["name"]
    return days


def _first_error(messages: Any, node: yaml.Node) -> tuple[Key, str]:
    """The error nearest the top of the file, as (key path, `field: message`)."""
    found = list(flatten_messages(messages))
    found.sort(key=lambda kv: line_of(node, kv[0]))
    key, text = found[0]
    shown = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key).lstrip(".")
    return key, f"{shown}: {_MESSAGES.get(text, text)}" if shown else _MESSAGES.get(text, text)


@dataclass(frozen=True)
class CalendarData:
    """Every valid file of a calendars directory: national years (contiguous) and overlays
    {region prefix: {year: file}}."""
    root: Path
    national: dict[int, YearFile]
    overlays: dict[str, dict[int, YearFile]]

    @property
    def first_year(self) -> int:
        return min(self.national)

    @property
    def last_year(self) -> int:
        return max(self.national)

    def missing_file(self, year: int) -> Path:
        """Where the national file for `year` would be."""
        return self.root / NATIONAL / f"{year}.yaml"


def calendar_files(root: Path | str) -> list[Path]:
    """Every file a calendars directory is made of (what gets loaded and watched)."""
    return sorted(Path(root).glob("*/*.yaml"))


def load_directory(root: Path | str) -> CalendarData:
    """Load and cross-check a calendars directory; the first problem raises CalendarFileError."""
    root = Path(root)
    if not (root / NATIONAL).is_dir():
        raise CalendarFileError(root / NATIONAL, None, "找不到全国日历目录")
    national = _load_years(sorted((root / NATIONAL).glob("*.yaml")), overlay=False)
    if not national:
        raise CalendarFileError(root / NATIONAL, None, "没有任何年度日历文件")
    first, last = min(national), max(national)
    for year in range(first, last + 1):
        if year not in national:
            raise CalendarFileError(root / NATIONAL / f"{year}.yaml", None, f"缺少 {year} 年的"
                                    f"日历文件：已有 {first}–{last} 年，中间不能缺年")
    overlays = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != NATIONAL):
        files = sorted(folder.glob("*.yaml"))
        if files and not (folder.name.isdigit() and len(folder.name) <= 12):
            raise CalendarFileError(folder, None,
                                    "地方日历目录名应为行政区划代码的前几位数字，如 45")
        years = _load_years(files, overlay=True)
        for year, item in years.items():
            if year not in national:
                raise CalendarFileError(item.path, None,
                                        f"全国 {year} 年日历（{NATIONAL}/{year}.yaml）不存在")
        if years:
            overlays[folder.name] = years
    return CalendarData(root=root, national=national, overlays=overlays)


def _load_years(paths: list[Path], overlay: bool) -> dict[int, YearFile]:
    loaded = (load_file(path, overlay=overlay) for path in paths)
    return {item.year: item for item in loaded}
