"""What changed between two versions of a BPMN file (流程差异), element by element.

`diff_xml(old, new)` compares the participants (pools), lanes, flow nodes (tasks, events with
boundary events, gateways, call activities, subprocesses) and sequence flows of two files of the
Camunda 7 dialect, keyed by BPMN id; the drawing (BPMNDI) only sets `layout_changed`. Each change
has a Chinese label (the message id) translated when the diff is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.modeler.safexml import XmlRefused, parse
from app.web.i18n import N_

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

FLOW_NODES = frozenset({
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway",
})
ELEMENTS = FLOW_NODES | {"participant", "lane", "sequenceFlow"}
TIMERS = ("timeDate", "timeDuration", "timeCycle")

LABELS = {
    "type": N_("类型"),
    "name": N_("名称"),
    "documentation": N_("说明"),
    "lane": N_("泳道"),
    "attachedToRef": N_("附着于"),
    "cancelActivity": N_("中断任务"),
    "sourceRef": N_("起点"),
    "targetRef": N_("终点"),
    "conditionExpression": N_("条件"),
    "default": N_("默认连线"),
    "events": N_("事件类型"),
    "timer": N_("计时器"),
    "candidateGroups": N_("候选组"),
    "calledElement": N_("被调用流程"),
    "script": N_("脚本"),
    "scriptFormat": N_("脚本语言"),
    "processRef": N_("流程"),
    "extensions": N_("扩展元素"),
}
ATTRIBUTE_LABEL = N_("属性 %(name)s")
CAMUNDA_LABEL = N_("Camunda 属性 %(name)s")
FORM_LABELS = {
    "added": N_("新增表单字段"),
    "removed": N_("删除表单字段"),
    "order": N_("表单字段顺序"),
    "label": N_("表单字段「%(id)s」的标签"),
    "type": N_("表单字段「%(id)s」的类型"),
    "required": N_("表单字段「%(id)s」是否必填"),
    "values": N_("表单字段「%(id)s」的可选值"),
    "default": N_("表单字段「%(id)s」的默认值"),
    "constraints": N_("表单字段「%(id)s」的校验规则"),
}
HANDLED = frozenset({"id", "name", "attachedToRef", "cancelActivity", "sourceRef", "targetRef",
                     "default", "calledElement", "scriptFormat", "processRef",
                     f"{{{CAMUNDA}}}candidateGroups"})

Value = str | bool | None


# -- the result ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One field of an element that differs; `label` is the untranslated Chinese label."""

    field: str
    label: str
    old: Value
    new: Value
    params: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": _translate(self.label, self.params),
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Entry:
    """An element added, removed or changed."""

    id: str
    type: str
    name: str | None
    changes: tuple[Change, ...] = ()

    def as_dict(self, with_changes: bool = False) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.id, "type": self.type, "name": self.name}
        if with_changes:
            found["changes"] = [c.as_dict() for c in self.changes]
        return found


@dataclass(frozen=True)
class ElementDiff:
    added: list[Entry]
    removed: list[Entry]
    changed: list[Entry]
    layout_changed: bool

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.layout_changed)

    def as_dict(self) -> dict[str, Any]:
        return {"added": [e.as_dict() for e in self.added],
                "removed": [e.as_dict() for e in self.removed],
                "changed": [e.as_dict(with_changes=True) for e in self.changed],
                "layout_changed": self.layout_changed}


def _translate(label: str, params: dict[str, str]) -> str:
    """The label in the request's language; the Chinese text outside a request."""
    from flask import has_request_context

    if has_request_context():
        from flask_babel import gettext

        return gettext(label, **params)
    return label % params if params else label


# -- reading a file ---------------------------------------------------------------------

@dataclass
class Element:
    """What is compared of one element: its type, name and fields (display values), the
    values fields are compared by when they differ from the display (a lane by id), and its
    form fields."""

    id: str
    type: str
    name: str | None
    fields: dict[str, Value] = field(default_factory=dict)
    keys: dict[str, Value] = field(default_factory=dict)
    form: dict[str, dict[str, Value]] | None = None


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return node.findall(f"{{{BPMN}}}{name}")


def _lanes(root: etree._Element) -> dict[str, tuple[str, str]]:
    """Flow node id → (lane id, lane name or id) from the lanes' flowNodeRef."""
    found = {}
    for lane in root.iter(f"{{{BPMN}}}lane"):
        for ref in _children(lane, "flowNodeRef"):
            if ref.text and ref.text.strip():
                found[ref.text.strip()] = (lane.get("id"), lane.get("name") or lane.get("id"))
    return found


