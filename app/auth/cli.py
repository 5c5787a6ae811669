"""`flask tokens ...`: API tokens for channel systems and users; `flask users ...`: users."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.auth import tokens, users
from app.auth.models import ROLES, ApiToken, User
from app.commands import AppCommands
from app.extensions import db
from app.timeutil import to_local

tokens_cli = AppCommands("tokens", help="API tokens for channel systems (评价渠道系统).")


@tokens_cli.command("create")
@click.argument("name")
@click.option("--user", "username", help="Bind the token to this user (for the tasks API).")
def create(name: str, username: str | None) -> None:
    """Create a token for channel system (or user) NAME and print it (shown only this once)."""
    user_id = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        user_id = user.id
    try:
        token = tokens.create(name, user_id)
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    click.echo(token)


@tokens_cli.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the live token of channel system NAME."""
    if not tokens.revoke(name):
        raise click.ClickException(f"no live token named {name!r}")
    click.echo(f"revoked {name}")


@tokens_cli.command("list")
def list_tokens() -> None:
    """List tokens: name, prefix, created, last used, state."""
    for t in db.session.scalars(select(ApiToken).order_by(ApiToken.name)):
        used = to_local(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "-"
        state = "revoked" if t.revoked_at else "live"
        click.echo(f"{t.name}\t{t.prefix}…\t{to_local(t.created_at):%Y-%m-%d}\t{used}\t{state}")


users_cli = AppCommands("users",
                        help="Users: caseworkers, hotline, agency, personnel units (用户).")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", required=True, help="Display name (姓名).")
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--department", "department_code", help="Department USCC (统一社会信用代码).")
@click.option("--region", "region_code", help="Region code (行政区划代码), 12 digits.")
@click.option("--password", help=f"Login password (at least {users.MIN_PASSWORD} characters); "
                                  "asked for when omitted.")
@click.option("--no-password", is_flag=True, help="No browser login (API token only).")
def create_user(username: str, name: str, role: str, department_code: str | None,
                region_code: str | None, password: str | None, no_password: bool) -> None:
    """Create a user."""
    if password is None and not no_password:
        password = _ask_password()
    try:
        users.create(username, name, role, department_code, region_code, password=password)
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"created {username} ({ROLES[role]})")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password", help="The new password; asked for when omitted.")
def set_password(username: str, password: str | None) -> None:
    """Set (reset) the login password of USERNAME; their other sessions end."""
    user = users.by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    try:
        users.set_password(user, password if password is not None else _ask_password())
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"password set for {username}")


def _ask_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("list")
def list_users() -> None:
    """List users: username, name, role, department, region, state, login."""
    for u in db.session.scalars(select(User).order_by(User.username)):
        login = "password" if u.password_hash else "no-password"
        click.echo(f"{u.username}\t{u.name}\t{u.role}\t{u.department_code or '-'}\t"
                   f"{u.region_code or '-'}\t{'active' if u.active else 'inactive'}\t{login}")
