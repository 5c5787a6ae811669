"""What a task's form cannot say about its data (表单业务校验): checks against the case, its
deadlines and the register of departments, run on the fields that passed the form.

- 派单: the department must be a registered one (统一社会信用代码), and a name given with it must
  be the name it is registered under; otherwise the step would go to a department nobody works.
- 申请延期: the date asked for must be after today and after the deadline it extends, no
  later than the rule `extension.limit` allows (counted from the request), and a working day
  (工作日) of the case's calendar: it is promised to the reviewer and becomes the deadline the
  warning counts back from.
- 整改 → 申请延期: only a complex rectification (综合协调, 台账) may ask for one, and only before
  its deadline has passed: the reviewer is to be told why and until when before the due date
  (深圳第二十四条（二）); a simple or general one, or one already overdue, is done or escalated.
- 审批延期: approving sets that date as the deadline, so it must still be after today (an
  approval on or after the day asked for would set a deadline already reached) and a working
  day (the calendar may have changed since the request: a regional holiday, next year's
  arrangement). The approval form has no date: the agency rejects, the department asks again.
- 整改台账: the promised date is promised to the reviewer, so it is a working day, not in the
  past, and no later than the deadline the rectification that follows will have (深圳第二十四条
  （二）: 建立台账，限期整改; a later date needs the reviewer told before the due date, why and
  until when: an extension, approved by the agency). Once that deadline has passed too, any
  working day from today on.

`withheld`, `date_bounds` and `omitted` say the same before the form is filled: the options
these checks would refuse now, the days a date field may take (working days only where one is
required: the first and last such day), and the fields that do not apply to the case (the task
page and GET /api/v1/tasks/<id>).
- 反馈核实结果 (an appeal upheld, Shenzhen art. 27; or a staff review found invalid, art. 28):
  the day the 12345 hotline was told is neither after today nor before the step began, the day
  the result it reports was confirmed (申诉成立, 复核认定差评无效; the case's receipt when the
  step's start is not known). For a misjudged rating (误评) the step must say how the reviewer
  was guided to a follow-up rating (追加评价), which then stands; for any other (a malicious
  one, 恶意评价, is simply not adopted; a staff review has no 误评) the follow-up fields do not
  apply: not offered, a value in them refused, a blank one not stored.
- 确认认定: a supervisor who returns a determination (退回重新核实) must say why: the caseworker
  verifies again from that opinion (a form field cannot be required on one option only).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import ValidationError

from app import workdays
from app.engine import CaseClock, FormInvalid, UserTaskView
from app.engine.timing import TimerHelpers
from app.org import service as org
from app.rules.schema import validate_uscc
from app.timeutil import to_local

EXTENSION_LIMIT = "extension.limit"
EXTEND = "extend"  # 整改 rectify_outcome: cannot be finished in time, ask for an extension
APPROVED = "approved"  # 审批延期 extension_decision: 同意延期
FOLLOW_UP_NOTE, FOLLOW_UP_GUIDED = "follow_up_note", "follow_up_guided"  # 引导追加评价
FOLLOW_UP = (FOLLOW_UP_GUIDED, FOLLOW_UP_NOTE)
MISJUDGED = "misjudged"  # 误评: the only determination with a follow-up rating to guide
INFORMED = "hotline_informed_on"  # 反馈12345热线日期
CONFIRM_DECISION, CONFIRM_OPINION = "confirm_decision", "confirm_opinion"  # 确认认定
RETURNED = "returned"  # 退回重新核实

Errors = dict[str, list[str]]


def check(clean: Mapping[str, Any], now: datetime, clock: CaseClock,
          due_at: datetime | None, task: UserTaskView | None = None,
          started_at: datetime | None = None) -> None:
    """FormInvalid with a message per field when `clean` breaks a rule above; `due_at` is
    the deadline of the task being completed (None when it has none), `task` the task
    itself (its form and the process variables it sees: what earlier steps entered),
    `started_at` when it began (its task row's start)."""
    errors: Errors = {}
    known: Mapping[str, Any] = task.data if task is not None else {}
    today = to_local(now).date()
    _department(clean, errors)
    if clean.get("rectify_outcome") == EXTEND:
        _put(errors, "rectify_outcome", _extend_refusals(known.get("rectify_class"), now, due_at))
    if clean.get("requested_until"):
        _extension(date.fromisoformat(clean["requested_until"]), today, clock, due_at, errors)
    elif clean.get("extension_decision") == APPROVED and known.get("requested_until"):
        # a form that sets the date itself is checked as a request above
        _put(errors, "extension_decision",
             _approval_refusals(_day(known["requested_until"]), today, clock))
    if clean.get("promised_date"):
        _put(errors, "promised_date", _promise_refusals(
            date.fromisoformat(clean["promised_date"]), today, clock,
            _latest_promise(known, today, clock, due_at)))
    if clean.get(INFORMED):
        _put(errors, INFORMED, _informed_refusals(date.fromisoformat(clean[INFORMED]), today,
                                                  _first_day(clock, started_at)))
    if task is not None:
        for field_id, why in omitted(task).items():
            if not _blank(clean.get(field_id)):
                errors[field_id] = why
        if any(f.id == FOLLOW_UP_NOTE for f in task.info.form):
            _follow_up(clean, task.data.get("determination"), errors)
    if clean.get(CONFIRM_DECISION) == RETURNED and not (clean.get(CONFIRM_OPINION) or "").strip():
        errors[CONFIRM_OPINION] = ["Required when the determination is returned: why, for the "
                                   "caseworker who verifies again."]
    if errors:
        raise FormInvalid(errors)


def withheld(task: UserTaskView, now: datetime, clock: CaseClock,
             due_at: datetime | None) -> dict[str, dict[str, list[str]]]:
    """The options of the task's form that `check` would refuse now, each with its messages
    (field → option → messages): not to be offered (申请延期 of a simple rectification or
    after its deadline; 同意延期 of a day that has come or is no working day)."""
    fields = {f.id: {value for value, _name in f.options} for f in task.info.form}
    today = to_local(now).date()
    refused: dict[str, dict[str, list[str]]] = {}
    if EXTEND in fields.get("rectify_outcome", ()):
        why = _extend_refusals(task.data.get("rectify_class"), now, due_at)
        if why:
            refused["rectify_outcome"] = {EXTEND: why}
    asked = task.data.get("requested_until")  # a form with a date of its own: checked as one
    if APPROVED in fields.get("extension_decision", ()) and asked and "requested_until" not in \
            fields:
        why = _approval_refusals(_day(asked), today, clock)
        if why:
            refused["extension_decision"] = {APPROVED: why}
    return refused


def date_bounds(task: UserTaskView, now: datetime, clock: CaseClock,
                due_at: datetime | None, started_at: datetime | None = None
                ) -> dict[str, tuple[date, date | None]]:
    """The first and last day (None: no last) that `check` accepts in the form's date fields
    it checks: the ledger's promised date and the day an extension asks for (their first and
    last working day within the limits, as each must be one), the day the hotline was told
    (any day from the step's start to today)."""
    ids = {f.id for f in task.info.form}
    today = to_local(now).date()
    region = clock.region_code
    bounds: dict[str, tuple[date, date | None]] = {}
    if "promised_date" in ids:
        bounds["promised_date"] = _working_span(
            today, _latest_promise(task.data, today, clock, due_at), region)
    if "requested_until" in ids:
        after = max(today, to_local(due_at).date()) if due_at is not None else today
        bounds["requested_until"] = _working_span(after + timedelta(days=1),
                                                  _latest_extension(clock), region)
    if INFORMED in ids:
        bounds[INFORMED] = (min(_first_day(clock, started_at), today), today)
    return bounds


def omitted(task: UserTaskView) -> dict[str, list[str]]:
    """The fields of the task's form that do not apply to its case, each with why (field →
    messages): 反馈核实结果's follow-up fields (引导追加评价) unless the rating is a
    misjudged one (误评); a staff review (复核认定差评无效) has none."""
    ids = {f.id for f in task.info.form}
    if FOLLOW_UP_NOTE not in ids or task.data.get("determination") == MISJUDGED:
        return {}
    if task.data.get("determination") == "malicious":
        why = "A malicious rating is not adopted: there is no follow-up rating to guide."
    else:
        why = "Not a misjudged rating: there is no follow-up rating to guide."
    return {field_id: [why] for field_id in FOLLOW_UP if field_id in ids}


def applicable(data: Any, task: UserTaskView) -> Any:
    """`data` (a completion's form data) without the fields that do not apply (`omitted`)
    when they are blank, so they are not stored; a value in one is left for `check` to
    refuse."""
    if not isinstance(data, Mapping):
        return data
    left_out = omitted(task)
    return {k: v for k, v in data.items() if not (k in left_out and _blank(v))}


def _put(errors: Errors, field: str, messages: list[str]) -> None:
    if messages:
        errors[field] = messages


def _blank(value: Any) -> bool:
    """An empty answer: absent, null, an unticked box, blank text."""
    return value is None or value is False or (isinstance(value, str) and not value.strip())


def _first_day(clock: CaseClock, started_at: datetime | None) -> date:
    """The first day a step may report as done: the day it began (the case's receipt when
    that is not known)."""
    return to_local(started_at or clock.received_at).date()


def _informed_refusals(informed: date, today: date, first: date) -> list[str]:
    """Why the day the 12345 hotline was told (反馈12345热线日期) is refused: after today, or
    before the day the result it reports was confirmed (the step's start)."""
    if informed > today:
        return ["Must not be after today."]
    if informed < first:
        return [f"Must not be before {first}, the day the result it reports was confirmed "
                f"(the step began)."]
    return []


def _working_span(first: date, last: date | None, region: str) -> tuple[date, date | None]:
    """The first working day from `first` on and the last one up to `last` (None: no last)."""
    start = _next_working_day(first, region) or first
    if last is None or workdays.is_working_day(last, region):
        return start, last
    before = workdays.add_working_days(last, -1, region)
    return start, date(before.year, before.month, before.day)


def _day(value: Any) -> date:
    """A date process variable (stored as YYYY-MM-DD text)."""
    return date.fromisoformat(str(value)[:10])


def _follow_up(clean: Mapping[str, Any], determination: str | None, errors: Errors) -> None:
    """误评: how the reviewer was guided to a follow-up rating is required (for any other
    rating the fields do not apply: `omitted`)."""
    if determination == MISJUDGED and not clean.get(FOLLOW_UP_NOTE):
        errors[FOLLOW_UP_NOTE] = ["Required for a misjudged rating: how the reviewer was "
                                  "guided to a follow-up rating."]


def _department(clean: Mapping[str, Any], errors: Errors) -> None:
    code = clean.get("department_code")
    if code is None:
        return
    try:
        validate_uscc(code)
    except ValidationError as exc:
        errors["department_code"] = list(exc.messages)
        return
    known = org.by_code(code)
    if known is None:
        errors["department_code"] = ["No department is registered under this code."]
    elif clean.get("department_name") and clean["department_name"] != known.name:
        errors["department_name"] = [f"The department registered under this code is "
                                     f"{known.name}."]


def _extend_refusals(rectify_class: str | None, now: datetime,
                     due_at: datetime | None) -> list[str]:
    """Why 整改 may not ask for an extension now (empty: it may)."""
    messages = []
    if rectify_class != "complex":
        messages.append("Only a complex rectification may ask for an extension.")
    if due_at is not None and now > due_at:
        messages.append(f"An extension must be asked for before the deadline, "
                        f"{to_local(due_at).date()}, has passed.")
    return messages


def _extension(until: date, today: date, clock: CaseClock, due_at: datetime | None,
               errors: Errors) -> None:
    messages = []
    if until <= today:
        messages.append("Must be a day after today.")
    if due_at is not None and until <= to_local(due_at).date():
        messages.append(f"Must be after the current deadline, {to_local(due_at).date()}.")
    following = _next_working_day(until, clock.region_code)
    if following is not None:
        messages.append(f"Must be a working day; the next working day is {following}.")
    latest = _latest_extension(clock)
    if latest is not None and until > latest:
        messages.append(f"Must be no later than {latest} (rule {EXTENSION_LIMIT}).")
    if messages:
        errors["requested_until"] = messages


def _approval_refusals(until: date, today: date, clock: CaseClock) -> list[str]:
    """Why an approval (同意延期) of the day asked for is refused now: it makes that day the
    deadline, so the day must still be ahead and a working day. Rejecting is always possible;
    the department may then ask again (the approval form sets no date of its own)."""
    if until <= today:
        return [f"The day asked for, {until}, is not after today: reject the request, so that "
                f"the department asks for a later day."]
    following = _next_working_day(until, clock.region_code)
    if following is not None:
        return [f"The day asked for, {until}, is not a working day (the next working day is "
                f"{following}): reject the request, so that the department asks for a working "
                f"day."]
    return []


def _next_working_day(day: date, region: str) -> date | None:
    """None when `day` is a working day (工作日) of `region`, else the first working day
    after it (holidays and make-up working days from the calendar in force)."""
    if workdays.is_working_day(day, region):
        return None
    following = workdays.add_working_days(day, 1, region)
    return date(following.year, following.month, following.day)


def _latest_extension(clock: CaseClock) -> date | None:
    """The last day `extension.limit` allows; None (no limit) in rules written before it."""
    try:
        return to_local(TimerHelpers(clock).due_at(EXTENSION_LIMIT)).date()
    except KeyError:  # UnknownRuleKey
        return None


def _latest_promise(known: Mapping[str, Any], today: date, clock: CaseClock,
                    due_at: datetime | None) -> date | None:
    """The last day a ledger (整改台账) may promise: the deadline of the rectification that
    follows it, as its timers will count it (rule "rectify." + class, with its
    late_start_days when it begins past the deadline); the ledger's own deadline when that
    rule is unknown. None once that day has passed: no day within it is left."""
    due = to_local(due_at).date() if due_at is not None else None
    if known.get("rectify_class"):
        with suppress(KeyError):  # UnknownRuleKey
            due = to_local(TimerHelpers(clock).due_at(
                f"rectify.{known['rectify_class']}", known.get("extended_until"))).date()
    return due if due is not None and due >= today else None


def _promise_refusals(promised: date, today: date, clock: CaseClock,
                      latest: date | None) -> list[str]:
    """Why a promised date (承诺完成日期) is refused: past, no working day, or later than
    `latest` (an extension is for that)."""
    if promised < today:
        return ["Must not be in the past."]
    messages = []
    following = _next_working_day(promised, clock.region_code)
    if following is not None:
        messages.append(f"Must be a working day; the next working day is {following}.")
    if latest is not None and promised > latest:
        messages.append(f"Must be no later than the rectification deadline, {latest}; request "
                        f"an extension for a later date.")
    return messages
