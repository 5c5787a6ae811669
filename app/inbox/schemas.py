"""Task list filters and task representations for /api/v1/tasks."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from app.auth.users import can_act
from app.cases.models import CLASS_LABELS
from app.cases.schemas import ComputedList, Local, TaskRef
from app.inbox import formlimits, queries
from app.plaintext import Text
from app.processes import service as processes
from app.querystring import ListingQuery
from app.rules import service as rules_service
from app.timeutil import utcnow

VIEWS = ("mine", "group", "department", "done")


class TaskQuery(ListingQuery):
    view = fields.String(validate=validate.OneOf(VIEWS), metadata={
        "description": "mine: claimed by me; group: unclaimed tasks of my groups in my scope "
                       "(with a watch queue: every unclaimed task of it, whatever its group, "
                       "the inbox's 未认领); "
                       "department: all open tasks of my department (or region), steps of "
                       "other groups too (`actionable` false, e.g. a caseworker's view "
                       "lists 确认认定, the supervisor's); done: "
                       "completed by me (not with a watch queue: 422). Default: mine; "
                       "with a watch queue (warned, escalated), department"})
    queue = fields.String(validate=validate.OneOf([q.key for q in queries.QUEUES]), metadata={
        "description": "a queue of the user's role, as the inbox's chips: dispatch, revisit "
                       "(hotline); appeals, extensions, supervise (agency); staff, recheck "
                       "(personnel unit): those steps; warned (hotline: every open task of "
                       "the region past its warning instant and not yet due, 超期预警) and "
                       "escalated (hotline and agency: every open task of the region past "
                       "its due instant, 超期督办), whatever its department. 422 for a queue "
                       "of another role"})
    step = Text(metadata={"description": "step id, e.g. rectify"})
    rectify_class = fields.String(validate=validate.OneOf(list(CLASS_LABELS)))
    overdue = fields.Boolean()
    jurisdiction = Text(metadata={
        "description": "a jurisdiction of the rule files (rules/*.yaml), e.g. shenzhen"})
    case_number = Text()

    @validates("jurisdiction")
    def _known(self, value: str, **_: Any) -> None:
        known = rules_service.current().jurisdictions()
        if value not in known:
            raise ValidationError(f"Must be one of: {', '.join(known)}.")

    @validates("queue")
    def _theirs(self, value: str, **_: Any) -> None:
        """A queue of the signed-in user's role (the API's user; a 422 like the others)."""
        user = g.get("user")
        if user is not None and queries.queue(value, user) is None:
            mine = ", ".join(q.key for q in queries.queues_for(user)) or "none"
            raise ValidationError(f"Not a queue of the {user.role} role; yours: {mine}.")

    @validates_schema(skip_on_field_errors=True)
    def _open_watch(self, data: dict[str, Any], **_: Any) -> None:
        """A watch queue (warned, escalated) lists open tasks: no done view within it."""
        watch = next((q for q in queries.QUEUES if q.key == data.get("queue")), None)
        if data.get("view") == "done" and watch is not None and watch.watching:
            raise ValidationError("A watch queue (warned, escalated) lists open tasks: "
                                  "use mine, group or department, or done without it.", "view")


class OptionOut(Schema):
    id = fields.String()
    name = fields.String()


class WithheldOut(OptionOut):
    reasons = fields.List(fields.String(), metadata={
        "description": "the messages completing the task with this option would get now"})


class FormFieldOut(Schema):
    """One field of a task's form (camunda:formData), as it may be filled now."""

    id = fields.String()
    label = fields.String()
    type = fields.String(metadata={"description": "string, long, boolean, date or enum"})
    required = fields.Boolean()
    options = fields.List(fields.Nested(OptionOut), metadata={
        "description": "enum fields: the options that may be chosen now"})
    withheld = fields.List(fields.Nested(WithheldOut), metadata={
        "description": "an open task's enum options that completing it would refuse now (422), "
                       "with why: e.g. 申请延期 of a rectification that is not complex or is past "
                       "its deadline, 同意延期 of a day that has come or is not a working day"})
    earliest = fields.Date(metadata={
        "description": "a date field checked against the case: the first day accepted now. "
                       "承诺完成日期, 申请延期至: the first working day of the case's calendar "
                       "within the limits (each day must be a working day); 反馈12345热线日期: "
                       "the day the step began (the result it reports was confirmed)"})
    latest = fields.Date(metadata={
        "description": "the last day accepted now, when there is one (承诺完成日期, 申请延期至: "
                       "the last working day up to the rectification deadline or "
                       "extension.limit; 反馈12345热线日期: today)"})
    default = fields.String()


class TaskOut(TaskRef):
    case_number = fields.Function(lambda t: t.case.number, metadata={"type": "string"})
    process_id = fields.String()
    department_code = fields.String(allow_none=True)
    department_name = fields.Function(lambda t: t.case.department_name, allow_none=True,
                                      metadata={"type": "string"})
    region_code = fields.String()
    jurisdiction = fields.String()
    rectify_class = fields.Function(lambda t: t.case.rectify_class, allow_none=True,
                                    metadata={"type": "string"})
    received_at = Local(attribute="case.received_at")
    claimed_at = Local(allow_none=True)
    actionable = fields.Method("_actionable", metadata={"type": "boolean", "description":
        "may the signed-in user claim and complete it: open, of a group they work in its "
        "department or region, held by nobody else. False: listed for information, e.g. "
        "确认认定 (group supervisor) in a caseworker's department view, waiting for the "
        "department supervisor; claiming or completing it is a 403"})

    def _actionable(self, task) -> bool:
        user = g.get("user")
        return (user is not None and task.state == "open" and can_act(user, task)
                and task.assignee_id in (None, user.id))


class TaskDetail(TaskOut):
    form = ComputedList(fields.Nested(FormFieldOut), source=lambda task: _form(task), metadata={
        "description": "the fields that apply to the case: an open task's fields that do not "
                       "are left out (反馈核实结果's follow-up fields, 引导追加评价, unless the "
                       "rating is a misjudged one, 误评); a value in one is refused (422), a "
                       "blank one not stored"})
    documentation = fields.Method("_documentation", allow_none=True,
                                  metadata={"type": "string"})

    def _documentation(self, task):
        info = _task_info(task)
        return info.documentation if info else None


def _form(task) -> list[dict]:
    """The task's form with what it offers now (app/inbox/formlimits.py), as the page."""
    info = _task_info(task)
    if info is None:
        return []
    limits = formlimits.for_task(task, info, utcnow())
    return [_field(f, limits) for f in limits.shown(info.form)]


def _field(f, limits: formlimits.FormLimits) -> dict[str, Any]:
    out = f.as_dict()
    refused = limits.withheld.get(f.id, {})
    if refused:
        out["options"] = [{"id": i, "name": n} for i, n in limits.offered(f.id, f.options)]
        out["withheld"] = [{"id": i, "name": n, "reasons": refused[i]}
                           for i, n in f.options if i in refused]
    if f.id in limits.bounds:
        out["earliest"], latest = limits.bounds[f.id]
        if latest is not None:
            out["latest"] = latest
    return out


def _task_info(task):
    return processes.task_info(task.case.process_version_id, task.process_id, task.step)


class CompleteIn(Schema):
    data = fields.Dict(required=True, metadata={
        "description": "the form's fields (see the task's `form`)"})


class ReassignIn(Schema):
    username = Text(required=True)