def _events(node: etree._Element) -> tuple[Value, Value]:
    """(event definition kinds with their refs, the timer's rule) of an event."""
    kinds, timer = [], None
    for child in node:
        kind = _local(child.tag)
        if not kind.endswith("EventDefinition"):
            continue
        refs = [f"{k}={v}" for k, v in sorted(child.attrib.items()) if k.endswith("Ref")]
        kinds.append(" ".join([kind, *refs]))
        for part in TIMERS:
            text = _text(child.find(f"{{{BPMN}}}{part}"))
            if text is not None:
                timer = text if part == "timeDate" else f"{part}: {text}"
    return ("; ".join(kinds) or None), timer


def _extensions(node: etree._Element) -> str | None:
    """Extension elements other than the form, as canonical XML."""
    holder = node.find(f"{{{BPMN}}}extensionElements")
    if holder is None:
        return None
    parts = []
    for child in holder:
        if not isinstance(child.tag, str) or child.tag == f"{{{CAMUNDA}}}formData":
            continue
        parts.append(" ".join(etree.tostring(child, method="c14n").decode().split()))
    return "\n".join(parts) or None


def _plain_fields(node: etree._Element) -> dict[str, Value]:
    """The attributes compared by name (named ones and any other)."""
    fields: dict[str, Value] = {}
    for name in ("attachedToRef", "sourceRef", "targetRef", "default", "calledElement",
                 "scriptFormat", "processRef"):
        if node.get(name) is not None:
            fields[name] = node.get(name)
    if _local(node.tag) == "boundaryEvent":
        fields["cancelActivity"] = node.get("cancelActivity", "true")
    groups = node.get(f"{{{CAMUNDA}}}candidateGroups")
    if groups is not None:
        fields["candidateGroups"] = groups
    for key, value in sorted(node.attrib.items()):
        if key not in HANDLED and not key.startswith(f"{{{XSI}}}"):
            fields[_attribute_field(key)] = value
    return fields


def _attribute_field(key: str) -> str:
    """@name, @camunda:name or @{namespace}name for an attribute without a field of its own."""
    qname = etree.QName(key)
    if qname.namespace == CAMUNDA:
        return f"@camunda:{qname.localname}"
    return f"@{key}"


def _content_fields(node: etree._Element) -> dict[str, Value]:
    """Documentation, condition, events, timer, script and extension elements."""
    fields: dict[str, Value] = {
        "documentation": "\n".join(filter(None, map(_text, _children(node, "documentation"))))
        or None}
    condition = node.find(f"{{{BPMN}}}conditionExpression")
    if condition is not None:
        fields["conditionExpression"] = _text(condition)
    events, timer = _events(node)
    fields.update(events=events, timer=timer)
    script = node.find(f"{{{BPMN}}}script")
    if script is not None:
        fields["script"] = script.text.strip() if script.text else None
    fields["extensions"] = _extensions(node)
    return {k: v for k, v in fields.items() if v is not None}


def _form(node: etree._Element) -> dict[str, dict[str, Value]] | None:
    """The camunda:formData fields by id (in order): label, type, required, values, default,
    other constraints."""
    data = node.find(f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}formData")
    if data is None:
        return None
    fields = {}
    for item in data.iter(f"{{{CAMUNDA}}}formField"):
        constraints = {c.get("name"): c.get("config")
                       for c in item.iter(f"{{{CAMUNDA}}}constraint")}
        required = (constraints.pop("required", None) or "").lower() == "true"
        values = [f"{v.get('id')}: {v.get('name')}" for v in item.iter(f"{{{CAMUNDA}}}value")]
        fields[item.get("id")] = {
            "label": item.get("label"), "type": item.get("type"), "required": required,
            "values": "; ".join(values) or None, "default": item.get("defaultValue"),
            "constraints": "; ".join(f"{k}={v}" for k, v in sorted(constraints.items(),
                                                                   key=str)) or None}
    return fields


def _element(node: etree._Element, lanes: dict[str, tuple[str, str]]) -> Element:
    ident = node.get("id")
    found = Element(ident, _local(node.tag), node.get("name"))
    found.fields.update(_plain_fields(node))
    found.fields.update(_content_fields(node))
    if found.type in FLOW_NODES and ident in lanes:
        found.keys["lane"], found.fields["lane"] = lanes[ident]
    found.form = _form(node)
    return found


