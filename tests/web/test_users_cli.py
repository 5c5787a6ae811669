"""`flask users create --password` and its checks, `flask users set-password`; the demo
logins; `flask tokens create` names."""

from __future__ import annotations

import pytest

from app.auth.cli import tokens_cli, users_cli
from app.auth.models import ApiToken
from app.auth.users import authenticate, by_username
from app.demo import people
from app.demo.data import uscc
from app.extensions import db

DEPT = ["--department", uscc("440300", 41), "--region", "440300000000"]
REGION = ["--region", "440300000000"]


def test_create_with_password_then_sign_in(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(users_cli, ["create", "wang", "--name", "王芳", "--role", "caseworker",
                                       "--password", "wang-pass-1", *DEPT])
    assert result.exit_code == 0, result.output
    assert authenticate("wang", "wang-pass-1") is not None
    listed = runner.invoke(users_cli, ["list"]).output
    assert "wang\t王芳\tcaseworker" in listed and "password" in listed


def test_create_prompts_for_the_password(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(users_cli, ["create", "li", "--name", "李", "--role", "hotline",
                                       *REGION],
                           input="li-pass-123\nli-pass-123\n")
    assert result.exit_code == 0, result.output
    assert authenticate("li", "li-pass-123") is not None


def test_create_without_login_and_short_passwords(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(users_cli, ["create", "sys", "--name", "接口", "--role", "agency",
                                       "--no-password", *REGION])
    assert result.exit_code == 0 and by_username("sys").password_hash is None
    short = runner.invoke(users_cli, ["create", "x", "--name", "x", "--role", "agency",
                                      "--password", "short", *REGION])
    assert short.exit_code == 1 and "at least 8" in short.output and by_username("x") is None


def test_create_refuses_a_name_that_is_not_plain_text(app_ctx):
    """A right-to-left override would show the name reversed in every list (the admin form
    refuses it on its field; the command, through users.create, too)."""
    runner = app_ctx.test_cli_runner()
    for name in ("王\u202e芳abc", "   "):
        result = runner.invoke(users_cli, ["create", "bidi", "--name", name, "--role",
                                           "agency", "--no-password", *REGION])
        assert result.exit_code == 1 and "name" in result.output, result.output
        assert by_username("bidi") is None


def test_set_password(app_ctx):
    runner = app_ctx.test_cli_runner()
    runner.invoke(users_cli, ["create", "wang", "--name", "王芳", "--role", "caseworker",
                              "--no-password", *DEPT])
    result = runner.invoke(users_cli, ["set-password", "wang", "--password", "fresh-pass-1"])
    assert result.exit_code == 0, result.output
    assert authenticate("wang", "fresh-pass-1") is not None
    prompted = runner.invoke(users_cli, ["set-password", "wang"],
                             input="other-pass-2\nother-pass-2\n")
    assert prompted.exit_code == 0 and authenticate("wang", "other-pass-2") is not None
    assert runner.invoke(users_cli, ["set-password", "nobody", "--password",
                                     "whatever-1"]).exit_code == 1


def test_demo_users_get_the_demo_password_and_a_login_table(app_ctx):
    import random

    admin = people._user("admin", "admin", random.Random(1))
    owner = people._user("process_owner", "process_owner", random.Random(1))
    found = people.existing()
    assert found.others == {"admin": admin, "process_owner": owner}
    assert authenticate("process_owner", people.DEMO_PASSWORD) is not None
    table = "\n".join(people.logins(found))
    assert "admin" in table and "系统管理员" in table and people.DEMO_PASSWORD in table


def test_existing_demo_usernames_are_never_given_the_demo_password(app_ctx):
    runner = app_ctx.test_cli_runner()
    runner.invoke(users_cli, ["create", "sz_hotline", "--name", "接口", "--role", "hotline",
                              "--no-password", *REGION])
    assert people.existing().hotline["shenzhen"].password_hash is None
    assert people.taken() == ["sz_hotline"]


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "caseworker", "--department", "BADCODE", "--region", "44"], "department"),
    (["--role", "caseworker", "--department", uscc("440300", 41)[:17] + "0"], "Check character"),
    (["--role", "caseworker", "--department", uscc("440300", 41), "--region", "44"],
     "12 digits"),
    (["--role", "hotline", "--region", "000000000000"], "naming a region"),
    (["--role", "hotline"], "needs a region"),
    (["--role", "agency", "--department", uscc("440300", 41)],
     "--department is not for the agency role"),
    (["--role", "caseworker", "--region", "440300000000"], "needs a department"),
    (["--role", "supervisor"], "needs a department"),
    (["--role", "personnel"], "needs a department"),
])
def test_create_refuses_what_the_role_cannot_be_scoped_by(app_ctx, args, message):
    result = app_ctx.test_cli_runner().invoke(
        users_cli, ["create", "bad", "--name", "x", "--no-password", *args])
    assert result.exit_code == 1 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and by_username("bad") is None


def test_roles_of_no_scope_need_neither(app_ctx):
    runner = app_ctx.test_cli_runner()
    for role in ("admin", "process_owner"):
        result = runner.invoke(users_cli, ["create", role, "--name", "x", "--role", role,
                                           "--no-password"])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["", "   ", " padded "])
def test_tokens_need_a_plain_name(app_ctx, name):
    result = app_ctx.test_cli_runner().invoke(tokens_cli, ["create", name])
    assert result.exit_code == 1 and "name" in result.output, result.output
    assert "hcp_" not in result.output and db.session.query(ApiToken).count() == 0


@pytest.mark.parametrize("role", ["hotline", "agency", "process_owner", "admin"])
def test_create_refuses_a_department_the_role_does_not_use(app_ctx, role):
    """Only caseworkers, supervisors and personnel units belong to a department: stored for
    another role, the department's cases would open to the user."""
    result = app_ctx.test_cli_runner().invoke(users_cli, [
        "create", "sys", "--name", "接口", "--role", role, "--no-password", *DEPT])
    assert result.exit_code == 1
    assert result.output == (f"Error: --department is not for the {role} role: only caseworker, "
                             "supervisor, personnel users belong to a department\n")
    assert by_username("sys") is None
