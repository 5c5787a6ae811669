"""The tasks and cases API's rules: form validation (422, nothing changed), conflicts (409),
claiming, views and filters, department and region scoping, and authentication."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.auth import tokens, users
from app.cases.models import Case
from app.cases.records import CaseEvent, CaseTask, CaseTimer
from app.demo.data import uscc
from app.extensions import db
from app.org import service as org

SZ_DEPT = (uscc("440300", 3), "深圳市人力资源和社会保障局")
RECEIPT = "2026-09-30 10:00"  # Wednesday before 国庆

FORMS = {
    "contact": {"contact_result": "reached", "reason": "窗口排队时间过长"},
    "verify": {"determination": "valid", "findings": "情况属实"},
    "classify": {"rectify_class": "complex"},
    "ledger": {"plan": "增设窗口", "promised_date": "2026-10-20", "owner": "王主任"},
    "rectify": {"rectify_outcome": "extend", "rectify_result": "设备未到货"},
    "request_extension": {"extension_reason": "需采购设备", "requested_until": "2026-10-30",
                          "reviewer_informed": True},
}
PATH = list(FORMS)  # contact → verify → classify (complex) → ledger → rectify (extend) → ...


@pytest.fixture()
def at(desk, time_machine):
    def move(when: str) -> None:
        time_machine.move_to(desk.at(when), tick=False)
    move(RECEIPT)
    return move


def post(desk, where: str = "sz", **overrides) -> str:
    rated = "2026-09-30T08:00:00+08:00"
    return desk.post(where, rated_at=rated, **overrides)


def drive(desk, number: str, until: str, who: str = "sz_worker", **forms) -> dict:
    """Complete the steps of PATH before `until`; returns the open `until` task."""
    for step in PATH[:PATH.index(until)]:
        if step not in desk.steps(number):  # ledger: complex cases only
            continue
        desk.do(who, number, step, **{**FORMS[step], **forms.get(step, {})})
    return desk.task(number, until)


def snapshot(number: str) -> dict:
    """What a refused change must leave alone: version, tasks, timers, events, state."""
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == number))
    tasks = db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)
                               .order_by(CaseTask.id)).all()
    timers = db.session.scalars(select(CaseTimer).where(CaseTimer.case_id == case.id)
                                .order_by(CaseTimer.id)).all()
    return {
        "version": case.version, "status": case.status, "steps": case.current_steps,
        "tasks": [(t.task_id, t.step, t.state, t.assignee_id) for t in tasks],
        "timers": [(t.task_id, t.kind, t.fire_at, t.attempts) for t in timers],
        "events": db.session.scalar(select(func.count(CaseEvent.id))
                                    .where(CaseEvent.case_id == case.id)),
        "state": case_state(case.id),
    }


def case_state(case_id: int) -> str:
    from app.cases.records import CaseState
    return db.session.get(CaseState, case_id).state


# -- 422: the form's rules, nothing changed -------------------------------------------------

INVALID = [
    # (step, data, field, message)
    ("contact", {"contact_result": "reached"}, "reason", "Missing data for required field."),
    ("contact", {"contact_result": "reached", "reason": "  "}, "reason",
     "Length must be between 1 and 4000."),
    ("contact", {"contact_result": "maybe", "reason": "r"}, "contact_result",
     "Must be one of: reached, unreachable."),
    ("contact", {**FORMS["contact"], "note": "x"}, "note", "Unknown field."),
    ("contact", {**FORMS["contact"], "deadline": "2026-12-31"}, "deadline", "Unknown field."),
    ("verify", {"determination": "wrong", "findings": "f"}, "determination",
     "Must be one of: valid, misjudged, malicious, unreasonable."),
    ("classify", {"rectify_class": "urgent"}, "rectify_class",
     "Must be one of: simple, general, complex."),
    ("ledger", {**FORMS["ledger"], "promised_date": "2026-02-30"}, "promised_date",
     "Not a valid date."),
    ("ledger", {**FORMS["ledger"], "promised_date": "next week"}, "promised_date",
     "Not a valid date."),
    ("request_extension", {**FORMS["request_extension"], "reviewer_informed": False},
     "reviewer_informed", "Must be confirmed (true)."),
    ("request_extension", {"extension_reason": "r", "requested_until": "2026-10-30"},
     "reviewer_informed", "Missing data for required field."),
    # beyond the form (app/cases/formchecks.py): the rectification deadline is 10/20 (complex,
    # 10 working days from 9/30), extension.limit 20 working days from the request (9/30)
    ("request_extension", {**FORMS["request_extension"], "requested_until": "2026-10-20"},
     "requested_until", "Must be after the current deadline, 2026-10-20."),
    ("request_extension", {**FORMS["request_extension"], "requested_until": "2026-11-04"},
     "requested_until", "Must be no later than 2026-11-03 (rule extension.limit)."),
    ("ledger", {**FORMS["ledger"], "promised_date": "2026-09-29"}, "promised_date",
     "Must not be in the past."),
    ("ledger", {**FORMS["ledger"], "promised_date": "2026-10-21"}, "promised_date",
     "Must be no later than the rectification deadline, 2026-10-20; request an extension "
     "for a later date."),
]


@pytest.mark.parametrize(("step", "data", "field", "message"), INVALID,
                         ids=[f"{s}-{f}-{i}" for i, (s, _, f, _m) in enumerate(INVALID)])
def test_invalid_form_is_refused_per_field_and_changes_nothing(desk, at, step, data, field,
                                                               message):
    number = post(desk)
    task = drive(desk, number, step)
    before = snapshot(number)
    resp = desk.complete("sz_worker", task["task_id"], **data)
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert body["code"] == 422
    assert body["errors"]["json"]["data"][field] == [message]
    assert snapshot(number) == before
    assert desk.task(number, step)["task_id"] == task["task_id"]


def test_several_field_errors_come_together(desk, at):
    number = post(desk)
    task = desk.task(number, "contact")
    resp = desk.complete("sz_worker", task["task_id"], contact_result="x", extra=1)
    errors = resp.get_json()["errors"]["json"]["data"]
    assert resp.status_code == 422
    assert set(errors) == {"contact_result", "reason", "extra"}


def test_checks_beyond_the_form_answer_with_the_forms_own_messages(desk, at):
    """A date of today (refused by the extension checks) and a missing confirmation (refused
    by the form) are reported in the same answer, not one after the other."""
    number = post(desk)
    task = drive(desk, number, "request_extension")
    data = {"extension_reason": "r", "requested_until": "2026-09-30"}
    resp = desk.complete("sz_worker", task["task_id"], **data)
    errors = resp.get_json()["errors"]["json"]["data"]
    assert resp.status_code == 422
    assert errors == {"reviewer_informed": ["Missing data for required field."],
                      "requested_until": ["Must be a day after today.",
                                          "Must be after the current deadline, 2026-10-20."]}


def test_an_overdue_ledger_promises_within_the_rectifications_late_start_deadline(desk, at):
    """Past its deadline (10/20) the rectification that follows begins late and gets
    late_start_days (5) working days from its start (10/22): 10/29. The ledger promises no
    later than that, the deadline the rectification then has (a later day is an extension)."""
    number = post(desk)
    task = drive(desk, number, "ledger")
    at("2026-10-22 09:00")
    resp = desk.complete("sz_worker", task["task_id"], **{**FORMS["ledger"],
                                                          "promised_date": "2026-10-21"})
    assert resp.get_json()["errors"]["json"]["data"] == {
        "promised_date": ["Must not be in the past."]}
    resp = desk.complete("sz_worker", task["task_id"], **{**FORMS["ledger"],
                                                          "promised_date": "2026-10-30"})
    assert resp.get_json()["errors"]["json"]["data"] == {"promised_date": [
        "Must be no later than the rectification deadline, 2026-10-29; request an extension "
        "for a later date."]}
    assert desk.complete("sz_worker", task["task_id"], **{**FORMS["ledger"],
                         "promised_date": "2026-10-29"}).status_code == 200
    assert desk.task(number, "rectify")["deadline"]["due_at"].startswith("2026-10-29T23:59:59")


def test_a_timer_due_in_a_persons_change_is_recorded_as_the_timers(desk, at):
    """反馈结果 opens inside its warning window (feedback: due 10/20, warned from 10/19): its
    warning, set to the instant it opens, fires in the caseworker's change and is the
    timer's, on that step; so is the rectification's (complex: due 10/20, warned from 10/16),
    due before the change."""
    number = post(desk)
    drive(desk, number, "rectify")
    at("2026-10-19 09:00:00.5")
    desk.do("sz_worker", number, "rectify", rectify_outcome="done", rectify_result="已整改")
    warnings = [e for e in desk.case(number)["timeline"] if e["kind"] == "warning"]
    assert [(e["actor"], e["step"], e["title"]) for e in warnings] == [
        ("scheduler", "rectify", "整改"), ("scheduler", "feedback", "反馈结果")]


def test_a_step_opened_on_a_deadline_already_warned_is_not_warned_again(desk, at):
    """申请延期 keeps the rectification's deadline (complex: due 10/20, warned from 10/16).
    Opened on 10/19, past that warning instant, in the change whose rectification was warned
    first: one warning, the rectification's; the new step's row is flagged warned all the
    same."""
    number = post(desk)
    drive(desk, number, "rectify")
    at("2026-10-19 09:00:00.5")
    desk.do("sz_worker", number, "rectify", **FORMS["rectify"])
    warnings = [e for e in desk.case(number)["timeline"] if e["kind"] == "warning"]
    assert [(e["step"], e["data"]["due_at"]) for e in warnings] == [
        ("rectify", "2026-10-20T23:59:59+08:00")]
    task = desk.task(number, "request_extension")
    row = db.session.scalar(select(CaseTask).where(CaseTask.task_id == task["task_id"]))
    assert row.warned is True and row.overdue is False


@pytest.mark.parametrize(("code", "name", "field", "message"), [
    (uscc("440300", 9), "深圳市某局", "department_code",
     "No department is registered under this code."),
    (SZ_DEPT[0], "深圳市人社局", "department_name",
     f"The department registered under this code is {SZ_DEPT[1]}."),
])
def test_dispatch_names_a_registered_department(desk, at, code, name, field, message):
    number = post(desk, department_code=None, department_name=None)
    org.ensure_departments([(*SZ_DEPT, None)])
    db.session.commit()
    task = desk.task(number, "dispatch")
    before = snapshot(number)
    resp = desk.complete("sz_hotline", task["task_id"], department_code=code,
                         department_name=name)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]["json"]["data"] == {field: [message]}
    assert snapshot(number) == before
    assert desk.complete("sz_hotline", task["task_id"], department_code=SZ_DEPT[0],
                         department_name=SZ_DEPT[1]).status_code == 200


@pytest.mark.parametrize("body", [{}, {"data": "text"}, {"data": {}, "more": 1}, []])
def test_body_without_a_data_object_is_422(desk, at, body):
    number = post(desk)
    task = desk.task(number, "contact")
    before = snapshot(number)
    resp = desk.client.post(f"/api/v1/tasks/{task['task_id']}/complete", json=body,
                            headers=desk.headers["sz_worker"])
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]
    assert snapshot(number) == before


def test_valid_data_is_cleaned_before_it_is_stored(desk, at):
    number = post(desk)
    drive(desk, number, "ledger")
    desk.do("sz_worker", number, "ledger", plan="  增设窗口  ", promised_date="2026-10-20",
            owner="王主任")
    event = [e for e in desk.case(number)["timeline"] if e["kind"] == "completed"][-1]
    assert event["data"] == {"plan": "增设窗口", "promised_date": "2026-10-20", "owner": "王主任"}


# -- 409: completed, claimed, unknown ----------------------------------------------------------

def test_completing_a_task_twice_is_a_conflict(desk, at):
    number = post(desk)
    task = desk.task(number, "contact")
    first = desk.complete("sz_worker", task["task_id"], **FORMS["contact"])
    assert first.status_code == 200 and first.get_json()["state"] == "done"
    before = snapshot(number)
    again = desk.complete("sz_worker", task["task_id"], **FORMS["contact"])
    assert again.status_code == 409
    assert again.get_json()["message"] == f"task {task['task_id']} is done"
    assert snapshot(number) == before
    events = [e for e in desk.case(number)["timeline"] if e["kind"] == "completed"]
    assert len(events) == 1


def test_task_claimed_by_another_cannot_be_completed(desk, at):
    number = post(desk)
    task = desk.task(number, "contact")
    assert desk.client.post(f"/api/v1/tasks/{task['task_id']}/claim",
                            headers=desk.headers["sz_boss"]).status_code == 200
    before = snapshot(number)
    resp = desk.complete("sz_worker", task["task_id"], **FORMS["contact"])
    assert resp.status_code == 409
    assert "claimed by sz_boss" in resp.get_json()["message"]
    claim = desk.client.post(f"/api/v1/tasks/{task['task_id']}/claim",
                             headers=desk.headers["sz_worker"])
    assert claim.status_code == 409
    assert snapshot(number) == before
    assert desk.complete("sz_boss", task["task_id"], **FORMS["contact"]).status_code == 200


def test_unknown_task_is_404(desk, at):
    resp = desk.complete("admin", "00000000-0000-0000-0000-000000000000", **FORMS["contact"])
    assert resp.status_code == 404
    assert desk.client.get("/api/v1/cases/CP-20260930-999999",
                           headers=desk.headers["admin"]).status_code == 404


# -- claim, unclaim, reassign -------------------------------------------------------------------

@pytest.fixture()
def sz_worker2(desk):
    user = users.create("sz_worker2", "sz_worker2", "caseworker", SZ_DEPT[0], "440305000000")
    desk.headers["sz_worker2"] = {
        "Authorization": f"Bearer {tokens.create('token-sz_worker2', user.id)}"}
    return "sz_worker2"


def _act(desk, who: str, task_id: str, action: str, **body):
    return desk.client.post(f"/api/v1/tasks/{task_id}/{action}", json=body or None,
                            headers=desk.headers[who])


def test_claim_unclaim_and_reassign(desk, at, sz_worker2):
    number = post(desk)
    task_id = desk.task(number, "contact")["task_id"]

    assert desk.tasks("sz_worker") == []  # view=mine by default
    assert [t["task_id"] for t in desk.tasks("sz_worker", view="group")] == [task_id]

    resp = _act(desk, "sz_worker", task_id, "claim")
    assert resp.status_code == 200 and resp.get_json()["assignee"] == "sz_worker"
    assert _act(desk, "sz_worker", task_id, "claim").status_code == 200  # mine already
    assert [t["task_id"] for t in desk.tasks("sz_worker")] == [task_id]
    assert desk.tasks("sz_worker2", view="group") == []  # claimed: out of the group queue
    assert [t["task_id"] for t in desk.tasks("sz_worker2", view="department")] == [task_id]

    # only the holder or a supervisor gives it back
    assert _act(desk, sz_worker2, task_id, "unclaim").status_code == 403
    resp = _act(desk, "sz_boss", task_id, "unclaim")
    assert resp.status_code == 200 and resp.get_json()["assignee"] is None

    # only a supervisor reassigns, and only to someone who may work the task
    assert _act(desk, "sz_worker", task_id, "reassign",
                username=sz_worker2).status_code == 403
    for bad in ("sz_other", "sz_hotline", "nobody"):
        resp = _act(desk, "sz_boss", task_id, "reassign", username=bad)
        assert resp.status_code == 422, bad
        assert resp.get_json()["errors"]["json"]["username"]
    resp = _act(desk, "sz_boss", task_id, "reassign", username=sz_worker2)
    assert resp.status_code == 200 and resp.get_json()["assignee"] == sz_worker2
    assert desk.complete("sz_worker", task_id, **FORMS["contact"]).status_code == 409
    assert desk.complete(sz_worker2, task_id, **FORMS["contact"]).status_code == 200

    kinds = [(e["kind"], e["actor"], (e["data"] or {}).get("assigned_to"))
             for e in desk.case(number)["timeline"]]
    assert kinds == [("started", "system", None), ("claimed", "sz_worker", None),
                     ("unclaimed", "sz_boss", None), ("claimed", "sz_boss", sz_worker2),
                     ("completed", sz_worker2, None), ("claimed", sz_worker2, None)]
    assert desk.task(number, "verify")["assignee"] == sz_worker2  # 承办人延续
    # a done task can be neither claimed nor given back nor reassigned
    for action, body in (("claim", {}), ("unclaim", {}),
                         ("reassign", {"username": "sz_worker"})):
        assert _act(desk, "sz_boss", task_id, action, **body).status_code == 409


def test_next_step_stays_with_its_caseworker(desk, at, sz_worker2):
    """承办人延续: a step that completing another opens for the same group of the same
    department is held by whoever completed it; a step for another group (the hotline's
    revisit) goes to that group's queue."""
    number = post(desk)
    desk.do(sz_worker2, number, "contact", **FORMS["contact"])  # not claimed first
    verify = desk.task(number, "verify")
    assert verify["assignee"] == sz_worker2
    assert [t["task_id"] for t in desk.tasks(sz_worker2)] == [verify["task_id"]]
    assert desk.tasks("sz_worker", view="group") == []
    kept = [e for e in desk.case(number)["timeline"] if e["kind"] == "claimed"]
    assert [(e["actor"], e["step"], e["data"]) for e in kept] == [
        (sz_worker2, "verify", {"kept": True})]
    # someone else of the department may not complete what is held
    assert desk.complete("sz_worker", verify["task_id"], **FORMS["verify"]).status_code == 409
    for step, data in (("verify", FORMS["verify"]), ("classify", {"rectify_class": "simple"}),
                       ("rectify", {"rectify_outcome": "done", "rectify_result": "已整改"}),
                       ("feedback", {"feedback_text": "已告知", "feedback_channel": "phone"})):
        assert desk.task(number, step)["assignee"] == sz_worker2, step
        desk.do(sz_worker2, number, step, **data)
    assert desk.task(number, "revisit")["assignee"] is None  # 12345热线's queue


