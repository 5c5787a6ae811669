"""Defence in depth: a user of a region role without a region (a row written before user
creation checked it) sees no region's cases, rather than every case nationwide."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import tokens
from app.auth.models import User
from app.auth.users import can_act, can_view_case
from app.cases.models import Case
from app.cases.records import CaseTask
from app.extensions import db


@pytest.mark.parametrize("role", ["hotline", "agency"])
def test_a_user_of_no_region_sees_no_case(desk, role):
    number = desk.post("js")
    case = db.session.scalar(select(Case).where(Case.number == number))
    task = db.session.scalar(select(CaseTask).where(CaseTask.case_id == case.id))
    task.group_name = role  # a step of the user's group (派单, 申诉审核) in Jiangsu
    user = User(username="nowhere", name="无辖区", role=role)
    db.session.add(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {tokens.create('token-nowhere', user.id)}"}
    assert desk.client.get(f"/api/v1/cases/{number}", headers=headers).status_code == 403
    listed = desk.client.get("/api/v1/tasks", query_string={"view": "department"},
                             headers=headers)
    assert listed.status_code == 200 and listed.get_json() == []
    reveal = desk.client.post(f"/api/v1/cases/{number}/reveal-phone", headers=headers)
    assert reveal.status_code == 403
    assert not can_view_case(user, case) and not can_act(user, task)
    assert desk.client.get(f"/api/v1/cases/{number}", headers=desk.headers[f"js_{role}"]) \
        .status_code == 200  # the region's own user does
