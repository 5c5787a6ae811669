"""`flask calendar ...`: look at and check the working-day calendar (工作日历).

Output is a contract other tools read: `add` prints `YYYY-MM-DD` (plus ` provisional` past the
published years); `year` prints `YYYY-MM-DD work|off` per day; `check` prints
`covered through YYYY-MM-DD`. Errors go to stderr with exit status 1, usage errors exit 2.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click

from app import workdays
from app.workdays.calendar import WorkdayCalendar
from app.workdays.files import NATIONAL, calendar_files, ignored_files, load_file
from app.workdays.yamlfile import CalendarFileError
from app.yamldoc import display_path

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime) -> date:
    return value.date()


def _calendar(region: str | None) -> WorkdayCalendar:
    """The calendar in force for `region`; a warning on stderr when its files were rejected
    and the last good version answers."""
    try:
        calendar = workdays.default_calendar().for_region(region)
    except workdays.CalendarUnavailable as exc:
        raise click.ClickException(f"{exc}\nrun `flask calendar check` once fixed") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--region") from exc
    if workdays.last_error():
        click.echo("warning: the latest edit was rejected, the previous calendar answers:\n"
                   f"{workdays.last_error()}", err=True)
    return calendar


@click.group("calendar")
def calendar_cli() -> None:
    """Working-day calendar (工作日历): files under calendars/."""


@calendar_cli.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("day", type=_DATE, metavar="YYYY-MM-DD")
@click.argument("n", type=int)
@click.option("--region", default=None, help="Region code (行政区划代码), e.g. 450102000000.")
def add_command(day: datetime, n: int, region: str | None) -> None:
    """Print the N-th working day after the date (N may be 0 or negative)."""
    result = _calendar(region).add_working_days(_day(day), n)
    click.echo(f"{result.isoformat()} provisional" if result.provisional else result.isoformat())


@calendar_cli.command("year")
@click.argument("year", type=click.IntRange(1, 9999))
@click.option("--region", default=None, help="Region code (行政区划代码), e.g. 450102000000.")
def year_command(year: int, region: str | None) -> None:
    """Print every day of YEAR as `YYYY-MM-DD work` or `YYYY-MM-DD off`."""
    calendar = _calendar(region)
    if year not in calendar.data.national:
        click.echo(f"no calendar file for {year}: "
                   f"{display_path(calendar.data.missing_file(year))}", err=True)
        raise SystemExit(1)
    day, lines = date(year, 1, 1), []
    while day.year == year:
        lines.append(f"{day.isoformat()} {'work' if calendar.is_working_day(day) else 'off'}")
        day += timedelta(days=1)
    click.echo("\n".join(lines))


@calendar_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Calendars directory to check (default: the configured one).")
def check_command(directory: Path | None) -> None:
    """Validate every calendar file (national and regional) and print how far they reach;
    warn of each entry that is not read."""
    root = directory or workdays.configured_path()  # the files, not the calendar in force
    for name in ignored_files(root):
        click.echo(f"warning: {name}: not a calendar file (<folder>/<year>.yaml), not read",
                   err=True)
    problems = _file_problems(root)
    if not problems:
        try:
            covered = workdays.load_calendar(root).coverage()
        except CalendarFileError as exc:
            problems = [str(exc)]
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    click.echo(f"covered through {covered.isoformat()}")


def _file_problems(root: Path) -> list[str]:
    """`file:line: message` for every file that fails on its own."""
    problems = []
    for path in calendar_files(root):
        try:
            load_file(path, overlay=path.parent.name != NATIONAL)
        except CalendarFileError as exc:
            problems.append(str(exc))
    return problems
