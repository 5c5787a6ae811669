"""How cases, their tasks, deadlines and timelines are shown in API responses. Every field
that can be null says so (`allow_none`): the OpenAPI document marks it nullable."""

from marshmallow import Schema, fields, missing
from sqlalchemy import select

from app.cases.deadlines import deadline_view
from app.cases.events import KIND_LABELS, deadline_data
from app.cases.models import CLASS_LABELS, DETERMINATION_LABELS, RESPONSIBILITY_LABELS
from app.cases.records import CaseEvent, CaseTask
from app.extensions import db
from app.timeutil import to_local


def _local(value):
    return to_local(value).isoformat() if value is not None else None


class Local(fields.DateTime):
    """An aware UTC datetime shown in Asia/Shanghai (+08:00); documented as a date-time."""

    def _serialize(self, value, attr, obj, **kwargs):
        return _local(value)


def label_of(labels: dict, attr: str) -> fields.Function:
    """The Chinese label of a coded attribute (null when the attribute is null)."""
    return fields.Function(lambda obj: labels.get(getattr(obj, attr)), allow_none=True,
                           metadata={"type": "string"})


class _Computed:
    """A field whose value `source(obj)` computes (a query, a view) rather than reads."""

    def __init__(self, *args, source, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=missing):
        return self.source(obj)


class ComputedNested(_Computed, fields.Nested):
    """A nested object computed by `source`."""


class ComputedList(_Computed, fields.List):
    """A list computed by `source`."""


class CaseSummary(Schema):
    number = fields.String(metadata={"example": "CP-20250127-000123"})
    status = fields.String()
    status_label = fields.String()
    jurisdiction = fields.String()
    responsibility = fields.String()
    responsibility_label = label_of(RESPONSIBILITY_LABELS, "responsibility")
    department_code = fields.String(allow_none=True,
                                    metadata={"description": "null: a 12345 operator dispatches"})
    department_name = fields.String(allow_none=True)
    dispatch = fields.String(
        metadata={"description": "auto, or hotline: a 12345 operator dispatches"})
    routing_note = fields.String(allow_none=True)
    region_code = fields.String()
    rule_version_id = fields.Integer()
    received_at = Local()


class DeadlineOut(Schema):
    """A task's deadline: 超期预警 instant, due instant, overdue, provisional (暂定)."""

    warn_at = Local(allow_none=True)
    due_at = Local(allow_none=True)
    rule_key = fields.String(allow_none=True)
    warned = fields.Boolean()
    overdue = fields.Boolean()
    provisional = fields.Boolean(
        metadata={"description": "due past the published working-day calendar (weekends only)"})
    due_with = fields.String(allow_none=True, metadata={
        "description": "反馈随整改时限: the rectification's rule key (rectify.<class>) when the "
                       "step is due at the rectification's deadline (with an approved extension) "
                       "rather than its own rule's working days from its start; else null"})
    working_days_left = fields.Integer(allow_none=True, metadata={
        "description": "working days from today to the due day; negative when late; null "
                       "when the task is done or has no deadline"})


class TaskRef(Schema):
    task_id = fields.String()
    step = fields.String()
    title = fields.String()
    group = fields.String(attribute="group_name", allow_none=True)
    state = fields.String(metadata={"description": "open, done or cancelled"})
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None,
                               allow_none=True, metadata={"type": "string"})
    created_at = Local()
    completed_at = Local(allow_none=True)
    late = fields.Boolean()
    deadline = ComputedNested(DeadlineOut, source=deadline_view)


class EventOut(Schema):
    at = Local()
    kind = fields.String()
    kind_label = fields.Function(lambda e: KIND_LABELS.get(e.kind, e.kind),
                                 metadata={"type": "string"})
    actor = fields.String()
    step = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    late = fields.Boolean()
    data = fields.Function(deadline_data, allow_none=True, metadata={
        "type": "object",
        "description": "what was entered, if any. 超期预警 (warning): `due_at` the step's "
                       "deadline, `warn_at` when the warning was due; 超期 (overdue) and 督办 "
                       "(escalated): `due_at` the step's deadline, `overdue_at` the instant "
                       "after it; each with the timer's `event` id and `rule_key`"})


class ProcessVersionRef(Schema):
    """The process version (流程版本) a case runs on."""

    id = fields.Integer()
    process = fields.String(attribute="process_key")
    number = fields.Integer()
    label = fields.String()
    deployed_at = Local()


class RatingRef(Schema):
    """The bad rating that opened the case."""

    level = fields.String()
    rated_object = fields.String()
    channel = fields.String()
    serial_no = fields.String()
    item_name = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    text = fields.String(allow_none=True)
    rated_at = Local()


def _task_rows(case):
    return db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)
                              .order_by(CaseTask.id)).all()


def _event_rows(case):
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id)).all()


class CaseDetail(CaseSummary):
    """GET /api/v1/cases/<number>: status, current tasks, deadlines, timeline, version."""

    determination = fields.String(allow_none=True, metadata={
        "description": "认定结果: valid 属实, misjudged 误评, malicious 恶意评价, unreasonable "
                       "诉求不合理; on a staff review the personnel unit's decision: valid, or "
                       "staff_invalid 差评无效（人员复核）"})
    determination_label = label_of(DETERMINATION_LABELS, "determination")
    rectify_class = fields.String(allow_none=True)
    rectify_class_label = label_of(CLASS_LABELS, "rectify_class")
    revisit_result = fields.String(allow_none=True)
    invalid = fields.Boolean(metadata={"description": "差评无效: excluded from the figures"})
    overdue = fields.Boolean()
    warned_at = Local(allow_none=True)
    overdue_at = Local(allow_none=True)
    escalated = fields.Function(lambda c: c.overdue_at is not None,
                                metadata={"type": "boolean",
                                          "description": "督办: escalated to the agency"})
    closed_at = Local(allow_none=True)
    process_version = fields.Nested(ProcessVersionRef, allow_none=True,
                                    metadata={"description": "null until the engine starts it"})
    rating = fields.Nested(RatingRef, attribute="review")
    tasks = ComputedList(fields.Nested(TaskRef), source=_task_rows)
    timeline = ComputedList(fields.Nested(EventOut), source=_event_rows)
