"""Validation (校验) of a process version before it is deployed: safe XML, SpiffWorkflow's parse,
who works each user task, timer expressions and their rule keys, forms and call activities.
Every problem is reported, each with its file, BPMN element id and line where known.
See docs/modeler.md (the codes) and docs/process.md (what the application relies on).
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from lxml import etree

from app.engine.definitions import (
    BPMN_NS,
    CAMUNDA_NS,
    GROUPS,
    LANE_GROUPS,
    DiagramError,
    ProcessDefinition,
)
from app.engine.timing import HELPERS
from app.modeler.safexml import MAX_BYTES, XmlRefused, parse
from app.rules import service
from app.web.i18n import N_

Element = etree._Element
FORM_TYPES = ("string", "long", "boolean", "date", "enum")  # as app/engine/forms.py builds
# camunda:constraint name → (how its config reads, the field types it applies to)
CONSTRAINTS = {"required": ("boolean", FORM_TYPES), "minlength": ("length", ("string",)),
               "maxlength": ("length", ("string",)), "min": ("number", ("long",)),
               "max": ("number", ("long",))}
TIMER_CHILDREN = ("timeDate", "timeDuration", "timeCycle")
SEP = "、"
# Problems SpiffWorkflow would only report again, less clearly: its parse is skipped after them.
BLOCKING = ("bpmn.invalid", "process.missing", "call.unknown")


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _c(tag: str) -> str:
    return f"{{{CAMUNDA_NS}}}{tag}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram (问题): a code of docs/modeler.md, a Chinese message
    template (a message id) with its parameters, and where: file, element id, line."""

    code: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    file: str | None = None
    element: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def message(self) -> str:
        """In the current language inside an app with Babel, else the Chinese text."""
        if has_app_context() and "babel" in current_app.extensions:
            return gettext(self.template, **self.params)
        return self.template % dict(self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "file": self.file,
                "element": self.element, "line": self.line}


class _File:
    """One parsed file and where its problems go."""

    def __init__(self, name: str, root: Element, out: list[Problem]) -> None:
        self.name, self.root, self.out = name, root, out
        self.lines = {el.get("id"): el.sourceline for el in root.iter() if el.get("id")}

    def add(self, code: str, template: str, node: Element, at: Element | None = None,
            **params: Any) -> None:
        """A problem marked on `node`, at the line of `at` (a child of it) when given."""
        line = (at if at is not None else node).sourceline
        self.out.append(Problem(code, template, params, self.name, node.get("id"), line))

    def iter(self, tag: str) -> Iterator[Element]:
        return self.root.iter(_b(tag))


def _label(node: Element) -> str:
    return node.get("name") or node.get("id") or ""


# -- XML --------------------------------------------------------------------------------

def _parse_file(name: str, text: str, out: list[Problem]) -> _File | None:
    try:
        root = parse(text)
    except XmlRefused as exc:
        if exc.code == "xml.too_large":
            template = N_("文件过大（%(size)s 字节），上限为 %(limit)s 字节。")
            params: dict[str, Any] = {"size": exc.size, "limit": MAX_BYTES}
        elif exc.code == "xml.dtd":
            template = N_("出于安全原因，不接受含有 DOCTYPE 或实体声明（%(found)s）的文件。")
            params = {"found": exc.detail}
        else:
            template = N_("XML 格式错误（第 %(line)s 行）：%(detail)s")
            params = {"line": exc.line, "detail": exc.detail}
        out.append(Problem(exc.code, template, params, name, None, exc.line))
        return None
    if root.tag != _b("definitions"):
        out.append(Problem("bpmn.invalid", N_("不是 BPMN 文件：根元素应为 bpmn:definitions。"),
                           {}, name, root.get("id"), root.sourceline))
        return None
    return _File(name, root, out)


# -- who works each user task -----------------------------------------------------------

def _check_groups(f: _File) -> None:
    for process in f.iter("process"):
        lanes: dict[str, Element] = {}
        for lane in process.iter(_b("lane")):  # nested lanes come later: the innermost wins
            for ref in lane.findall(_b("flowNodeRef")):
                lanes[(ref.text or "").strip()] = lane
        unknown_lanes: dict[str, Element] = {}
        for task in process.iter(_b("userTask")):
            listed = [g.strip() for g in (task.get(_c("candidateGroups")) or "").split(",")]
            listed = [g for g in listed if g]
            if listed:
                for group in (g for g in listed if g not in GROUPS):
                    f.add("task.no_group", N_("用户任务“%(task)s”的候选组 %(group)s 未知，"
                                              "可用的组：%(groups)s。"),
                          task, task=_label(task), group=group, groups=SEP.join(sorted(GROUPS)))
                continue
            lane = lanes.get(task.get("id"))
            if lane is None:
                f.add("task.no_group", N_("用户任务“%(task)s”不在任何泳道中，也没有指定候选组"
                                          "（camunda:candidateGroups）。"),
                      task, task=_label(task))
            elif lane.get("name") not in LANE_GROUPS:
                unknown_lanes[lane.get("id")] = lane
        for lane in unknown_lanes.values():
            f.add("lane.unknown", N_("泳道“%(lane)s”的名称对应不到办理角色，可用的泳道名称："
                                     "%(names)s。"),
                  lane, lane=lane.get("name") or "", names=SEP.join(LANE_GROUPS))


