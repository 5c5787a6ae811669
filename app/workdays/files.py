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

from app.filewatch import YAML_SUFFIXES, entries, misnamed_yaml
from app.workdays.yamlfile import CalendarFileError, Key, line_of, read_yaml
from app.yamldoc import display_path, flatten_messages

NATIONAL = "cn"
_YEAR_FILE = re.compile(r"^[0-9]{4}\.yaml$")  # ASCII: \d takes ٢٠٢٦ too
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MAKE_UP = object()  # marks make-up days among the days seen so far
# The seven statutory festivals (法定节假日, 《全国年节及纪念日放假办法》) every State Council
# arrangement lists; a holiday name containing one (e.g. "国庆节、中秋节") covers it.
STATUTORY_FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

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
            raise ValidationError("give either date, or from and to, not both", "date")
        if "day" not in data and not ("start" in data and "end" in data):
            missing = "from" if "start" not in data else "to"
            raise ValidationError("give date, or from and to", missing)
        if has_range and data["end"] < data["start"]:
            raise ValidationError("to is before from", "to")


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
            errors["year"] = [f"{data['year']} does not match the file name "
                              f"{self.expected_year}.yaml"]
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
        if not errors:
            errors = self._whole_year_errors(data)
        if errors:
            raise ValidationError(errors)

    def _whole_year_errors(self, data: dict) -> dict:
        """Errors of the year as a whole, checked once every entry is right."""
        return {}


class NationalFileSchema(_YearSchema):
    """`calendars/cn/<year>.yaml`: the State Council arrangement of one year."""
    source = fields.Nested(SourceSchema, required=True)
    workdays = fields.List(fields.Nested(WorkdaySchema), load_default=list)

    def _whole_year_errors(self, data: dict) -> dict:
        """A national year lists every statutory festival, so that a file without the
        arrangement (`holidays: []`) is not taken for a year with no holidays (不可臆测)."""
        missing = missing_festivals(item["name"] for item in data["holidays"])
        if not missing:
            return {}
        return {"holidays": [
            f"no holiday for {', '.join(missing)}: a national year lists every statutory "
            f"festival ({', '.join(STATUTORY_FESTIVALS)}) with at least one day off, as the "
            "State Council notice gives them; until the notice is published, leave the file "
            "out (the year then counts as provisional)"]}


def missing_festivals(names: Any) -> list[str]:
    """The statutory festivals none of `names` mentions (a name may cover two: 国庆节、中秋节)."""
    names = list(names)
    return [f for f in STATUTORY_FESTIVALS if not any(f.rstrip("节") in n for n in names)]


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
            return key, f"{day} is not in {year}"
    first, last = ends[0][1], ends[-1][1]
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day in seen:
            return ends[0][0], f"{day} is already listed under {seen[day]}"
        seen[day] = item["name"]
    return None


def _workday_problem(day: date, year: int, seen: dict[date, Any]) -> str | None:
    if day.year != year:
        return f"{day} is not in {year}"
    if day.weekday() < 5:
        return (f"{day} is a {_WEEKDAYS[day.weekday()]}; a make-up working day is a Saturday "
                "or a Sunday")
    if seen.get(day) == _MAKE_UP:
        return f"{day} is listed twice"
    if day in seen:
        return f"{day} is a holiday ({seen[day]}), it cannot be a make-up working day too"
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
        raise CalendarFileError(path, None, "the file name must be <year>.yaml, e.g. 2026.yaml")
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
    return key, f"{shown}: {text}" if shown else text


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
    """Every `<dir>/*.yaml` file of a calendars directory (each is checked on its own)."""
    return [p for folder in _folders(Path(root)) for p in entries(folder)
            if p.is_file() and p.name.endswith(".yaml")]


def watched_files(root: Path | str) -> list[Path]:
    """What a reload watches: every entry of the directory and of its folders but hidden,
    editor and README files, so that a new `.yml` or stray file is reported at once."""
    root = Path(root)
    return entries(root) + [p for folder in _folders(root) for p in entries(folder)]


