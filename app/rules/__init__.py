"""Jurisdiction rules as data (规则): deadlines, warnings, default ratings and routing, read from
rules/<jurisdiction>.yaml, validated, and reloaded without a restart.

Pure modules (no Flask): `schema`, `loader`, `book`, `registry`. Flask glue: `models`, `service`,
`cli`.
"""

from app.rules.book import (
    Deadline,
    Department,
    JurisdictionRules,
    RuleBook,
    UnknownRuleKey,
    load_book,
)
from app.rules.loader import Issue, RuleFileError, load_directory
from app.rules.registry import RuleRegistry, RulesUnavailable

__all__ = [
    "Deadline", "Department", "Issue", "JurisdictionRules", "RuleBook", "RuleFileError",
    "RuleRegistry", "RulesUnavailable", "UnknownRuleKey", "load_book", "load_directory",
]
