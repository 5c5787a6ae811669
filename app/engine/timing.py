"""Timer helpers (计时器函数) for BPMN timeDate expressions, on the working-day calendar.

`deadline(key)` is the due instant of a rule of the case's jurisdiction (办理时限),
`warning(key)` the 超期预警 instant, `overdue(key)` the instant the step becomes overdue
(超期). Each returns an ISO-8601 string with +08:00, as SpiffWorkflow's timers need.
A rule with `within_rectify` (反馈随整改时限) reads the task's `rectify_class`: see `due_at`.
See docs/process.md.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol

from app import workdays
from app.timeutil import utcnow
from app.workdays import SHANGHAI

HELPERS = ("deadline", "warning", "overdue")
ONE_SECOND = timedelta(seconds=1)


class DeadlineRule(Protocol):
    working_days: int
    counted_from: str
    late_start_days: int | None
    within_rectify: bool


class Rules(Protocol):
    """What the helpers need of a jurisdiction's rules (app.rules.JurisdictionRules)."""

    def deadline(self, key: str) -> DeadlineRule: ...

    def warn_before(self, key: str) -> int: ...


@dataclass(frozen=True)
class CaseClock:
    """What a case's timers count from: receipt (收到工单), its region (for local holidays)
    and the rules of its jurisdiction."""

    received_at: datetime
    region_code: str
    rules: Rules
    now: Callable[[], datetime] = utcnow


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class TimerHelpers:
    """The helpers of one case, bound to its clock and to the data of the task whose timer
    they evaluate (`data`: its `rectify_class`); `environment()` gives them by name."""

    def __init__(self, clock: CaseClock, data: Mapping[str, Any] | None = None) -> None:
        self.clock, self.data = clock, data or {}

    def environment(self) -> dict[str, Callable[..., str]]:
        return {"deadline": self.deadline, "warning": self.warning, "overdue": self.overdue}

    def bound(self, data: Mapping[str, Any]) -> dict[str, Callable[..., str]]:
        """The helpers evaluating a timer of a task with `data` (the script engine's `bind`)."""
        return TimerHelpers(self.clock, data).environment()

    def _start(self, key: str) -> datetime:
        rule = self.clock.rules.deadline(key)
        return self.clock.received_at if rule.counted_from == "receipt" else self.clock.now()

    def due_at(self, key: str, until: Any = None) -> datetime:
        """End (23:59:59 Asia/Shanghai) of the rule's last working day; an approved extension
        `until` (a day) moves it to the end of that day when that is later; a step that begins
        after that, with the rule's `late_start_days`, gets that many working days from its
        start."""
        rule = self.clock.rules.deadline(key)
        if getattr(rule, "within_rectify", False):
            return self._within_rectify(rule, until)
        due = workdays.deadline(self._start(key), rule.working_days, self.clock.region_code)
        if until:
            due = max(due, datetime.combine(_as_date(until), time(23, 59, 59), SHANGHAI))
        if rule.late_start_days and self.clock.now() > due:  # begun past its deadline
            due = workdays.deadline(self.clock.now(), rule.late_start_days,
                                    self.clock.region_code)
        return due

    def _within_rectify(self, rule: DeadlineRule, until: Any) -> datetime:
        """反馈随整改时限: the rule's own working days from the step, but never after the
        rectification's deadline while that is still ahead as the step begins. Past it (a late
        or reopened rectification) or without one (no class: staff reviews, explanations), the
        rule's own count alone."""
        now = self.clock.now()
        own = workdays.deadline(now, rule.working_days, self.clock.region_code)
        cap = self.rectify_due(until)
        return min(own, cap) if cap is not None and now <= cap else own

    def rectify_due(self, until: Any = None) -> datetime | None:
        """The deadline of the case's rectification class (rectify.<rectify_class>, from
        receipt) moved to the end of an approved extension's day `until` when that is later,
        as the rectify step's timers count it; None without a class or for a class rule not
        counted from receipt."""
        klass = self.data.get("rectify_class")
        if not klass or not isinstance(klass, str):
            return None
        try:
            rule = self.clock.rules.deadline(f"rectify.{klass}")
        except LookupError:
            return None
        if rule.counted_from != "receipt":
            return None
        due = workdays.deadline(self.clock.received_at, rule.working_days,
                                self.clock.region_code)
        if until:
            due = max(due, datetime.combine(_as_date(until), time(23, 59, 59), SHANGHAI))
        return due

    def warn_at(self, key: str, until: Any = None) -> datetime:
        """00:00 of the first of the last `warn_before` working days before the due instant,
        and never before now."""
        lead = max(1, self.clock.rules.warn_before(key))
        due_day = self.due_at(key, until).date()
        region = self.clock.region_code
        day = workdays.add_working_days(due_day, -(lead - 1), region) if lead > 1 else due_day
        warn = datetime.combine(day, time(0, 0), SHANGHAI)
        now = self.clock.now().astimezone(SHANGHAI).replace(microsecond=0)
        return max(warn, now)

    def deadline(self, key: str, until: Any = None) -> str:
        return self.due_at(key, until).isoformat()

    def warning(self, key: str, until: Any = None) -> str:
        return self.warn_at(key, until).isoformat()

    def overdue(self, key: str, until: Any = None) -> str:
        return (self.due_at(key, until) + ONE_SECOND).isoformat()


@lru_cache(maxsize=1024)
def _parse(expression: str) -> ast.expr | None:
    try:
        return ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return None


@lru_cache(maxsize=1024)
def _key_code(expression: str) -> Any:
    """The compiled first argument of a helper call, when it is safe to evaluate."""
    call = _parse(expression)
    if not (isinstance(call, ast.Call) and call.args):
        return None
    arg = call.args[0]
    if any(isinstance(n, ast.Call | ast.Attribute | ast.Subscript) for n in ast.walk(arg)):
        return None  # plain names, constants and + only: no calls
    return compile(ast.Expression(arg), "<rule key>", "eval")


def timer_kind(expression: str | None) -> str:
    """"warning", "overdue" or "deadline" by the helper a timeDate expression calls, else
    "timer" (a plain ISO instant or another expression)."""
    call = _parse(expression or "")
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in HELPERS:
        return call.func.id
    return "timer"


def rule_key_of(expression: str | None, data: dict[str, Any] | None = None) -> str | None:
    """The rule key a helper call names: a literal ("contact"), or an expression such as
    `"rectify." + rectify_class` evaluated on the task's `data`; None when it cannot be told."""
    call = _parse(expression or "")
    if not (isinstance(call, ast.Call) and call.args):
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    code = _key_code(expression or "")
    if code is None:
        return None
    try:
        value = eval(code, {"__builtins__": {}}, dict(data or {}))  # noqa: S307
    except Exception:
        return None
    return value if isinstance(value, str) else None
