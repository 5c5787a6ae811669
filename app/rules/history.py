"""Rules as they were (历史版本): a jurisdiction's rules from a row of `rule_versions`.

A step's deadlines are counted once, when it begins, with the rules then in force; a later edit
of the rule files does not move them. When they have to be counted again (期限重算, after next
year's calendar is added), they are counted with those same rules, which the task row names
(`case_tasks.rule_version_id`) and `rule_versions` keeps verbatim.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from flask import current_app

from app.extensions import db
from app.rules import service
from app.rules.book import JurisdictionRules
from app.rules.loader import RuleFileError, parse_bytes
from app.rules.models import RuleVersion

log = logging.getLogger(__name__)


def rules_at(version_id: int | None, jurisdiction: str) -> JurisdictionRules:
    """The rules of `jurisdiction` as kept in version `version_id`; the rules in force when
    there is no such version (rows older than the column) or it no longer reads (a field the
    rule schema has since changed), which is logged."""
    in_force = service.current().get(jurisdiction)
    if version_id is None:
        return in_force
    cache: dict[int, JurisdictionRules] = current_app.extensions.setdefault(
        service.HISTORY, {})
    if version_id not in cache:
        found = _load(version_id, jurisdiction)
        if found is None:
            return in_force
        cache[version_id] = found
    found = cache[version_id]
    return in_force if found.content_hash == in_force.content_hash else found


def _load(version_id: int, jurisdiction: str) -> JurisdictionRules | None:
    row = db.session.get(RuleVersion, version_id)
    if row is None or row.jurisdiction != jurisdiction:
        log.warning("rule version %s of %s not found; counting with the rules in force",
                    version_id, jurisdiction)
        return None
    display = f"rule_versions #{version_id} ({row.source_path})"
    try:
        parsed = parse_bytes(row.content.encode("utf-8"), Path(row.source_path), display)
    except RuleFileError as exc:
        log.warning("%s no longer reads (%s); counting with the rules in force", display,
                    exc.message)
        return None
    parsed = replace(parsed, content_hash=row.content_hash, display_path=row.source_path)
    return JurisdictionRules.from_parsed(parsed, row.loaded_at)
