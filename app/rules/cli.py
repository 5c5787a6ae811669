"""`flask rules check` and `flask rules show`: for process owners editing rules/*.yaml."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.dberrors import describe
from app.rules import service
from app.rules.book import JurisdictionRules, RuleBook, build_book
from app.rules.loader import Issue, ParsedFile, RuleFileError, ignored_files, load_directory
from app.rules.registry import RulesUnavailable

rules_cli = AppGroup("rules", help="Jurisdiction rule files (rules/*.yaml): check and show.")


@rules_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Rule directory to check (default: RULES_DIR).")
def check(directory: Path | None) -> None:
    """Validate the rule files freshly from disk, and against the deployed processes (a rule
    key their timers use must stay); print every problem as path:line: message, and a warning
    for each entry of the directory that is not read."""
    directory = directory or Path(current_app.config["RULES_DIR"])
    for name in ignored_files(directory):
        click.echo(f"warning: {name}: not a rule file (<jurisdiction>.yaml), not read", err=True)
    try:
        parsed = load_directory(directory)
        book = build_book(parsed)
        issues = _deployed_issues(book, parsed)
        if issues:
            raise RuleFileError(issues)
    except RuleFileError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    keys = book.jurisdictions()
    click.echo(f"ok: {len(keys)} jurisdictions ({', '.join(keys)})")


def _deployed_issues(book: RuleBook, parsed: list[ParsedFile]) -> list[Issue]:
    """`service.check_deployed`; when the database cannot tell, a one-line warning and []."""
    try:
        return service.check_deployed(book, parsed)
    except SQLAlchemyError as err:
        why = describe(err) or str(err).strip().splitlines()[0]
        click.echo(f"warning: not compared with the deployed processes: {why}", err=True)
        return []


@rules_cli.command("show")
@click.argument("jurisdiction", required=False)
def show(jurisdiction: str | None) -> None:
    """Print the rules in force (all jurisdictions, or one)."""
    registry = service.registry()
    try:
        book = registry.current()
    except RulesUnavailable as exc:
        raise click.ClickException(f"{exc}\nrun `flask rules check` once fixed") from None
    if registry.last_error:
        click.echo("warning: the latest edit was rejected, these are the previous rules:\n"
                   f"{registry.last_error}\n", err=True)
    if jurisdiction is None:
        selected = list(book)
    elif jurisdiction in book:
        selected = [book.get(jurisdiction)]
    else:
        click.echo(f"unknown jurisdiction {jurisdiction!r}; known: "
                   f"{', '.join(book.jurisdictions())}", err=True)
        raise SystemExit(1)
    click.echo("\n\n".join(format_rules(rules) for rules in selected))


def format_rules(rules: JurisdictionRules) -> str:
    """Aligned, readable text of one jurisdiction's rules."""
    lines = [
        f"{rules.key}  {rules.name}{'  (default)' if rules.default else ''}",
        f"  file            {rules.source_path}  sha256 {rules.content_hash[:12]}",
        f"  regions         {', '.join(rules.regions)}",
    ]
    if rules.effective_from:
        lines.append(f"  effective from  {rules.effective_from.isoformat()}")
    lines.append(f"  deadlines (working days; warning lead default "
                 f"{rules.warning_lead_days}):")
    width = max(len(key) for key in rules.deadlines)
    for key, rule in rules.deadlines.items():
        warn = rules.warn_before(key)
        own = "" if rule.warn_before is not None else " (default)"
        late = f"  begun late: {rule.late_start_days} from the step" \
            if rule.late_start_days else ""
        capped = "  never after rectify.<class> (within_rectify)" if rule.within_rectify else ""
        lines.append(f"    {key:<{width}}  {rule.working_days:>3}  from {rule.counted_from:<7}"
                     f"  warn {warn}{own}{late}{capped}")
    r = rules.rating
    lines += [
        f"  rating          default {r.default_level}; window {r.window_natural_days} natural "
        f"days; reminder after {r.reminder_hours} h; follow-up within "
        f"{r.follow_up_natural_days} natural days",
        f"  appeal          decided by {rules.appeal.decided_by}; grounds "
        f"{', '.join(rules.appeal.grounds)}",
        f"  staff review    valid bad reviews {rules.staff_review.valid_bad_reviews_per_year}"
        f"/year or {rules.staff_review.valid_bad_reviews_per_week}/week; malicious ratings "
        f"{rules.staff_review.malicious_ratings_per_year}/year",
        f"  routing         dispatch {rules.routing.dispatch}",
    ]
    for obj, responsibility in rules.routing.by_object.items():
        lines.append(f"    {obj:<13}  -> {responsibility}")
    lines.append("  systems:")
    for channel, dept in rules.routing.systems.items():
        lines.append(f"    {channel:<13}  {dept.code}  {dept.name}")
    return "\n".join(lines)