def test_reassign_without_username_is_422(desk, at):
    number = post(desk)
    task_id = desk.task(number, "contact")["task_id"]
    resp = _act(desk, "sz_boss", task_id, "reassign")
    assert resp.status_code == 422


def test_caseworker_cannot_decide_the_agency_task_of_their_own_case(desk, at):
    number = post(desk)
    drive(desk, number, "request_extension")
    desk.do("sz_worker", number, "request_extension", **FORMS["request_extension"])
    task = desk.task(number, "approve_extension")
    # the department sees its case's agency task but may not work it
    assert desk.client.get(f"/api/v1/tasks/{task['task_id']}",
                           headers=desk.headers["sz_worker"]).status_code == 200
    before = snapshot(number)
    resp = desk.complete("sz_worker", task["task_id"], extension_decision="approved")
    assert resp.status_code == 403
    assert _act(desk, "sz_worker", task["task_id"], "claim").status_code == 403
    assert snapshot(number) == before
    assert desk.complete("sz_agency", task["task_id"],
                         extension_decision="approved").status_code == 200


# -- task list views and filters ------------------------------------------------------------------

@pytest.fixture()
def inbox(desk, at):
    """Four cases received 9/30 10:00: A at contact, B at rectify (complex), C at rectify
    (simple), D (Jiangsu) at contact."""
    a = post(desk)
    b = post(desk)
    drive(desk, b, "rectify", classify={"rectify_class": "complex"})
    c = post(desk)
    drive(desk, c, "rectify", classify={"rectify_class": "simple"})
    d = post(desk, "js")
    return {"a": a, "b": b, "c": c, "d": d}


