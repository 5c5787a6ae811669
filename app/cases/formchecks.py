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
- 审批延期: approving sets that date as the deadline, so it must still be a working day (the
  calendar may have changed since the request: a regional holiday, next year's arrangement).
- 整改台账: the promised date may not be in the past, nor after the rectification deadline
  while that is still ahead (a later date is what an extension is for).
- 反馈核实结果 (an appeal upheld, Shenzhen art. 27): the day the 12345 hotline was told may not
  be after today; for a misjudged rating (误评) the step must say how the reviewer was guided
  to a follow-up rating (追加评价), which then stands; a malicious one (恶意评价) is simply not
  adopted, so there is no follow-up rating to guide.
- 确认认定: a supervisor who returns a determination (退回重新核实) must say why: the caseworker
  verifies again from that opinion (a form field cannot be required on one option only).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
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
FOLLOW_UP_NOTE, FOLLOW_UP_GUIDED = "follow_up_note", "follow_up_guided"  # 引导追加评价
CONFIRM_DECISION, CONFIRM_OPINION = "confirm_decision", "confirm_opinion"  # 确认认定
RETURNED = "returned"  # 退回重新核实

Errors = dict[str, list[str]]


def check(clean: Mapping[str, Any], now: datetime, clock: CaseClock,
          due_at: datetime | None, task: UserTaskView | None = None) -> None:
    """FormInvalid with a message per field when `clean` breaks a rule above; `due_at` is
    the deadline of the task being completed (None when it has none), `task` the task
    itself (its form and the process variables it sees: what earlier steps entered)."""
    errors: Errors = {}
    known: Mapping[str, Any] = task.data if task is not None else {}
    today = to_local(now).date()
    _department(clean, errors)
    if clean.get("rectify_outcome") == EXTEND:
        _may_extend(known.get("rectify_class"), now, due_at, errors)
    if clean.get("requested_until"):
        _extension(date.fromisoformat(clean["requested_until"]), today, clock, due_at, errors)
    if clean.get("extension_decision") == "approved" and known.get("requested_until"):
        _approval(date.fromisoformat(str(known["requested_until"])[:10]), clock, errors)
    if clean.get("promised_date"):
        _promise(date.fromisoformat(clean["promised_date"]), today, due_at, errors)
    if clean.get("hotline_informed_on") and date.fromisoformat(
            clean["hotline_informed_on"]) > today:
        errors["hotline_informed_on"] = ["Must not be after today."]
    if task is not None and any(f.id == FOLLOW_UP_NOTE for f in task.info.form):
        _follow_up(clean, task.data.get("determination"), errors)
    if clean.get(CONFIRM_DECISION) == RETURNED and not (clean.get(CONFIRM_OPINION) or "").strip():
        errors[CONFIRM_OPINION] = ["Required when the determination is returned: why, for the "
                                   "caseworker who verifies again."]
    if errors:
        raise FormInvalid(errors)


def _follow_up(clean: Mapping[str, Any], determination: str | None, errors: Errors) -> None:
    """误评: how the reviewer was guided to a follow-up rating is required; 恶意评价: none is
    guided (the rating is not adopted)."""
    if determination == "misjudged" and not clean.get(FOLLOW_UP_NOTE):
        errors[FOLLOW_UP_NOTE] = ["Required for a misjudged rating: how the reviewer was "
                                  "guided to a follow-up rating."]
    elif determination == "malicious" and clean.get(FOLLOW_UP_GUIDED):
        errors[FOLLOW_UP_GUIDED] = ["A malicious rating is not adopted: there is no follow-up "
                                    "rating to guide."]


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


def _may_extend(rectify_class: str | None, now: datetime, due_at: datetime | None,
                errors: Errors) -> None:
    messages = []
    if rectify_class != "complex":
        messages.append("Only a complex rectification may ask for an extension.")
    if due_at is not None and now > due_at:
        messages.append(f"An extension must be asked for before the deadline, "
                        f"{to_local(due_at).date()}, has passed.")
    if messages:
        errors["rectify_outcome"] = messages


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


def _approval(until: date, clock: CaseClock, errors: Errors) -> None:
    """An approval (同意延期) makes the day asked for the deadline: refused when that day is
    not a working day (any more); rejecting the request is still possible."""
    following = _next_working_day(until, clock.region_code)
    if following is not None:
        errors["extension_decision"] = [
            f"The day asked for, {until}, is not a working day (the next working day is "
            f"{following}): reject the request, so that the department asks for a working day."]


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


def _promise(promised: date, today: date, due_at: datetime | None, errors: Errors) -> None:
    """Once the deadline has passed (the step is overdue and escalated), any date from today
    on: there is no date within it left to promise."""
    due = to_local(due_at).date() if due_at is not None else None
    if promised < today:
        errors["promised_date"] = ["Must not be in the past."]
    elif due is not None and today <= due < promised:
        errors["promised_date"] = [f"Must be no later than the rectification deadline, "
                                   f"{due}; request an extension for a later date."]
