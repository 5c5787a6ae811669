"""Moving open cases to a new process version (app.modeler.migrate), persisted: a safe change
moves the case (state, version, event) and it is worked to its end on the new version through
the API; a change to the current step is refused and the case is left as it was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.cases import runcache
from app.cases.models import Case
from app.cases.records import CaseEvent, CaseState
from app.extensions import db
from app.modeler.migrate import Outcome, move_cases
from app.processes import service as processes
from app.processes.models import ProcessVersion

SZ = "shenzhen"
RECEIVED = "2026-09-30 10:00"
FORMS: dict[str, dict[str, Any]] = {
    "contact": {"contact_result": "reached", "reason": "窗口排队时间过长"},
    "verify": {"determination": "valid", "findings": "调取监控，情况属实"},
    "classify": {"rectify_class": "simple"},
    "rectify": {"rectify_outcome": "done", "rectify_result": "已增开两个窗口"},
    "feedback": {"feedback_text": "已告知评价人", "feedback_channel": "phone"},
    "revisit": {"revisit_result": "satisfied", "revisit_channel": "phone"},
}
WHO = {"revisit": "sz_hotline"}


def post(desk, travel) -> str:
    travel(RECEIVED)
    return desk.post("sz", rated_at="2026-09-30T08:00:00+08:00")


def work(desk, number: str, *steps: str) -> None:
    for step in steps:
        desk.do(WHO.get(step, "sz_worker"), number, step, **FORMS[step])


def deploy(*pairs: tuple[str, str], comment: str = "修改") -> ProcessVersion:
    """A new Shenzhen version: the current one with text replaced in bad_review.bpmn."""
    current = processes.current(SZ)
    text = current.files["bad_review.bpmn"]
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    version = processes.deploy(SZ, current.process_key,
                               {**current.files, "bad_review.bpmn": text},
                               source="modeler", by="tester", comment=comment)
    db.session.commit()
    return version


def snapshot(number: str) -> tuple:
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.number == number))
    state = db.session.get(CaseState, case.id)
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.id)).all()
    return case, state, list(kinds)


def test_a_safe_change_moves_the_case_and_it_finishes_on_the_new_version(desk, travel):
    number = post(desk, travel)
    work(desk, number, "contact")  # the workflow is now kept in the run cache, on v1
    v1 = processes.current(SZ)
    v2 = deploy(('name="整改分类"', 'name="整改定级"'), comment="整改分类改名")
    now = travel("2026-09-30 11:00")
    before, _, _ = snapshot(number)
    version_before = before.version

    assert move_cases([number], SZ, v2.id, "sz_boss", now) == [
        Outcome(number, True, [], v1.label, v2.label)]

    case, state, kinds = snapshot(number)
    assert case.process_version_id == state.process_version_id == v2.id
    assert case.version == version_before + 1
    assert kinds[-1] == "process_migrated"
    event = desk.case(number)["timeline"][-1]
    assert (event["kind"], event["kind_label"], event["actor"]) == (
        "process_migrated", "流程版本迁移", "sz_boss")
    assert event["data"] == {"from": "bad_review v1", "to": "bad_review v2"}
    kept = runcache.cache.take(case.id, case.version, v2.id)  # the moved workflow, on v2
    assert kept is not None and kept.spec is processes.definition(v2).spec
    runcache.cache.put(case.id, case.version, v2.id, kept)

    work(desk, number, "verify")
    assert desk.task(number, "classify")["title"] == "整改定级"  # the new version's step
    work(desk, number, "classify", "rectify", "feedback", "revisit")
    found = desk.case(number)
    assert found["status"] == "closed"
    assert found["process_version"]["label"] == "bad_review v2"


def test_a_change_to_the_current_step_is_refused_and_the_case_is_untouched(desk, travel):
    number = post(desk, travel)
    v1 = processes.current(SZ)
    v2 = deploy(('warning("contact")', 'warning("handle")'))
    case, state, kinds = snapshot(number)
    seen = (case.version, case.process_version_id, state.state, state.process_version_id)

    [outcome] = move_cases([number], SZ, v2.id, "sz_boss", travel("2026-09-30 11:00"))

    assert (outcome.number, outcome.moved, outcome.from_label, outcome.to_label) == (
        number, False, v1.label, v2.label)
    assert list(map(str, outcome.reasons)) == [
        "「差评处置」流程中进行中的「联系评价人」的「超期预警」已修改（计时器），迁移需重置该步骤并丢失其时限"]
    case, state, after = snapshot(number)
    assert (case.version, case.process_version_id, state.state,
            state.process_version_id) == seen
    assert after == kinds
    work(desk, number, "contact")  # still works on its own version
    assert desk.steps(number) == ["verify"]


def test_the_current_step_reworded_moves_and_its_task_takes_the_new_name(desk, travel):
    """A supervisor's rewording of the step a case waits at (name, instructions, labels) is
    safe: the case moves, its open task keeps its id, holder and deadline and reads the new
    name in the inbox, the API and the case; what was done before keeps its words."""
    number = post(desk, travel)
    before = desk.task(number, "contact")
    resp = desk.client.post(f"/api/v1/tasks/{before['task_id']}/claim",
                            headers=desk.headers["sz_worker"])
    assert resp.status_code == 200, resp.get_json()
    before = desk.task(number, "contact")
    v2 = deploy(('name="联系评价人"', 'name="电话联系评价人"'),
                ('label="差评原因"', 'label="评价人所述差评原因"'))

    [outcome] = move_cases([number], SZ, v2.id, "sz_boss", travel("2026-09-30 11:00"))

    assert outcome.moved and outcome.reasons == []
    task = desk.task(number, "contact")
    assert task["title"] == "电话联系评价人"
    assert (task["task_id"], task["assignee"], task["deadline"]) == (
        before["task_id"], before["assignee"], before["deadline"])
    mine = desk.tasks("sz_worker", view="mine")
    assert [(t["case_number"], t["title"]) for t in mine] == [(number, "电话联系评价人")]
    work(desk, number, "contact")
    timeline = desk.case(number)["timeline"]
    assert [e["title"] for e in timeline if e["kind"] == "completed"] == ["电话联系评价人"]
    assert desk.steps(number) == ["verify"]


def test_every_open_case_on_an_older_version(desk, travel):
    at_contact, at_classify, closed = (post(desk, travel) for _ in range(3))
    work(desk, at_classify, "contact", "verify")
    work(desk, closed, "contact", "verify", "classify", "rectify", "feedback", "revisit")
    jiangsu = desk.post("js", rated_at="2026-09-30T08:00:00+08:00")
    v2 = deploy(('name="回访"', 'name="电话回访"'))

    outcomes = move_cases(None, SZ, v2.id, "sz_boss", travel("2026-09-30 12:00"))

    assert [(o.number, o.moved) for o in outcomes] == [(at_contact, True), (at_classify, True)]
    assert snapshot(closed)[0].process_version_id != v2.id
    assert snapshot(jiangsu)[0].process_version_id != v2.id
    assert move_cases(None, SZ, v2.id, "sz_boss", travel("2026-09-30 12:05")) == []


def test_cases_that_cannot_be_named(desk, travel):
    number = post(desk, travel)
    v2 = deploy(('name="回访"', 'name="电话回访"'))
    now = travel("2026-09-30 11:00")
    assert move_cases([number], SZ, v2.id, "sz_boss", now)[0].moved
    outcomes = move_cases([number, "CP-20260930-999999"], SZ, v2.id, "sz_boss", now)
    assert [(o.moved, list(map(str, o.reasons))) for o in outcomes] == [
        (False, ["工单已在该流程版本上"]), (False, ["未找到该辖区的工单"])]
    with pytest.raises(LookupError):
        move_cases([number], "jiangsu", v2.id, "sz_boss", now)