def ignored_files(root: Path | str) -> list[str]:
    """Entries that are not read and not an error: files beside the folders, folders that
    hold no YAML file and are no region prefix, other files in the folders."""
    root = Path(root)
    found = [p for p in entries(root) if not p.is_dir()]
    for folder in _folders(root):
        yaml_files = _yaml_like(folder)
        if not yaml_files and not _is_region_folder(folder):
            found.append(folder)
        else:
            found.extend(p for p in entries(folder) if p not in yaml_files)
    return [display_path(p) for p in found]


def _folders(root: Path) -> list[Path]:
    return [p for p in entries(root) if p.is_dir()]


def _yaml_like(folder: Path) -> list[Path]:
    return [p for p in entries(folder) if p.is_file() and p.suffix.lower() in YAML_SUFFIXES]


def _is_region_folder(folder: Path) -> bool:
    name = folder.name  # ASCII digits: isdigit() is true of ٤٥ and ４５ too
    return name == NATIONAL or (name.isascii() and name.isdigit() and len(name) <= 12)


def _year_files(folder: Path) -> list[Path]:
    """The `.yaml` files of a folder; CalendarFileError for a `.yml` one, which is not read."""
    files = _yaml_like(folder)
    for path in files:
        if misnamed_yaml(path):
            raise CalendarFileError(path, None, "not read: calendar files are named <year>.yaml;"
                                                f" rename it to {path.stem}.yaml")
    return files


def load_directory(root: Path | str) -> CalendarData:
    """Load and cross-check a calendars directory; the first problem raises CalendarFileError."""
    root = Path(root)
    if not (root / NATIONAL).is_dir():
        raise CalendarFileError(root / NATIONAL, None, "national calendar directory not found")
    national = _load_years(_year_files(root / NATIONAL), overlay=False)
    if not national:
        raise CalendarFileError(root / NATIONAL, None,
                                "no calendar files (<year>.yaml) in this directory")
    first, last = min(national), max(national)
    for year in range(first, last + 1):
        if year not in national:
            raise CalendarFileError(root / NATIONAL / f"{year}.yaml", None,
                                    f"missing: the files cover {first}-{last}, and no year in "
                                    "between may be missing")
    overlays = {}
    for folder in _folders(root):
        if folder.name == NATIONAL:
            continue
        if _yaml_like(folder) and not _is_region_folder(folder):
            raise CalendarFileError(folder, None,
                                    "a regional calendar directory is named by the leading "
                                    "digits of its region codes, e.g. 45")
        years = _load_years(_year_files(folder), overlay=True)
        for year, item in years.items():
            if year not in national:
                raise CalendarFileError(item.path, None,
                                        f"there is no national calendar for {year} "
                                        f"({NATIONAL}/{year}.yaml)")
        if years:
            overlays[folder.name] = years
    return CalendarData(root=root, national=national, overlays=overlays)


def _load_years(paths: list[Path], overlay: bool) -> dict[int, YearFile]:
    loaded = (load_file(path, overlay=overlay) for path in paths)
    return {item.year: item for item in loaded}


def check_kept(in_force: CalendarData, new: CalendarData) -> None:
    """CalendarFileError naming the first file of a year in force (national or regional) that
    `new` lacks: a reload must not drop it; a restart loads what the directory holds."""
    kept = {NATIONAL: new.national, **new.overlays}
    for prefix, years in {NATIONAL: in_force.national, **in_force.overlays}.items():
        for year, item in sorted(years.items()):
            if year not in kept.get(prefix, {}):
                what = "national" if prefix == NATIONAL else f"region {prefix}'s"
                raise CalendarFileError(item.path, None, f"file missing: the {what} calendar of "
                                        f"{year} is in force; put the file back. To drop it, "
                                        "remove the file and restart the app.")