# -- timers -----------------------------------------------------------------------------

def _enum_values(files: list[_File]) -> dict[str, set[str]]:
    """Form field id → the ids of its enum values, over every form of every file."""
    found: dict[str, set[str]] = {}
    for f in files:
        for node in f.root.iter(_c("formField")):
            if node.get("type") == "enum" and node.get("id"):
                values = {v.get("id") for v in node.findall(_c("value")) if v.get("id")}
                found.setdefault(node.get("id"), set()).update(values)
    return found


class _Timers:
    """Checks each timerEventDefinition of the files against the helpers and the rule keys.
    Problems are marked on the timer's event, at the line of its time expression."""

    def __init__(self, enums: Mapping[str, set[str]], rule_keys: Mapping[str, frozenset[str]]):
        self.enums, self.rule_keys = enums, rule_keys

    def check(self, f: _File) -> None:
        for definition in f.root.iter(_b("timerEventDefinition")):
            event = definition.getparent()
            children = [c for c in definition if etree.QName(c).localname in TIMER_CHILDREN]
            date_node = next((c for c in children if c.tag == _b("timeDate")), None)
            self.where = (f, event, date_node if date_node is not None else definition)
            if date_node is None or not (date_node.text or "").strip():
                kind = etree.QName(children[0]).localname if children else "—"
                self.add("timer.not_date", N_("计时器“%(event)s”须用到期时间（timeDate）表达式，"
                                              "如 deadline(\"handle\")；现为：%(kind)s。"),
                         event=_label(event), kind=kind)
            else:
                self._expression(date_node.text.strip())

    def add(self, code: str, template: str, **params: Any) -> None:
        f, event, at = self.where
        f.add(code, template, event, at, **params)

    def _expression(self, text: str) -> None:
        try:
            call = ast.parse(text, mode="eval").body
        except SyntaxError:
            return self.add("timer.expression", N_("计时器表达式“%(expr)s”不是有效的 Python"
                                                   " 表达式。"), expr=text)
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            return self.add("timer.expression", N_("计时器表达式“%(expr)s”须是对一个计时函数的"
                                                   "调用，如 deadline(\"handle\")。"), expr=text)
        if call.func.id not in HELPERS:
            return self.add("timer.unknown_helper", N_("计时器表达式调用了未知函数 %(name)s，"
                                                       "可用的函数：%(helpers)s。"),
                            name=call.func.id, helpers=SEP.join(HELPERS))
        args = call.args
        if call.keywords or not 1 <= len(args) <= 2 or any(isinstance(a, ast.Starred)
                                                           for a in args):
            return self.add("timer.expression", N_("计时器表达式“%(expr)s”的参数有误：须为规则"
                                                   "键，以及可选的延期日期。"), expr=text)
        for key in sorted(self._keys(text, args[0])):
            self._key_exists(key)

    def _keys(self, text: str, arg: ast.expr) -> set[str]:
        """The rule keys the first argument can take: a literal, a form field's enum values or
        "prefix." + such a field."""
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return {arg.value}
        prefix, name = "", None
        if isinstance(arg, ast.Name):
            name = arg.id
        elif (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add)
              and isinstance(arg.left, ast.Constant) and isinstance(arg.left.value, str)
              and isinstance(arg.right, ast.Name)):
            prefix, name = arg.left.value, arg.right.id
        if name is None:
            self.add("timer.expression", N_("计时器表达式“%(expr)s”的规则键须是字符串，或“前缀”"
                                            " + 枚举字段，如 \"rectify.\" + rectify_class。"),
                     expr=text)
        elif not self.enums.get(name):
            self.add("timer.rule_key", N_("计时器表达式“%(expr)s”的规则键取自字段 %(field)s，"
                                          "但流程图中没有这个带选项的枚举字段。"),
                     expr=text, field=name)
        else:
            return {prefix + value for value in self.enums[name]}
        return set()

    def _key_exists(self, key: str) -> None:
        missing = sorted(j for j, keys in self.rule_keys.items() if key not in keys)
        if not missing:
            return
        known = sorted(set().union(*self.rule_keys.values()))
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        params = {"key": key, "jurisdictions": SEP.join(missing), "suggestions": SEP.join(close)}
        if close:
            self.add("timer.rule_key", N_("规则键“%(key)s”在辖区 %(jurisdictions)s 的规则中"
                                          "不存在；相近的规则键：%(suggestions)s。"), **params)
        else:
            self.add("timer.rule_key", N_("规则键“%(key)s”在辖区 %(jurisdictions)s 的规则中"
                                          "不存在。"), **params)


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


