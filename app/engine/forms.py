"""User task forms (表单): the camunda:formData fields of a user task, and their validation.

A form is validated with a marshmallow schema built from its fields: unknown fields, missing
required fields, wrong types and values outside an enum are refused with per-field messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.plaintext import Text


class FormInvalid(ValueError):
    """Form data refused: `errors` maps each field to its messages; `valid` holds the fields
    that did pass the form (cleaned), so that checks beyond the form can still report theirs
    in the same answer."""

    def __init__(self, errors: Mapping[str, Any], valid: Mapping[str, Any] | None = None) -> None:
        super().__init__("invalid form data")
        self.errors = dict(errors)
        self.valid = dict(valid or {})

    def merged(self, other: FormInvalid) -> FormInvalid:
        """Both refusals in one: each field's messages from this one first, then `other`'s."""
        errors = dict(self.errors)
        for key, messages in other.errors.items():
            mine = errors.get(key)
            errors[key] = _as_list(mine) + _as_list(messages) if mine else messages
        return FormInvalid(errors, self.valid)


def _as_list(messages: Any) -> list[Any]:
    return list(messages) if isinstance(messages, list | tuple) else [messages]


@dataclass(frozen=True)
class FormField:
    """One camunda:formField: id, Chinese label, type (string, long, boolean, date, enum),
    required, enum options as (id, name), min/max length or value, default."""

    id: str
    label: str
    type: str
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "type": self.type,
                               "required": self.required}
        if self.options:
            out["options"] = [{"id": i, "name": n} for i, n in self.options]
        if self.default not in (None, ""):
            out["default"] = self.default
        return out


MAX_TEXT = 4000  # characters of a free-text field


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def from_spec_field(field: Any) -> FormField:
    """A FormField from SpiffWorkflow's camunda FormField / EnumFormField."""
    required = str(field.get_validation("required") or "").lower() == "true"
    options = tuple((o.id, o.name) for o in getattr(field, "options", ()))
    min_len, max_len = field.get_validation("minlength"), field.get_validation("maxlength")
    return FormField(
        id=field.id, label=field.label or field.id, type=field.type or "string",
        required=required, options=options,
        min_length=int(min_len) if min_len else None,
        max_length=int(max_len) if max_len else None,
        minimum=_number(field.get_validation("min")), maximum=_number(field.get_validation("max")),
        default=field.default_value or None)


class _RequiredTrue(validate.Validator):
    def __call__(self, value: Any) -> Any:
        if value is not True:
            raise ValidationError("Must be confirmed (true).")
        return value


def _field(f: FormField) -> fields.Field:
    kw: dict[str, Any] = {"required": f.required, "allow_none": not f.required,
                          "metadata": {"label": f.label}}
    if f.type == "enum":
        return fields.String(validate=validate.OneOf([i for i, _ in f.options]), **kw)
    if f.type == "boolean":
        return fields.Boolean(validate=_RequiredTrue() if f.required else None, **kw)
    if f.type == "date":
        return fields.Date(**kw)
    if f.type == "long":
        return fields.Integer(strict=False, validate=validate.Range(f.minimum, f.maximum), **kw)
    lo = f.min_length if f.min_length is not None else (1 if f.required else None)
    length = validate.Length(min=lo, max=f.max_length or MAX_TEXT)
    return Text(validate=length, **kw)


def schema_for(form: tuple[FormField, ...]) -> Schema:
    """A marshmallow schema for a form (unknown fields refused)."""
    cls = Schema.from_dict({f.id: _field(f) for f in form}, name="TaskForm")
    return cls(unknown=RAISE)


def validate_form(form: tuple[FormField, ...], data: Mapping[str, Any],
                  schema: Schema | None = None) -> dict[str, Any]:
    """The cleaned data (dates as ISO strings, text stripped), or FormInvalid."""
    if not isinstance(data, Mapping):
        raise FormInvalid({"_schema": ["Form data must be an object."]})
    types = {f.id: f.type for f in form}
    stripped = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip()
            if value == "" and types.get(key) not in (None, "string"):
                value = None  # an empty optional date, number or choice
        stripped[key] = value
    try:
        clean = (schema or schema_for(form)).load(stripped)
    except ValidationError as exc:
        valid = exc.valid_data if isinstance(exc.valid_data, Mapping) else {}
        raise FormInvalid(exc.normalized_messages(), _iso(valid)) from None
    return _iso(clean)


def _iso(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


__all__ = ["FormField", "FormInvalid", "from_spec_field", "schema_for",
           "validate_form"]
