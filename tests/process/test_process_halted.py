"""Rules that lack a rule key the process in force uses (rule files edited while the app was
down: a reload would refuse them, a restart loads them). /healthz and the home page say so; a
completion whose next step needs the key is refused with a clear message (503, the form kept on
the web page), nothing changed; a timer firing into it fails, recorded, and is retried; with the
key back, the same completion goes through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth import users
from app.auth.models import User
from app.cases.models import Case
from app.cases.records import CaseEvent, CaseTimer
from app.config import ROOT
from app.extensions import db
from app.rules import RuleRegistry
from app.timeutil import utcnow
from tests.process.conftest import SZ_STAFF_UNIT

RECTIFY = {"rectify_outcome": "done", "rectify_result": "已增开两个窗口"}


def _rules_without(target: Path, key: str) -> Path:
    """The shipped rule files, copied to `target` without the deadline `key` ("feedback",
    "staff.decision": a block indented by two spaces a level, under `deadlines:`)."""
    target.mkdir()
    for path in (ROOT / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        start, parts = text.index("\ndeadlines:"), key.split(".")
        for depth, part in enumerate(parts, 1):
            found = re.compile(rf"^{'  ' * depth}{re.escape(part)}:.*\n", re.M).search(text, start)
            start = found.start()
        indent = "  " * (len(parts) + 1)
        block = re.compile(rf"^.*\n({indent}.*\n)+", re.M).match(text, start)
        (target / path.name).write_text(text.replace(block.group(0), "", 1), encoding="utf-8")
    return target


@pytest.fixture()
def without(app, tmp_path, monkeypatch):
    """Start (a new registry, as at a restart) on rules without the given key."""
    def load(key: str) -> None:
        monkeypatch.setitem(app.extensions, "rules",
                            RuleRegistry(_rules_without(tmp_path / key, key), 0))
    return load


def _at_rectify(desk) -> str:
    number = desk.post()
    desk.do("sz_worker", number, "contact", contact_result="reached", reason="排队",
            demand="加窗口")
    desk.do("sz_worker", number, "verify", determination="valid", findings="属实")
    desk.do("sz_worker", number, "classify", rectify_class="simple")
    return number


def _snapshot(number: str) -> tuple:
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == number))
    events = db.session.scalar(select(func.count()).select_from(CaseEvent)
                               .where(CaseEvent.case_id == case.id))
    return case.version, case.status, case.current_steps, events


def test_healthz_and_the_home_page_name_the_missing_key(desk, client, without, time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"))
    desk.post()  # deploys the shipped diagrams
    body = client.get("/healthz").get_json()
    assert body["processes"]["missing_rule_keys"] == []
    without("feedback")
    body = client.get("/healthz").get_json()
    assert body["status"] == "warning"
    missing = body["processes"]["missing_rule_keys"]
    assert len(missing) == 1  # only Shenzhen's process is deployed yet
    assert re.fullmatch(
        r".*shenzhen\.yaml: rule key 'feedback' is missing, but bad_review v\d+ \(shenzhen\) "
        r"uses it at (bad_review\.bpmn:\d+ \w+, )*bad_review\.bpmn:\d+ feedback_overdue: "
        r"cases reaching those timers cannot go on\. Add the key back, or deploy diagrams "
        r"without it \(modeler\)\.", missing[0])
    page = client.get("/").get_data(as_text=True)
    assert "规则文件缺少流程正在使用的时限规则" in page and "feedback_overdue" in page


def test_api_completion_is_refused_and_nothing_changes(desk, without, time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"))
    number = _at_rectify(desk)
    before = _snapshot(number)
    without("feedback")
    task = desk.task(number, "rectify")
    resp = desk.complete("sz_worker", task["task_id"], **RECTIFY)
    assert resp.status_code == 503
    message = resp.get_json()["message"]
    assert message.startswith("the process cannot go on at feedback_warn (超期预警) of feedback "
                              "(反馈结果): shenzhen: no deadline rule 'feedback'; known: ")
    assert "Nothing was changed" in message
    assert _snapshot(number) == before
    assert desk.steps(number) == ["rectify"]


def test_with_the_key_back_the_same_completion_goes_through(desk, app, without,
                                                            monkeypatch, time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"))
    number = _at_rectify(desk)
    shipped = app.extensions["rules"]
    without("feedback")
    task = desk.task(number, "rectify")
    assert desk.complete("sz_worker", task["task_id"], **RECTIFY).status_code == 503
    monkeypatch.setitem(app.extensions, "rules", shipped)
    assert desk.complete("sz_worker", task["task_id"], **RECTIFY).status_code == 200
    assert desk.steps(number) == ["feedback"]


def test_the_task_page_keeps_the_form_and_says_why(desk, app, without, time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"))
    number = _at_rectify(desk)
    user = db.session.scalar(select(User).where(User.username == "sz_worker"))
    users.set_password(user, "halted-pass-123")
    db.session.commit()
    page = app.test_client()
    page.post("/login", data={"username": "sz_worker", "password": "halted-pass-123"})
    without("feedback")
    task = desk.task(number, "rectify")
    resp = page.post(f"/tasks/{task['task_id']}", data=RECTIFY)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert "未能提交：流程在“反馈结果（超期预警）”无法继续" in html and "no deadline rule" in html
    assert "已增开两个窗口" in html  # what was typed is still in the form
    assert desk.steps(number) == ["rectify"]


def test_a_timer_firing_into_it_fails_recorded_and_retried(desk, without, time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    number = desk.post(rated_object="staff", channel="hall_tablet", staff_no="A0123",
                       staff_name="李四", staff_unit_code=SZ_STAFF_UNIT[0],
                       staff_unit_name=SZ_STAFF_UNIT[1])
    time_machine.move_to(desk.at("2026-10-08 10:00"), tick=False)
    desk.do("sz_personnel", number, "staff_notify", staff_reason="态度生硬", staff_notified=True)
    # the re-check window (staff.recheck_request, 3 working days) ends 10/12 23:59:59 with no
    # request: the staff member writes the self-criticism, timed by staff.self_criticism
    without("staff.self_criticism")
    time_machine.move_to(desk.at("2026-10-13 09:00"), tick=False)
    desk.tick()
    db.session.rollback()
    failing = db.session.scalars(select(CaseTimer).where(CaseTimer.attempts > 0)).all()
    assert len(failing) == 1 and failing[0].fire_at > utcnow()  # retried later
    assert ("ProcessHalted: the process cannot go on at staff_self_criticism_warn"
            in failing[0].last_error)
    assert "no deadline rule 'staff.self_criticism'" in failing[0].last_error
    assert desk.steps(number) == ["staff_recheck_request"]
