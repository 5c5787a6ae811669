"""How a case is shown in API responses (the engine issue extends this)."""

from marshmallow import Schema, fields

from app.cases.models import RESPONSIBILITY_LABELS
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
