"""Checks of a user task's form (表单字段): ids, types, labels, options, defaults and
constraints, as app/engine/forms.py builds forms from them."""

from __future__ import annotations

import keyword
import math
from datetime import date
from typing import Any

from app.engine.timing import HELPERS
from app.modeler.problems import DiagramFile, Element, Listed, camunda_tag, label_of
from app.web.i18n import N_

FORM_TYPES = ("string", "long", "boolean", "date", "enum")  # as app/engine/forms.py builds
# camunda:constraint name → (how its config reads, the field types it applies to)
CONSTRAINTS = {"required": ("boolean", FORM_TYPES), "minlength": ("length", ("string",)),
               "maxlength": ("length", ("string",)), "min": ("number", ("long",)),
               "max": ("number", ("long",))}


# -- forms ------------------------------------------------------------------------------

def _parses(convert: Any, text: str) -> bool:
    try:
        convert(text)
    except (TypeError, ValueError):
        return False
    return True


def _value_ok(kind: str, value: str, options: set[str]) -> bool:
    """Whether `value` (a default or a constraint's config) reads as a `kind`."""
    if kind in ("long", "length"):
        return _parses(int, value) and (kind == "long" or int(value) >= 0)
    if kind == "number":
        return _parses(float, value) and math.isfinite(float(value))
    if kind == "boolean":
        return value.lower() in ("true", "false")
    if kind == "date":
        return len(value) == 10 and _parses(date.fromisoformat, value)
    return kind != "enum" or value in options


class FormCheck:
    """Checks the camunda:formData of one user task; problems are marked on the task."""

    def __init__(self, f: DiagramFile, task: Element) -> None:
        self.f, self.task = f, task

    def bad(self, template: str, field_id: str | None, **params: Any) -> None:
        self.f.add("form.field", template, self.task, self.node, task=label_of(self.task),
                   field=field_id or "—", **params)

    def check(self) -> None:
        seen: set[str] = set()
        for node in self.task.iter(camunda_tag("formField")):
            field_id, self.node = node.get("id"), node
            if self._identity(field_id, seen):
                self._field(node, field_id or "")

    def _identity(self, field_id: str | None, seen: set[str]) -> bool:
        if not field_id or not field_id.isidentifier() or keyword.iskeyword(field_id):
            self.bad(N_("表单字段 %(field)s：标识须由英文字母、数字和下划线组成，不以数字开头。"),
                     field_id)
            return False
        if field_id in HELPERS:
            self.bad(N_("表单字段 %(field)s 与计时函数同名，会遮盖该函数。"), field_id)
        if field_id in seen:
            self.bad(N_("表单字段 %(field)s 在同一表单中重复。"), field_id)
        seen.add(field_id)
        return True

    def _field(self, node: Element, field_id: str) -> None:
        kind = node.get("type") or "string"
        if kind not in FORM_TYPES:
            return self.bad(N_("表单字段 %(field)s：不支持类型 %(type)s，可用的类型：%(types)s。"),
                            field_id, type=kind, types=Listed(FORM_TYPES))
        if not (node.get("label") or "").strip():
            self.bad(N_("表单字段 %(field)s 缺少标签（label）。"), field_id)
        options = self._options(node, field_id, kind)
        default = node.get("defaultValue")
        if default not in (None, "") and not _value_ok(kind, default, options):
            self.bad(N_("表单字段 %(field)s：默认值 %(value)s 与类型或选项不符。"),
                     field_id, value=default)
        self._constraints(node, field_id, kind)

    def _options(self, node: Element, field_id: str, kind: str) -> set[str]:
        values = node.findall(camunda_tag("value"))
        ids = [(v.get("id") or "").strip() for v in values]
        if kind != "enum" and values:
            self.bad(N_("表单字段 %(field)s：只有枚举（enum）字段可以列出选项。"), field_id)
        elif kind == "enum" and not values:
            self.bad(N_("枚举字段 %(field)s 至少需要一个选项。"), field_id)
        elif not all(ids) or not all((v.get("name") or "").strip() for v in values):
            self.bad(N_("枚举字段 %(field)s：每个选项都须有标识和名称。"), field_id)
        elif len(set(ids)) != len(ids):
            self.bad(N_("枚举字段 %(field)s：选项标识重复。"), field_id)
        return set(ids)

    def _constraints(self, node: Element, field_id: str, kind: str) -> None:
        found: dict[str, str] = {}
        for c in node.iter(camunda_tag("constraint")):
            name, value = c.get("name") or "", (c.get("config") or "").strip()
            if name not in CONSTRAINTS:
                self.bad(N_("表单字段 %(field)s：校验规则 %(name)s 未知，可用的：%(names)s。"),
                         field_id, name=name or "—", names=Listed(CONSTRAINTS))
            elif kind not in CONSTRAINTS[name][1]:
                self.bad(N_("表单字段 %(field)s：校验规则 %(name)s 不适用于 %(type)s 类型。"),
                         field_id, name=name, type=kind)
            elif not _value_ok(CONSTRAINTS[name][0], value, set()):
                self.bad(N_("表单字段 %(field)s：校验规则 %(name)s 的值 %(value)s 无效。"),
                         field_id, name=name, value=value or "—")
            else:
                found[name] = value
        for low, high in (("minlength", "maxlength"), ("min", "max")):
            if low in found and high in found and float(found[low]) > float(found[high]):
                self.bad(N_("表单字段 %(field)s：%(low)s 大于 %(high)s。"),
                         field_id, low=low, high=high)
