"""Fixtures for process scenarios: people of both jurisdictions with API tokens, and a `desk`
that posts bad ratings and works tasks through the HTTP API as those people would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from app.auth import tokens, users
from app.auth.models import User
from app.demo.data import uscc
from app.extensions import db
from app.scheduler.sweep import sweep
from app.timeutil import SHANGHAI

SZ_REGION, JS_REGION = "440305000000", "320102000000"
SZ_DEPT = (uscc("440300", 3), "深圳市人力资源和社会保障局")
JS_DEPT = (uscc("320100", 5), "南京市市场监督管理局")
SZ_STAFF_UNIT = (uscc("440305", 7), "深圳市南山区政务服务数据管理局")
OTHER_DEPT = (uscc("440300", 9), "深圳市公安局")

# who: (role, department, region)
PEOPLE = {
    "sz_worker": ("caseworker", SZ_DEPT[0], SZ_REGION),
    "sz_boss": ("supervisor", SZ_DEPT[0], SZ_REGION),
    "sz_hotline": ("hotline", None, "440300000000"),
    "sz_agency": ("agency", None, "440300000000"),
    "sz_personnel": ("personnel", SZ_STAFF_UNIT[0], SZ_REGION),
    "sz_other": ("caseworker", OTHER_DEPT[0], SZ_REGION),
    "js_worker": ("caseworker", JS_DEPT[0], JS_REGION),
    "js_boss": ("supervisor", JS_DEPT[0], JS_REGION),
    "js_hotline": ("hotline", None, "320000000000"),
    "js_agency": ("agency", None, "320100000000"),
    "admin": ("admin", None, None),
}


def at(text: str) -> datetime:
    """A Beijing wall-clock time, e.g. at("2026-09-30 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Desk:
    """The API as the people above use it."""

    client: Any
    rating: Any
    headers: dict[str, dict] = field(default_factory=dict)

    @staticmethod
    def at(text: str) -> datetime:
        return at(text)

    def post(self, where: str = "sz", **overrides) -> str:
        """Post a bad rating (an item rating of Shenzhen "sz" or Jiangsu "js", fields
        overridable) through the intake API; returns the new case's number."""
        body = self.rating(**{**(JS_ITEM if where == "js" else SZ_ITEM), **overrides})
        resp = self.client.post("/api/v1/reviews", json=body, headers=self.headers["channel"])
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["case"]["number"]

    def case(self, number: str, who: str = "admin") -> dict:
        resp = self.client.get(f"/api/v1/cases/{number}", headers=self.headers[who])
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def open_tasks(self, number: str) -> list[dict]:
        return [t for t in self.case(number)["tasks"] if t["state"] == "open"]

    def task(self, number: str, step: str) -> dict:
        """The one open task of `step` on the case."""
        found = [t for t in self.open_tasks(number) if t["step"] == step]
        steps = [t["step"] for t in self.open_tasks(number)]
        assert len(found) == 1, f"expected one open {step!r} task, open: {steps}"
        return found[0]

    def complete(self, who: str, task_id: str, **data) -> Any:
        return self.client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data},
                                headers=self.headers[who])

    def do(self, who: str, number: str, step: str, **data) -> dict:
        """`who` completes the case's open `step` task with `data` (must succeed)."""
        task = self.task(number, step)
        resp = self.complete(who, task["task_id"], **data)
        assert resp.status_code == 200, resp.get_json()
        return task

    def tasks(self, who: str, **query) -> dict:
        resp = self.client.get("/api/v1/tasks", query_string=query, headers=self.headers[who])
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def steps(self, number: str) -> list[str]:
        return sorted(t["step"] for t in self.open_tasks(number))

    def tick(self):
        """One scheduler pass at the current (travelled) time."""
        return sweep()


@pytest.fixture()
def desk(client, bad_rating) -> Desk:
    desk = Desk(client, bad_rating)
    desk.headers["channel"] = {"Authorization": f"Bearer {tokens.create('test-channel')}"}
    for username, (role, dept, region) in PEOPLE.items():
        user = users.create(username, username, role, dept, region)
        desk.headers[username] = {
            "Authorization": f"Bearer {tokens.create(f'token-{username}', user.id)}"}
    return desk


SZ_ITEM = {"region_code": SZ_REGION, "department_code": SZ_DEPT[0],
           "department_name": SZ_DEPT[1]}
JS_ITEM = {"region_code": JS_REGION, "department_code": JS_DEPT[0],
           "department_name": JS_DEPT[1]}
PASSWORD = "inbox-pass-123"  # the browser_for people's


@pytest.fixture()
def browser_for(app, desk):
    """A signed-in test client for one of the desk's people."""
    clients = {}

    def open_as(who: str):
        if who not in clients:
            user = db.session.scalar(select(User).where(User.username == who))
            users.set_password(user, PASSWORD)
            client = app.test_client()
            resp = client.post("/login", data={"username": who, "password": PASSWORD})
            assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
            clients[who] = client
        return clients[who]

    return open_as


@pytest.fixture()
def travel(desk, time_machine):
    """Move the clock to a Beijing wall-clock time (not ticking); returns that instant."""
    def travel(when: str) -> datetime:
        time_machine.move_to(desk.at(when), tick=False)
        return desk.at(when)

    return travel


@pytest.fixture()
def signed_in(app, browser_for):
    """A test client signed in now, for one of the desk's people: after the clock travelled
    days, a session of `browser_for` has ended (8 hours without a request)."""
    def sign_in(who: str):
        browser_for(who)  # sets the password
        client = app.test_client()
        resp = client.post("/login", data={"username": who, "password": PASSWORD})
        assert resp.status_code == 302
        return client

    return sign_in


@pytest.fixture()
def watched(desk, travel):
    """Cases for the watch lists (超期预警, 超期督办), contact (联系评价人) open on each: on
    Wed 9/30 (before 国庆) one of each of two Shenzhen departments (`sz`, `other`) and one of
    Nanjing (`js`), on Fri 10/09 one more of Shenzhen (`later`). Shenzhen contacts within 3
    working days from receipt: 9/30's are due Sat 10/10 (a make-up working day) 23:59:59,
    warned at 10/10 00:00; 10/09's due Tue 10/13, warned at 10/13 00:00. Jiangsu within 1:
    due Thu 10/08. The clock is left at 10/09 10:00."""
    travel("2026-09-30 10:00")
    sz = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    other = desk.post(rated_at="2026-09-30T08:00:00+08:00", department_code=OTHER_DEPT[0],
                      department_name=OTHER_DEPT[1])
    js = desk.post("js", rated_at="2026-09-30T08:00:00+08:00")
    travel("2026-10-09 10:00")
    later = desk.post(rated_at="2026-10-09T08:00:00+08:00")
    return SimpleNamespace(sz=sz, other=other, js=js, later=later)


def page_text(resp) -> str:
    """A test client response's page as text."""
    return resp.get_data(as_text=True)


def open_task(number: str, step: str):
    """The case's open task row of `step` (None when there is none), read afresh."""
    from app.cases.records import CaseTask

    db.session.rollback()
    return db.session.scalar(select(CaseTask).join(CaseTask.case).where(
        CaseTask.step == step, CaseTask.state == "open",
        CaseTask.case.has(number=number)))
