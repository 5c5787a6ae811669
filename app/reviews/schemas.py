"""marshmallow schemas for rating intake and listing (评价接收与查询)."""

from __future__ import annotations

from datetime import timedelta

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from app.cases.schemas import CaseSummary, Local
from app.plaintext import Text
from app.querystring import ListingQuery
from app.reviews import vocab
from app.reviews.masking import mask_cert, mask_name, mask_phone
from app.timeutil import SHANGHAI, utcnow

USCC = validate.Regexp(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                       error="Not an 18-character unified social credit code.")
REGION = validate.Regexp(r"^\d{12}$", error="A region code has 12 digits.")
PHONE = validate.Regexp(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{5,8})$", error="Not a phone number.")
FUTURE_SKEW = timedelta(minutes=10)


def _str(max_len: int, **kw) -> fields.String:
    return Text(validate=validate.Length(max=max_len), allow_none=True, **kw)


class ReviewIn(Schema):
    """One rating as a channel system sends it. `level` by name, or `level_code` with
    `level_scheme` (gbt39046: 1 = 非常满意; platform: 1 = 非常不满意)."""

    class Meta:
        unknown = RAISE

    serial_no = Text(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "办件编号"})
    rating_count = fields.Integer(load_default=1, validate=validate.OneOf([1, 2]),
                                  metadata={"description": "评价次数: 1 首次, 2 追加评价"})
    rated_object = fields.String(required=True, validate=validate.OneOf(list(vocab.RATED_OBJECTS)),
                                 metadata={"description": "评价对象"})
    channel = fields.String(required=True, validate=validate.OneOf(list(vocab.CHANNELS)),
                            metadata={"description": "评价渠道"})
    level = fields.String(validate=validate.OneOf(vocab.LEVELS), metadata={"description": "满意度"})
    level_code = fields.Integer(validate=validate.Range(1, 5))
    level_scheme = fields.String(validate=validate.OneOf(list(vocab.LEVEL_SCHEMES)))
    is_default = fields.Boolean(load_default=False, metadata={"description": "默认评价"})
    rated_at = fields.AwareDateTime(required=True, default_timezone=SHANGHAI,
                                    metadata={"description": "评价时间 (no offset: Beijing time)"})
    text = _str(2000, metadata={"description": "文字评价"})
    tags = fields.List(Text(validate=validate.Length(min=1, max=50)),
                       load_default=list, validate=validate.Length(max=20))
    item_code = _str(10)
    item_impl_code = _str(24)
    item_name = _str(200)
    department_code = fields.String(allow_none=True, validate=USCC)
    department_name = _str(100)
    region_code = fields.String(required=True, validate=REGION,
                                metadata={"description": "行政区划"})
    staff_no = _str(32)
    staff_name = _str(50)
    staff_unit_code = fields.String(allow_none=True, validate=USCC)
    staff_unit_name = _str(100)
    reviewer_name = _str(100)
    reviewer_type = fields.String(load_default="individual",
                                  validate=validate.OneOf(list(vocab.REVIEWER_TYPES)))
    reviewer_phone = fields.String(allow_none=True, validate=PHONE)
    reviewer_cert_no = _str(32)

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data: dict, **_) -> None:
        errors: dict[str, list[str]] = {}
        level = _resolve_level(data, errors)
        if level and vocab.is_bad(level):
            if not (data.get("tags") or (data.get("text") or "").strip()):
                errors.setdefault("text", []).append(
                    "A bad rating (不满意/非常不满意) needs a tag or a reason text.")
            if data.get("is_default"):
                errors.setdefault("is_default", []).append("A default rating cannot be a bad one.")
        if data.get("rating_count") == vocab.FOLLOW_UP and data["rated_object"] != "overall":
            errors.setdefault("rated_object", []).append("A follow-up rating rates 'overall' only.")
        if data["rated_object"] == "staff" and not (data.get("staff_no") or data.get("staff_name")):
            errors.setdefault("staff_no", []).append("A staff rating names the staff member.")
        if data.get("department_code") and not data.get("department_name"):
            errors.setdefault("department_name", []).append("Required with department_code.")
        if data["rated_at"] > utcnow() + FUTURE_SKEW:
            errors.setdefault("rated_at", []).append("Lies in the future.")
        if errors:
            raise ValidationError(errors)

    @post_load
    def _derive(self, data: dict, **_) -> dict:
        level = _resolve_level(data, {})
        data.pop("level_code", None)
        data.pop("level_scheme", None)
        data["level"] = level
        data["score"] = vocab.LEVEL_SCORES[level]
        data["is_bad"] = vocab.is_bad(level)
        data["text"] = (data.get("text") or "").strip() or None
        return data


