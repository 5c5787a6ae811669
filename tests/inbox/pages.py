"""Reading an inbox page (the HTML of /inbox) the way its user sees it: rows, checkboxes, the
bulk bar's buttons, the tabs' counts."""

from __future__ import annotations

import html as markup
import re
from dataclasses import dataclass

ROW = re.compile(r'<tr class="tone-[^"]*" data-task="([^"]+)".*?</tr>', re.S)


@dataclass
class Listed:
    """A row: its task, its case, whether it has a checkbox (and for which bulk actions), a
    claim button, and what its 办理人 cell says."""

    task_id: str
    number: str
    actions: tuple[str, ...] | None  # None: no checkbox
    claim_button: bool
    holder: str


def text(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def rows(page: str) -> list[Listed]:
    found = []
    for match in ROW.finditer(page):
        row = match.group(0)
        box = re.search(r'<input type="checkbox" name="task"[^>]*data-actions="([^"]*)"', row)
        bare = re.search(r'<input type="checkbox" name="task"', row)
        holder = re.search(r'<td class="nowrap holder"[^>]*>(.*?)</td>', row, re.S)
        found.append(Listed(
            task_id=match.group(1),
            number=re.search(r"CP-\d{8}-\d{6}", row).group(0),
            actions=tuple(box.group(1).split()) if box else (() if bare else None),
            claim_button=bool(re.search(r'name="one" value="[^"]+"', row)),
            holder=markup.unescape(re.sub(r"<[^>]+>", "", holder.group(1))).strip()))
    return found


def row(page: str, number: str) -> Listed:
    found = [r for r in rows(page) if r.number == number]
    assert len(found) == 1, (number, [r.number for r in rows(page)])
    return found[0]


def bulk_buttons(page: str) -> set[str]:
    """The bulk actions the bar offers (its buttons' data-bulk)."""
    return set(re.findall(r'data-bulk="([a-z]+)"', page))


def selectable(page: str) -> bool:
    """Does the page offer selection at all (全选本页, a row's checkbox)?"""
    return 'id="check-all"' in page or 'name="task"' in page


def tab_count(page: str, tab: str) -> int:
    found = re.search(rf'data-tab="{tab}">\s*[^<]*<span class="count[^"]*">([\d,]+)</span>', page)
    assert found, f"no {tab} tab"
    return int(found.group(1).replace(",", ""))


CASE_ROW = re.compile(r'<tr class="tone-[^"]*">\s*<td class="step">(.*?)</td>\s*'
                      r'<td class="holder"[^>]*>(.*?)</td>', re.S)


def _plain(fragment: str) -> str:
    return markup.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def case_holders(page: str) -> dict[str, str]:
    """The case page's current tasks (当前办理): step title → what its 办理人 cell says."""
    table = re.search(r'<table class="table current-tasks">.*?</table>', page, re.S)
    assert table, "no current tasks"
    return {_plain(step): _plain(holder) for step, holder in CASE_ROW.findall(table.group(0))}


def tab_label(page: str, tab: str) -> str:
    """A tab's name (without its count)."""
    found = re.search(rf'data-tab="{tab}">\s*([^<]*?)\s*<span class="count', page)
    assert found, f"no {tab} tab"
    return markup.unescape(found.group(1))
