"""Cheap change detection for data files (calendars, rules): a fingerprint of paths, sizes and
modification times, checked at most once per interval. No threads, so it works the same in every
gunicorn worker and in CLI commands."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(paths: Iterable[Path]) -> Fingerprint:
    """(path, size, mtime_ns) for each existing file, sorted by path."""
    rows = []
    for path in sorted(paths):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        rows.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(rows)


class Watcher:
    """Says whether the files listed by `list_files` changed since the last `mark`."""

    def __init__(self, list_files: Callable[[], Iterable[Path]], interval: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._list_files = list_files
        self.interval = interval
        self._clock = clock
        self._seen: Fingerprint | None = None
        self._checked_at = float("-inf")

    def changed(self, force: bool = False) -> bool:
        """True when the file set differs from the last marked one (checked at most once per
        interval unless `force`)."""
        now = self._clock()
        if not force and now - self._checked_at < self.interval:
            return False
        self._checked_at = now
        return fingerprint(self._list_files()) != self._seen

    def mark(self) -> None:
        """Remember the current file set as seen."""
        self._seen = fingerprint(self._list_files())
