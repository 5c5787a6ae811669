"""Cheap change detection for data files (calendars, rules): a fingerprint of paths, sizes and
modification times, checked at most once per interval. No threads, so it works the same in every
gunicorn worker and in CLI commands. Also which entries of a data directory count at all."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

Fingerprint = tuple[tuple[str, int, int], ...]
YAML_SUFFIXES = (".yaml", ".yml")


def skipped(path: Path) -> bool:
    """Hidden, editor lock and backup files (`.x`, `~x`, `#x#`, `x~`) and READMEs: never data,
    never reported."""
    name = path.name
    return name.startswith((".", "~", "#")) or name.endswith("~") \
        or name.upper().startswith("README")


def entries(directory: Path) -> list[Path]:
    """The entries of `directory` that are not `skipped`, sorted; [] when it is no directory."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if not skipped(p))


def misnamed_yaml(path: Path, suffix: str = ".yaml") -> bool:
    """A YAML file by its name that data loading does not read (`x.yml`, `x.YAML`)."""
    return path.suffix.lower() in YAML_SUFFIXES and not path.name.endswith(suffix)


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
