"""`flask demo load`: realistic demo data, loaded once."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from app.auth import tokens
from app.auth.models import ApiToken, User
from app.cases.records import CaseTask
from app.commands import AppCommands
from app.demo import cases, generate, people
from app.demo import data as d
from app.extensions import db
from app.org.service import ensure_departments
from app.reviews.models import Review
from app.timeutil import utcnow

SOURCE = cases.SOURCE
demo_cli = AppCommands("demo", help="Demo data for trying the system out.")


@demo_cli.command("load")
@click.option("--count", default=400, show_default=True, type=click.IntRange(min=1),
              help="How many ratings.")
@click.option("--seed", default=2024, show_default=True)
@click.option("--force", is_flag=True,
              help="Load into a database that holds other users, ratings or tokens (never "
                   "into one with an account of a demo username).")
def load(count: int, seed: int, force: bool) -> None:
    """Load departments, ratings of the past 30 days with their cases worked up to today,
    and demo users with API tokens (once: does nothing when demo data is there). Demo users
    share a published password: refused in a database with data of its own unless --force."""
    if db.session.scalar(select(Review.id).where(Review.source == SOURCE).limit(1)):
        click.echo("demo data already loaded")
        _print_logins(people.existing())
        return
    _refuse_foreign_data(force)
    ensure_departments((code, name, region.ljust(12, "0")) for code, name, region
                       in [*generate.departments().values(), *d.SYSTEM_OWNERS.values()])
    db.session.commit()
    out = cases.load(count, utcnow(), seed)
    click.echo(f"demo data: {out.ratings} ratings, {out.cases} bad ones opened cases: "
               f"{out.closed} closed, {out.cases - out.closed} open; {out.warned} warned, "
               f"{out.overdue} overdue and escalated (超期督办)")
    if out.steps:
        click.echo("open cases by step: "
                   + ", ".join(f"{step} {n}" for step, n in sorted(out.steps.items())))
    users = out.staff.all()
    click.echo(f"demo users ({len(users)}): " + ", ".join(u.username for u in users))
    _print_logins(out.staff)
    for user, token in people.issue_tokens(out.staff, _busiest_department()):
        click.echo(f"API token for demo user {people.describe(user)}: {token}")
    if not db.session.scalar(select(ApiToken.id).where(ApiToken.name == "demo-channel")):
        click.echo(f"API token for channel system 'demo-channel': {tokens.create('demo-channel')}")


def _refuse_foreign_data(force: bool) -> None:
    """Exit 1 when the database holds users, ratings or API tokens (not the demo's: it is not
    loaded), unless `force`; and always when an account uses a demo username, which the demo
    would otherwise give the published password or bind a demo token to."""
    found = _foreign_data()
    if found and not force:
        raise click.ClickException(
            f"the database already holds {', '.join(found)}: the demo's users share the "
            f"published password {people.DEMO_PASSWORD}; load it into a database of its own, "
            "or pass --force")
    taken = people.taken()
    if taken:
        raise click.ClickException(
            f"accounts use demo usernames ({', '.join(taken)}): the demo never alters them; "
            "load it into a database of its own")


def _foreign_data() -> list[str]:
    """What the database holds that the demo did not load: '3 users', '1 rating', ..."""
    found = []
    for model, label in ((User, "user"), (Review, "rating"), (ApiToken, "API token")):
        n = db.session.scalar(select(func.count()).select_from(model))
        if n:
            found.append(f"{n} {label}{'s' if n > 1 else ''}")
    return found


def _print_logins(staff: people.People) -> None:
    """The demo logins for the browser (every demo user has the demo password)."""
    click.echo("\nbrowser logins (sign in at /login):")
    for line in people.logins(staff):
        click.echo(line)
    click.echo("")


def _busiest_department() -> str | None:
    """The department with the most open department tasks (its caseworker gets a token)."""
    row = db.session.execute(
        select(CaseTask.department_code, func.count()).where(
            CaseTask.state == "open", CaseTask.group_name == "department")
        .group_by(CaseTask.department_code)
        .order_by(func.count().desc(), CaseTask.department_code).limit(1)).first()
    return row[0] if row else None