def _resolve_level(data: dict, errors: dict) -> str | None:
    """The level name from `level` or from `level_code` + `level_scheme`; records errors."""
    level, code, scheme = data.get("level"), data.get("level_code"), data.get("level_scheme")
    if code is not None and scheme is None:
        errors.setdefault("level_scheme", []).append("Required with level_code.")
        return None
    from_code = vocab.level_from_code(code, scheme) if code is not None else None
    if level and from_code and level != from_code:
        errors.setdefault("level", []).append(
            f"Disagrees with level_code {code} under scheme {scheme} ({from_code}).")
        return None
    if not (level or from_code):
        errors.setdefault("level", []).append("Give level, or level_code with level_scheme.")
        return None
    return level or from_code


def _masked(mask, attr: str) -> fields.Function:
    return fields.Function(lambda r: mask(getattr(r, attr)), allow_none=True,
                           metadata={"type": "string", "description": "masked"})


def _opt() -> fields.String:
    """A string the channel may leave out: null when it did."""
    return fields.String(allow_none=True)


class ReviewOut(Schema):
    """A stored rating as the API shows it: reviewer data masked. What the channel may leave
    out is null."""

    id = fields.Integer()
    serial_no = fields.String()
    rating_count = fields.Integer()
    rated_object = fields.String()
    channel = fields.String()
    level = fields.String()
    score = fields.Integer()
    is_bad = fields.Boolean()
    is_default = fields.Boolean()
    rated_at = Local()
    received_at = Local()
    text = _opt()
    tags = fields.List(fields.String())
    item_code = _opt()
    item_impl_code = _opt()
    item_name = _opt()
    department_code = _opt()
    department_name = _opt()
    region_code = fields.String()
    staff_no = _opt()
    staff_name = _opt()
    staff_unit_code = _opt()
    staff_unit_name = _opt()
    reviewer_name = _masked(mask_name, "reviewer_name")
    reviewer_type = fields.String()
    reviewer_phone = _masked(mask_phone, "reviewer_phone")
    reviewer_cert_no = _masked(mask_cert, "reviewer_cert_no")
    source = fields.String(metadata={"description": "the channel system's token name"})
    case_number = fields.Function(lambda r: r.case.number if r.case else None, allow_none=True,
                                  metadata={"type": "string",
                                            "description": "the case a bad rating opened"})


ITEM_STATUSES = ("created", "duplicate", "invalid")


class IntakeOut(Schema):
    """One rating sent as an object: 201 created, 200 duplicate (the first result)."""

    status = fields.String(required=True, validate=validate.OneOf(ITEM_STATUSES[:2]))
    review = fields.Nested(ReviewOut, required=True)
    case = fields.Nested(CaseSummary, required=True, allow_none=True,
                         metadata={"description": "the case a bad rating opened; null if good"})


class IntakeRow(Schema):
    """One item of a batch, by its position in the array."""

    index = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ITEM_STATUSES))
    review_id = fields.Integer(metadata={"description": "created or duplicate items"})
    case_number = fields.String(allow_none=True,
                                metadata={"description": "created or duplicate items"})
    errors = fields.Dict(keys=fields.String(),
                         metadata={"description": "invalid items: messages per field"})


class IntakeBatchOut(Schema):
    """A batch sent as an array: 200 when all were accepted, 207 when some were invalid, 422
    when all were."""

    received = fields.Integer(required=True)
    created = fields.Integer(required=True)
    duplicate = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    results = fields.List(fields.Nested(IntakeRow), required=True)


class ReviewQuery(ListingQuery):
    """Filters for GET /api/v1/reviews."""

    region = fields.String(validate=validate.Regexp(r"^\d{1,12}$"),
                           metadata={"description": "region code or prefix"})
    department_code = fields.String(validate=USCC)
    channel = fields.String(validate=validate.OneOf(list(vocab.CHANNELS)))
    level = fields.String(validate=validate.OneOf(vocab.LEVELS))
    rated_object = fields.String(validate=validate.OneOf(list(vocab.RATED_OBJECTS)))
    bad = fields.Boolean()
    serial_no = Text()
    rated_from = fields.AwareDateTime(default_timezone=SHANGHAI)
    rated_to = fields.AwareDateTime(default_timezone=SHANGHAI)