def _listed(desk, who: str, **query) -> list[tuple[str, str]]:
    return [(t["case_number"], t["step"]) for t in desk.tasks(who, **query)]


def test_views_mine_group_department_done(desk, inbox):
    a, b, c, d = inbox["a"], inbox["b"], inbox["c"], inbox["d"]
    # soonest due first: rectify.simple 10/10 (C), contact 10/10 (A), rectify.complex 10/20 (B)
    department = _listed(desk, "sz_boss", view="department")
    assert sorted(department) == sorted([(a, "contact"), (b, "rectify"), (c, "rectify")])
    dues = [t["deadline"]["due_at"] for t in desk.tasks("sz_boss", view="department")]
    assert dues == sorted(dues)
    assert dues[-1] == "2026-10-20T23:59:59+08:00"  # rectify.complex: 10 working days
    assert _listed(desk, "js_worker", view="department") == [(d, "contact")]

    # B and C's rectify steps stay with the caseworker who worked them so far (承办人延续)
    assert sorted(_listed(desk, "sz_worker", view="mine")) == sorted([(b, "rectify"),
                                                                      (c, "rectify")])
    assert _listed(desk, "sz_boss", view="group") == [(a, "contact")]
    task_a = desk.task(a, "contact")["task_id"]
    _act(desk, "sz_worker", task_a, "claim")
    assert (a, "contact") in _listed(desk, "sz_worker", view="mine")
    assert _listed(desk, "sz_boss", view="group") == []

    done = _listed(desk, "sz_worker", view="done")
    assert sorted(done) == sorted([(n, s) for n in (b, c)
                                   for s in ("contact", "verify", "classify")] + [(b, "ledger")])
    assert all(t["state"] == "done" for t in desk.tasks("sz_worker", view="done"))
    assert _listed(desk, "sz_boss", view="done") == []  # done by me only

    resp = desk.client.get("/api/v1/tasks", query_string={"view": "all"},
                           headers=desk.headers["sz_boss"])
    assert resp.status_code == 422


