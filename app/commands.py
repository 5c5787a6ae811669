"""The command groups of the app's own `flask` commands (users, tokens, demo, scheduler, ...).

A database that cannot be reached or is not migrated is told in one line, exit 1, instead of a
traceback: `Error: database unreachable: …`, `Error: the database is not migrated: run
`flask db upgrade``. Other errors keep their traceback (they are bugs to report)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.dberrors import describe


class AppCommands(AppGroup):
    """An AppGroup whose commands answer database trouble with one line (see the module), and
    first log what loading the data files at startup found (`datafiles.log_held_back`)."""

    def invoke(self, ctx: click.Context):
        from app.datafiles import log_held_back

        log_held_back()
        try:
            return super().invoke(ctx)
        except SQLAlchemyError as err:
            message = describe(err)
            if message is None:
                raise
            raise click.ClickException(message) from None
