"""The last good copy of a data directory (上一版有效文件): the rule or calendar files as they
were when last loaded without error, kept under the instance folder.

A bad edit is refused while the app runs and the last good version stays in force in memory.
A process that starts while a file is bad (a gunicorn worker replaced after a crash, a
scheduler restarted) has no memory to fall back on: it loads this copy instead, so that it runs
on the same rules and calendar as the processes still up, and reports the bad file. No Flask.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("app.lastgood")


class LastGood:
    """The copy of one directory's files, at `root` (None: no copy is kept)."""

    def __init__(self, root: Path | str | None) -> None:
        self.root = Path(root) if root is not None else None

    def save(self, source: Path, files: Iterable[Path]) -> None:
        """Keep `files` (inside `source`) as the last good copy: each written whole (a process
        reading the copy meanwhile sees old or new files, never a part), files no longer
        there removed. A copy that cannot be written is logged, never raised."""
        if self.root is None:
            return
        try:
            kept = {self._write(source, path) for path in files if path.is_file()}
            for old in list(self.root.rglob("*")):
                if old.is_file() and old not in kept and not old.name.startswith(".tmp-"):
                    old.unlink()
        except OSError as exc:
            log.warning("the last good copy of %s was not kept in %s: %s", source, self.root,
                        exc)

    def _write(self, source: Path, path: Path) -> Path:
        target = self.root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() and target.read_bytes() == path.read_bytes():
            return target
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(path.read_bytes())
        os.replace(temporary, target)
        return target

    def path(self) -> Path | None:
        """The copy's directory, None when there is none (never saved, or removed)."""
        if self.root is None or not self.root.is_dir():
            return None
        return self.root if any(p.is_file() for p in self.root.rglob("*")) else None
