"""A step of a group the user is not in is not theirs to work, and nothing says it is: 确认认定
(group `supervisor`, DOMAIN roles: the department supervisor approves determinations, Shenzhen
art. 27) is listed to the department's caseworker nowhere among their own work, counted in none
of their tabs, marked not actionable in the API's department view, refused on claim, and its task
page reads 待部门负责人办理 without a claim or submit button; the supervisor works it. Likewise a
supervisor's 全部在办 shows their department's 人员管理单位 steps read-only."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import users
from app.cases.records import CaseTask
from app.extensions import db
from tests.inbox import pages
from tests.process.conftest import SZ_STAFF_UNIT

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}


def _open(number: str, step: str) -> CaseTask:
    db.session.rollback()
    return db.session.scalar(select(CaseTask).where(
        CaseTask.step == step, CaseTask.state == "open", CaseTask.case.has(number=number)))


def _to_confirm(desk) -> tuple[str, CaseTask]:
    """A case whose caseworker found the rating misjudged (误评): 确认认定 waits."""
    number = desk.post()
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="misjudged", findings="误点")
    return number, _open(number, "confirm_determination")


def _listed(desk, who: str, **query) -> dict[str, dict]:
    return {t["task_id"]: t for t in desk.tasks(who, **query)}


def test_the_api_lists_confirm_determination_to_a_caseworker_as_not_theirs(desk):
    number, confirm = _to_confirm(desk)
    seen = _listed(desk, "sz_worker", view="department")[confirm.task_id]
    assert (seen["group"], seen["actionable"]) == ("supervisor", False)
    assert confirm.task_id not in _listed(desk, "sz_worker", view="group")
    assert confirm.task_id not in _listed(desk, "sz_worker")
    detail = desk.client.get(f"/api/v1/tasks/{confirm.task_id}", headers=desk.headers["sz_worker"])
    assert detail.status_code == 200 and detail.get_json()["actionable"] is False
    for action in ("claim", "complete"):
        body = {"json": {"data": {"confirm_decision": "confirmed"}}} if action == "complete" else {}
        refused = desk.client.post(f"/api/v1/tasks/{confirm.task_id}/{action}",
                                   headers=desk.headers["sz_worker"], **body)
        assert refused.status_code == 403, action
        assert "supervisor" in refused.get_json()["message"]
    assert _open(number, "confirm_determination").assignee_id is None
    # the supervisor's: listed as theirs, and they claim it
    boss = _listed(desk, "sz_boss", view="group")[confirm.task_id]
    assert boss["actionable"] is True
    claimed = desk.client.post(f"/api/v1/tasks/{confirm.task_id}/claim",
                               headers=desk.headers["sz_boss"])
    assert claimed.status_code == 200 and claimed.get_json()["actionable"] is True
    # held by the supervisor: not actionable for an administrator either, until given back
    assert _listed(desk, "admin", view="department")[confirm.task_id]["actionable"] is False
    assert _listed(desk, "sz_boss")[confirm.task_id]["actionable"] is True


def test_the_caseworkers_inbox_neither_lists_nor_counts_it(desk, browser_for):
    number, confirm = _to_confirm(desk)
    worker = browser_for("sz_worker")
    for tab in ("mine", "pool"):
        page = pages.text(worker.get(f"/inbox?tab={tab}"))
        assert confirm.task_id not in page, tab
        assert pages.tab_count(page, "mine") == 0 and pages.tab_count(page, "pool") == 0
    # no 全部在办 for a caseworker: asking for it shows 我的待办
    assert confirm.task_id not in pages.text(worker.get("/inbox?tab=all"))
    # a bulk claim posted anyway is refused and says so
    refused = worker.post("/inbox/claim", data={"task": confirm.task_id, "next": "/inbox"},
                          follow_redirects=True)
    assert "1 项任务未能认领" in pages.text(refused)
    assert _open(number, "confirm_determination").assignee_id is None


def test_the_task_page_reads_waiting_for_the_supervisor(desk, browser_for):
    _, confirm = _to_confirm(desk)
    page = pages.text(browser_for("sz_worker").get(f"/tasks/{confirm.task_id}"))
    assert "待部门负责人办理" in page and ">待认领<" not in page
    assert "该任务不由您所在的岗位办理，仅可查看。" in page
    assert f"/tasks/{confirm.task_id}/claim" not in page and ">提交<" not in page
    english = pages.text(browser_for("sz_worker").get(f"/tasks/{confirm.task_id}?lang=en"))
    assert "Awaiting the department supervisor" in english
    boss = pages.text(browser_for("sz_boss").get(f"/tasks/{confirm.task_id}"))
    assert ">待认领<" in boss and f"/tasks/{confirm.task_id}/claim" in boss
    assert "待部门负责人办理" not in boss


def test_the_supervisors_list_offers_confirm_determination_to_work(desk, browser_for):
    number, confirm = _to_confirm(desk)
    page = pages.text(browser_for("sz_boss").get("/inbox?tab=all"))
    listed = pages.row(page, number)
    assert listed.claim_button and listed.holder == "待认领"
    assert listed.actions == ("claim", "reassign")
    assert pages.tab_count(page, "pool") == 1
    assert '<option value="sz_worker">sz_worker（政务服务机构经办人）</option>' in page  # 指派给
    english = pages.text(browser_for("sz_boss").get("/inbox?tab=all&lang=en"))
    assert '<option value="sz_worker">sz_worker (Caseworker)</option>' in english


def test_a_supervisors_all_open_shows_a_personnel_step_read_only(desk, browser_for):
    """A staff review (工作人员差评) of a department that has a supervisor: 告知被评价人 is the
    personnel unit's; the supervisor sees it in 全部在办 without checkbox or claim button, as
    waiting for the personnel unit, and it counts in neither their 我的待办 nor 部门待办."""
    users.create("unit_boss", "unit_boss", "supervisor", SZ_STAFF_UNIT[0], "440305000000")
    users.set_password(users.by_username("unit_boss"), "inbox-pass-123")
    number = desk.post(rated_object="staff", channel="hall_tablet", staff_no="A0123",
                       staff_name="李四", staff_unit_code=SZ_STAFF_UNIT[0],
                       staff_unit_name=SZ_STAFF_UNIT[1])
    notify = _open(number, "staff_notify")
    assert notify.group_name == "personnel"
    boss = browser_for("unit_boss")
    page = pages.text(boss.get("/inbox?tab=all"))
    listed = pages.row(page, number)
    assert listed.actions is None and not listed.claim_button
    assert listed.holder == "待人员管理单位办理"
    assert not pages.selectable(page) and pages.bulk_buttons(page) == set()
    assert pages.tab_count(page, "all") == 1
    assert pages.tab_count(page, "mine") == 0 and pages.tab_count(page, "pool") == 0
    # the personnel unit's own pool offers it
    unit = pages.row(pages.text(browser_for("sz_personnel").get("/inbox?tab=pool")), number)
    assert unit.claim_button and unit.actions == ("claim",) and unit.holder == "待认领"
