"""marshmallow schemas for one rule file (rules/<jurisdiction>.yaml, 规则文件).

Validation only: `JurisdictionSchema().load(data)` returns plain dicts (deadlines already flattened
to dotted rule keys such as "rectify.general"); `loader` turns the errors into `path:line: message`
and `registry` builds the frozen objects. Error messages keep marshmallow's wording.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# 评价等级 (Shenzhen art. 7), stored by name.
LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
# receipt = 收到工单之日起算; step = 本环节开始之日起算.
COUNTED_FROM = ("receipt", "step")
# 评价对象: 服务事项, 总体, 服务渠道, 工作人员.
RATED_OBJECTS = ("item", "overall", "channel", "staff")
# 责任类型: 事项所属部门, 系统所属部门, 人员管理单位, 主题服务牵头部门 (Shenzhen art. 23).
RESPONSIBILITIES = ("item", "system", "staff", "theme")
# 评价渠道 (GB/T 39046): PC端, 移动服务端, 二维码, 政务大厅平板电脑, 政务大厅其他终端, 电话, 短信.
CHANNELS = ("pc", "mobile", "qrcode", "hall_tablet", "hall_terminal", "phone", "sms")
DISPATCH = ("auto", "hotline")
# 认定结果中可以申诉的: 误评, 恶意评价.
APPEAL_GROUNDS = ("misjudged", "malicious")

# Leaf fields of a deadline; other mapping-valued keys inside a leaf are child deadlines.
DEADLINE_FIELDS = ("working_days", "counted_from", "warn_before", "late_start_days",
                   "within_rectify")
KEY_PART = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MAX_WORKING_DAYS = 250  # about one working year; anything longer is a typo

# 统一社会信用代码 (GB 32100-2015): 18 characters from this alphabet, the last a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character (18th) for the first 17 characters of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> None:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        raise ValidationError(
            "Not a unified social credit code: 18 digits or capital letters (no I, O, Z, S, V).")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(f"Check character of the unified social credit code should be "
                              f"{expected!r}, not {code[17]!r}.")


def _days(required: bool = True, minimum: int = 0) -> fields.Integer:
    return fields.Integer(strict=True, required=required,
                          validate=validate.Range(min=minimum, max=MAX_WORKING_DAYS))


def _choice(choices: tuple[str, ...], **kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


class StrictBoolean(fields.Boolean):
    """true or false as YAML writes them; not 1, 0 or a quoted "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class RegionPrefix(fields.String):
    """A region-code prefix; an unquoted number in YAML (`- 4403`) is taken as its digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class DeadlineSchema(Schema):
    """One deadline (时限): N working days counted from receipt or from the step's start."""

    working_days = _days()
    counted_from = _choice(COUNTED_FROM, required=True)
    warn_before = fields.Integer(strict=True, validate=validate.Range(min=0))
    late_start_days = _days(required=False, minimum=1)
    # 反馈随整改时限: never due after the case's rectification deadline (see app/engine/timing.py).
    within_rectify = StrictBoolean()

    @validates_schema
    def _warning_within_deadline(self, data, **kwargs):
        warn, days = data.get("warn_before"), data.get("working_days")
        if warn is not None and days is not None and warn > days:
            raise ValidationError(f"Must not exceed working_days ({days}).", "warn_before")

    @validates_schema
    def _late_start_counted_from_receipt(self, data, **kwargs):
        if data.get("late_start_days") is not None and data.get("counted_from") == "step":
            raise ValidationError("Only for a deadline counted from receipt: one counted from "
                                  "the step never starts late.", "late_start_days")

    @validates_schema
    def _within_rectify_counted_from_step(self, data, **kwargs):
        if data.get("within_rectify") and data.get("counted_from") == "receipt":
            raise ValidationError("Only for a deadline counted from the step: it caps the step's "
                                  "own working days at the rectification's deadline.",
                                  "within_rectify")


def _set_nested(errors: dict, path: tuple, messages) -> None:
    node = errors
    for part in path[:-1]:
        node = node.setdefault(part, {})
    if isinstance(messages, dict) and isinstance(node.get(path[-1]), dict):
        node[path[-1]].update(messages)
    else:
        node[path[-1]] = messages


