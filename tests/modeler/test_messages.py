"""Problems said clearly (app/modeler/validation.py, web.py): a duplicate id is named before the
references it breaks, a gateway way out without a condition, a changed process id, and a
request body that is not JSON."""

from __future__ import annotations

from tests.modeler.test_validation import SHIPPED, check, codes, edited, line_of


def test_a_duplicate_id_is_reported_first_naming_both_elements():
    files = edited("bad_review.bpmn", ('<bpmn:userTask id="verify"', '<bpmn:userTask id="contact"'))
    problems = check(files)
    first = problems[0]
    assert (first.code, first.file, first.element) == ("bpmn.duplicate_id", "bad_review.bpmn",
                                                       "contact")
    assert first.line == line_of(files["bad_review.bpmn"], '<bpmn:userTask id="contact" name="核实')
    assert "重复" in first.message
    assert "联系评价人" in first.message and "核实认定" in first.message
    assert [p.code for p in problems].count("bpmn.duplicate_id") == 1
    assert {p.code for p in problems[1:]} == {"bpmn.invalid"}  # the references to verify


def test_ids_of_form_options_may_repeat_across_forms():
    assert SHIPPED["bad_review.bpmn"].count('<camunda:value id="phone"') == 3
    assert check(SHIPPED) == []


def test_a_gateway_way_out_without_condition_or_default_is_said_in_chinese():
    files = edited("bad_review.bpmn", (' default="flow_gw_staff_contact"', ""))
    problems = check(files)
    assert codes(problems) == [("gateway.no_condition", "bad_review.bpmn", "flow_gw_staff_contact")]
    assert problems[0].line == line_of(files["bad_review.bpmn"], 'id="flow_gw_staff_contact"')
    message = problems[0].message
    assert "是否工作人员差评" in message and "其他差评" in message and "默认" in message
    assert "without condition" not in message


def test_an_empty_condition_is_no_condition():
    files = edited("bad_review.bpmn", (' default="flow_gw_staff_contact"', ""),
                   ('responsibility == "staff"', " "))
    assert {p.element for p in check(files)} == {"flow_gw_staff_contact",
                                                 "flow_gw_staff_staff_review"}


def test_a_changed_process_id_names_what_was_expected_and_found():
    files = edited("bad_review.bpmn", ('<bpmn:process id="bad_review"',
                                       '<bpmn:process id="bad_review_2026"'))
    problems = check(files)
    assert codes(problems) == [("process.missing", "bad_review.bpmn", "bad_review_2026")]
    assert problems[0].line == line_of(files["bad_review.bpmn"], '<bpmn:process id=')
    assert problems[0].params == {"file": "bad_review.bpmn", "process": "bad_review",
                                  "found": ("bad_review_2026",)}
    assert "bad_review_2026" in problems[0].message and "改回 bad_review" in problems[0].message


def test_a_top_process_without_its_file_lists_the_processes_found():
    (problem,) = check(SHIPPED, key="complaint")
    assert (problem.code, problem.element, problem.line) == ("process.missing", None, None)
    assert "complaint" in problem.message
    assert problem.params["found"] == ("appeal", "bad_review", "staff_review")
    assert "appeal、bad_review、staff_review" in problem.message


def test_lists_in_a_problem_are_joined_in_the_language_shown(app_ctx):
    """English messages list with ", " (not 、): jurisdictions, suggestions, groups…"""
    from flask_babel import force_locale

    from app.modeler.problems import Listed, Problem
    problem = Problem("timer.rule_key", "规则键“%(key)s”在辖区 %(jurisdictions)s 的规则中不存在。",
                      {"key": "x", "jurisdictions": Listed(["jiangsu", "shenzhen"])})
    with app_ctx.test_request_context(), force_locale("en"):
        assert "jiangsu, shenzhen" in problem.message
    with app_ctx.test_request_context(), force_locale("zh_CN"):
        assert "jiangsu、shenzhen" in problem.message
    assert Problem("c", "%(j)s", {"j": Listed(["jiangsu", "shenzhen"])}).message == (
        "jiangsu、shenzhen")  # outside an app: Chinese
