"""Problems said clearly (app/modeler/validation.py, web.py): a duplicate id is named before the
references it breaks, a gateway way out without a condition, a changed process id, and a
request body that is not JSON."""

from __future__ import annotations

from tests.modeler.test_validation import SHIPPED, check, edited, line_of


def test_a_duplicate_id_is_reported_first_naming_both_elements():
    files = edited("bad_review.bpmn", ('<bpmn:userTask id="verify"', '<bpmn:userTask id="contact"'))
    problems = check(files)
    first = problems[0]
    assert (first.code, first.file, first.element) == ("bpmn.duplicate_id", "bad_review.bpmn",
                                                       "contact")
    assert first.line == line_of(files["bad_review.bpmn"], '<bpmn:userTask id="contact" name="核实')
    assert "重复" in first.message
    assert "联系服务对象" in first.message and "核实认定" in first.message
    assert [p.code for p in problems].count("bpmn.duplicate_id") == 1
    assert {p.code for p in problems[1:]} == {"bpmn.invalid"}  # the references to verify


def test_ids_of_form_options_may_repeat_across_forms():
    assert SHIPPED["bad_review.bpmn"].count('<camunda:value id="phone"') == 2
    assert check(SHIPPED) == []
