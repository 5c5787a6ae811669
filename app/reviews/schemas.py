"""marshmallow schemas for rating intake and listing (评价接收与查询)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.cases.schemas import CaseSummary, Local
from app.plaintext import WRITTEN, Text, trimmed
from app.querystring import ListingQuery
from app.reviews import vocab
from app.reviews.masking import mask_cert, mask_name, mask_phone
from app.reviews.phones import PhoneInvalid, normalise
from app.rules.schema import validate_uscc
from app.timeutil import SHANGHAI, utcnow

# Codes are ASCII: `[0-9]`, never `\d` (which matches any script's digits, ٤ or ４).
USCC_SHAPE = validate.Regexp(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                             error="Not an 18-character unified social credit code: digits "
                                   "0-9 and capital letters (no I, O, Z, S, V).")
USCC = [USCC_SHAPE, validate_uscc]  # the shape, then the check character (校验位)
REGION = validate.Regexp(r"^[0-9]{12}$", error="A region code has 12 digits, written 0-9.")
FUTURE_SKEW = timedelta(minutes=10)
# Ratings of government services began with the 2019 好差评 rules (国办发〔2019〕51号 and the
# provinces' trials before it): an earlier rated_at is a channel's placeholder (1970-01-01,
# 0001-01-01) or a wrong clock, not a rating.
EARLIEST = datetime(2019, 1, 1, tzinfo=SHANGHAI)
TOO_LONG = "At most {max} characters."


class Instant(fields.AwareDateTime):
    """An instant, read in UTC (a value without offset is Beijing time). One that has no UTC
    equivalent (0001-01-01T00:00+08:00, 9999-12-31T23:00-05:00) is refused, not a 500."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            return instant.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range: no such instant in UTC.") from None


def _str(max_len: int, **kw) -> fields.String:
    return Text(validate=validate.Length(max=max_len, error=TOO_LONG), allow_none=True, **kw)


class Code(fields.String):
    """A code (行政区划代码, 统一社会信用代码) as an input method may write it: full-width
    characters (４４０３…, 全角) read as ASCII (NFKC); its validators then require ASCII."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))


class PhoneNumber(fields.String):
    """A reviewer's phone number in any usual writing, stored in one form (see
    app/reviews/phones.py); an empty one is none."""

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise(text)
        except PhoneInvalid as exc:
            raise ValidationError(str(exc)) from None


class ReviewIn(Schema):
    """One rating as a channel system sends it. `level` by name, or `level_code` with
    `level_scheme` (gbt39046: 1 = 非常满意; platform: 1 = 非常不满意)."""

    class Meta:
        unknown = RAISE

    serial_no = Text(required=True, validate=validate.Length(min=1, max=64),
                     metadata={"description": "办件编号 (surrounding spaces are trimmed)",
                               "pattern": WRITTEN})
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
    rated_at = Instant(required=True, default_timezone=SHANGHAI,
                       metadata={"description": "评价时间 (no offset: Beijing time)"})
    text = _str(2000, metadata={"description": "文字评价"})
    tags = fields.List(Text(validate=[validate.Length(min=1, error="An empty tag."),
                                      validate.Length(max=50, error=TOO_LONG)],
                            metadata={"pattern": WRITTEN}),
                       load_default=list, validate=validate.Length(max=20))
    item_code = _str(10)
    item_impl_code = _str(24)
    item_name = _str(200)
    department_code = Code(allow_none=True, validate=USCC, metadata={
        "description": "统一社会信用代码 of the department: 18 characters, the last its check "
                       "character (GB 32100-2015, checked); full-width characters are read as "
                       "ASCII"})
    department_name = _str(100)
    region_code = Code(required=True, validate=REGION, metadata={
        "description": "行政区划: 12 digits 0-9 (full-width ones are read as these)"})
    staff_no = _str(32)
    staff_name = _str(50)
    staff_unit_code = Code(allow_none=True, validate=USCC,
                           metadata={"description": "the personnel unit's 统一社会信用代码 "
                                                    "(checked as department_code)"})
    staff_unit_name = _str(100)
    reviewer_name = _str(100)
    reviewer_type = fields.String(load_default="individual",
                                  validate=validate.OneOf(list(vocab.REVIEWER_TYPES)))
    reviewer_phone = PhoneNumber(allow_none=True, metadata={
        "description": "评价人联系电话: mobile (+86 allowed), landline with area code and "
                       "optional extension, or a 400/800/short service number; stored as "
                       "13812345678, 0755-12345678(-801), 4001234567"})
    reviewer_cert_no = _str(32)

    @pre_load
    def _tidy(self, data, **_):
        """Strings without surrounding spaces and invisible format characters (a BOM, a
        zero-width space), as channel systems pad them; an optional field sent empty ("")
        is left out. A serial number sent with a trailing space is the same rating."""
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = trimmed(value)
                field = self.fields.get(key)
                if value == "" and field is not None and not field.required:
                    continue
            elif key == "tags" and isinstance(value, list):
                value = [trimmed(v) if isinstance(v, str) else v for v in value]
            out[key] = value
        return out

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
            errors.setdefault("rated_at", []).append(
                f"Lies in the future (more than {FUTURE_SKEW.seconds // 60} minutes ahead of "
                "the server's clock).")
        elif data["rated_at"] < EARLIEST:
            errors.setdefault("rated_at", []).append(
                "Before 2019-01-01, when rating government services began: a placeholder "
                "date or a wrong clock.")
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
        data["tags"] = list(dict.fromkeys(data.get("tags") or []))  # each once, in order
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
    reviewer_name = fields.Function(lambda r: mask_name(r.reviewer_name, r.reviewer_type),
                                    allow_none=True,
                                    metadata={"type": "string", "description": "masked"})
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

    region = Code(validate=validate.Regexp(r"^[0-9]{1,12}$",
                                           error="A region code or its prefix: 1 to 12 digits, "
                                                 "written 0-9."),
                  metadata={"description": "region code or prefix"})
    department_code = Code(validate=USCC)
    channel = fields.String(validate=validate.OneOf(list(vocab.CHANNELS)))
    level = fields.String(validate=validate.OneOf(vocab.LEVELS))
    rated_object = fields.String(validate=validate.OneOf(list(vocab.RATED_OBJECTS)))
    bad = fields.Boolean()
    serial_no = Text()
    rated_from = Instant(default_timezone=SHANGHAI)
    rated_to = Instant(default_timezone=SHANGHAI)
