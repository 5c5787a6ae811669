"""Workflows of recently changed cases, kept in this process (流程实例缓存).

Deserializing a case's state costs about as much as running a step. After a change commits,
its workflow object is kept here, tagged with the case version that change set; the next change
of the case in this process takes it instead of loading the state, if the case is still at that
version (so no other process or thread changed it since). An entry is taken out while a change
works on it and put back only when that change's transaction commits: a change that fails or
rolls back leaves nothing behind, and the next one loads the saved state.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from app.dbutil import on_commit


class RunCache:
    """At most `size` workflows by case id, least recently used dropped first."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[int, int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def take(self, case_id: int, version: int, process_version_id: int) -> Any | None:
        """The workflow saved at `version` of the case on that process version, removed from
        the cache (the caller now owns it); None when there is none."""
        with self._lock:
            entry = self._items.pop(case_id, None)
            if entry is not None and entry[:2] == (version, process_version_id):
                self.hits += 1
                return entry[2]
            self.misses += 1
            return None

    def put(self, case_id: int, version: int, process_version_id: int, workflow: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[case_id] = (version, process_version_id, workflow)
            self._items.move_to_end(case_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def keep_on_commit(self, session: Session, case_id: int, version: int,
                       process_version_id: int, workflow: Any) -> None:
        """Put the workflow back when the session's transaction commits (not if it rolls
        back)."""
        if self.size > 0:
            on_commit(session, partial(self.put, case_id, version, process_version_id,
                                       workflow))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


cache = RunCache()
