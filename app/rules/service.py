"""Flask glue for the rules: the app's RuleRegistry, rule versions in the database, status.

    from app.rules import service as rules
    book = rules.current()                       # RuleBook in force (reloaded when files change)
    jr = rules.for_region("440305000000")        # JurisdictionRules for a region code
    jr.deadline_days("rectify.general")
    case.rule_version_id = rules.version_id(jr)  # row in rule_versions, inserted when new
"""

from __future__ import annotations

import logging
from functools import partial

from flask import Flask, current_app
from sqlalchemy import select

from app.dbutil import bulk_insert, on_commit, transaction_scoped
from app.extensions import db
from app.lastgood import LastGood
from app.rules.book import JurisdictionRules, RuleBook
from app.rules.loader import Issue, ParsedFile
from app.rules.models import RuleVersion
from app.rules.registry import ReloadCheck, RuleRegistry
from app.timeutil import utcnow

log = logging.getLogger("app.rules")

EXTENSION = "rules"
CACHE = "rules.version_ids"
PENDING = "rules.version_ids"  # found or inserted by the current transaction, not committed
HISTORY = "rules.history"  # version id -> JurisdictionRules read back (app.rules.history)
DEPLOYED_CHECK = "rules.deployed_check"

VersionKey = tuple[str, str]  # (jurisdiction, content_hash)


def init_app(app: Flask, reload_check: ReloadCheck | None = None,
             last_good: LastGood | None = None,
             deployed_check: ReloadCheck | None = None) -> None:
    """Load the rule directory into a RuleRegistry kept in `app.extensions["rules"]`. Bad
    rules at startup are logged and reported; the last good copy (`last_good`) is in force,
    or none (RulesUnavailable) until the files are fixed. `reload_check` may refuse later
    reloads (see RuleRegistry); `deployed_check` finds what checked files lack that the
    deployed processes need (`check_deployed`)."""
    app.extensions[EXTENSION] = RuleRegistry(
        app.config["RULES_DIR"], app.config["RULES_RELOAD_SECONDS"], reload_check=reload_check,
        last_good=last_good)
    app.extensions[CACHE] = {}
    app.extensions[DEPLOYED_CHECK] = deployed_check


def registry() -> RuleRegistry:
    return current_app.extensions[EXTENSION]


def check_deployed(book: RuleBook, parsed: list[ParsedFile]) -> list[Issue]:
    """What the rules `book`, read from `parsed`, lack that the deployed processes use (a rule
    key their timers name: see app.modeler.rulekeys), as issues of the files. Raises
    SQLAlchemyError when the deployed processes cannot be read."""
    check = current_app.extensions.get(DEPLOYED_CHECK)
    return list(check(book, parsed)) if check is not None else []


def current() -> RuleBook:
    """The RuleBook in force (reloaded first when the files changed)."""
    return registry().current()


def for_region(region_code: str | None) -> JurisdictionRules:
    """The rules that apply to a region code (行政区划代码): longest prefix, else the default."""
    return current().for_region(region_code)


def version_id(rules: JurisdictionRules) -> int:
    """Id of the `rule_versions` row for this content, inserted (not committed) in the
    caller's transaction when new. Safe when two transactions insert the same version at once.

    An id is cached per app once the transaction that found or inserted it commits (until
    then, per transaction): a rolled-back insert leaves nothing behind. Rows are never deleted in
    service (cases refer to them); whoever empties the table calls `forget_versions`."""
    key = (rules.key, rules.content_hash)
    cache: dict[VersionKey, int] = current_app.extensions[CACHE]
    pending: dict[VersionKey, int] = transaction_scoped(db.session(), PENDING)
    found = cache.get(key) or pending.get(key)
    if found is None:
        found = _find(key)
        if found is None:
            found = _insert(rules, key)
        pending[key] = found
        on_commit(db.session(), partial(cache.__setitem__, key, found))
    return found


def record_loaded_versions() -> dict[str, int]:
    """Make sure every rule version in force has its row (flushed; the caller commits).
    Returns jurisdiction -> rule version id ({} when no rules are in force)."""
    if not registry().available:
        return {}
    return {rules.key: version_id(rules) for rules in current()}


def status() -> dict:
    """For /healthz: the jurisdictions in force, the last rejected edit, if any, and the
    entries of the rule directory that are not read."""
    reg = registry()
    book = reg.current() if reg.available else None
    return {
        "jurisdictions": {
            r.key: {"name": r.name, "hash": r.content_hash, "file": r.source_path,
                    "loaded_at": r.loaded_at.isoformat() if r.loaded_at else None}
            for r in book or ()
        },
        "default": book.default.key if book else None,
        "unavailable": book is None,
        "last_error": reg.last_error,
        "last_error_at": reg.last_error_at.isoformat() if reg.last_error_at else None,
        "ignored_files": list(reg.ignored),
    }


def forget_versions() -> None:
    """Drop the cached rule version ids, and the versions read back by `history.rules_at`
    (after the table was emptied, e.g. in tests)."""
    current_app.extensions[CACHE].clear()
    current_app.extensions.get(HISTORY, {}).clear()


def _find(key: VersionKey) -> int | None:
    jurisdiction, content_hash = key
    return db.session.execute(
        select(RuleVersion.id).where(RuleVersion.jurisdiction == jurisdiction,
                                     RuleVersion.content_hash == content_hash)
    ).scalar_one_or_none()


def _insert(rules: JurisdictionRules, key: VersionKey) -> int:
    """INSERT ... ON CONFLICT DO NOTHING, then read the id back: when another transaction
    inserts the same version at the same moment, PostgreSQL waits for it and skips ours, and the
    caller's transaction is never aborted. (Not a SAVEPOINT: with pysqlite a SAVEPOINT opened
    before any other write starts the transaction itself, and its RELEASE commits.)"""
    bulk_insert(RuleVersion.__table__, [{
        "jurisdiction": rules.key, "content_hash": rules.content_hash,
        "source_path": rules.source_path, "content": rules.text, "loaded_at": utcnow()}],
        conflict=("jurisdiction", "content_hash"))
    found = _find(key)
    if found is None:  # pragma: no cover - the row was just inserted or already there
        raise RuntimeError(f"rule version {key} neither inserted nor found")
    return found