def test_filters_step_class_overdue_jurisdiction(desk, inbox, at):
    a, b, c, d = inbox["a"], inbox["b"], inbox["c"], inbox["d"]
    assert sorted(_listed(desk, "sz_boss", view="department", step="rectify")) == sorted(
        [(b, "rectify"), (c, "rectify")])
    assert _listed(desk, "sz_boss", view="department", rectify_class="complex") == [
        (b, "rectify")]
    assert _listed(desk, "sz_boss", view="department", rectify_class="simple") == [
        (c, "rectify")]
    assert desk.client.get("/api/v1/tasks", query_string={"rectify_class": "huge"},
                           headers=desk.headers["sz_boss"]).status_code == 422
    assert _listed(desk, "admin", view="department", jurisdiction="jiangsu") == [(d, "contact")]
    assert len(_listed(desk, "admin", view="department", jurisdiction="shenzhen")) == 3
    assert _listed(desk, "admin", view="department", case_number=b) == [(b, "rectify")]

    assert _listed(desk, "sz_boss", view="department", overdue="true") == []
    # 10/11 00:00:01: contact (3 working days) and rectify.simple (3) fell due on Sat 10/10
    at("2026-10-11 00:00:01")
    assert sorted(_listed(desk, "sz_boss", view="department", overdue="true")) == sorted(
        [(a, "contact"), (c, "rectify")])
    assert _listed(desk, "sz_boss", view="department", overdue="false") == [(b, "rectify")]
    # Jiangsu contact (1 working day) fell due on 10/08
    assert _listed(desk, "js_worker", view="department", overdue="true") == [(d, "contact")]


