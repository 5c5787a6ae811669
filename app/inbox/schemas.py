"""Task list filters and task representations for /api/v1/tasks."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from app.cases.models import CLASS_LABELS
from app.cases.schemas import Local, TaskRef
from app.processes import service as processes
from app.querystring import ListingQuery
from app.rules import service as rules_service

VIEWS = ("mine", "group", "department", "done")


class TaskQuery(ListingQuery):
    view = fields.String(load_default="mine", validate=validate.OneOf(VIEWS), metadata={
        "description": "mine: claimed by me; group: unclaimed tasks of my groups in my scope; "
                       "department: all open tasks of my department (or region); done: "
                       "completed by me"})
    step = fields.String(metadata={"description": "step id, e.g. rectify"})
    rectify_class = fields.String(validate=validate.OneOf(list(CLASS_LABELS)))
    overdue = fields.Boolean()
    jurisdiction = fields.String()
    case_number = fields.String()

    @validates("jurisdiction")
    def _known(self, value: str, **_: Any) -> None:
        known = rules_service.current().jurisdictions()
        if value not in known:
            raise ValidationError(f"Must be one of: {', '.join(known)}.")


class TaskOut(TaskRef):
    case_number = fields.Function(lambda t: t.case.number)
    process_id = fields.String()
    department_code = fields.String()
    department_name = fields.Function(lambda t: t.case.department_name)
    region_code = fields.String()
    jurisdiction = fields.String()
    rectify_class = fields.Function(lambda t: t.case.rectify_class)
    received_at = Local(attribute="case.received_at")
    claimed_at = Local()


class TaskDetail(TaskOut):
    form = fields.Method("_form")
    documentation = fields.Method("_documentation")

    def _form(self, task):
        info = _task_info(task)
        return [f.as_dict() for f in info.form] if info else []

    def _documentation(self, task):
        info = _task_info(task)
        return info.documentation if info else None


def _task_info(task):
    return processes.task_info(task.case.process_version_id, task.process_id, task.step)


class CompleteIn(Schema):
    data = fields.Dict(required=True, metadata={
        "description": "the form's fields (see the task's `form`)"})


class ReassignIn(Schema):
    username = fields.String(required=True)
