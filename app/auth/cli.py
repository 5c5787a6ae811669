"""`flask tokens ...`: API tokens for channel systems."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import tokens
from app.auth.models import ApiToken
from app.extensions import db
from app.timeutil import to_local

tokens_cli = AppGroup("tokens", help="API tokens for channel systems (评价渠道系统).")


@tokens_cli.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Create a token for channel system NAME and print it (shown only this once)."""
    try:
        token = tokens.create(name)
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
