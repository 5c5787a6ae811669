"""`flask demo load`: realistic demo data, loaded once."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.auth import tokens
from app.auth.models import ApiToken
from app.cases.records import CaseTask
from app.demo import cases, generate, people
from app.demo import data as d
from app.extensions import db
from app.org.service import ensure_departments
from app.reviews.models import Review
from app.timeutil import utcnow

SOURCE = cases.SOURCE
demo_cli = AppGroup("demo", help="Demo data for trying the system out.")


@demo_cli.command("load")
@click.option("--count", default=400, show_default=True, help="How many ratings.")
@click.option("--seed", default=2024, show_default=True)
def load(count: int, seed: int) -> None:
    """Load departments, ratings of the past 30 days with their cases worked up to today,
    and demo users with API tokens (once: does nothing when demo data is there)."""
    if db.session.scalar(select(Review.id).where(Review.source == SOURCE).limit(1)):
        click.echo("demo data already loaded")
        _print_logins(people.existing())
        return
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