def test_paging(desk, at):
    numbers = [post(desk) for _ in range(5)]
    seen = []
    for page in (1, 2, 3):
        resp = desk.client.get("/api/v1/tasks", query_string={
            "view": "department", "page": page, "page_size": 2},
            headers=desk.headers["sz_worker"])
        assert resp.status_code == 200
        pagination = json.loads(resp.headers["X-Pagination"])
        assert pagination["total"] == 5 and pagination["total_pages"] == 3
        seen += [t["case_number"] for t in resp.get_json()]
        assert len(resp.get_json()) == (2 if page < 3 else 1)
    assert sorted(seen) == sorted(numbers)  # every task once over the pages
    resp = desk.client.get("/api/v1/tasks", query_string={"view": "department", "page": 0},
                           headers=desk.headers["sz_worker"])
    assert resp.status_code == 422
    for far in (4, 10**20):  # past the end, and past SQL's integers: an empty page
        resp = desk.client.get("/api/v1/tasks", query_string={
            "view": "department", "page": far}, headers=desk.headers["sz_worker"])
        assert resp.status_code == 200 and resp.get_json() == []
        assert json.loads(resp.headers["X-Pagination"])["total"] == 5


# -- scoping by department and region ---------------------------------------------------------

def test_other_department_can_neither_see_nor_act(desk, at):
    number = post(desk)
    task_id = desk.task(number, "contact")["task_id"]
    headers = desk.headers["sz_other"]
    assert desk.client.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 404
    before = snapshot(number)
    assert desk.complete("sz_other", task_id, **FORMS["contact"]).status_code == 404
    for action in ("claim", "unclaim"):
        assert _act(desk, "sz_other", task_id, action).status_code == 404
    assert desk.client.get(f"/api/v1/cases/{number}", headers=headers).status_code == 403
    for view in ("mine", "group", "department", "done"):
        assert desk.tasks("sz_other", view=view) == []
    assert snapshot(number) == before
    # the case's own people do see it
    assert desk.client.get(f"/api/v1/cases/{number}",
                           headers=desk.headers["sz_worker"]).status_code == 200


