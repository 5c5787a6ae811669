"""Gateway conditions and script tasks before deploy (app/modeler/exprcheck.py): they must
parse, keep to the safe subset of app/engine/expressions.py and read only process variables.
Bad diagrams are the shipped ones with a condition or a script replaced."""

from __future__ import annotations

from types import SimpleNamespace
from xml.sax.saxutils import escape

import pytest

from app.cases.lifecycle import start_data
from app.engine.expressions import START_VARIABLES, check
from tests.modeler.test_validation import SHIPPED, codes, edited, line_of
from tests.modeler.test_validation import check as validate_files

CONDITION = 'dispatch == "hotline"'  # flow_gw_dispatch_dispatch in bad_review.bpmn
REOPEN = "<bpmn:script>reopened = True</bpmn:script>"  # script task reopen
FLOW = ("bad_review.bpmn", "flow_gw_dispatch_dispatch")


def with_condition(text: str) -> dict[str, str]:
    return edited("bad_review.bpmn", (CONDITION, escape(text)))


def with_script(text: str) -> dict[str, str]:
    return edited("bad_review.bpmn", (REOPEN, f"<bpmn:script>{escape(text)}</bpmn:script>"))


def test_the_shipped_conditions_and_scripts_keep_to_the_subset():
    assert validate_files(SHIPPED) == []


def test_start_variables_are_what_a_new_case_gets():
    review = SimpleNamespace(rated_object="item", level="不满意", tags=["态度差"])
    case = SimpleNamespace(number="CP-1", jurisdiction="shenzhen", region_code="440305000000",
                           responsibility="item", dispatch="auto", department_code="X",
                           department_name="Y", received_at=SimpleNamespace(
                               isoformat=lambda: "2026-03-02T01:00:00+00:00"), review=review)
    assert set(start_data(case)) == START_VARIABLES


# -- conditions -------------------------------------------------------------------------

def test_a_condition_that_imports_a_module_is_refused():
    files = with_condition('__import__("os").system("touch /tmp/x") or False')
    problems = validate_files(files)
    assert codes(problems) == [("expression.not_allowed", *FLOW)]
    assert problems[0].line == line_of(files["bad_review.bpmn"], "__import__")
    assert "函数调用" in problems[0].message and "条件" in problems[0].message


def test_a_condition_with_a_syntax_error():
    problems = validate_files(with_condition('dispatch == == "hotline"'))
    assert codes(problems) == [("expression.syntax", *FLOW)]
    assert "语法错误" in problems[0].message and 'dispatch == == "hotline"' in problems[0].message


def test_a_condition_reading_an_unknown_variable_suggests_close_ones():
    problems = validate_files(with_condition('dispatchx == "hotline"'))
    assert codes(problems) == [("expression.unknown_variable", *FLOW)]
    assert problems[0].params["name"] == "dispatchx"
    assert "dispatch" in problems[0].params["suggestions"]


def test_each_unknown_variable_is_reported():
    problems = validate_files(with_condition("colour == 1 or size == 2"))
    assert [p.params["name"] for p in problems] == ["colour", "size"]
    assert "工单的初始数据" in problems[0].message


@pytest.mark.parametrize(("text", "what"), [
    ('level.startswith("非")', "call"), ("len(tags) > 0", "call"),
    ("().__class__.__base__ is None", "attribute"), ('tags[0] == "x"', "subscript"),
    ('__name__ == "x"', "dunder"), ("(lambda: True)()", "call"),
    ('[t for t in tags] == []', "comprehension"), ('rectify_class + "x" == "y"', "arithmetic"),
    ('dispatch is "hotline"', "identity"), ('{"a": 1} == tags', "dict"),
    ('f"{dispatch}" == "auto"', "fstring"), ("(x := 1)", "walrus"),
    ("reopened if tags else level", "ternary"), ("open", None),
])
def test_conditions_outside_the_subset(text, what):
    problems = validate_files(with_condition(text))
    if what is None:  # a builtin is no process variable
        assert codes(problems) == [("expression.unknown_variable", *FLOW)]
        return
    assert codes(problems) == [("expression.not_allowed", *FLOW)]
    assert check(text, "eval").refusal.kind == what


def test_conditions_inside_the_subset():
    text = ('dispatch == "hotline" or level in ("不满意", "非常不满意") and not reopened '
            "and extended_until is None and -1 < 2 <= 3 and appeal_opinion != dispatch_note")
    assert validate_files(with_condition(text)) == []


# -- scripts ----------------------------------------------------------------------------

def test_a_script_that_imports_is_refused_at_its_line():
    files = with_script('reopened = True\nimport os\nos.system("id")')
    problems = validate_files(files)
    assert codes(problems) == [("expression.not_allowed", "bad_review.bpmn", "reopen")]
    assert problems[0].line == line_of(files["bad_review.bpmn"], "import os")
    assert "导入" in problems[0].message and "import os" in problems[0].message


@pytest.mark.parametrize(("text", "code"), [
    ('os.system("id")', "expression.not_allowed"), ("reopened.x = 1", "expression.not_allowed"),
    ("for x in tags: pass", "expression.not_allowed"), ("a, b = 1, 2", "expression.not_allowed"),
    ("deadline = 1", "expression.not_allowed"), ("reopened = (", "expression.syntax"),
    ("reopened = Tru", "expression.unknown_variable"), ("", "script.missing"),
])
def test_scripts_outside_the_subset(text, code):
    assert codes(validate_files(with_script(text))) == [(code, "bad_review.bpmn", "reopen")]


def test_what_a_script_assigns_is_a_variable_conditions_may_read():
    files = with_script('reopened = True\nescalated = determination == "valid"')
    files = edited("bad_review.bpmn", (CONDITION, 'escalated and dispatch == "hotline"'),
                   files=files)
    assert validate_files(files) == []


def test_a_multi_instance_loop_expression_is_checked_and_marked_on_its_task():
    loop = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>'
            '__import__("os")</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')
    files = edited("appeal.bpmn", ('<bpmn:userTask id="appeal_decide" name="申诉审核">',
                                   f'<bpmn:userTask id="appeal_decide" name="申诉审核">{loop}'))
    problems = validate_files(files)
    assert ("expression.not_allowed", "appeal.bpmn", "appeal_decide") in codes(problems)
    assert "表达式“__import__(\"os\")”" in problems[0].message


def test_conditions_and_scripts_laid_out_on_indented_lines_pass_and_keep_their_lines():
    files = with_condition('\n        dispatch == "hotline"\n      ')
    files = edited("bad_review.bpmn", (REOPEN, "<bpmn:script>\n        reopened = True\n"
                                       "      </bpmn:script>"), files=files)
    assert validate_files(files) == []
    files = with_condition('\n        dispatch ==\n      ')
    (problem,) = validate_files(files)
    assert problem.code == "expression.syntax"
    assert problem.line == line_of(files["bad_review.bpmn"], "dispatch ==\n")
