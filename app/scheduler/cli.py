"""`flask scheduler run|once|status`: the timer scheduler from the command line."""

from __future__ import annotations

import click
from flask import current_app

from app.commands import AppCommands
from app.extensions import db
from app.scheduler.runner import run_blocking
from app.scheduler.sweep import next_due, sweep
from app.scheduler.sweep import status as sweep_status
from app.timeutil import to_local, utcnow

scheduler_cli = AppCommands("scheduler", help="Start cases on the engine and fire due timers.")


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in this process until interrupted (for gunicorn deployments)."""
    next_due()  # a database unreachable or not migrated: one line, exit 1 (AppCommands)
    db.session.rollback()
    click.echo("scheduler running; Ctrl-C stops it")
    run_blocking(current_app._get_current_object())


@scheduler_cli.command("once")
def once() -> None:
    """One pass now: start waiting cases, fire due timers."""
    result = sweep()
    click.echo(f"started {result.started} cases, fired {result.fired} timers, "
               f"{result.failed} failed")
    for error in result.errors:
        click.echo(f"  {error}", err=True)


@scheduler_cli.command("status")
def status() -> None:
    """Pending timers, the next one due, failing ones, cases waiting for the engine."""
    st = sweep_status(utcnow())
    click.echo(f"pending timers {st.pending}, due now {st.due}, failing {st.failing}")
    click.echo(f"next due {to_local(st.next_due):%Y-%m-%d %H:%M:%S %z}" if st.next_due
               else "next due -")
    click.echo(f"cases waiting for the engine {st.waiting_cases}")