def _elements(text: str) -> tuple[dict[str, Element], dict[str, tuple]]:
    """The elements of a file by id (document order), and its layout by element id."""
    try:
        root = parse(text, comments=False)
    except XmlRefused as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    lanes = _lanes(root)
    elements = {}
    for node in root.iter():
        if _local(node.tag) in ELEMENTS and node.get("id") and node.tag.startswith(f"{{{BPMN}}}"):
            elements[node.get("id")] = _element(node, lanes)
    return elements, _layout(root)


def _layout(root: etree._Element) -> dict[str, tuple]:
    """BPMNDI shapes and edges by element id: bounds, waypoints, label bounds, flags. An empty
    part (bpmn-js adds `<bpmndi:BPMNLabel/>` when a task is renamed) draws nothing."""
    layout = {}
    for node in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        drawn = tuple(
            (_local(part.tag), tuple(sorted((k, _number(v)) for k, v in part.attrib.items())))
            for part in node.iter()
            if part is not node and isinstance(part.tag, str) and (len(part) or part.attrib))
        flags = tuple(sorted((k, v) for k, v in node.attrib.items() if k.startswith("is")))
        layout[node.get("bpmnElement")] = (flags, drawn)
    return layout


def _number(value: str) -> Value:
    try:
        return str(float(value))
    except ValueError:
        return value


# -- comparing ---------------------------------------------------------------------------

def _field_changes(old: Element, new: Element) -> Iterator[Change]:
    if old.type != new.type:
        yield Change("type", LABELS["type"], old.type, new.type)
    if old.name != new.name:
        yield Change("name", LABELS["name"], old.name, new.name)
    for name in dict.fromkeys([*old.fields, *new.fields]):
        before, after = old.fields.get(name), new.fields.get(name)
        key_before, key_after = old.keys.get(name, before), new.keys.get(name, after)
        if key_before != key_after:
            label, params = _field_label(name)
            yield Change(name, label, before, after, params)


def _field_label(name: str) -> tuple[str, dict[str, str]]:
    """The label of a field: a named one, or 属性 x / Camunda 属性 x for other attributes."""
    if name in LABELS:
        return LABELS[name], {}
    if name.startswith("@camunda:"):
        return CAMUNDA_LABEL, {"name": name[len("@camunda:"):]}
    return ATTRIBUTE_LABEL, {"name": name.lstrip("@")}


def _summary(ident: str, spec: dict[str, Value]) -> str:
    """A form field as id（label）, with the brackets of the request's language."""
    label = spec.get("label")
    return _translate(N_("%(name)s（%(detail)s）"), {"name": ident, "detail": str(label)}) \
        if label else ident


def _form_changes(old: dict | None, new: dict | None) -> Iterator[Change]:
    """Fields added and removed, each attribute of a kept field that changed, the order."""
    old, new = old or {}, new or {}
    for ident in (i for i in new if i not in old):
        yield Change("form", FORM_LABELS["added"], None, _summary(ident, new[ident]))
    for ident in (i for i in old if i not in new):
        yield Change("form", FORM_LABELS["removed"], _summary(ident, old[ident]), None)
    for ident in (i for i in new if i in old):
        for attribute, before in old[ident].items():
            after = new[ident].get(attribute)
            if before != after:
                yield Change(f"form.{ident}.{attribute}", FORM_LABELS[attribute], before,
                             after, {"id": ident})
    kept_old = [i for i in old if i in new]
    kept_new = [i for i in new if i in old]
    if kept_old != kept_new:
        yield Change("form.order", FORM_LABELS["order"], ", ".join(kept_old),
                     ", ".join(kept_new))


def _changed(old: Element, new: Element) -> Entry | None:
    changes = (*_field_changes(old, new), *_form_changes(old.form, new.form))
    if not changes:
        return None
    return Entry(new.id, new.type, new.name if new.name is not None else old.name, changes)


def _layout_changed(old: dict[str, tuple], new: dict[str, tuple]) -> bool:
    """Whether a shape or edge drawn in both files moved (or changed its look)."""
    return any(old[key] != new[key] for key in old.keys() & new.keys())


def diff_xml(old: str, new: str) -> ElementDiff:
    """The elements added, removed and changed from `old` to `new` (two versions of one
    BPMN file), and whether the drawing moved. Inputs are trusted to be size-checked;
    ValueError when one is not well-formed XML."""
    before, old_layout = _elements(old)
    after, new_layout = _elements(new)
    added = [Entry(e.id, e.type, e.name) for key, e in after.items() if key not in before]
    removed = [Entry(e.id, e.type, e.name) for key, e in before.items() if key not in after]
    changed = [entry for key, e in after.items() if key in before
               for entry in [_changed(before[key], e)] if entry is not None]
    return ElementDiff(added, removed, changed, _layout_changed(old_layout, new_layout))
