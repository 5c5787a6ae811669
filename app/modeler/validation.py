"""Validation (校验) of a process version before it is deployed: safe XML, unique ids,
SpiffWorkflow's parse, who works each user task, timer expressions and their rule keys, gateway
conditions and scripts (app/modeler/exprcheck.py), forms and call activities.
Every problem is reported, each with its file, BPMN element id and line where known.
See docs/modeler.md (the codes) and docs/process.md (what the application relies on).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from app.engine.definitions import (
    GROUPS,
    LANE_GROUPS,
    DiagramError,
    ProcessDefinition,
)
from app.engine.timing import HELPERS
from app.modeler.exprcheck import ExpressionCheck
from app.modeler.formcheck import FormCheck
from app.modeler.problems import (
    DiagramFile,
    Element,
    Listed,
    Problem,
    bpmn_tag,
    camunda_tag,
    label_of,
)
from app.modeler.safexml import MAX_BYTES, XmlRefused, parse
from app.rules import service
from app.web.i18n import N_

TIMER_CHILDREN = ("timeDate", "timeDuration", "timeCycle")
OMG = "{http://www.omg.org/spec/"  # the namespaces of BPMN's model and layout (DI, DC)
# Problems SpiffWorkflow would only report again, less clearly: its parse is skipped after them.
BLOCKING = ("bpmn.invalid", "bpmn.duplicate_id", "process.missing", "call.unknown")
GATEWAYS = ("exclusiveGateway", "inclusiveGateway")  # each outgoing flow: a condition or default


# -- XML --------------------------------------------------------------------------------

def _parse_file(name: str, text: str, out: list[Problem]) -> DiagramFile | None:
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
    if root.tag != bpmn_tag("definitions"):
        out.append(Problem("bpmn.invalid", N_("不是 BPMN 文件：根元素应为 bpmn:definitions。"),
                           {}, name, root.get("id"), root.sourceline))
        return None
    return DiagramFile(name, root, out)


def _check_ids(f: DiagramFile) -> None:
    """Every id of a BPMN element (model or layout) once per file: a second element with an
    id takes the place of the first. Extensions' ids (camunda:value…) are local to their task."""
    first: dict[str, Element] = {}
    for node in f.root.iter():
        omg = isinstance(node.tag, str) and node.tag.startswith(OMG)
        key = node.get("id") if omg else None
        if not key:
            continue
        if key not in first:
            first[key] = node
            continue
        f.add("bpmn.duplicate_id", N_("元素标识 %(id)s 重复：第 %(first)s 行的“%(first_name)s”与第 "
                                      "%(line)s 行的“%(name)s”使用了同一标识；每个元素的标识须"
                                      "唯一，请为其中一个改用新的标识。"),
              node, id=key, first=first[key].sourceline, first_name=label_of(first[key]),
              line=node.sourceline, name=label_of(node))


# -- who works each user task -----------------------------------------------------------

def _check_groups(f: DiagramFile) -> None:
    for process in f.iter("process"):
        lanes: dict[str, Element] = {}
        for lane in process.iter(bpmn_tag("lane")):  # nested lanes come later: the innermost wins
            for ref in lane.findall(bpmn_tag("flowNodeRef")):
                lanes[(ref.text or "").strip()] = lane
        unknown_lanes: dict[str, Element] = {}
        for task in process.iter(bpmn_tag("userTask")):
            named = task.get(camunda_tag("candidateGroups")) or ""
            listed = [g.strip() for g in named.split(",")]
            listed = [g for g in listed if g]
            if listed:
                for group in (g for g in listed if g not in GROUPS):
                    f.add("task.no_group", N_("用户任务“%(task)s”的候选组 %(group)s 未知，"
                                              "可用的组：%(groups)s。"),
                          task, task=label_of(task), group=group, groups=Listed(sorted(GROUPS)))
                continue
            lane = lanes.get(task.get("id"))
            if lane is None:
                f.add("task.no_group", N_("用户任务“%(task)s”不在任何泳道中，也没有指定候选组"
                                          "（camunda:candidateGroups）。"),
                      task, task=label_of(task))
            elif lane.get("name") not in LANE_GROUPS:
                unknown_lanes[lane.get("id")] = lane
        for lane in unknown_lanes.values():
            f.add("lane.unknown", N_("泳道“%(lane)s”的名称对应不到办理角色，可用的泳道名称："
                                     "%(names)s。"),
                  lane, lane=lane.get("name") or "", names=Listed(LANE_GROUPS))


