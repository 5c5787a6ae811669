"""The hotline's watch lists (DOMAIN §9: the hotline warns before a deadline, 超期预警, and presses
overdue orders, 督办; Shenzhen art. 29: 12345热线应建立日常监管、超期预警机制): every open task of
its region past its warning instant and not yet due (超期预警), or past its due instant (超期督办),
whatever its department, read-only; chips that count what they list. The cases: the `watched`
fixture (tests/process/conftest.py)."""

from __future__ import annotations

import html as markup
import re

from sqlalchemy import select

from app.auth.models import User
from app.cases.records import CaseTask
from app.extensions import db

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}


def _text(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def _chip(page: str, key: str) -> tuple[int, str]:
    """A queue chip's count and the listing it leads to."""
    found = re.search(rf'data-queue="{key}"\s+href="([^"]+)">[^<]*<b>(\d+)</b>', page)
    assert found, f"no {key} chip"
    return int(found.group(2)), markup.unescape(found.group(1))


def _listed(page: str) -> list[str]:
    """The case numbers of a listing's rows, in order."""
    return re.findall(r'<tr class="tone-[^"]*" data-task="[^"]+".*?(CP-\d{8}-\d{6})', page, re.S)


def open_task(number: str) -> CaseTask:
    """The case's one open task."""
    db.session.rollback()
    return db.session.scalar(select(CaseTask).where(
        CaseTask.state == "open", CaseTask.case.has(number=number)))


def chip_rows(client, key: str, tab: str = "pool") -> list[str]:
    """The case numbers the chip of queue `key`, as shown on `tab`, lists; its count is as
    many (all on one page here)."""
    count, href = _chip(_text(client.get(f"/inbox?tab={tab}")), key)
    assert "tab=all" in href and f"queue={key}" in href
    rows = _listed(_text(client.get(href)))
    assert count == len(rows), (key, tab, count, rows)
    return rows


def test_the_hotline_watches_warned_then_late_tasks_of_its_region(desk, signed_in, travel,
                                                                  watched):
    hotline = signed_in("sz_hotline")
    assert chip_rows(hotline, "warned") == [] and chip_rows(hotline, "escalated") == []
    claimed = desk.client.post(f"/api/v1/tasks/{open_task(watched.sz).task_id}/claim",
                               headers=desk.headers["sz_worker"])
    assert claimed.status_code == 200  # claimed: watched all the same

    travel("2026-10-10 10:00")  # past 9/30's warning instant (10/10 00:00), not yet due
    hotline = signed_in("sz_hotline")
    both = sorted([watched.sz, watched.other])  # two departments
    for tab in ("mine", "pool", "all"):  # the chip counts what it lists, from every tab
        assert sorted(chip_rows(hotline, "warned", tab)) == both
        assert chip_rows(hotline, "escalated", tab) == []
    page = _text(hotline.get("/inbox?tab=all&queue=warned"))
    assert "超期预警" in page and "今日到期" in page and watched.js not in page
    assert chip_rows(signed_in("js_hotline"), "escalated") == [watched.js]  # Nanjing's own

    travel("2026-10-12 10:00")  # past their due instant; 10/09's warns at 10/13 00:00
    desk.tick()
    hotline = signed_in("sz_hotline")
    assert sorted(chip_rows(hotline, "escalated")) == both
    assert chip_rows(hotline, "warned") == []
    assert "已超期 1 个工作日" in _text(hotline.get("/inbox?tab=all&queue=escalated"))

    travel("2026-10-13 10:00")
    hotline = signed_in("sz_hotline")
    assert chip_rows(hotline, "warned") == [watched.later]
    assert sorted(chip_rows(hotline, "escalated")) == both


def test_the_watch_lists_are_read_only_and_reveal_nothing_more(signed_in, travel, watched):
    """Department tasks are shown (查看), not offered to claim or complete; the task and the
    case open read-only with the reviewer masked, as they do for the hotline already."""
    travel("2026-10-12 10:00")
    hotline = signed_in("sz_hotline")
    page = _text(hotline.get("/inbox?tab=all&queue=escalated"))
    assert "批量认领" not in page and "inbox/claim" not in page
    task = open_task(watched.sz)
    row = re.search(rf'data-task="{task.task_id}".*?</tr>', page, re.S).group(0)
    assert ">查看<" in row and ">办理<" not in row

    opened = _text(hotline.get(f"/tasks/{task.task_id}"))
    assert "该任务不由您所在的岗位办理，仅可查看。" in opened and ">提交<" not in opened
    assert "张*" in opened and "张三" not in opened and "13812345678" not in opened
    assert hotline.post(f"/tasks/{task.task_id}", data=CONTACT).status_code == 403
    assert hotline.post(f"/tasks/{task.task_id}/claim").status_code == 302
    assert hotline.post("/inbox/claim", data={"one": task.task_id}).status_code == 302
    assert open_task(watched.sz).assignee_id is None  # neither claim took it
    case = _text(hotline.get(f"/cases/{watched.sz}"))
    assert "张*" in case and "张三" not in case and "13812345678" not in case
    assert hotline.get(f"/tasks/{open_task(watched.js).task_id}").status_code == 403


def test_a_hotline_user_of_no_region_watches_nothing(signed_in, travel, watched):
    travel("2026-10-12 10:00")
    user = db.session.scalar(select(User).where(User.username == "sz_hotline"))
    user.region_code = None
    db.session.commit()
    hotline = signed_in("sz_hotline")
    assert chip_rows(hotline, "warned") == [] and chip_rows(hotline, "escalated") == []
