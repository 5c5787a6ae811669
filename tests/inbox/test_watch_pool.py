"""With a watch list chosen (超期预警, 超期督办) the pool tab lists, and counts, every unclaimed
task of the list whatever its group: nobody works it yet, whom the hotline chases. So it is
named 未认领 (Unclaimed) there, not 热线待办 or 待审核, which name the user's own group's
unclaimed work everywhere else; its rows say whose step each is (待责任部门办理). The cases:
the `watched` fixture (tests/process/conftest.py)."""

from __future__ import annotations

import pytest

from tests.inbox import pages
from tests.process.test_hotline_watch import open_task


@pytest.mark.parametrize(("who", "own", "queue", "when"), [
    ("sz_hotline", "热线待办", "warned", "2026-10-10 10:00"),
    ("sz_hotline", "热线待办", "escalated", "2026-10-12 10:00"),
    ("sz_agency", "待审核", "escalated", "2026-10-12 10:00")])
def test_the_pool_of_a_watch_list_is_named_for_what_it_lists(desk, signed_in, travel, watched,
                                                             who, own, queue, when):
    desk.client.post(f"/api/v1/tasks/{open_task(watched.sz).task_id}/claim",
                     headers=desk.headers["sz_worker"])  # claimed: listed on 全部在办 only
    travel(when)
    client = signed_in(who)
    assert pages.tab_label(pages.text(client.get("/inbox?tab=pool")), "pool") == own
    page = pages.text(client.get(f"/inbox?tab=pool&queue={queue}"))
    assert pages.tab_label(page, "pool") == "未认领"
    listed = pages.rows(page)
    assert [r.number for r in listed] == [watched.other]  # the other department's, unclaimed
    assert pages.tab_count(page, "pool") == len(listed)
    assert listed[0].holder == "待责任部门办理" and not listed[0].claim_button
    everything = pages.text(client.get(f"/inbox?tab=all&queue={queue}"))
    assert pages.tab_label(everything, "pool") == "未认领"
    assert sorted(r.number for r in pages.rows(everything)) == sorted([watched.sz, watched.other])
    english = pages.text(client.get(f"/inbox?tab=pool&queue={queue}&lang=en"))
    assert pages.tab_label(english, "pool") == "Unclaimed"


def test_an_empty_my_tasks_of_a_watch_list_points_to_the_users_own_pool(desk, signed_in,
                                                                       travel, watched):
    """我的待办 of 超期督办 with none of the user's: 到“热线待办”认领新任务, the link without
    the watch list (the hotline's own unclaimed work, not the region's late steps)."""
    travel("2026-10-12 10:00")
    page = pages.text(signed_in("sz_hotline").get("/inbox?tab=mine&queue=escalated"))
    assert "到“热线待办”认领新任务。" in page
    assert 'href="/inbox?tab=pool"' in page
