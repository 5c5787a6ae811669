"""How the inbox shows things: pages of rows and the filters' choices (a deadline's words and
tone: app.cases.present.deadline_text)."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination

from app.cases.models import CLASS_LABELS
from app.processes import service as processes


class Paged(Pagination):
    """Rows already fetched, with the pager macro's interface (page, pages, iter_pages …)."""

    def __init__(self, items: list, total: int, page: int, per_page: int) -> None:
        self._items, self._total = items, total
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        return self._items

    def _query_count(self) -> int:
        return self._total


def step_choices(jurisdictions: list[str]) -> list[tuple[str, str]]:
    """(step id, title) of the user tasks of the current process versions, in diagram order."""
    seen: dict[str, str] = {}
    for jurisdiction in jurisdictions:
        try:
            version = processes.current(jurisdiction)
        except Exception:  # no deployable process: the filter simply offers fewer steps
            continue
        for step, title in processes.definition(version).steps().items():
            seen.setdefault(step, title)
    return list(seen.items())


def class_choices() -> list[tuple[str, str]]:
    return list(CLASS_LABELS.items())
