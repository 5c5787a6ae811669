"""Failed sign-ins (登录失败处理): five wrong passwords for a username within 15 minutes lock it
for 15 minutes, the right password included; the lock says nothing of whether the username
exists; a success clears the count, and so does an administrator's password reset."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
import time_machine

from app.auth import users
from app.timeutil import SHANGHAI
from tests.web.conftest import PASSWORD, login

START = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)
LOCKED = "登录失败次数过多，该用户名已暂时锁定，请于 09:15 之后再试。"
GENERIC = "用户名或密码不正确，或账号已停用。"


@pytest.fixture()
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _fail(client, username: str, times: int) -> list[int]:
    return [login(client, username, "wrong-password").status_code for _ in range(times)]


def test_five_failures_lock_the_username_for_fifteen_minutes(client, make_user, clock, caplog):
    make_user("wang")
    with caplog.at_level(logging.WARNING, logger="app.auth"):
        assert _fail(client, "wang", 5) == [400, 400, 400, 400, 429]
    assert any("sign-in locked for 'wang'" in r.getMessage() for r in caplog.records)
    locked = login(client, "wang")  # the right password, during the lock
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    assert login(client, " WANG ").status_code == 429  # as typed, in any letter case
    clock.shift(timedelta(minutes=14, seconds=59))
    assert login(client, "wang").status_code == 429
    clock.shift(timedelta(seconds=1))
    assert login(client, "wang").status_code == 302


def test_an_unknown_username_locks_alike(client, make_user, clock):
    """A lock tells nobody which usernames have accounts."""
    make_user("wang")
    assert _fail(client, "nobody", 5)[-1] == _fail(client, "wang", 5)[-1] == 429
    for name in ("nobody", "wang"):
        assert LOCKED in login(client, name).get_data(as_text=True)


def test_failures_spread_out_or_before_a_success_do_not_add_up(client, make_user, clock):
    make_user("wang")
    _fail(client, "wang", 4)
    clock.shift(timedelta(minutes=15))  # a new count
    assert _fail(client, "wang", 4) == [400] * 4
    assert login(client, "wang").status_code == 302
    client.post("/logout")
    failed = login(client, "wang", "wrong-again")
    assert failed.status_code == 400 and GENERIC in failed.get_data(as_text=True)
    assert _fail(client, "wang", 3) == [400] * 3  # the success cleared the count
    assert _fail(client, "wang", 1) == [429]


def test_an_administrators_reset_lifts_the_lock(client, make_user, clock):
    user = make_user("wang")
    _fail(client, "wang", 5)
    users.set_password(user, "brand-new-pass-1")
    assert login(client, "wang", "brand-new-pass-1").status_code == 302


def test_the_limits_are_settings(client, make_user, clock, app):
    make_user("wang")
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_MINUTES=1)
    try:
        assert _fail(client, "wang", 2) == [400, 429]
        clock.shift(timedelta(minutes=1))
        assert login(client, "wang", PASSWORD).status_code == 302
    finally:
        app.config.update(LOGIN_MAX_FAILURES=5, LOGIN_LOCK_MINUTES=15)


def test_the_lock_message_in_english(client, make_user, clock):
    make_user("wang")
    _fail(client, "wang", 5)
    client.get("/login?lang=en")
    page = login(client, "wang").get_data(as_text=True)
    assert "Too many failed sign-ins" in page and "09:15" in page


def test_an_administrator_sees_the_lock_and_lifts_it(client, make_user, clock, app):
    user = make_user("wang")
    make_user("root", "admin", department=None)
    other = app.test_client()
    _fail(other, "wang", 5)
    assert login(client, "root").status_code == 302
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "data-locked" in page and "锁定至 2026年5月6日 09:15" in page
    resp = client.post(f"/admin/users/{user.id}/unlock")
    assert resp.status_code == 302
    assert "data-locked" not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert login(other, "wang").status_code == 302


def test_only_administrators_lift_a_lock(client, make_user, clock):
    user = make_user("wang")
    make_user("li")
    _fail(client, "wang", 5)
    assert login(client, "li").status_code == 302
    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 403
    assert login(client.application.test_client(), "wang").status_code == 429
