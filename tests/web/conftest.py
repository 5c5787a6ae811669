"""Fixtures for the browser-side tests: users with passwords and signed-in test clients."""

from __future__ import annotations

import itertools

import pytest

from app.auth import users
from app.auth.models import DEPARTMENT_ROLES
from app.demo.data import uscc

PASSWORD = "correct-horse-9"
DEPT = (uscc("440300", 41), "深圳市测试局")
REGION = "440305000000"
_names = itertools.count(1)


@pytest.fixture()
def make_user(app_ctx):
    """Factory: a user with PASSWORD (role caseworker unless told otherwise; of DEPT when the
    role belongs to a department)."""

    def make(username: str | None = None, role: str = "caseworker", *, password=PASSWORD,
             active: bool = True, department: str | None = "", region: str = REGION):
        username = username or f"user{next(_names)}"
        if department == "":
            department = DEPT[0] if role in DEPARTMENT_ROLES else None
        return users.create(username, f"测试{username}", role, department, region,
                            password=password, active=active)

    return make


def login(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


@pytest.fixture()
def admin(make_user):
    return make_user("root", "admin", department=None)


@pytest.fixture()
def admin_client(client, admin):
    assert login(client, "root").status_code == 302
    return client
