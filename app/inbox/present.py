"""How the inbox shows things: deadlines in working days (剩余 N 个工作日, 今日到期,
已超期 N 个工作日) with their tone, pages of rows, and the filters' choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext, ngettext
from flask_sqlalchemy.pagination import Pagination

from app.cases.deadlines import working_days_left
from app.cases.models import CLASS_LABELS
from app.processes import service as processes


@dataclass(frozen=True)
class Deadline:
    """A task's deadline as a label and a tone: normal, warning (预警 or due today), overdue,
    done; `provisional` when the due day lies past the published calendar (暂定)."""

    text: str
    tone: str
    days: int | None
    provisional: bool
    due_at: datetime | None


def deadline(row: Any, now: datetime) -> Deadline:
    """The deadline of an open task row (CaseTask or inbox Row)."""
    if row.state != "open":
        text = gettext("逾期办结") if row.late else gettext("按期办结")
        return Deadline(text, "overdue" if row.late else "done", None, False, row.due_at)
    if row.due_at is None:
        return Deadline(gettext("无时限"), "muted", None, False, None)
    days = working_days_left(row.due_at, row.region_code, now)
    late = row.overdue or row.due_at < now
    if late:
        n = max(-(days or 0), 0)
        text = (ngettext("已超期 %(num)d 个工作日", "已超期 %(num)d 个工作日", n) if n
                else gettext("已超期"))
        tone = "overdue"
    elif days == 0:
        text, tone = gettext("今日到期"), "warning"
    else:
        text = ngettext("剩余 %(num)d 个工作日", "剩余 %(num)d 个工作日", days)
        warned = row.warned or (row.warn_at is not None and row.warn_at <= now)
        tone = "warning" if warned else "normal"
    return Deadline(text, tone, days, bool(row.provisional), row.due_at)


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