# -- timers -----------------------------------------------------------------------------

def _enum_values(files: list[DiagramFile]) -> dict[str, set[str]]:
    """Form field id → the ids of its enum values, over every form of every file."""
    found: dict[str, set[str]] = {}
    for f in files:
        for node in f.root.iter(camunda_tag("formField")):
            if node.get("type") == "enum" and node.get("id"):
                values = {v.get("id") for v in node.findall(camunda_tag("value")) if v.get("id")}
                found.setdefault(node.get("id"), set()).update(values)
    return found


class _Timers:
    """Checks each timerEventDefinition of the files against the helpers and the rule keys.
    Problems are marked on the timer's event, at the line of its time expression."""

    def __init__(self, enums: Mapping[str, set[str]], rule_keys: Mapping[str, frozenset[str]]):
        self.enums, self.rule_keys = enums, rule_keys

    def check(self, f: DiagramFile) -> None:
        for definition in f.root.iter(bpmn_tag("timerEventDefinition")):
            event = definition.getparent()
            children = [c for c in definition if etree.QName(c).localname in TIMER_CHILDREN]
            date_node = next((c for c in children if c.tag == bpmn_tag("timeDate")), None)
            self.where = (f, event, date_node if date_node is not None else definition)
            if date_node is None or not (date_node.text or "").strip():
                kind = etree.QName(children[0]).localname if children else "—"
                self.add("timer.not_date", N_("计时器“%(event)s”须用到期时间（timeDate）表达式，"
                                              "如 deadline(\"handle\")；现为：%(kind)s。"),
                         event=label_of(event), kind=kind)
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
                            name=call.func.id, helpers=Listed(HELPERS))
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
        params = {"key": key, "jurisdictions": Listed(missing), "suggestions": Listed(close)}
        if close:
            self.add("timer.rule_key", N_("规则键“%(key)s”在辖区 %(jurisdictions)s 的规则中"
                                          "不存在；相近的规则键：%(suggestions)s。"), **params)
        else:
            self.add("timer.rule_key", N_("规则键“%(key)s”在辖区 %(jurisdictions)s 的规则中"
                                          "不存在。"), **params)


# -- the set of files -------------------------------------------------------------------

def _check_calls(files: list[DiagramFile], processes: set[str]) -> None:
    for f in files:
        for call in f.iter("callActivity"):
            called = (call.get("calledElement") or "").strip()
            if called not in processes:
                f.add("call.unknown", N_("调用活动“%(task)s”调用的流程 %(process)s 不存在，"
                                         "可用的流程：%(processes)s。"),
                      call, task=label_of(call), process=called or "—",
                      processes=Listed(sorted(processes)))


def _has_condition(flow: Element) -> bool:
    condition = flow.find(bpmn_tag("conditionExpression"))
    return condition is not None and bool((condition.text or "").strip())


def _check_gateways(f: DiagramFile) -> None:
    """A gateway with several ways out: each is its default flow or has a condition."""
    for process in f.iter("process"):
        flows = list(process.iter(bpmn_tag("sequenceFlow")))
        for gateway in (g for tag in GATEWAYS for g in process.iter(bpmn_tag(tag))):
            outgoing = [fl for fl in flows if fl.get("sourceRef") == gateway.get("id")]
            if len(outgoing) < 2:
                continue
            for flow in outgoing:
                if flow.get("id") != gateway.get("default") and not _has_condition(flow):
                    f.add("gateway.no_condition",
                          N_("网关“%(gateway)s”的出口“%(flow)s”既没有条件，也不是网关的默认"
                             "出口：请为它填写条件，或把它设为默认流。"),
                          flow, gateway=label_of(gateway), flow=label_of(flow))


