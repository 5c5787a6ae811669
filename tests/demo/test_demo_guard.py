"""`flask demo load` keeps to databases of its own: its users share a published password, so it
refuses a database with users, ratings or tokens of its own unless --force, never alters an
account of a demo username, and takes only a positive --count (so its once-guard trips)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth import tokens, users
from app.auth.models import ApiToken, User
from app.demo.people import DEMO_PASSWORD
from app.extensions import db
from app.reviews.models import Review

SMALL = "40"


def _load(app, *args: str):
    return app.test_cli_runner().invoke(args=["demo", "load", *args])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("count", ["-5", "0"])
def test_count_must_be_positive(app_ctx, count):
    result = _load(app_ctx, "--count", count)
    assert result.exit_code == 2 and "--count" in result.output
    assert _count(Review) == 0 and _count(User) == 0


def test_refused_in_a_database_with_users_of_its_own(app_ctx):
    users.create("admin", "真管理员", "admin", password="real-admin-pass")
    tokens.create("zwfw-app")
    result = _load(app_ctx, "--count", SMALL)
    assert result.exit_code == 1, result.output
    assert "1 user, 1 API token" in result.output and "--force" in result.output
    assert [_count(Review), _count(User), _count(ApiToken)] == [0, 1, 1]


def test_force_never_takes_over_an_account_of_a_demo_username(app_ctx):
    admin = users.create("admin", "真管理员", "admin", password="real-admin-pass")
    stamp = admin.password_hash
    result = _load(app_ctx, "--count", SMALL, "--force")
    assert result.exit_code == 1 and "admin" in result.output, result.output
    assert db.session.get(User, admin.id).password_hash == stamp
    assert users.authenticate("admin", DEMO_PASSWORD) is None
    assert _count(Review) == 0 and _count(ApiToken) == 0


def test_force_loads_beside_other_accounts_without_touching_them(app_ctx):
    mine = users.create("zwfw-bot", "接口", "agency", region_code="440300000000")
    result = _load(app_ctx, "--count", SMALL, "--force")
    assert result.exit_code == 0, result.output
    assert db.session.get(User, mine.id).password_hash is None
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == mine.id)) is None
    again = _load(app_ctx, "--count", SMALL)  # loaded once: the guard trips, no --force needed
    assert again.exit_code == 0 and "already loaded" in again.output