def test_hotline_and_agency_see_their_region_only(desk, at):
    sz = post(desk)
    drive(desk, sz, "request_extension")
    desk.do("sz_worker", sz, "request_extension", **FORMS["request_extension"])
    approve = desk.task(sz, "approve_extension")["task_id"]
    js = post(desk, "js")

    assert _listed(desk, "sz_agency", view="group") == [(sz, "approve_extension")]
    assert _listed(desk, "js_agency", view="group") == []
    assert _listed(desk, "js_agency", view="department") == []
    assert desk.client.get(f"/api/v1/tasks/{approve}",
                           headers=desk.headers["js_agency"]).status_code == 404
    assert desk.complete("js_agency", approve, extension_decision="approved").status_code == 404
    assert desk.client.get(f"/api/v1/cases/{sz}",
                           headers=desk.headers["js_agency"]).status_code == 403
    assert desk.client.get(f"/api/v1/cases/{js}",
                           headers=desk.headers["js_agency"]).status_code == 200
    assert desk.client.get(f"/api/v1/cases/{sz}",
                           headers=desk.headers["sz_hotline"]).status_code == 200
    assert desk.client.get(f"/api/v1/cases/{js}",
                           headers=desk.headers["sz_hotline"]).status_code == 403
    # department tasks are not the hotline's or the agency's to see
    assert _listed(desk, "sz_hotline", view="department") == []

    desk.do("sz_agency", sz, "approve_extension", extension_decision="approved")
    desk.do("sz_worker", sz, "rectify", rectify_outcome="done", rectify_result="完成")
    desk.do("sz_worker", sz, "feedback", feedback_text="已反馈", feedback_channel="sms")
    revisit = desk.task(sz, "revisit")["task_id"]
    assert _listed(desk, "sz_hotline", view="group") == [(sz, "revisit")]
    assert _listed(desk, "js_hotline", view="group") == []
    assert desk.complete("js_hotline", revisit, revisit_result="satisfied",
                         revisit_channel="phone").status_code == 404
    assert desk.complete("sz_hotline", revisit, revisit_result="satisfied",
                         revisit_channel="phone").status_code == 200


