"""Moving a running case to another process version, the engine on its own
(app.engine.migration): what is safe, what is refused and why, and that a moved case goes on
to its end on the new definition. Definitions are built from edited copies of bpmn/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask_babel import gettext
from lxml import etree

from app import workdays
from app.config import ROOT
from app.engine import CaseClock, CaseRun, ProcessDefinition, definition_for
from app.engine.migration import MigrationRefused, assess, migrate
from app.rules import load_book
from app.workdays import SHANGHAI

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
RECEIVED = datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)
FORMS: dict[str, dict[str, Any]] = {
    "contact": {"contact_result": "reached", "reason": "窗口排队时间过长"},
    "verify": {"determination": "valid", "findings": "情况属实"},
    "confirm_determination": {"confirm_decision": "confirmed"},
    "classify": {"rectify_class": "simple"},
    "rectify": {"rectify_outcome": "done", "rectify_result": "已增开窗口"},
    "feedback": {"feedback_text": "已告知", "feedback_channel": "phone"},
    "revisit": {"revisit_result": "satisfied", "revisit_channel": "phone"},
    "appeal_submit": {"appeal_reason": "评价人误操作"},
    "appeal_decide": {"appeal_result": "upheld", "appeal_opinion": "证据充分"},
    "appeal_feedback": {"hotline_result": "误评，差评无效", "hotline_channel": "work_order",
                        "hotline_informed_on": "2026-10-09", "follow_up_guided": True,
                        "follow_up_note": "已引导追加评价"},
}


@pytest.fixture(scope="module")
def book():
    workdays.configure(ROOT / "calendars", reload_seconds=0)
    return load_book(ROOT / "rules")


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bpmn").glob("*.bpmn"))}


def edit(files: dict[str, str], name: str, *pairs: tuple[str, str]) -> dict[str, str]:
    """A copy of `files` with text replaced in file `name` (each old text must be there)."""
    text = files[name]
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return {**files, name: text}


def insert_after(text: str, task: str, new_id: str, name: str) -> str:
    """A user task `new_id` on the path right after `task`, in the same lane."""
    root = etree.fromstring(text.encode())
    flow = next(f for f in root.iter(f"{{{BPMN}}}sequenceFlow") if f.get("sourceRef") == task)
    process = flow.getparent()
    etree.SubElement(process, f"{{{BPMN}}}userTask", id=new_id, name=name)
    etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id=f"flow_{new_id}", sourceRef=new_id,
                     targetRef=flow.get("targetRef"))
    flow.set("targetRef", new_id)
    ref = next(r for r in root.iter(f"{{{BPMN}}}flowNodeRef") if r.text == task)
    ref.addnext(etree.Element(f"{{{BPMN}}}flowNodeRef"))
    ref.getnext().text = new_id
    return etree.tostring(root, encoding="unicode")


def said(run: CaseRun, target: ProcessDefinition) -> list[str]:
    """The reasons `assess` gives, in Chinese."""
    return [str(reason) for reason in assess(run, target)]


def variant(files: dict[str, str], name: str, *pairs: tuple[str, str]) -> ProcessDefinition:
    return definition_for("bad_review", edit(files, name, *pairs))


def with_step_after(files: dict[str, str], task: str, new_id: str, name: str):
    text = insert_after(files["bad_review.bpmn"], task, new_id, name)
    return definition_for("bad_review", {**files, "bad_review.bpmn": text})


Start = Callable[..., CaseRun]


@pytest.fixture()
def start(book, files, time_machine) -> Start:
    """Start a Shenzhen item case received at RECEIVED on `definition` (the shipped one by
    default); the clock is the travelled time."""
    time_machine.move_to(RECEIVED, tick=False)

    def start(definition: ProcessDefinition | None = None, **data: Any) -> CaseRun:
        clock = CaseClock(RECEIVED, "440305000000", book.get("shenzhen"),
                          now=lambda: datetime.now(SHANGHAI))
        run, _ = CaseRun.start(definition or definition_for("bad_review", files), clock, {
            "case_number": "CP-20260930-000001", "jurisdiction": "shenzhen",
            "region_code": "440305000000", "responsibility": "item", "rated_object": "item",
            "dispatch": "auto", "department_code": "x", "department_name": "某部门",
            "level": "不满意", "tags": [], "received_at": RECEIVED.isoformat(),
            "extended_until": None, "reopened": False, "determination": None,
            "rectify_class": None, "appeal_result": None, "staff_determination": None,
            **data})
        return run

    return start


def steps(run: CaseRun) -> list[str]:
    return sorted(v.step for v in run.user_tasks())


def work(run: CaseRun, *names: str, **overrides: Any) -> CaseRun:
    """Complete each step in turn (it must be the one open step) with its usual form."""
    for name in names:
        assert steps(run) == [name]
        run.complete(run.user_tasks()[0].task_id, {**FORMS[name], **overrides.get(name, {})})
    return run


def finish(run: CaseRun) -> list[str]:
    """Work the case to its end on the valid path; the steps worked."""
    done = []
    while not run.completed:
        step = steps(run)[0]
        work(run, step)
        done.append(step)
    return done


# -- safe moves --------------------------------------------------------------------------

def test_a_later_step_renamed_moves_and_the_case_finishes_on_the_new_version(start, files):
    run = start()
    target = variant(files, "bad_review.bpmn", ('name="整改分类"', 'name="整改定级"'))
    assert said(run, target) == []
    moved = migrate(run, target)
    assert moved.definition is target
    again = CaseRun.load(target, moved.dump(), moved.clock)  # it loads with the target
    work(again, "contact", "verify")
    assert [v.info.title for v in again.user_tasks()] == ["整改定级"]
    assert finish(again) == ["classify", "rectify", "feedback", "revisit"]


def test_the_open_step_keeps_its_task_data_and_deadlines(start, files, time_machine):
    run = start()
    work(run, "contact")
    before_tasks = [(v.task_id, v.step) for v in run.user_tasks()]
    before_timers = sorted((t.task_id, t.event, t.due_at) for t in run.timers())
    target = variant(files, "bad_review.bpmn", ('name="回访"', 'name="电话回访"'))
    moved = migrate(run, target)
    assert [(v.task_id, v.step) for v in moved.user_tasks()] == before_tasks
    assert sorted((t.task_id, t.event, t.due_at) for t in moved.timers()) == before_timers
    assert moved.user_tasks()[0].data["reason"] == "窗口排队时间过长"
    time_machine.move_to(datetime(2026, 10, 19, 0, 0, 1, tzinfo=SHANGHAI), tick=False)
    assert [f.timer.event for f in moved.fire_due()] == ["verify_warn"]  # still fires


def test_a_step_inserted_after_the_open_one_is_reached(start, files):
    run = start()
    target = with_step_after(files, "verify", "recheck", "复核认定")
    assert said(run, target) == []
    moved = migrate(run, target)
    work(moved, "contact", "verify")
    assert steps(moved) == ["recheck"]
    moved.complete(moved.user_tasks()[0].task_id, {})
    assert steps(moved) == ["classify"]


def test_a_step_removed_from_a_branch_not_taken_moves(start, files):
    old = with_step_after(files, "explain", "explain_check", "核对解释")
    run = work(start(old), "contact", "verify", "classify")
    target = definition_for("bad_review", files)
    assert said(run, target) == []
    assert finish(migrate(run, target)) == ["rectify", "feedback", "revisit"]


def test_the_same_definition_is_nothing_to_do(start, files):
    run = start()
    same = definition_for("bad_review", dict(files))
    assert said(run, same) == []
    assert migrate(run, same).workflow is run.workflow


def test_the_open_step_reworded_moves_with_its_data_and_deadlines(start, files, time_machine):
    """Its name, instructions and form labels are words: the step keeps its task, data and
    timers, and reads the new words (a supervisor's typo fix does not strand open cases)."""
    run = start()
    run.user_tasks()[0].data["draft"] = "已拨打"  # data the step holds so far
    before_timers = sorted((t.task_id, t.event, t.due_at) for t in run.timers())
    task_id = run.user_tasks()[0].task_id
    target = variant(files, "bad_review.bpmn", ('name="联系评价人"', 'name="电话联系评价人"'),
                     ('label="差评原因"', 'label="评价人所述差评原因"'),
                     ("责任部门经办人联系评价人", "责任部门经办人电话联系评价人"))
    assert said(run, target) == []
    moved = migrate(run, target)
    (view,) = moved.user_tasks()
    assert (view.task_id, view.info.title) == (task_id, "电话联系评价人")
    assert view.data["draft"] == "已拨打"
    assert "评价人所述差评原因" in [f.label for f in view.info.form]
    assert view.info.documentation.startswith("责任部门经办人电话联系评价人")
    assert sorted((t.task_id, t.event, t.due_at) for t in moved.timers()) == before_timers
    assert finish(moved) == ["contact", "verify", "classify", "rectify", "feedback", "revisit"]


# -- refused moves -----------------------------------------------------------------------

def test_the_open_step_changed_is_refused_and_the_run_is_untouched(start, files):
    run = start()
    state = run.dump()
    target = with_step_after(files, "contact", "contact_check", "核对联系结果")
    reasons = said(run, target)
    assert len(reasons) == 1
    assert "进行中的「联系评价人」已修改（后续连线）" in reasons[0]
    with pytest.raises(MigrationRefused) as refused:
        migrate(run, target)
    assert list(map(str, refused.value.reasons)) == reasons
    assert run.dump() == state


def test_a_timer_of_the_open_step_changed_is_refused(start, files):
    run = start()
    target = variant(files, "bad_review.bpmn", ('warning("contact")', 'warning("handle")'))
    assert said(run, target) == [
        "「差评处置」流程中进行中的「联系评价人」的「超期预警」已修改（计时器），"
        "迁移需重置该步骤并丢失其时限"]
    # the same change while the case is past that step is safe
    assert said(work(start(), "contact"), target) == []


def test_a_timer_added_to_the_open_step_is_refused(start, files):
    extra = ('<bpmn:boundaryEvent id="contact_extra" name="提醒" cancelActivity="false" '
             'attachedToRef="contact"><bpmn:outgoing>flow_contact_extra</bpmn:outgoing>'
             '<bpmn:timerEventDefinition><bpmn:timeDate>deadline("contact")</bpmn:timeDate>'
             '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
             '<bpmn:endEvent id="contact_extra_end"/>'
             '<bpmn:sequenceFlow id="flow_contact_extra" sourceRef="contact_extra" '
             'targetRef="contact_extra_end"/>')
    target = variant(files, "bad_review.bpmn",
                     ('<bpmn:userTask id="verify"', extra + '<bpmn:userTask id="verify"'))
    reasons = said(start(), target)
    assert any("「联系评价人」上的边界事件（计时器）已增删" in r for r in reasons)


def test_a_removed_step_the_case_went_through_or_will_reach_is_refused(start, files):
    old = with_step_after(files, "verify", "recheck", "复核认定")
    target = definition_for("bad_review", files)
    ahead = start(old)
    assert "「差评处置」流程中后续的「复核认定」在目标版本中已删除" in said(ahead, target)
    behind = start(old)
    work(behind, "contact", "verify")
    behind.complete(behind.user_tasks()[0].task_id, {})
    assert "「差评处置」流程中已办理的「复核认定」在目标版本中已删除" in said(behind, target)
    with pytest.raises(MigrationRefused):
        migrate(behind, target)


def test_another_process_is_refused(start, files):
    other = definition_for("appeal", files)
    assert said(start(), other) == ["目标版本的流程是 appeal，不是 bad_review"]


# -- called processes --------------------------------------------------------------------

@pytest.fixture()
def in_appeal(start) -> CaseRun:
    run = start()
    return work(run, "contact", "verify", "confirm_determination",
                verify={"determination": "misjudged"})


def test_a_called_process_changed_after_its_open_step_moves(in_appeal, files):
    assert steps(in_appeal) == ["appeal_submit"]
    target = variant(files, "appeal.bpmn", ('name="申诉审核"', 'name="申诉审定"'))
    assert said(in_appeal, target) == []
    moved = migrate(in_appeal, target)
    work(moved, "appeal_submit")
    assert [v.info.title for v in moved.user_tasks()] == ["申诉审定"]
    work(moved, "appeal_decide")
    assert not moved.completed  # upheld: the result goes back to the hotline (反馈核实结果)
    work(moved, "appeal_feedback")
    assert moved.completed  # and the case ends, the bad review invalid


def test_the_open_step_of_a_called_process_changed_is_refused(in_appeal, files):
    renamed = variant(files, "appeal.bpmn", ('name="提出申诉"', 'name="提交申诉"'))
    assert said(in_appeal, renamed) == []  # words only
    target = variant(files, "appeal.bpmn", ('warning("appeal.submit")', 'warning("handle")'),
                     ('overdue("appeal.submit")', 'overdue("handle")'))
    assert said(in_appeal, target) == [
        "「申诉」流程中进行中的「提出申诉」的「超期预警」已修改（计时器），"
        "迁移需重置该步骤并丢失其时限",
        "「申诉」流程中进行中的「提出申诉」的「超期督办」已修改（计时器），"
        "迁移需重置该步骤并丢失其时限"]


def test_a_called_process_that_is_gone_is_refused(in_appeal, files):
    renamed = edit(files, "appeal.bpmn", ('processRef="appeal"', 'processRef="appeal2"'),
                   ('<bpmn:process id="appeal"', '<bpmn:process id="appeal2"'))
    renamed = edit(renamed, "bad_review.bpmn",
                   ('calledElement="appeal"', 'calledElement="appeal2"'))
    reasons = said(in_appeal, definition_for("bad_review", renamed))
    assert "被调用的流程 appeal 在目标版本中已不存在" in reasons
    assert any("进行中的「申诉」已修改（被调用流程）" in r for r in reasons)


def test_the_open_step_given_to_another_group_is_refused(start, files):
    target = variant(files, "bad_review.bpmn", ('<bpmn:userTask id="contact" name="联系评价人"',
                                                '<bpmn:userTask id="contact" name="联系评价人" '
                                                'camunda:candidateGroups="hotline"'))
    assert said(start(), target) == [
        "进行中的「联系评价人」改由其他岗位办理（责任部门 → 12345热线）"]


# -- the reasons in English --------------------------------------------------------------

def test_the_reasons_read_in_english_but_a_typed_step_name(app, start, files):
    """Each reason is a message id and its parameters: the words of the interface and the
    catalog's step and group names are translated, a step name typed in a diagram stays."""
    old = with_step_after(files, "verify", "recheck", "电话复核")
    regrouped = variant(files, "bad_review.bpmn", ('<bpmn:userTask id="contact" name="联系评价人"',
                                                   '<bpmn:userTask id="contact" name="联系评价人" '
                                                   'camunda:candidateGroups="hotline"'))
    removed, = assess(start(old), definition_for("bad_review", files))
    moved_on, = assess(start(), regrouped)
    with app.test_request_context("/?lang=en"):
        assert [removed.text(gettext), moved_on.text(gettext)] == [
            "In the “Bad-review handling” process, the later step “电话复核” is deleted in the "
            "target version",
            "The open step “Contact the reviewer” is now done by another group "
            "(Responsible department → 12345 hotline)"]
    assert str(removed) == "「差评处置」流程中后续的「电话复核」在目标版本中已删除"
