"""The case page's diagram marks: current and done steps, a called process through its call
activity and in its own diagram."""

from __future__ import annotations

from sqlalchemy import select

from app.cases import diagram
from app.cases.models import Case
from app.cases.records import CaseTask
from app.extensions import db


def _views(number: str) -> dict[str, diagram.DiagramView]:
    case = db.session.scalar(select(Case).where(Case.number == number))
    tasks = list(db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)))
    return {v.process_id: v for v in diagram.views(case, tasks)}


def test_a_new_case_waits_at_contact(office):
    views = _views(office.number)
    assert list(views) == ["bad_review"]
    assert views["bad_review"].name == "差评处置"
    assert views["bad_review"].current == ("contact",) and views["bad_review"].done == ()


def test_in_appeal_the_call_activity_is_current(office):
    office.do("worker", "contact", contact_result="reached", reason="按错了")
    office.do("worker", "verify", determination="misjudged", findings="属误评")
    views = _views(office.number)
    assert list(views) == ["bad_review", "appeal"]
    assert views["bad_review"].current == ("appeal",)
    assert views["bad_review"].done == ("contact", "verify")
    assert views["appeal"].current == ("appeal_submit",) and views["appeal"].done == ()


def test_xml_of_a_process(office):
    case = db.session.scalar(select(Case).where(Case.number == office.number))
    assert 'id="appeal"' in diagram.xml(case.process_version, "appeal")
    assert diagram.xml(case.process_version, "nothing") is None