def test_hotline_dispatch_task_is_the_region_hotlines(desk, at):
    sz = post(desk, department_code=None, department_name=None)
    task_id = desk.task(sz, "dispatch")["task_id"]
    assert _listed(desk, "sz_hotline", view="group") == [(sz, "dispatch")]
    assert _listed(desk, "js_hotline", view="group") == []
    assert desk.tasks("sz_worker", view="department") == []
    assert desk.complete("sz_worker", task_id, department_code=SZ_DEPT[0],
                         department_name=SZ_DEPT[1]).status_code == 404
    assert desk.complete("js_hotline", task_id, department_code=SZ_DEPT[0],
                         department_name=SZ_DEPT[1]).status_code == 404
    resp = desk.complete("sz_hotline", task_id, department_code=SZ_DEPT[0])
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"]["data"]["department_name"] == [
        "Missing data for required field."]


# -- authentication ------------------------------------------------------------------------------

def test_channel_token_and_missing_token(desk, at):
    number = post(desk)
    task_id = desk.task(number, "contact")["task_id"]
    channel = desk.headers["channel"]
    assert desk.client.get("/api/v1/tasks", headers=channel).status_code == 403
    assert desk.client.get(f"/api/v1/cases/{number}", headers=channel).status_code == 403
    resp = desk.client.post(f"/api/v1/tasks/{task_id}/complete",
                            json={"data": FORMS["contact"]}, headers=channel)
    assert resp.status_code == 403
    resp = desk.client.get("/api/v1/tasks")
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert resp.get_json()["code"] == 401
    assert desk.client.post(f"/api/v1/tasks/{task_id}/complete",
                            json={"data": FORMS["contact"]}).status_code == 401
    bad = {"Authorization": "Bearer hcp_not-a-real-token"}
    assert desk.client.get("/api/v1/tasks", headers=bad).status_code == 401
    assert desk.client.get(f"/api/v1/cases/{number}").status_code == 401
    assert desk.task(number, "contact")["task_id"] == task_id  # still open