class DeadlineTree(fields.Field):
    """`deadlines:`: nested groups whose leaves are deadlines, flattened to dotted rule keys.

    A mapping with `working_days` is a deadline; its other mapping-valued keys are child deadlines
    (`contact` and `contact.staff`). Keys may also be written dotted (`rectify.general:`). Errors
    are keyed by the keys as written, so the loader can find their lines.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("Not a valid mapping of deadlines.")
        flat: dict[str, dict] = {}
        errors: dict = {}
        self._walk(value, (), (), flat, errors)
        if errors:
            raise ValidationError(errors)
        if not flat:
            raise ValidationError("At least one deadline is required.")
        return dict(sorted(flat.items()))

    def _walk(self, node: dict, path: tuple, key: tuple, flat: dict, errors: dict) -> None:
        for name, value in node.items():
            here, rule_key = path + (name,), key + (str(name),)
            if not isinstance(name, str) or not KEY_PART.match(name):
                _set_nested(errors, here, ["Rule keys are lower-case words (a-z, 0-9, _) "
                                           "joined by dots."])
            elif not isinstance(value, dict):
                _set_nested(errors, here, ["Expected a deadline (working_days, counted_from) "
                                           "or a group of deadlines."])
            elif "working_days" in value:
                self._leaf(value, here, rule_key, flat, errors)
            elif not value:
                _set_nested(errors, here, ["Empty group: give working_days or child deadlines."])
            else:
                self._walk(value, here, rule_key, flat, errors)

    def _leaf(self, value: dict, path: tuple, key: tuple, flat: dict, errors: dict) -> None:
        children = {k: v for k, v in value.items() if k not in DEADLINE_FIELDS
                    and isinstance(v, dict)}
        own = {k: v for k, v in value.items() if k not in children}
        dotted = ".".join(key)
        try:
            loaded = DeadlineSchema().load(own)
        except ValidationError as exc:
            _set_nested(errors, path, exc.messages)
        else:
            if dotted in flat:
                _set_nested(errors, path, [f"Rule key {dotted!r} is defined twice."])
            flat[dotted] = loaded
        if children:
            self._walk(children, path, key, flat, errors)


class WarningSchema(Schema):
    lead_working_days = _days()


class RatingSchema(Schema):
    default_level = _choice(LEVELS, required=True)
    window_natural_days = _days(minimum=1)
    reminder_hours = fields.Integer(strict=True, required=True,
                                    validate=validate.Range(min=1, max=24 * 30))
    follow_up_natural_days = _days(minimum=1)


class AppealSchema(Schema):
    decided_by = fields.String(required=True, validate=validate.Length(min=1))
    grounds = fields.List(_choice(APPEAL_GROUNDS), required=True,
                          validate=validate.Length(min=1))


class StaffReviewSchema(Schema):
    valid_bad_reviews_per_year = _days(minimum=1)
    valid_bad_reviews_per_week = _days(minimum=1)
    malicious_ratings_per_year = _days(minimum=1)


class DepartmentSchema(Schema):
    code = fields.String(required=True, validate=validate_uscc)
    name = fields.String(required=True, validate=validate.Length(min=1))


ByObjectSchema = Schema.from_dict(
    {obj: _choice(RESPONSIBILITIES, required=True) for obj in RATED_OBJECTS},
    name="ByObjectSchema")
SystemsSchema = Schema.from_dict(
    {ch: fields.Nested(DepartmentSchema, required=True) for ch in CHANNELS},
    name="SystemsSchema")


class RoutingSchema(Schema):
    dispatch = _choice(DISPATCH, required=True)
    by_object = fields.Nested(ByObjectSchema, required=True)
    systems = fields.Nested(SystemsSchema, required=True)


class JurisdictionSchema(Schema):
    """A whole rule file."""

    jurisdiction = fields.String(required=True,
                                 validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    name = fields.String(required=True, validate=validate.Length(min=1))
    name_en = fields.String(load_default="", validate=validate.Length(max=100))
    regions = fields.List(
        RegionPrefix(validate=validate.Regexp(r"^[0-9]{2,12}$",
                                               error="A region code prefix is 2-12 digits.")),
        required=True, validate=validate.Length(min=1))
    default = fields.Boolean(load_default=False)
    effective_from = fields.Date(load_default=None)
    sources = fields.List(fields.String(), load_default=list)
    deadlines = DeadlineTree(required=True)
    warning = fields.Nested(WarningSchema, required=True)
    rating = fields.Nested(RatingSchema, required=True)
    appeal = fields.Nested(AppealSchema, required=True)
    staff_review = fields.Nested(StaffReviewSchema, required=True)
    routing = fields.Nested(RoutingSchema, required=True)

    @validates_schema
    def _regions_unique(self, data, **kwargs):
        regions = data.get("regions") or []
        for index, prefix in enumerate(regions):
            if prefix in regions[:index]:
                raise ValidationError({index: [f"Prefix {prefix!r} is listed twice."]},
                                      "regions")
