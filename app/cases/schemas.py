"""How cases, their tasks, deadlines and timelines are shown in API responses."""

from marshmallow import Schema, fields
from sqlalchemy import select

from app.cases.deadlines import deadline_view
from app.cases.events import KIND_LABELS
from app.cases.models import CLASS_LABELS, DETERMINATION_LABELS, RESPONSIBILITY_LABELS
from app.cases.records import CaseEvent, CaseTask
from app.extensions import db
from app.timeutil import to_local


class CaseSummary(Schema):
    number = fields.String(metadata={"example": "CP-20250127-000123"})
    status = fields.String()
    status_label = fields.String()
    jurisdiction = fields.String()
    responsibility = fields.String()
    responsibility_label = fields.Function(lambda c: RESPONSIBILITY_LABELS.get(c.responsibility))
    department_code = fields.String()
    department_name = fields.String()
    dispatch = fields.String(
        metadata={"description": "auto, or hotline: a 12345 operator dispatches"})
    routing_note = fields.String()
    region_code = fields.String()
    rule_version_id = fields.Integer()
    received_at = fields.Function(lambda c: to_local(c.received_at).isoformat())


def _local(value):
    return to_local(value).isoformat() if value is not None else None


class Local(fields.Field):
    """An aware UTC datetime shown in Asia/Shanghai (+08:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return _local(value)


class DeadlineOut(Schema):
    """A task's deadline: 超期预警 instant, due instant, overdue, provisional (暂定)."""

    warn_at = Local()
    due_at = Local()
    rule_key = fields.String()
    warned = fields.Boolean()
    overdue = fields.Boolean()
    provisional = fields.Boolean(
        metadata={"description": "due past the published working-day calendar (weekends only)"})
    working_days_left = fields.Integer(
        metadata={"description": "working days from today to the due day; negative when late"})


class TaskRef(Schema):
    task_id = fields.String()
    step = fields.String()
    title = fields.String()
    group = fields.String(attribute="group_name")
    state = fields.String()
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    created_at = Local()
    completed_at = Local()
    late = fields.Boolean()
    deadline = fields.Method("_deadline")

    def _deadline(self, task):
        return DeadlineOut().dump(deadline_view(task))


class EventOut(Schema):
    at = Local()
    kind = fields.String()
    kind_label = fields.Function(lambda e: KIND_LABELS.get(e.kind, e.kind))
    actor = fields.String()
    step = fields.String()
    title = fields.String()
    late = fields.Boolean()
    data = fields.Raw()


class CaseDetail(CaseSummary):
    """GET /api/v1/cases/<number>: status, current tasks, deadlines, timeline, version."""

    determination = fields.String()
    determination_label = fields.Function(lambda c: DETERMINATION_LABELS.get(c.determination))
    rectify_class = fields.String()
    rectify_class_label = fields.Function(lambda c: CLASS_LABELS.get(c.rectify_class))
    revisit_result = fields.String()
    invalid = fields.Boolean(metadata={"description": "差评无效: excluded from the figures"})
    overdue = fields.Boolean()
    warned_at = Local()
    overdue_at = Local()
    escalated = fields.Function(lambda c: c.overdue_at is not None,
                                metadata={"description": "督办: escalated to the agency"})
    closed_at = Local()
    process_version = fields.Function(lambda c: {
        "id": c.process_version.id, "process": c.process_version.process_key,
        "number": c.process_version.number, "label": c.process_version.label,
        "deployed_at": _local(c.process_version.deployed_at),
    } if c.process_version else None)
    rating = fields.Function(lambda c: {
        "level": c.review.level, "rated_object": c.review.rated_object,
        "channel": c.review.channel, "serial_no": c.review.serial_no,
        "item_name": c.review.item_name,
        "tags": c.review.tags, "text": c.review.text, "rated_at": _local(c.review.rated_at),
    })
    tasks = fields.Method("_tasks")
    timeline = fields.Method("_timeline")

    def _tasks(self, case):
        rows = db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)
                                  .order_by(CaseTask.id)).all()
        return TaskRef(many=True).dump(rows)

    def _timeline(self, case):
        rows = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                  .order_by(CaseEvent.id)).all()
        return EventOut(many=True).dump(rows)
