"""A task's BPMN form (camunda:formData) in the browser: how each field is drawn, what a posted
form means as task data, and the validation messages in the page's language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext

from app.engine.forms import FormField
from app.inbox.formlimits import NONE, FormLimits
from app.web.i18n import N_, day
from app.web.plaintext import MESSAGES as PLAIN

SHORT_TEXT = ("department_code", "department_name", "owner")  # one-line inputs
RADIO_MAX = 4  # an enum with more options is a select

# marshmallow's (and the domain checks') messages → message ids (Chinese) for the page
MESSAGES = {
    "Missing data for required field.": N_("此项为必填项。"),
    "Field may not be null.": N_("此项为必填项。"),
    "Not a valid date.": N_("请填写有效的日期。"),
    "Not a valid string.": N_("请填写文字。"),
    "Not a valid boolean.": N_("请勾选或取消勾选。"),
    "Not a valid integer.": N_("请填写整数。"),
    "Must be confirmed (true).": N_("请确认此项后再提交。"),
    "Unknown field.": N_("表单中没有此项。"),
    "Must be a day after today.": N_("日期须晚于今天。"),
    "Must not be in the past.": N_("日期不能早于今天。"),
    "Must not be after today.": N_("日期不能晚于今天。"),
    "Required for a misjudged rating: how the reviewer was guided to a follow-up rating.":
        N_("误评须填写引导评价人追加评价的情况。"),
    "A malicious rating is not adopted: there is no follow-up rating to guide.":
        N_("恶意评价的差评结果不予采纳，无需引导追加评价。"),
    "Not a misjudged rating: there is no follow-up rating to guide.":
        N_("本工单不属误评，无需引导评价人追加评价，此项不适用。"),
    "Required when the determination is returned: why, for the caseworker who verifies again.":
        N_("退回重新核实的，须填写审核意见。"),
    "No department is registered under this code.": N_("没有以此代码登记的部门，请从列表中选择。"),
    "Only a complex rectification may ask for an extension.": N_(
        "只有综合协调（复杂）类整改可以申请延期。"),
}
# messages with values in them: the named groups fill the translation's placeholders
PATTERNS = (
    (re.compile(r"^Must be one of: "), N_("请从给出的选项中选择。")),
    (re.compile(r"^Length must be between (?P<lo>\d+) and (?P<hi>\d+)\.$"),
     N_("长度须在 %(lo)s 至 %(hi)s 个字符之间。")),
    (re.compile(r"^Shorter than minimum length (?P<lo>\d+)\.$"), N_("至少填写 %(lo)s 个字符。")),
    (re.compile(r"^Longer than maximum length (?P<hi>\d+)\.$"), N_("最多 %(hi)s 个字符。")),
    (re.compile(r"credit code|check (character|digit)|统一社会信用代码", re.I),
     N_("不是有效的统一社会信用代码。")),
    (re.compile(r"^The department registered under this code is (?P<name>.+)\.$"),
     N_("该代码登记的部门名称为“%(name)s”。")),
    (re.compile(r"^Must be after the current deadline, (?P<day>[\d-]+)\.$"),
     N_("须晚于当前整改期限（%(day)s）。")),
    (re.compile(r"^Must be no later than (?P<day>[\d-]+) \(rule "),
     N_("最迟可延至 %(day)s（延期上限，见规则文件）。")),
    (re.compile(r"^Contains the control character (?P<char>U\+[0-9A-F]{4}) at position "
                r"(?P<at>\d+)\.$"), PLAIN["control"]),
    (re.compile(r"^Contains (?P<char>U\+[0-9A-F]{4}) at position (?P<at>\d+), half of a "
                r"UTF-16 surrogate pair"), PLAIN["surrogate"]),
    (re.compile(r"^Contains the replacement character (?P<char>U\+[0-9A-F]{4}) at position "
                r"(?P<at>\d+):"), PLAIN["replacement"]),
    (re.compile(r"^Must not be before (?P<day>[\d-]+), the day the result it reports was "
                r"confirmed"),
     N_("不能早于 %(day)s：核实结果于当日确认（申诉成立或复核认定差评无效），本环节自当日开始。")),
    (re.compile(r"^Must be no later than the rectification deadline, (?P<day>[\d-]+);"),
     N_("不能晚于整改期限（%(day)s）；需要更长时间的，请在整改环节申请延期。")),
    (re.compile(r"^An extension must be asked for before the deadline, (?P<day>[\d-]+), has "
                r"passed\.$"), N_("整改期限（%(day)s）已过，不能再申请延期：须在到期日前申请。")),
    (re.compile(r"^Must be a working day; the next working day is (?P<day>[\d-]+)\.$"),
     N_("延期至日期须为工作日；其后最近的工作日为 %(day)s。")),
    (re.compile(r"^The day asked for, (?P<day>[\d-]+), is not a working day \(the next working "
                r"day is (?P<next>[\d-]+)\)"),
     N_("申请延期至的 %(day)s 不是工作日（其后最近的工作日为 %(next)s），不能同意延期；请选择"
        "“不同意延期”，由责任部门重新申请。")),
    (re.compile(r"^The day asked for, (?P<day>[\d-]+), is not after today"),
     N_("申请延期至的 %(day)s 已到或已过，不能同意延期；请选择“不同意延期”，由责任部门另行申请"
        "更晚的日期。")),
)
# the same message on another field, said for that field (first: the field's own patterns)
FIELD_PATTERNS = {
    "promised_date": (
        (re.compile(r"^Must be a working day; the next working day is (?P<day>[\d-]+)\.$"),
         N_("承诺完成日期须为工作日；其后最近的工作日为 %(day)s。")),),
}
# a checked date field's days, beside it: (with a last day, without one)
HINTS = {
    "promised_date": (
        N_("须为工作日，%(first)s 至 %(last)s（整改期限）之间；需要更长时间的，请在整改环节"
           "申请延期。"),
        N_("须为工作日，不早于 %(first)s。")),
    "requested_until": (
        N_("须为工作日，%(first)s 至 %(last)s 之间（晚于当前整改期限，不超过延期上限）。"),
        N_("须为工作日，不早于 %(first)s（晚于当前整改期限）。")),
    "hotline_informed_on": (
        N_("%(first)s（核实结果确认之日）至 %(last)s（今天）之间。"),
        N_("不早于 %(first)s（核实结果确认之日）。")),
}
DAYS = ("day", "next")  # groups holding an ISO date, shown in the page's language


@dataclass(frozen=True)
class Widget:
    """How one form field is drawn: input, textarea, select, radios, checkbox, date, number;
    the options offered now, why others are not (`notes`), and a date field's first and last
    day with a hint saying them."""

    field: FormField
    kind: str
    value: Any
    errors: tuple[str, ...]
    options: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    first: date | None = None
    last: date | None = None
    hint: str | None = None

    @property
    def id(self) -> str:
        return self.field.id


def widget_kind(f: FormField) -> str:
    if f.type == "enum":
        return "radios" if len(f.options) <= RADIO_MAX else "select"
    if f.type == "boolean":
        return "checkbox"
    if f.type == "date":
        return "date"
    if f.type == "long":
        return "number"
    if f.id in SHORT_TEXT or (f.max_length is not None and f.max_length <= 100):
        return "input"
    return "textarea"


def widgets(form: tuple[FormField, ...], values: Mapping[str, Any],
            errors: Mapping[str, Any], limits: FormLimits = NONE) -> list[Widget]:
    """A widget for each field of `form`: the fields that apply to the case, as the caller
    chose them (`limits.shown`), so that errors on the others go with `other_errors`."""
    out = []
    for f in form:
        value = values.get(f.id, f.default)
        first, last = limits.bounds.get(f.id, (None, None))
        out.append(Widget(f, widget_kind(f), value, tuple(translate(errors.get(f.id), f.id)),
                          limits.offered(f.id, f.options), _notes(f, limits), first, last,
                          _hint(f.id, first, last)))
    return out


def _notes(f: FormField, limits: FormLimits) -> tuple[str, ...]:
    """Why an option of `f` is not offered now (不可选择“…”：…)."""
    names = dict(f.options)
    return tuple(gettext("不可选择“%(option)s”：%(why)s", option=gettext(names[value]),
                         why="".join(translate(messages, f.id)))
                 for value, messages in limits.withheld.get(f.id, {}).items() if value in names)


def _hint(field_id: str, first: date | None, last: date | None) -> str | None:
    texts = HINTS.get(field_id)
    if texts is None or first is None:
        return None
    if last is None:
        return gettext(texts[1], first=day(first))
    return gettext(texts[0], first=day(first), last=day(last))


def posted_data(form: tuple[FormField, ...], posted: Mapping[str, Any]) -> dict[str, Any]:
    """Task data from a posted HTML form: a checkbox is true when ticked, false otherwise;
    other fields as typed; blank or absent ones are left out, so a required one is reported
    missing (browsers send empty boxes as empty strings)."""
    data: dict[str, Any] = {}
    for f in form:
        if f.type == "boolean":
            data[f.id] = posted.get(f.id) in ("on", "true", "1", "yes")
        elif str(posted.get(f.id) or "").strip():  # a blank box is a field left out
            data[f.id] = posted.get(f.id)
    return data


def translate(messages: Any, field: str | None = None) -> list[str]:
    """Validation messages (a list, or a nested dict) in the page's language, as said of
    `field` when it has its own words for one (FIELD_PATTERNS)."""
    if not messages:
        return []
    if isinstance(messages, Mapping):
        return [m for value in messages.values() for m in translate(value, field)]
    if isinstance(messages, str):
        messages = [messages]
    return [_one(str(m), field) for m in messages]


def _one(message: str, field: str | None = None) -> str:
    if message in MESSAGES:
        return gettext(MESSAGES[message])
    for pattern, text in (*FIELD_PATTERNS.get(field or "", ()), *PATTERNS):
        found = pattern.search(message)
        if found:
            return gettext(text, **_shown(found.groupdict()))
    return message


def _shown(values: Mapping[str, str]) -> dict[str, str]:
    """A message's values for the page: ISO dates as the language writes them (2026年10月8日,
    Oct 8, 2026)."""
    return {k: day(date.fromisoformat(v)) if k in DAYS else v for k, v in values.items()}


def other_errors(errors: Mapping[str, Any], form: tuple[FormField, ...]) -> list[str]:
    """Messages not about a field of the form (shown above it)."""
    ids = {f.id for f in form}
    return [m for key, value in errors.items() if key not in ids for m in translate(value)]
