"""`flask demo load`: realistic demo data, loaded once."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import tokens
from app.auth.models import ApiToken
from app.demo import generate
from app.extensions import db
from app.org.service import ensure_departments
from app.reviews.intake import intake
from app.reviews.models import Review
from app.timeutil import utcnow

SOURCE = "demo"
demo_cli = AppGroup("demo", help="Demo data for trying the system out.")


@demo_cli.command("load")
@click.option("--count", default=400, show_default=True, help="How many ratings.")
@click.option("--seed", default=2024, show_default=True)
def load(count: int, seed: int) -> None:
    """Load departments and ratings (once: does nothing when demo data is there)."""
    if db.session.scalar(select(Review.id).where(Review.source == SOURCE).limit(1)):
        click.echo("demo data already loaded")
        return
    ensure_departments((code, name, region.ljust(12, "0"))
                       for code, name, region in generate.departments().values())
    db.session.commit()
    results = intake(generate.ratings(count, utcnow(), seed=seed), source=SOURCE)
    cases = sum(r.case_number is not None for r in results)
    click.echo(f"demo data: {len(results)} ratings, {cases} bad ones opened cases")
    if not db.session.scalar(select(ApiToken.id).where(ApiToken.name == "demo-channel")):
        click.echo(f"API token for channel system 'demo-channel': {tokens.create('demo-channel')}")
