"""Who holds an open task (办理人) reads the same on the case page as on the inbox and the task
page (app/cases/holders.py): 待认领 only where the viewer may claim it, 待<group>办理 where the
step is another group's or another department's (a caseworker's view of 确认认定, the hotline's
and the agency's view of a department step), the assignee's name once claimed. In English the
sentence is whole, not built from a capitalised label: Awaiting the department supervisor."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.cases.holders import GROUP_LABELS, WAITING, waiting_text
from app.cases.records import CaseTask
from app.extensions import db
from tests.inbox import pages

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}


def _open(number: str, step: str) -> CaseTask:
    db.session.rollback()
    return db.session.scalar(select(CaseTask).where(
        CaseTask.step == step, CaseTask.state == "open", CaseTask.case.has(number=number)))


def _holder_on_case_page(browser_for, who: str, number: str, lang: str = "zh") -> str:
    page = pages.text(browser_for(who).get(f"/cases/{number}?lang={lang}"))
    holders = pages.case_holders(page)
    assert len(holders) == 1, holders
    return next(iter(holders.values()))


def test_confirm_determination_on_the_case_page(desk, browser_for):
    """确认认定 (the supervisor's): the caseworker and the hotline read 待部门负责人办理, the
    supervisor and an administrator 待认领, as the inbox and the task page say it."""
    number = desk.post()
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="misjudged", findings="误点")
    confirm = _open(number, "confirm_determination")
    expected = {"sz_worker": "待部门负责人办理", "sz_hotline": "待部门负责人办理",
                "sz_agency": "待部门负责人办理", "sz_boss": "待认领", "admin": "待认领"}
    for who, says in expected.items():
        assert _holder_on_case_page(browser_for, who, number) == says, who
    # the same words as the task page's head and the supervisor's inbox row
    task_page = pages.text(browser_for("sz_worker").get(f"/tasks/{confirm.task_id}"))
    assert "待部门负责人办理" in task_page
    boss_row = pages.row(pages.text(browser_for("sz_boss").get("/inbox?tab=all")), number)
    assert boss_row.holder == _holder_on_case_page(browser_for, "sz_boss", number)
    english = _holder_on_case_page(browser_for, "sz_worker", number, "en")
    assert english == "Awaiting the department supervisor"


def test_a_department_step_on_the_case_page(desk, browser_for):
    """联系服务对象 (the department's): the hotline and the agency of the region read
    待责任部门办理, the department's caseworker 待认领, and once claimed, everyone the name."""
    number = desk.post()
    for who, says in {"sz_hotline": "待责任部门办理", "sz_agency": "待责任部门办理",
                      "sz_worker": "待认领", "sz_boss": "待认领"}.items():
        assert _holder_on_case_page(browser_for, who, number) == says, who
    assert _holder_on_case_page(browser_for, "sz_hotline", number, "en") == \
        "Awaiting the responsible department"
    claimed = desk.client.post(f"/api/v1/tasks/{_open(number, 'contact').task_id}/claim",
                               headers=desk.headers["sz_worker"])
    assert claimed.status_code == 200
    for who in ("sz_hotline", "sz_boss", "sz_worker"):
        assert _holder_on_case_page(browser_for, who, number) == "sz_worker", who


def test_the_hotlines_own_step_on_the_case_page(desk, browser_for):
    """A case of no department waits for 12345 派单: the hotline reads 待认领, the agency
    待12345热线办理."""
    number = desk.post(department_code=None, department_name=None)
    assert _open(number, "dispatch") is not None
    assert _holder_on_case_page(browser_for, "sz_hotline", number) == "待认领"
    assert _holder_on_case_page(browser_for, "sz_agency", number) == "待12345热线办理"


@pytest.mark.parametrize("group", sorted(GROUP_LABELS))
def test_every_group_reads_naturally_in_english(app, group):
    """待<group>办理 for each group: in Chinese the label inside 待…办理; in English "Awaiting
    the …" with the label in lower case (12345 and all), never "Awaiting Department …"."""
    assert set(WAITING) == set(GROUP_LABELS)
    with app.test_request_context(), force_locale("zh_CN"):
        assert waiting_text(group) == f"待{GROUP_LABELS[group]}办理"
    with app.test_request_context(), force_locale("en"):
        label = gettext(GROUP_LABELS[group])
        text = waiting_text(group)
    assert text == f"Awaiting the {label[0].lower()}{label[1:]}", text
    assert text[len("Awaiting the "):] == text[len("Awaiting the "):].lower()


def test_open_to_claim_and_unclaimed_read_apart_in_english(signed_in, travel, watched):
    """超期督办 for an administrator: the rows it may claim say 待认领 (Open to claim), the
    tab of the tasks nobody holds yet 未认领 (Unclaimed); one word for both hid which is
    which."""
    travel("2026-10-12 10:00")
    client = signed_in("admin")
    for lang, claim, nobody in (("zh", "待认领", "未认领"), ("en", "Open to claim", "Unclaimed")):
        page = pages.text(client.get(f"/inbox?tab=all&queue=escalated&lang={lang}"))
        assert pages.tab_label(page, "pool") == nobody
        holders = {r.holder for r in pages.rows(page)}
        assert claim in holders and nobody not in holders, holders