class _Form:
    """Checks the camunda:formData of one user task; problems are marked on the task."""

    def __init__(self, f: _File, task: Element) -> None:
        self.f, self.task = f, task

    def bad(self, template: str, field_id: str | None, **params: Any) -> None:
        self.f.add("form.field", template, self.task, self.node, task=_label(self.task),
                   field=field_id or "—", **params)

    def check(self) -> None:
        seen: set[str] = set()
        for node in self.task.iter(_c("formField")):
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
                            field_id, type=kind, types=SEP.join(FORM_TYPES))
        if not (node.get("label") or "").strip():
            self.bad(N_("表单字段 %(field)s 缺少标签（label）。"), field_id)
        options = self._options(node, field_id, kind)
        default = node.get("defaultValue")
        if default not in (None, "") and not _value_ok(kind, default, options):
            self.bad(N_("表单字段 %(field)s：默认值 %(value)s 与类型或选项不符。"),
                     field_id, value=default)
        self._constraints(node, field_id, kind)

    def _options(self, node: Element, field_id: str, kind: str) -> set[str]:
        values = node.findall(_c("value"))
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
        for c in node.iter(_c("constraint")):
            name, value = c.get("name") or "", (c.get("config") or "").strip()
            if name not in CONSTRAINTS:
                self.bad(N_("表单字段 %(field)s：校验规则 %(name)s 未知，可用的：%(names)s。"),
                         field_id, name=name or "—", names=SEP.join(CONSTRAINTS))
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


# -- the set of files -------------------------------------------------------------------

def _check_calls(files: list[_File], processes: set[str]) -> None:
    for f in files:
        for call in f.iter("callActivity"):
            called = (call.get("calledElement") or "").strip()
            if called not in processes:
                f.add("call.unknown", N_("调用活动“%(task)s”调用的流程 %(process)s 不存在，"
                                         "可用的流程：%(processes)s。"),
                      call, task=_label(call), process=called or "—",
                      processes=SEP.join(sorted(processes)))


def _check_refs(f: _File) -> None:
    """Sequence flows and boundary events point at elements of their own process."""
    for process in f.iter("process"):
        ids = {el.get("id") for el in process.iter() if el.get("id")}
        for flow in process.iter(_b("sequenceFlow")):
            for end in ("sourceRef", "targetRef"):
                if flow.get(end) not in ids:
                    f.add("bpmn.invalid", N_("顺序流“%(flow)s”连接的元素 %(ref)s 不存在。"),
                          flow, flow=_label(flow), ref=flow.get(end) or "—")
        for event in process.iter(_b("boundaryEvent")):
            if event.get("attachedToRef") not in ids:
                f.add("bpmn.invalid", N_("边界事件“%(event)s”附着的环节 %(ref)s 不存在。"),
                      event, event=_label(event), ref=event.get("attachedToRef") or "—")


def _check_spiff(files: Mapping[str, str], parsed: list[_File], process_key: str,
                 out: list[Problem]) -> None:
    """SpiffWorkflow's parse of the whole set, as deploying will do it."""
    template = N_("流程引擎无法解析流程图：%(detail)s")
    try:
        ProcessDefinition(process_key, files)
    except DiagramError as exc:
        by_name = {f.name: f for f in parsed}
        element = exc.element or None
        where = by_name.get(exc.file) if exc.file else None
        if where is None and element:
            where = next((f for f in parsed if element in f.lines), None)
        line = where.lines.get(element) if where and element else None
        if element and any(p.element == element for p in out):
            return  # already reported, in clearer words
        out.append(Problem("bpmn.invalid", template, {"detail": exc.detail.strip()},
                           where.name if where else None, element, line))
    except Exception as exc:  # noqa: BLE001 - anything else SpiffWorkflow or forms raise
        if not any(p.code == "form.field" for p in out):  # else most likely a consequence
            out.append(Problem("bpmn.invalid", template, {"detail": str(exc)}))


def validate(files: Mapping[str, str], process_key: str,
             rule_keys: Mapping[str, frozenset[str]]) -> list[Problem]:
    """Every problem of a version (`files`: file name → XML text; `process_key`: the top
    process id; `rule_keys`: jurisdiction → its deadline rule keys), by file and line."""
    out: list[Problem] = []
    parsed = [f for name in sorted(files) if (f := _parse_file(name, files[name], out))]
    timers = _Timers(_enum_values(parsed), rule_keys)
    for f in parsed:
        _check_groups(f)
        _check_refs(f)
        timers.check(f)
        for task in f.iter("userTask"):
            _Form(f, task).check()
    processes = {p.get("id") for f in parsed for p in f.iter("process") if p.get("id")}
    if len(parsed) == len(files):  # the set is whole: references between files can be checked
        if process_key not in processes:
            out.append(Problem("process.missing", N_("没有文件定义主流程 %(process)s。"),
                               {"process": process_key}))
        _check_calls(parsed, processes)
        if not any(p.code in BLOCKING for p in out):
            _check_spiff(files, parsed, process_key, out)
    return sorted(out, key=lambda p: (p.file or "", p.line or 0))


def rule_keys_now() -> dict[str, frozenset[str]]:
    """Jurisdiction → the deadline rule keys of the rules in force (needs the app context)."""
    return {rules.key: frozenset(rules.deadlines) for rules in service.current()}


__all__ = ["Problem", "rule_keys_now", "validate"]
