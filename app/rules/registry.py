"""The rules in force for a running process, reloaded when the files change.

`RuleRegistry.current()` checks the files (at most once per `reload_seconds`, see
`app.filewatch.Watcher`) and reloads them. A bad edit is rejected: it is logged, kept as
`last_error`, and the last good RuleBook stays in force until the file is fixed.

A reload never drops a jurisdiction in force: a removed (or renamed) rule file is rejected like a
bad one. Only a restart loads what the directory holds then, which is how a jurisdiction is
retired. `reload_check`, given by the app, may refuse a reload for reasons outside the files
(e.g. a rule key that a deployed diagram uses); it is not run at the first load.

A process starting while a file is bad loads the last good copy (`app.lastgood`, saved after
every load without error) and reports the bad file as `last_error`; with no copy either, it
starts without rules: `current()` raises RulesUnavailable (the app answers 503) until the
files are fixed, which is seen at the next check without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from app.filewatch import YAML_SUFFIXES, Watcher
from app.lastgood import LastGood
from app.rules.book import RuleBook, build_book
from app.rules.loader import (
    Issue,
    ParsedFile,
    RuleFileError,
    ignored_files,
    list_rule_files,
    load_directory,
    watched_files,
)
from app.timeutil import utcnow

log = logging.getLogger("app.rules")

ReloadCheck = Callable[[RuleBook, list[ParsedFile]], Iterable[Issue]]


class RulesUnavailable(RuntimeError):
    """No rules are in force: the files were bad when the process started, with no last good
    copy to fall back on."""


class RuleRegistry:
    """Holds the current RuleBook of one rule directory."""

    def __init__(self, path: Path | str, reload_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic,
                 reload_check: ReloadCheck | None = None,
                 last_good: LastGood | None = None) -> None:
        self.path = Path(path)
        self.last_good = last_good or LastGood(None)
        self._lock = threading.Lock()
        self._watcher = Watcher(lambda: watched_files(self.path), reload_seconds, clock)
        self.reload_check = reload_check
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self.ignored: tuple[str, ...] = ()
        self._watcher.mark()
        self._note_ignored()
        now = self.loaded_at = utcnow()
        self._book: RuleBook | None = self._first_load(now)

    def _first_load(self, now: datetime) -> RuleBook | None:
        """The directory's rules; when they are bad, the last good copy's (None: neither)."""
        try:
            book = build_book(load_directory(self.path), now)
        except RuleFileError as exc:
            self.last_error, self.last_error_at = str(exc), now
            copy = self.last_good.path()
            if copy is None:
                log.error("rule files rejected and no last good copy: no rules in force until "
                          "they are fixed:\n%s", exc)
                return None
            try:
                book = build_book(load_directory(copy), now)
            except RuleFileError as bad_copy:
                log.error("rule files rejected, and their last good copy too: no rules in force "
                          "until they are fixed:\n%s\n%s", exc, bad_copy)
                return None
            log.error("rule files rejected, the last good copy (%s) is in force:\n%s", copy,
                      exc)
            return book
        self._keep()
        log.debug("rules loaded from %s: %s", self.path, ", ".join(book.jurisdictions()))
        return book

    def _keep(self) -> None:
        """Save the files just loaded as the last good copy."""
        self.last_good.save(self.path, list_rule_files(self.path))

    def current(self) -> RuleBook:
        """The RuleBook in force, reloading first when the files changed; RulesUnavailable
        when there is none."""
        if self._watcher.changed():
            self.reload()
        book = self._book
        if book is None:
            raise RulesUnavailable(f"no rules in force, the rule files are bad:\n"
                                   f"{self.last_error}")
        return book

    @property
    def available(self) -> bool:
        """Are rules in force (after a check of the files)?"""
        if self._watcher.changed():
            self.reload()
        return self._book is not None

    def reload(self, force: bool = False) -> bool:
        """Reload when the files changed (or always with `force`). True when a new RuleBook
        is in force; False when nothing changed or the new files were rejected."""
        with self._lock:
            if not force and not self._watcher.changed(force=True):
                return False  # another thread reloaded meanwhile
            # Mark before reading: a change made while we read is seen at the next check.
            self._watcher.mark()
            self._note_ignored()
            now = utcnow()
            try:
                parsed = self._load()
                self._refuse(parsed)
                book = build_book(parsed, now, previous=self._book)
            except RuleFileError as exc:
                self.last_error, self.last_error_at = str(exc), now
                log.error("rule files rejected, the previous rules stay in force:\n%s", exc)
                return False
            self._book, self.loaded_at = book, now
            self._keep()
            if self.last_error is not None:
                log.info("rule files fixed; the previous error is cleared")
            self.last_error = self.last_error_at = None
            log.info("rules reloaded from %s: %s", self.path,
                     ", ".join(f"{r.key} {r.content_hash[:12]}" for r in book))
            return True

    def _load(self) -> list[ParsedFile]:
        """The files of the directory; when they are refused, the refusal also names the
        files of jurisdictions in force that are gone (e.g. the default's, whose absence
        reads as "no rule file says default: true")."""
        try:
            return load_directory(self.path)
        except RuleFileError as exc:
            gone = [_dropped(rules) for rules in self._book or []
                    if not any((Path(self.path) / f"{rules.key}{suffix}").exists()
                               for suffix in YAML_SUFFIXES)]  # a .yml one has its own error
            if not gone:
                raise
            raise RuleFileError([*gone, *exc.issues]) from None

    def _refuse(self, parsed: list[ParsedFile]) -> None:
        """RuleFileError when sound files must still not replace the rules in force."""
        if self._book is None:
            return
        issues = list(dropped_jurisdictions(self._book, parsed))
        if self.reload_check is not None:
            issues.extend(self.reload_check(self._book, parsed))
        if issues:
            raise RuleFileError(issues)

    def _note_ignored(self) -> None:
        """Remember the entries that are not read, and warn when they change."""
        ignored = tuple(ignored_files(self.path))
        if ignored and ignored != self.ignored:
            log.warning("not rule files, not read (rule files are <jurisdiction>.yaml): %s",
                        ", ".join(ignored))
        self.ignored = ignored


def dropped_jurisdictions(book: RuleBook, parsed: list[ParsedFile]) -> Iterator[Issue]:
    """An issue for each jurisdiction in force whose file is gone from `parsed`."""
    present = {f.data["jurisdiction"] for f in parsed}
    return (_dropped(rules) for rules in book if rules.key not in present)


def _dropped(rules: Any) -> Issue:
    """The issue of a jurisdiction in force whose file is gone."""
    return Issue(rules.source_path, None,
                 f"file missing: jurisdiction {rules.key!r} ({rules.name}, regions "
                 f"{', '.join(rules.regions) or '-'}) is in force; put the file back. To "
                 "retire the jurisdiction, remove its file and restart the app.")
