"""The time limit the task page shows beside a step's deadline (办理时限), as people say it:
"3 个工作日，自收到工单起算"; the approved extension's day (已批准延期至 …); a reply due with the
rectification (同整改时限); a step that began after its deadline counted from receipt, with the
working days it got from its start (late_start_days). Always in the rules the step began with
(the task row's rule version), as its deadline was counted."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext, ngettext
from sqlalchemy import select

from app import workdays
from app.cases import deadlines, lifecycle
from app.cases.records import CaseEvent, CaseTask
from app.extensions import db
from app.rules.book import JurisdictionRules
from app.rules.history import rules_at
from app.timeutil import to_local, utcnow
from app.web.i18n import day


def limit_text(task: CaseTask) -> str | None:
    """The time limit beside the deadline: the rule's, or the approved extension's day when
    the deadline is that day's end (已批准延期至 …)."""
    rules = _rules_of(task)
    rectify_key = deadlines.due_with(task)
    if rectify_key is not None:  # 反馈随整改时限
        extended = _extended_to(task)
        basis = (gettext("已批准延期至 %(day)s", day=day(extended)) if extended
                 else rule_text(rules, rectify_key))
        return gettext("同整改时限：%(rule)s", rule=basis or "—")
    rule = _late_start_text(task, rules) or rule_text(rules, task.rule_key)
    extended = _extended_to(task)
    if extended is None:
        return rule
    if rule is None:
        return gettext("已批准延期至 %(day)s", day=day(extended))
    return gettext("已批准延期至 %(day)s（原时限：%(rule)s）", day=day(extended), rule=rule)


def rule_text(rules: JurisdictionRules | None, key: str | None) -> str | None:
    """A rule's time limit: 3 个工作日，自收到工单之日起算."""
    if rules is None or not key:
        return None
    try:
        days, start = rules.deadline_days(key), rules.counted_from(key)
    except (KeyError, LookupError):
        return None
    counted = (gettext("，自收到工单之日起算") if start == "receipt"
               else gettext("，自本环节开始之日起算"))
    return _days(days) + counted


def _days(days: int) -> str:
    return ngettext("%(num)d 个工作日", "%(num)d 个工作日", days)


def _rules_of(task: CaseTask) -> JurisdictionRules | None:
    """The rules the step's deadline was counted with (the rules in force for rows older
    than the rule version column)."""
    try:
        return rules_at(task.rule_version_id, task.jurisdiction)
    except (KeyError, LookupError):
        return None


def _late_start_text(task: CaseTask, rules: JurisdictionRules | None) -> str | None:
    """A step counted from receipt that began after that deadline and got the rule's
    late_start_days from its start: "2 个工作日，自本环节开始之日起算（开始时已过原时限：
    10 个工作日，自收到工单之日起算）". None otherwise, and when its deadline is not that count
    (re-timed, extended): the plain rule then."""
    if rules is None or not task.rule_key or task.due_at is None:
        return None
    try:
        rule = rules.deadline(task.rule_key)
    except LookupError:
        return None
    if rule.counted_from != "receipt" or not rule.late_start_days:
        return None
    on_time = workdays.deadline(task.case.received_at, rule.working_days, task.region_code)
    late = workdays.deadline(task.created_at, rule.late_start_days, task.region_code)
    if task.created_at <= on_time or task.due_at != late:
        return None
    return gettext("%(rule)s（开始时已过原时限：%(original)s）",
                   rule=_days(rule.late_start_days) + gettext("，自本环节开始之日起算"),
                   original=rule_text(rules, task.rule_key))


def _extended_to(task: CaseTask) -> date | None:
    """The day of an approved extension (the process variable `extended_until`, see
    app/engine/timing.py) when the open task's deadline is the end of that day; None
    otherwise (no extension, or the rule's own deadline is later)."""
    if task.state != "open" or task.due_at is None or not _extension_decided(task.case_id):
        return None
    try:
        run = lifecycle.load(task.case, utcnow())
        value = run.user_task(task.task_id).data.get("extended_until")
    except (lifecycle.Conflict, LookupError, ValueError):  # a side note: never break the page
        return None
    if not value:
        return None
    try:
        extended = date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return extended if to_local(task.due_at).date() == extended else None


def _extension_decided(case_id: int) -> bool:
    """Has the agency decided an extension (延期审批) on the case? One indexed query, so that
    the case's workflow is read only for cases that had one."""
    return db.session.scalar(select(CaseEvent.id).where(
        CaseEvent.case_id == case_id, CaseEvent.step == "approve_extension",
        CaseEvent.kind == "completed").limit(1)) is not None
