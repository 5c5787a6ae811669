"""What a task's form cannot say about its data (表单业务校验): checks against the case, its
deadlines and the register of departments, run on the fields that passed the form.

- 派单: the department must be a registered one (统一社会信用代码), and a name given with it must
  be the name it is registered under; otherwise the step would go to a department nobody works.
- 申请延期: the date asked for must be after today and after the deadline it extends, and no
  later than the rule `extension.limit` allows (counted from the request).
- 整改台账: the promised date may not be in the past, nor after the rectification deadline
  while that is still ahead (a later date is what an extension is for).
- 反馈核实结果 (an appeal upheld, Shenzhen art. 27): the day the 12345 hotline was told may not
  be after today; for a misjudged rating (误评) the step must say how the reviewer was guided
  to a follow-up rating (追加评价), which then stands; a malicious one (恶意评价) is simply not
  adopted, so there is no follow-up rating to guide.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from app.engine import CaseClock, FormInvalid, UserTaskView
from app.engine.timing import TimerHelpers
from app.org import service as org
from app.rules.schema import validate_uscc
from app.timeutil import to_local

EXTENSION_LIMIT = "extension.limit"
FOLLOW_UP_NOTE, FOLLOW_UP_GUIDED = "follow_up_note", "follow_up_guided"  # 引导追加评价

Errors = dict[str, list[str]]


def check(clean: Mapping[str, Any], now: datetime, clock: CaseClock,
          due_at: datetime | None, task: UserTaskView | None = None) -> None:
    """FormInvalid with a message per field when `clean` breaks a rule above; `due_at` is
    the deadline of the task being completed (None when it has none), `task` the task
    itself (its form and the process variables it sees)."""
    errors: Errors = {}
    today = to_local(now).date()
    _department(clean, errors)
    if clean.get("requested_until"):
        _extension(date.fromisoformat(clean["requested_until"]), today, clock, due_at, errors)
    if clean.get("promised_date"):
        _promise(date.fromisoformat(clean["promised_date"]), today, due_at, errors)
    if clean.get("hotline_informed_on") and date.fromisoformat(
            clean["hotline_informed_on"]) > today:
        errors["hotline_informed_on"] = ["Must not be after today."]
    if task is not None and any(f.id == FOLLOW_UP_NOTE for f in task.info.form):
        _follow_up(clean, task.data.get("determination"), errors)
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


def _extension(until: date, today: date, clock: CaseClock, due_at: datetime | None,
               errors: Errors) -> None:
    messages = []
    if until <= today:
        messages.append("Must be a day after today.")
    if due_at is not None and until <= to_local(due_at).date():
        messages.append(f"Must be after the current deadline, {to_local(due_at).date()}.")
    latest = _latest_extension(clock)
    if latest is not None and until > latest:
        messages.append(f"Must be no later than {latest} (rule {EXTENSION_LIMIT}).")
    if messages:
        errors["requested_until"] = messages


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
