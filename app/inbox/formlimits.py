"""What a task's form offers now (表单当前可选项): the options the checks beyond the form
(app/cases/formchecks.py) would refuse at this moment, with why, the days its checked date
fields may take, and the fields that do not apply to the case (e.g. 反馈核实结果's follow-up
fields, 误评 only). The task page and GET /api/v1/tasks/<id> both show them, so neither offers
what completing the task would refuse."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from app.cases import formchecks, lifecycle
from app.cases.records import CaseTask
from app.engine.definitions import TaskInfo
from app.engine.forms import FormField

# the form fields whose limits depend on the case: only for these is its workflow read
LIMITED = frozenset({"rectify_outcome", "extension_decision", "promised_date",
                     "requested_until", formchecks.INFORMED, *formchecks.FOLLOW_UP})


@dataclass(frozen=True)
class FormLimits:
    """`withheld`: field → option → the messages a completion choosing it would get;
    `bounds`: date field → (first day, last day or None) accepted, working days for a field
    that must be one; `omitted`: field → why it does not apply (not drawn, not listed)."""

    withheld: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    bounds: Mapping[str, tuple[date, date | None]] = field(default_factory=dict)
    omitted: Mapping[str, list[str]] = field(default_factory=dict)

    def offered(self, field_id: str, options: tuple[tuple[str, str], ...]
                ) -> tuple[tuple[str, str], ...]:
        """The options of `field_id` that may be chosen now."""
        refused = self.withheld.get(field_id, {})
        return tuple((value, name) for value, name in options if value not in refused)

    def shown(self, form: tuple[FormField, ...]) -> tuple[FormField, ...]:
        """The fields of `form` that apply to the case."""
        return tuple(f for f in form if f.id not in self.omitted)

    def read_only(self) -> FormLimits:
        """What a form drawn read-only keeps: only which fields apply."""
        return FormLimits(omitted=self.omitted)


NONE = FormLimits()


def for_task(task: CaseTask, info: TaskInfo | None, now: datetime) -> FormLimits:
    """The limits of an open task's form at `now` (none for a done task, a form without such
    fields, or a case whose workflow cannot be read: the completion still checks)."""
    if task.state != "open" or info is None or not LIMITED & {f.id for f in info.form}:
        return NONE
    try:
        run = lifecycle.load(task.case, now)
        view = run.user_task(task.task_id)
    except (lifecycle.Conflict, LookupError, ValueError):
        return NONE
    return FormLimits(formchecks.withheld(view, now, run.clock, task.due_at),
                      formchecks.date_bounds(view, now, run.clock, task.due_at,
                                             task.created_at),
                      formchecks.omitted(view))
