"""The rules in force for a running process, reloaded when the files change.

`RuleRegistry.current()` checks the files (at most once per `reload_seconds`, see
`app.filewatch.Watcher`) and reloads them. A bad edit is rejected: it is logged, kept as
`last_error`, and the last good RuleBook stays in force until the file is fixed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.filewatch import Watcher
from app.rules.book import RuleBook, build_book
from app.rules.loader import RuleFileError, list_rule_files, load_directory
from app.timeutil import utcnow

log = logging.getLogger("app.rules")


class RuleRegistry:
    """Holds the current RuleBook of one rule directory."""

    def __init__(self, path: Path | str, reload_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._watcher = Watcher(lambda: list_rule_files(self.path), reload_seconds, clock)
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self._watcher.mark()
        now = utcnow()
        self._book: RuleBook = build_book(load_directory(self.path), now)  # raises when bad
        self.loaded_at: datetime = now
        log.debug("rules loaded from %s: %s", self.path, ", ".join(self._book.jurisdictions()))

    def current(self) -> RuleBook:
        """The RuleBook in force, reloading first when the files changed."""
        if self._watcher.changed():
            self.reload()
        return self._book

    def reload(self, force: bool = False) -> bool:
        """Reload when the files changed (or always with `force`). True when a new RuleBook
        is in force; False when nothing changed or the new files were rejected."""
        with self._lock:
            if not force and not self._watcher.changed(force=True):
                return False  # another thread reloaded meanwhile
            # Mark before reading: a change made while we read is seen at the next check.
            self._watcher.mark()
            now = utcnow()
            try:
                book = build_book(load_directory(self.path), now, previous=self._book)
            except RuleFileError as exc:
                self.last_error, self.last_error_at = str(exc), now
                log.error("rule files rejected, the previous rules stay in force:\n%s", exc)
                return False
            self._book, self.loaded_at = book, now
            if self.last_error is not None:
                log.info("rule files fixed; the previous error is cleared")
            self.last_error = self.last_error_at = None
            log.info("rules reloaded from %s: %s", self.path,
                     ", ".join(f"{r.key} {r.content_hash[:12]}" for r in book))
            return True