def _check_refs(f: DiagramFile) -> None:
    """Sequence flows and boundary events point at elements of their own process."""
    for process in f.iter("process"):
        ids = {el.get("id") for el in process.iter() if el.get("id")}
        for flow in process.iter(bpmn_tag("sequenceFlow")):
            for end in ("sourceRef", "targetRef"):
                if flow.get(end) not in ids:
                    f.add("bpmn.invalid", N_("顺序流“%(flow)s”连接的元素 %(ref)s 不存在。"),
                          flow, flow=label_of(flow), ref=flow.get(end) or "—")
        for event in process.iter(bpmn_tag("boundaryEvent")):
            if event.get("attachedToRef") not in ids:
                f.add("bpmn.invalid", N_("边界事件“%(event)s”附着的环节 %(ref)s 不存在。"),
                      event, event=label_of(event), ref=event.get("attachedToRef") or "—")


def _check_spiff(files: Mapping[str, str], parsed: list[DiagramFile], process_key: str,
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


def _missing_process(parsed: list[DiagramFile], key: str, processes: set[str]) -> Problem:
    """The top process is not there: what its file (`<key>.bpmn`) defines instead, else which
    processes the files define."""
    own = next((f for f in parsed if f.name == f"{key}.bpmn"), None)
    found = list(own.iter("process")) if own else []
    if own and found:
        return Problem("process.missing", N_("%(file)s 应定义主流程 %(process)s，但其中的流程标识"
                                             "是 %(found)s：请把流程标识改回 %(process)s。"),
                       {"file": own.name, "process": key,
                        "found": Listed(p.get("id") or "—" for p in found)},
                       own.name, found[0].get("id"), found[0].sourceline)
    return Problem("process.missing", N_("没有文件定义主流程 %(process)s；各文件定义的流程："
                                         "%(found)s。"),
                   {"process": key, "found": Listed(sorted(processes))})


def validate(files: Mapping[str, str], process_key: str,
             rule_keys: Mapping[str, frozenset[str]]) -> list[Problem]:
    """Every problem of a version (`files`: file name → XML text; `process_key`: the top
    process id; `rule_keys`: jurisdiction → its deadline rule keys), by file and line."""
    out: list[Problem] = []
    parsed = [f for name in sorted(files) if (f := _parse_file(name, files[name], out))]
    timers = _Timers(_enum_values(parsed), rule_keys)
    for f in parsed:
        _check_ids(f)
        _check_groups(f)
        _check_refs(f)
        _check_gateways(f)
        timers.check(f)
        for task in f.iter("userTask"):
            FormCheck(f, task).check()
    ExpressionCheck(parsed).check()
    processes = {p.get("id") for f in parsed for p in f.iter("process") if p.get("id")}
    if len(parsed) == len(files):  # the set is whole: references between files can be checked
        if process_key not in processes:
            out.append(_missing_process(parsed, process_key, processes))
        _check_calls(parsed, processes)
        if not any(p.code in BLOCKING for p in out):
            _check_spiff(files, parsed, process_key, out)
    # a duplicate id first: the missing references that follow are its consequences
    return sorted(out, key=lambda p: (p.file or "", p.code != "bpmn.duplicate_id", p.line or 0))


@dataclass(frozen=True)
class KeyUse:
    """A timer naming a rule key: the key, the file, the timer event's id, the line."""

    key: str
    file: str
    element: str | None
    line: int | None


class _KeyUses(_Timers):
    """The rule keys of the timers, found as `validate` finds them, collected, not checked."""

    def __init__(self, enums: Mapping[str, set[str]]) -> None:
        super().__init__(enums, {})
        self.uses: list[KeyUse] = []

    def _key_exists(self, key: str) -> None:
        f, event, at = self.where
        self.uses.append(KeyUse(key, f.name, event.get("id"), at.sourceline))


def rule_key_uses(files: Mapping[str, str]) -> list[KeyUse]:
    """Every rule key the timers of a version's files name (each enum value for
    `"prefix." + field`), where; files that do not parse name none."""
    parsed = [f for name in sorted(files) if (f := _parse_file(name, files[name], []))]
    finder = _KeyUses(_enum_values(parsed))
    for f in parsed:
        finder.check(f)
    return finder.uses


def rule_keys_now() -> dict[str, frozenset[str]]:
    """Jurisdiction → the deadline rule keys of the rules in force (needs the app context)."""
    return {rules.key: frozenset(rules.deadlines) for rules in service.current()}


__all__ = ["KeyUse", "Problem", "rule_key_uses", "rule_keys_now", "validate"]