def test_revoked_and_inactive_users_are_refused(desk, at):
    tokens.revoke("token-sz_worker")
    assert desk.client.get("/api/v1/tasks", headers=desk.headers["sz_worker"]).status_code == 401
    from app.auth.models import User
    boss = db.session.scalar(select(User).where(User.username == "sz_boss"))
    boss.active = False
    db.session.commit()
    assert desk.client.get("/api/v1/tasks", headers=desk.headers["sz_boss"]).status_code == 403


# -- found while writing these tests, fixed since ---------------------------------------------

def test_department_supervisor_cannot_reassign_the_agencys_task(desk, at):
    number = post(desk)
    drive(desk, number, "request_extension")
    desk.do("sz_worker", number, "request_extension", **FORMS["request_extension"])
    task_id = desk.task(number, "approve_extension")["task_id"]
    assert _act(desk, "sz_agency", task_id, "claim").status_code == 200
    assert _act(desk, "sz_boss", task_id, "unclaim").status_code == 403
    assert _act(desk, "sz_boss", task_id, "reassign", username="admin").status_code == 403


def test_dispatch_to_a_malformed_department_code_is_422(desk, at):
    number = post(desk, department_code=None, department_name=None)
    task_id = desk.task(number, "dispatch")["task_id"]
    resp = desk.complete("sz_hotline", task_id,
                         department_code="深圳市人力资源和社会保障局社会保险窗口第三科室",
                         department_name="深圳市人力资源和社会保障局")
    assert resp.status_code == 422, resp.get_json()
    assert "department_code" in resp.get_json()["errors"]["json"]["data"]


def test_a_completion_not_sent_as_json_is_415_and_moves_nothing(desk, at):
    number = post(desk)
    task = desk.task(number, "contact")
    body = json.dumps({"data": {"contact_result": "reached", "reason": "排队时间长"}})
    resp = desk.client.post(f"/api/v1/tasks/{task['task_id']}/complete", data=body,
                            headers={**desk.headers["sz_worker"], "Content-Type": "text/plain"})
    assert resp.status_code == 415 and "application/json" in resp.get_json()["message"]
    assert desk.task(number, "contact")["task_id"] == task["task_id"]  # still open


def test_a_misspelt_or_unknown_filter_is_422_not_an_unfiltered_list(desk, at):
    post(desk)
    headers = desk.headers["sz_worker"]
    resp = desk.client.get("/api/v1/tasks", query_string={"overdu": 1}, headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["query"] == {"overdu": ["Unknown parameter."]}
    resp = desk.client.get("/api/v1/tasks", query_string={"jurisdiction": "mars"},
                           headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["query"]["jurisdiction"] == [
        "Must be one of: jiangsu, shenzhen."]
    resp = desk.client.get("/api/v1/tasks", headers=headers, query_string={
        "view": "department", "jurisdiction": "shenzhen", "page": 1, "page_size": 5})
    assert resp.status_code == 200 and len(resp.get_json()) == 1
