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
    office.do("boss", "confirm_determination", confirm_decision="confirmed")
    views = _views(office.number)
    assert list(views) == ["bad_review", "appeal"]
    assert views["bad_review"].current == ("appeal",)
    assert views["bad_review"].done == ("confirm_determination", "contact", "verify")
    assert views["appeal"].current == ("appeal_submit",) and views["appeal"].done == ()


def test_xml_of_a_process(office):
    case = db.session.scalar(select(Case).where(Case.number == office.number))
    assert 'id="appeal"' in diagram.xml(case.process_version, "appeal")
    assert diagram.xml(case.process_version, "nothing") is None


def test_labels_name_each_element_in_the_language_asked(office, app):
    from flask_babel import force_locale, gettext

    case = db.session.scalar(select(Case).where(Case.number == office.number))
    tasks = list(db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)))
    with app.test_request_context(), force_locale("en"):
        labels = diagram.views(case, tasks, gettext)[0].labels
    assert labels["lane_hotline"] == "12345 hotline" and labels["contact"] == "Contact the reviewer"
    assert labels["contact_warn"] == "Overdue warning" and labels["dispatch_overdue"] != "超期督办"
    # a gateway's ways out name what was decided (not buttons), as their neighbours do
    assert (labels["flow_gw_dispatch_dispatch"], labels["flow_gw_dispatch_gw_dispatched"]) == (
        "Manual dispatch", "Automatic dispatch")
    assert (labels["flow_gw_extension_decision_apply_extension"],
            labels["flow_gw_extension_decision_gw_rectify"]) == ("Approved", "Rejected")
    assert all(ch < "\u4e00" or ch > "\u9fff" for name in labels.values() for ch in name)
    with app.test_request_context(), force_locale("zh_CN"):
        assert diagram.views(case, tasks, gettext)[0].labels == {}  # drawn as deployed
    assert diagram.views(case, tasks)[0].labels == {}
