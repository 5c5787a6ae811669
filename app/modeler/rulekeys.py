"""Rule keys in use (规则键): a reload of the rule files that drops a rule key which a process
version in force uses (the current version of each jurisdiction's processes, as
`processes.current` finds it) is refused, naming the rule file, the key and the timers using it.
The reverse of the modeler's check that a diagram's rule keys exist in the rules; the keys come
from the same place (`validation.rule_key_uses`).

The app factory hands `dropped_keys_in_use` to the rule registry (`reload_check`), so app.rules
stays free of process code. It runs on reloads only, never at startup (nor in `flask db
upgrade`); it reads the database only when a reload drops a key, on a connection of its own (the
caller's transaction is neither flushed nor aborted), and when the versions cannot be read (a
database not migrated yet) it logs a warning and lets the reload through.

A restart loads whatever the rule directory holds, so rules edited while the app was down may
lack a key in use: `missing_keys_in_use` finds those for /healthz and the home page (a case
reaching such a timer cannot go on: `engine.ProcessHalted`), and `missing_key_issues` in the
files `flask rules check` checks, before they are put in place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import has_app_context
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.modeler.validation import KeyUse, rule_key_uses
from app.processes.models import ProcessVersion
from app.rules.book import RuleBook
from app.rules.loader import Issue, ParsedFile

log = logging.getLogger("app.rules")

_uses: dict[str, tuple[KeyUse, ...]] = {}  # content hash → its uses (versions never change)
InUse = list[tuple[list[str], list[KeyUse]]]  # per set of files: version labels, uses of a key


def dropped_keys_in_use(book: RuleBook, parsed: list[ParsedFile]) -> list[Issue]:
    """An issue (file, `deadlines` line) for each rule key that `parsed` drops from the rules
    in force while a current process version uses it."""
    dropped = {f.path: _dropped(book, f) for f in parsed}
    if not any(dropped.values()) or not has_app_context():
        return []
    try:
        with db.engine.connect() as conn:
            in_use = _keys_in_use(conn)
    except SQLAlchemyError as exc:
        log.warning("rule keys in use not checked, the process versions cannot be read: %s",
                    str(exc).splitlines()[0])
        return []
    return [f.issue(("deadlines",), _message(key, in_use[key]))
            for f in parsed for key in sorted(dropped[f.path]) if key in in_use]


def missing_keys_in_use(book: RuleBook) -> list[str]:
    """A message for each rule key that a current process version uses and its jurisdiction's
    rules in force do not define; [] when the versions cannot be read."""
    try:
        missing = _missing_keys(book)
    except SQLAlchemyError:
        return []
    return [f"{book.get(version.jurisdiction).source_path}: rule key {key!r} is missing, but "
            f"{_label(version)} uses it at {_where(uses)}: cases reaching those timers cannot "
            "go on. Add the key back, or deploy diagrams without it (modeler)."
            for version, key, uses in missing]


def missing_key_issues(book: RuleBook, parsed: list[ParsedFile]) -> list[Issue]:
    """An issue (file, `deadlines` line) for each rule key that a current process version
    uses and the rules `book` read from `parsed` lack (`flask rules check`). Raises
    SQLAlchemyError when the versions cannot be read."""
    files = {f.data["jurisdiction"]: f for f in parsed}
    return [files[version.jurisdiction].issue(
                ("deadlines",), f"rule key {key!r} is missing, but the process in force uses "
                f"it: {_label(version)} at {_where(uses)}. Add the key back, or deploy "
                "diagrams without it first (modeler).")
            for version, key, uses in _missing_keys(book)]


def _missing_keys(book: RuleBook) -> list[tuple[Row, str, list[KeyUse]]]:
    """(version, key, where it uses the key) for each rule key that a current process version
    uses and its jurisdiction's rules in `book` lack (versions of a jurisdiction `book` does
    not have are left out). Raises SQLAlchemyError when the versions cannot be read."""
    with db.engine.connect() as conn:
        versions = [(v, _uses_of(conn, v)) for v in _current_versions(conn)]
    out = []
    for version, uses in versions:
        if version.jurisdiction not in book:
            continue
        keys = {u.key for u in uses} - set(book.get(version.jurisdiction).deadlines)
        out += [(version, key, [u for u in uses if u.key == key]) for key in sorted(keys)]
    return out


def _label(version: Row) -> str:
    return f"{version.process_key} v{version.number} ({version.jurisdiction})"


def _where(uses: list[KeyUse]) -> str:
    return ", ".join(f"{u.file}:{u.line} {u.element}" for u in uses)


def _uses_of(conn: Connection, version) -> tuple[KeyUse, ...]:
    """The rule keys a version's timers name (cached by content hash)."""
    if version.content_hash not in _uses:
        files = conn.execute(select(ProcessVersion.files)
                             .where(ProcessVersion.id == version.id)).scalar_one()
        _uses[version.content_hash] = tuple(rule_key_uses(files))
    return _uses[version.content_hash]


def _dropped(book: RuleBook, parsed: ParsedFile) -> set[str]:
    key = parsed.data["jurisdiction"]
    if key not in book:
        return set()
    return set(book.get(key).deadlines) - set(parsed.data["deadlines"])


def _keys_in_use(conn: Connection) -> dict[str, InUse]:
    """Rule key → the current versions that use it (grouped by their files) and where."""
    by_hash: dict[str, list[str]] = {}
    for version in _current_versions(conn):
        _uses_of(conn, version)
        by_hash.setdefault(version.content_hash, []).append(_label(version))
    found: dict[str, InUse] = {}
    for digest, labels in by_hash.items():
        for key in {use.key for use in _uses[digest]}:
            found.setdefault(key, []).append(
                (labels, [use for use in _uses[digest] if use.key == key]))
    return found


def _current_versions(conn: Connection) -> Iterator:
    """The newest version of each jurisdiction's processes (id, labels and hash only)."""
    pv = ProcessVersion
    newest = select(func.max(pv.id)).group_by(pv.jurisdiction, pv.process_key)
    yield from conn.execute(
        select(pv.id, pv.jurisdiction, pv.process_key, pv.number, pv.content_hash)
        .where(pv.id.in_(newest)).order_by(pv.jurisdiction, pv.process_key))


def _message(key: str, in_use: InUse) -> str:
    where = "; ".join(", ".join(labels) + " at " + _where(uses) for labels, uses in in_use)
    return (f"rule key {key!r} is removed, but the process in force uses it: {where}. Deploy "
            "diagrams without it first (modeler), then remove the key.")
