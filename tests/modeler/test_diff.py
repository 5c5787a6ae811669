"""The element diff of two versions of a BPMN file (app.modeler.diff)."""

from __future__ import annotations

import pytest

from app.config import ROOT
from app.modeler.diff import ElementDiff, diff_xml

CLASSIFY_SHAPE = '<dc:Bounds x="1840" y="570" width="100" height="80" />'
RECHECK = (
    '<bpmn:userTask id="recheck" name="复核认定">'
    '<bpmn:incoming>flow_verify_gw_determination</bpmn:incoming>'
    '<bpmn:outgoing>flow_recheck</bpmn:outgoing></bpmn:userTask>')


@pytest.fixture(scope="module")
def source() -> str:
    return (ROOT / "bpmn" / "bad_review.bpmn").read_text(encoding="utf-8")


def edited(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def changes(diff: ElementDiff, element: str) -> list[dict]:
    found = [e for e in diff.as_dict()["changed"] if e["id"] == element]
    assert len(found) == 1, diff.as_dict()
    return found[0]["changes"]


def only_changed(diff: ElementDiff) -> list[str]:
    assert diff.added == [] and diff.removed == [], diff.as_dict()
    return [e.id for e in diff.changed]


def test_the_same_file_is_empty(source):
    diff = diff_xml(source, source)
    assert diff.empty
    assert diff.as_dict() == {"added": [], "removed": [], "changed": [],
                              "layout_changed": False}


def test_a_renamed_task(source):
    diff = diff_xml(source, edited(source, ('name="整改分类"', 'name="整改定级"')))
    assert only_changed(diff) == ["classify"]
    assert diff.as_dict()["changed"] == [{
        "id": "classify", "type": "userTask", "name": "整改定级",
        "changes": [{"field": "name", "label": "名称", "old": "整改分类", "new": "整改定级"}]}]
    assert not diff.layout_changed and not diff.empty


def test_a_timer_with_another_rule_key(source):
    diff = diff_xml(source, edited(source, ('warning("contact")', 'warning("contact.staff")')))
    assert only_changed(diff) == ["contact_warn"]
    assert changes(diff, "contact_warn") == [{
        "field": "timer", "label": "计时器", "old": 'warning("contact")',
        "new": 'warning("contact.staff")'}]
    entry = diff.as_dict()["changed"][0]
    assert (entry["type"], entry["name"]) == ("boundaryEvent", "超期预警")


def test_a_task_added_and_removed(source):
    longer = edited(
        source,
        ('<bpmn:sequenceFlow id="flow_verify_gw_determination" sourceRef="verify" '
         'targetRef="gw_determination" />',
         '<bpmn:sequenceFlow id="flow_verify_gw_determination" sourceRef="verify" '
         'targetRef="recheck" /><bpmn:sequenceFlow id="flow_recheck" sourceRef="recheck" '
         'targetRef="gw_determination" />'),
        ('<bpmn:exclusiveGateway id="gw_determination"',
         RECHECK + '<bpmn:exclusiveGateway id="gw_determination"'),
        ('<bpmn:flowNodeRef>verify</bpmn:flowNodeRef>',
         '<bpmn:flowNodeRef>verify</bpmn:flowNodeRef><bpmn:flowNodeRef>recheck</bpmn:flowNodeRef>'))
    added = diff_xml(source, longer)
    assert added.as_dict()["added"] == [
        {"id": "recheck", "type": "userTask", "name": "复核认定"},
        {"id": "flow_recheck", "type": "sequenceFlow", "name": None}]
    assert changes(added, "flow_verify_gw_determination") == [{
        "field": "targetRef", "label": "终点", "old": "gw_determination", "new": "recheck"}]
    removed = diff_xml(longer, source)
    assert [e.id for e in removed.removed] == ["recheck", "flow_recheck"]
    assert removed.added == []


def test_a_task_moved_to_another_lane(source):
    moved = edited(source, ('<bpmn:flowNodeRef>classify</bpmn:flowNodeRef>', ''),
                   ('<bpmn:flowNodeRef>approve_extension</bpmn:flowNodeRef>',
                    '<bpmn:flowNodeRef>approve_extension</bpmn:flowNodeRef>'
                    '<bpmn:flowNodeRef>classify</bpmn:flowNodeRef>'))
    diff = diff_xml(source, moved)
    assert only_changed(diff) == ["classify"]
    assert changes(diff, "classify") == [{
        "field": "lane", "label": "泳道", "old": "责任部门", "new": "政务服务管理机构"}]


def test_a_renamed_lane_is_a_change_of_the_lane_only(source):
    diff = diff_xml(source, edited(source, ('name="12345热线"', 'name="12345 热线"')))
    assert only_changed(diff) == ["lane_hotline"]


def test_form_fields_added_removed_and_changed(source):
    form = edited(
        source,
        ('label="联系结果"', 'label="联系情况"'),
        ('<camunda:formField id="demand" label="评价人诉求" type="string" />',
         '<camunda:formField id="channel" label="联系方式" type="enum">'
         '<camunda:value id="phone" name="电话" /></camunda:formField>'),
        ('<camunda:value id="unreachable" name="多次联系未果" />',
         '<camunda:value id="unreachable" name="多次联系未果" />'
         '<camunda:value id="refused" name="拒绝沟通" />'))
    found = changes(diff_xml(source, form), "contact")
    assert [(c["field"], c["label"], c["old"], c["new"]) for c in found] == [
        ("form", "新增表单字段", None, "channel（联系方式）"),
        ("form", "删除表单字段", "demand（评价人诉求）", None),
        ("form.contact_result.label", "表单字段「contact_result」的标签", "联系结果", "联系情况"),
        ("form.contact_result.values", "表单字段「contact_result」的可选值",
         "reached: 已联系评价人; unreachable: 多次联系未果",
         "reached: 已联系评价人; unreachable: 多次联系未果; refused: 拒绝沟通")]


def test_a_field_made_optional(source):
    optional = edited(source, (
        '<camunda:formField id="findings" label="核实情况" type="string">\n'
        '            <camunda:validation>\n'
        '              <camunda:constraint name="required" config="true" />',
        '<camunda:formField id="findings" label="核实情况" type="string">\n'
        '            <camunda:validation>\n'
        '              <camunda:constraint name="maxlength" config="500" />'))
    assert changes(diff_xml(source, optional), "verify") == [
        {"field": "form.findings.required", "label": "表单字段「findings」是否必填",
         "old": True, "new": False},
        {"field": "form.findings.constraints", "label": "表单字段「findings」的校验规则",
         "old": None, "new": "maxlength=500"}]


def test_conditions_groups_and_called_processes(source):
    other = edited(
        source,
        ('<bpmn:userTask id="classify" name="整改分类"',
         '<bpmn:userTask id="classify" name="整改分类" camunda:candidateGroups="agency" '
         'camunda:dueDate="P1D"'),
        ('calledElement="appeal"', 'calledElement="appeal_v2"'),
        ('rectify_class == "complex"', 'rectify_class in ("complex", "general")'))
    diff = diff_xml(source, other)
    assert {c["field"]: c["label"] for c in changes(diff, "classify")} == {
        "candidateGroups": "候选组", "@camunda:dueDate": "Camunda 属性 dueDate"}
    assert changes(diff, "appeal") == [{"field": "calledElement", "label": "被调用流程",
                                        "old": "appeal", "new": "appeal_v2"}]
    assert changes(diff, "flow_gw_complex_ledger")[0]["field"] == "conditionExpression"


def test_a_boundary_event_made_interrupting(source):
    diff = diff_xml(source, edited(
        source, ('id="ledger_warn" name="超期预警" cancelActivity="false"',
                 'id="ledger_warn" name="超期预警"')))
    found = [c for c in diff.as_dict()["changed"] if c["id"].startswith("ledger_")]
    assert [c["id"] for c in found] == ["ledger_warn"]
    assert found[0]["changes"] == [{"field": "cancelActivity", "label": "中断任务",
                                    "old": "false", "new": "true"}]


def test_a_layout_only_move(source):
    moved = edited(source, (CLASSIFY_SHAPE,
                            '<dc:Bounds x="1880.5" y="590" width="100" height="80" />'))
    diff = diff_xml(source, moved)
    assert diff.layout_changed and not diff.empty
    assert diff.as_dict() == {"added": [], "removed": [], "changed": [],
                              "layout_changed": True}


def test_numbers_written_otherwise_are_no_move(source):
    same = edited(source, (CLASSIFY_SHAPE,
                           '<dc:Bounds x="1840.0" y="570" width="100" height="80.00" />'))
    assert diff_xml(source, same).empty


def test_labels_are_translated_in_a_request(app):
    text = (ROOT / "bpmn" / "appeal.bpmn").read_text(encoding="utf-8")
    diff = diff_xml(text, text.replace('name="申诉审核"', 'name="申诉审定"'))
    with app.test_request_context("/?lang=en"):
        label = diff.as_dict()["changed"][0]["changes"][0]["label"]
    assert label in ("名称", "Name")  # English once the catalog has it


def test_a_form_field_added_reads_in_english(app, source):
    """id（label） of a field added or removed takes the brackets of the page's language; the
    label typed in the diagram stays as typed."""
    form = edited(source, ('<camunda:formField id="demand" label="评价人诉求" type="string" />',
                           '<camunda:formField id="channel" label="联系方式" type="string" />'))
    with app.test_request_context("/?lang=en"):
        found = changes(diff_xml(source, form), "contact")
    assert [(c["label"], c["old"], c["new"]) for c in found if c["field"] == "form"] == [
        ("Form field added", None, "channel (联系方式)"),
        ("Form field removed", "demand (评价人诉求)", None)]


def test_malformed_xml_is_a_value_error(source):
    with pytest.raises(ValueError, match="not well-formed"):
        diff_xml(source, "<bpmn:definitions>")


def test_the_empty_label_bpmn_js_adds_on_a_rename_is_no_move(source):
    shape = '<dc:Bounds x="750" y="570" width="100" height="80" />'
    renamed = source.replace('name="联系评价人"', 'name="电话联系"').replace(
        shape, shape + "<bpmndi:BPMNLabel />", 1)
    found = diff_xml(source, renamed)
    assert [c.id for c in found.changed] == ["contact"]
    assert found.layout_changed is False
