"""Validation of diagrams before deploy (app/modeler/validation.py, app/modeler/safexml.py).

Bad diagrams are made by editing the shipped XML text; the shipped set must stay clean.
Most tests need no app: rule keys are given by hand (the keys of docs/process.md).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import etree

from app.modeler import safexml
from app.modeler.safexml import MAX_BYTES, XmlRefused
from app.modeler.validation import Problem, rule_keys_now, validate

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bpmn").glob("*.bpmn"))}
KEYS = frozenset({
    "dispatch", "contact", "contact.staff", "handle", "rectify.simple", "rectify.general",
    "rectify.complex", "rectify.reopen", "extension.decision", "appeal.submit",
    "appeal.decision", "appeal.feedback", "verify.confirm", "staff.recheck_request",
    "staff.decision", "staff.self_criticism", "feedback", "revisit", "supervise"})
RULE_KEYS = {"jiangsu": KEYS, "shenzhen": KEYS}
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def edited(name: str, *changes: tuple[str, str], files: dict | None = None) -> dict[str, str]:
    """The shipped files with `name` edited: each (old, new) replaced once (old must be there)."""
    out = dict(files or SHIPPED)
    text = out[name]
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    out[name] = text
    return out


def check(files: dict[str, str], rule_keys=RULE_KEYS, key: str = "bad_review") -> list[Problem]:
    return validate(files, key, rule_keys)


def codes(problems: list[Problem]) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.file, p.element) for p in problems]


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


# -- the shipped diagrams ---------------------------------------------------------------

def test_shipped_diagrams_are_clean_with_the_rules_in_force(app_ctx):
    keys = rule_keys_now()
    assert set(keys) == {"jiangsu", "shenzhen"}
    assert "rectify.general" in keys["shenzhen"]
    assert validate(SHIPPED, "bad_review", keys) == []


def test_shipped_diagrams_are_clean_with_the_documented_keys():
    assert set(SHIPPED) == {"bad_review.bpmn", "appeal.bpmn", "staff_review.bpmn"}
    assert check(SHIPPED) == []


# -- XML --------------------------------------------------------------------------------

def test_malformed_xml_is_reported_with_its_line_and_other_files_are_still_checked():
    bad = '<bpmn:endEvent id="dispatch_warn_end">'
    line = line_of(SHIPPED["bad_review.bpmn"], bad)
    files = edited("bad_review.bpmn", (bad, '<bpmn:endEvent id="dispatch_warn_end"><<'))
    files = edited("appeal.bpmn", ('warning("appeal.submit")', 'remind("appeal.submit")'),
                   files=files)
    problems = check(files)
    assert codes(problems) == [("timer.unknown_helper", "appeal.bpmn", "appeal_submit_warn"),
                               ("xml.malformed", "bad_review.bpmn", None)]
    malformed = problems[1]
    assert malformed.line == line
    assert f"第 {line} 行" in malformed.message


def test_empty_file_is_malformed():
    assert codes(check({**SHIPPED, "appeal.bpmn": ""})) == [("xml.malformed", "appeal.bpmn", None)]


XXE = (DECLARATION + '<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
       '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
       '<process id="bad_review"><documentation>&secret;</documentation></process>'
       '</definitions>')


def test_external_entity_is_refused_and_the_file_never_read():
    problems = check({"bad_review.bpmn": XXE})
    assert codes(problems) == [("xml.dtd", "bad_review.bpmn", None)]
    assert problems[0].line == 2
    shown = json.dumps([p.as_dict() for p in problems], ensure_ascii=False)
    assert "root:" not in shown and "/bin/" not in shown
    with pytest.raises(XmlRefused) as refused:
        safexml.parse(XXE)
    assert refused.value.code == "xml.dtd"


def test_the_parser_itself_neither_loads_nor_expands_external_entities():
    """Defence in depth: even past the text check, the parser resolves no entity."""
    root = etree.fromstring(XXE.encode(), safexml._parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")


def test_billion_laughs_is_refused_quickly():
    lols = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (DECLARATION + f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{lols}]>\n'
            "<definitions><documentation>&lol9;</documentation></definitions>")
    started = time.perf_counter()
    problems = check({"bad_review.bpmn": bomb})
    assert time.perf_counter() - started < 1
    assert codes(problems) == [("xml.dtd", "bad_review.bpmn", None)]


@pytest.mark.parametrize("padding", ["x" * (MAX_BYTES + 1), "差" * (MAX_BYTES // 3 + 1)],
                         ids=["ascii", "three-byte characters"])
def test_files_over_two_megabytes_of_utf8_are_refused(padding):
    big = SHIPPED["appeal.bpmn"].replace("</bpmn:definitions>",
                                         f"<!-- {padding} --></bpmn:definitions>")
    assert len(padding) <= MAX_BYTES + 1
    problems = check({**SHIPPED, "appeal.bpmn": big})
    assert codes(problems) == [("xml.too_large", "appeal.bpmn", None)]
    assert str(MAX_BYTES) in problems[0].message


def test_a_file_just_under_the_limit_is_parsed():
    text = SHIPPED["appeal.bpmn"]
    room = MAX_BYTES - len(text.encode()) - len("<!--  -->")
    padded = text.replace("</bpmn:definitions>", f"<!-- {'x' * room} --></bpmn:definitions>")
    assert len(padded.encode()) == MAX_BYTES
    assert check({**SHIPPED, "appeal.bpmn": padded}) == []


def test_an_encoding_other_than_utf8_is_refused():
    with pytest.raises(XmlRefused) as refused:
        safexml.parse('<?xml version="1.0" encoding="GBK"?><a/>')
    assert refused.value.code == "xml.malformed"


def test_a_file_that_is_not_bpmn():
    problems = check({**SHIPPED, "appeal.bpmn": DECLARATION + "<html><body/></html>"})
    assert codes(problems) == [("bpmn.invalid", "appeal.bpmn", None)]


# -- the process set --------------------------------------------------------------------

def test_missing_top_process():
    assert codes(check(SHIPPED, key="complaint")) == [("process.missing", None, None)]


def test_call_activity_to_an_unknown_process():
    files = edited("bad_review.bpmn", ('calledElement="appeal"', 'calledElement="apeal"'))
    problems = check(files)
    assert codes(problems) == [("call.unknown", "bad_review.bpmn", "appeal")]
    assert "apeal" in problems[0].message and "staff_review" in problems[0].message
    assert problems[0].line == line_of(files["bad_review.bpmn"], 'calledElement="apeal"')


def test_call_activity_to_a_file_left_out_of_the_set():
    files = {k: v for k, v in SHIPPED.items() if k != "appeal.bpmn"}
    assert codes(check(files)) == [("call.unknown", "bad_review.bpmn", "appeal")]


def test_spiffworkflow_refusal_names_the_element_and_its_line():
    flow = '<bpmn:sequenceFlow id="flow_contact_verify" sourceRef="contact" targetRef="verify" />'
    files = edited("bad_review.bpmn", (flow, flow + '<bpmn:sequenceFlow id="flow_extra" '
                                       'sourceRef="contact" targetRef="explain" />'))
    problems = check(files)
    assert codes(problems) == [("bpmn.invalid", "bad_review.bpmn", "contact")]
    assert problems[0].line == line_of(files["bad_review.bpmn"], '<bpmn:userTask id="contact"')
    assert "Multiple outgoing flows" in problems[0].message


def test_sequence_flow_to_a_missing_element():
    files = edited("bad_review.bpmn", ('targetRef="contact"', 'targetRef="nowhere"'))
    problems = check(files)
    assert codes(problems) == [("bpmn.invalid", "bad_review.bpmn", "flow_gw_staff_contact")]
    assert "nowhere" in problems[0].message


def test_boundary_event_attached_to_a_missing_task():
    files = edited("bad_review.bpmn", ('attachedToRef="dispatch"', 'attachedToRef="ghost"'))
    assert codes(check(files)) == [("bpmn.invalid", "bad_review.bpmn", "dispatch_warn")]


# -- who works a user task --------------------------------------------------------------

def test_unknown_lane_is_reported_once_on_the_lane():
    files = edited("bad_review.bpmn", ('name="责任部门"', 'name="部门"'))
    problems = check(files)
    assert codes(problems) == [("lane.unknown", "bad_review.bpmn", "lane_department")]
    assert "部门" in problems[0].message and "责任部门" in problems[0].message


def test_candidate_group_wins_over_the_lane():
    files = edited("appeal.bpmn", ('name="政务服务管理机构"', 'name="审核组"'))
    assert codes(check(files)) == [("lane.unknown", "appeal.bpmn", "lane_agency")]
    files = edited("appeal.bpmn", ('<bpmn:userTask id="appeal_decide"',
                                   '<bpmn:userTask camunda:candidateGroups="agency" '
                                   'id="appeal_decide"'), files=files)
    assert check(files) == []


def test_unknown_candidate_group():
    files = edited("appeal.bpmn", ('<bpmn:userTask id="appeal_decide"',
                                   '<bpmn:userTask camunda:candidateGroups="judges" '
                                   'id="appeal_decide"'))
    problems = check(files)
    assert codes(problems) == [("task.no_group", "appeal.bpmn", "appeal_decide")]
    assert "judges" in problems[0].message


def test_user_task_in_no_lane_and_without_a_group():
    files = edited("appeal.bpmn", ("<bpmn:flowNodeRef>appeal_decide</bpmn:flowNodeRef>", ""))
    assert codes(check(files)) == [("task.no_group", "appeal.bpmn", "appeal_decide")]


# -- timers -----------------------------------------------------------------------------

def test_unknown_helper():
    files = edited("bad_review.bpmn", ('warning("dispatch")', 'remind("dispatch")'))
    problems = check(files)
    assert codes(problems) == [("timer.unknown_helper", "bad_review.bpmn", "dispatch_warn")]
    assert "remind" in problems[0].message
    assert problems[0].line == line_of(files["bad_review.bpmn"], 'remind("dispatch")')


def test_rule_key_missing_in_one_jurisdiction_only():
    keys = {"jiangsu": KEYS, "shenzhen": KEYS - {"revisit"}}
    problems = check(SHIPPED, rule_keys=keys)
    assert codes(problems) == [("timer.rule_key", "bad_review.bpmn", "revisit_warn"),
                               ("timer.rule_key", "bad_review.bpmn", "revisit_overdue")]
    message = problems[0].message
    assert "revisit" in message and "shenzhen" in message and "jiangsu" not in message


def test_misspelt_rule_key_suggests_close_ones():
    files = edited("bad_review.bpmn", ('warning("rectify.complex")', 'warning("rectify.complx")'))
    problems = check(files)
    assert codes(problems) == [("timer.rule_key", "bad_review.bpmn", "ledger_warn")]
    assert "rectify.complx" in problems[0].message
    assert "rectify.complex" in problems[0].message
    assert "jiangsu、shenzhen" in problems[0].message


def test_rule_key_from_an_enum_field_needs_every_value():
    files = edited("bad_review.bpmn", ('<camunda:value id="complex" name="综合协调（复杂）" />',
                                       '<camunda:value id="complex" name="综合协调（复杂）" />'
                                       '<camunda:value id="urgent" name="紧急" />'))
    problems = check(files)
    assert {p.code for p in problems} == {"timer.rule_key"}
    assert {p.element for p in problems} == {"rectify_warn", "rectify_overdue",
                                            "request_extension_warn",
                                            "request_extension_overdue"}
    assert all("rectify.urgent" in p.message for p in problems)


def test_rule_key_from_a_field_without_enum_values():
    files = edited("bad_review.bpmn",
                   ('warning("rectify." + rectify_class, extended_until)',
                    'warning("rectify." + rectify_result, extended_until)'))
    problems = check(files)
    assert codes(problems) == [("timer.rule_key", "bad_review.bpmn", "rectify_warn")]
    assert "rectify_result" in problems[0].message


@pytest.mark.parametrize("expression", [
    'overdue("dispatch"', 'helpers.overdue("dispatch")', 'overdue(key="dispatch")',
    'overdue("dispatch", extended_until, 3)', "overdue()", 'overdue(*keys)',
    'overdue("dispatch".upper())', '"2026-03-02T00:00:00+08:00"'])
def test_timer_expressions_that_are_not_a_plain_helper_call(expression):
    files = edited("bad_review.bpmn", ('overdue("dispatch")', expression))
    assert codes(check(files)) == [("timer.expression", "bad_review.bpmn", "dispatch_overdue")]


@pytest.mark.parametrize("definition", ["<bpmn:timeDuration>P1D</bpmn:timeDuration>",
                                        "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>", "",
                                        "<bpmn:timeDate> </bpmn:timeDate>"])
def test_timer_without_a_time_date(definition):
    files = edited("bad_review.bpmn", ('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                                       'overdue("dispatch")</bpmn:timeDate>', definition))
    assert codes(check(files)) == [("timer.not_date", "bad_review.bpmn", "dispatch_overdue")]


# -- forms ------------------------------------------------------------------------------

def form_problems(*changes: tuple[str, str]) -> list[Problem]:
    problems = check(edited("bad_review.bpmn", *changes))
    assert {p.code for p in problems} == {"form.field"}, codes(problems)
    return problems


def test_unsupported_field_type():
    (problem,) = form_problems(('label="承诺完成日期" type="date"',
                                'label="承诺完成日期" type="datetime"'))
    assert problem.element == "ledger"
    assert "promised_date" in problem.message and "datetime" in problem.message


def test_duplicate_field_id_in_one_form():
    (problem,) = form_problems(('id="demand"', 'id="reason"'))
    assert problem.element == "contact" and "reason" in problem.message


def test_enum_without_values():
    (problem,) = form_problems(('<camunda:value id="approved" name="同意延期" />\n', ""),
                               ('<camunda:value id="rejected" name="不同意延期" />', ""))
    assert problem.element == "approve_extension" and "extension_decision" in problem.message


def test_enum_value_without_a_name():
    (problem,) = form_problems(('<camunda:value id="sms" name="短信" />',
                                '<camunda:value id="sms" />'))
    assert problem.element == "feedback"


def test_field_id_shadowing_a_timer_helper():
    (problem,) = form_problems(('id="findings"', 'id="deadline"'))
    assert problem.element == "verify" and "deadline" in problem.message


@pytest.mark.parametrize("field_id", ["2nd_note", "dispatch-note", "class", ""])
def test_field_id_that_is_not_an_identifier(field_id):
    (problem,) = form_problems(('id="dispatch_note"', f'id="{field_id}"'))
    assert problem.element == "dispatch"


def test_field_without_a_label():
    (problem,) = form_problems(('label="派单说明" ', ""))
    assert "dispatch_note" in problem.message


@pytest.mark.parametrize("field", [
    'type="long" defaultValue="many"', 'type="boolean" defaultValue="yes"',
    'type="date" defaultValue="2026-13-01"', 'type="enum" defaultValue="x"><camunda:value '
    'id="a" name="甲" /></camunda:formField><camunda:formField id="other" label="其他" '
    'type="string"'])
def test_default_value_that_does_not_fit_the_type(field):
    (problem,) = form_problems(('id="dispatch_note" label="派单说明" type="string"',
                                f'id="dispatch_note" label="派单说明" {field}'))
    assert "dispatch_note" in problem.message


@pytest.mark.parametrize("constraint", [
    ('name="required" config="yes"'), ('name="minlength" config="x"'),
    ('name="maxlength" config="-1"'), ('name="min" config="1"'), ('name="readonly" config="true"')])
def test_bad_validation_constraints(constraint):
    (problem,) = form_problems(('<camunda:constraint name="required" config="true" />',
                                f"<camunda:constraint {constraint} />"))
    assert problem.element == "dispatch" and "department_code" in problem.message


def test_good_constraints_and_defaults_pass():
    files = edited("bad_review.bpmn", (
        '<camunda:formField id="dispatch_note" label="派单说明" type="string" />',
        '<camunda:formField id="dispatch_note" label="派单说明" type="string" defaultValue="无">'
        '<camunda:validation><camunda:constraint name="minlength" config="2" />'
        '<camunda:constraint name="maxlength" config="200" /></camunda:validation>'
        '</camunda:formField>'
        '<camunda:formField id="copies" label="份数" type="long" defaultValue="1">'
        '<camunda:validation><camunda:constraint name="min" config="1" />'
        '<camunda:constraint name="max" config="9" /></camunda:validation>'
        '</camunda:formField>'))
    assert check(files) == []


def test_minimum_above_maximum():
    (problem,) = form_problems((
        '<camunda:formField id="dispatch_note" label="派单说明" type="string" />',
        '<camunda:formField id="dispatch_note" label="派单说明" type="string">'
        '<camunda:validation><camunda:constraint name="minlength" config="20" />'
        '<camunda:constraint name="maxlength" config="10" /></camunda:validation>'
        '</camunda:formField>'))
    assert "minlength" in problem.message


# -- every problem, in order ------------------------------------------------------------

def test_all_problems_are_reported_by_file_and_line():
    files = edited("bad_review.bpmn", ('overdue("contact")', 'remind("contact")'),
                   ('warning("dispatch")', 'warning("dispatc")'),
                   ('label="承诺完成日期" type="date"', 'label="承诺完成日期" type="datetime"'))
    files = edited("appeal.bpmn", ('name="政务服务管理机构"', 'name="审核组"'), files=files)
    problems = check(files)
    assert codes(problems) == [
        ("lane.unknown", "appeal.bpmn", "lane_agency"),
        ("timer.rule_key", "bad_review.bpmn", "dispatch_warn"),
        ("timer.unknown_helper", "bad_review.bpmn", "contact_overdue"),
        ("form.field", "bad_review.bpmn", "ledger"),
    ]
    lines = [p.line for p in problems[1:]]
    assert lines == sorted(lines)


def test_problem_as_dict_and_message():
    files = edited("bad_review.bpmn", ('warning("dispatch")', 'remind("dispatch")'))
    (problem,) = check(files)
    assert problem.template == "计时器表达式调用了未知函数 %(name)s，可用的函数：%(helpers)s。"
    assert problem.params["name"] == "remind"
    data = problem.as_dict()
    assert set(data) == {"code", "message", "file", "element", "line"}
    assert data["message"] == ("计时器表达式调用了未知函数 remind，"
                               "可用的函数：deadline、warning、overdue。")
    assert hash(problem) == hash(Problem(**{**problem.__dict__}))


def test_message_in_the_app_is_the_chinese_message_id(app_ctx):
    files = edited("bad_review.bpmn", ('warning("dispatch")', 'remind("dispatch")'))
    (problem,) = check(files)
    with app_ctx.test_request_context("/"):
        assert problem.message.startswith("计时器表达式调用了未知函数 remind")
