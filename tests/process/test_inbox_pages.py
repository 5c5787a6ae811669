"""The inbox and task pages in the browser (server side, Flask test client): tabs and counts,
filters in the URL, claim, the generated form with messages in place, completing, scoping,
supervisors' bulk reassign, the hotline's revisit script."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.demo.data import uscc
from app.extensions import db
from app.inbox.taskpage import instructions
from app.org import service as org
from tests.process.conftest import SZ_DEPT
from tests.process.conftest import open_task as _open_task
from tests.process.conftest import page_text as _text

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}


def _count(html: str, tab: str) -> int:
    found = re.search(rf'data-tab="{tab}">.*?class="count[^"]*">([\d,]+)<', html, re.S)
    assert found, f"no {tab} tab"
    return int(found.group(1).replace(",", ""))


def test_claim_fill_in_wrongly_then_rightly_and_the_case_moves_on(desk, browser_for):
    number = desk.post()
    worker = browser_for("sz_worker")
    page = _text(worker.get("/inbox?tab=pool"))
    assert _count(page, "pool") == 1 and _count(page, "mine") == 0
    assert number in page and "剩余" in page

    task = _open_task(number, "contact")
    resp = worker.post("/inbox/claim", data={"one": task.task_id, "next": "/inbox?tab=pool"})
    assert resp.status_code == 302 and resp.location.endswith("/inbox?tab=pool")
    assert _count(_text(worker.get("/inbox")), "mine") == 1

    form = _text(worker.get(f"/tasks/{task.task_id}?next=/inbox"))
    assert 'name="contact_result"' in form and 'type="radio"' in form
    assert "联系评价人" in form and 'name="reason"' in form

    bad = worker.post(f"/tasks/{task.task_id}", data={"contact_result": "reached",
                                                      "next": "/inbox"})
    assert bad.status_code == 400
    assert re.search(r'data-field="reason".*?此项为必填项', _text(bad), re.S)
    assert _open_task(number, "contact") is not None  # nothing moved
    pasted = worker.post(f"/tasks/{task.task_id}", data={
        "contact_result": "reached", "reason": "排队\u202e过长", "next": "/inbox"})
    assert pasted.status_code == 400
    assert "第 3 个字符是控制字符 U+202E" in _text(pasted)

    good = worker.post(f"/tasks/{task.task_id}", data={**CONTACT, "next": "/inbox"})
    assert good.status_code == 302 and good.location.endswith("/inbox")
    assert _open_task(number, "verify") is not None
    done = _text(worker.get("/inbox?tab=done"))
    assert _count(done, "done") == 1 and number in done


def test_dispatch_to_an_unregistered_department_is_refused_in_place(desk, browser_for):
    number = desk.post(department_code=None, department_name=None)
    org.ensure_departments([(*SZ_DEPT, None)])
    db.session.commit()
    hotline = browser_for("sz_hotline")
    task = _open_task(number, "dispatch")
    bad = hotline.post(f"/tasks/{task.task_id}", data={
        "department_code": uscc("440300", 9), "department_name": "深圳市某局", "next": "/inbox"})
    assert bad.status_code == 400
    assert re.search(r'data-field="department_code".*?没有以此代码登记的部门', _text(bad), re.S)
    wrong = hotline.post(f"/tasks/{task.task_id}", data={
        "department_code": SZ_DEPT[0], "department_name": "深圳市人社局", "next": "/inbox"})
    assert re.search(rf'data-field="department_name".*?该代码登记的部门名称为“{SZ_DEPT[1]}”',
                     _text(wrong), re.S)
    good = hotline.post(f"/tasks/{task.task_id}", data={
        "department_code": SZ_DEPT[0], "department_name": SZ_DEPT[1], "next": "/inbox"})
    assert good.status_code == 302
    assert _open_task(number, "contact") is not None


def test_an_approval_shows_the_request_it_decides(desk, browser_for, time_machine):
    """审批延期: the agency sees what was asked (上一环节：申请延期), by when, and the deadline
    it would extend, without opening the case."""
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    number = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    for step, data in (("contact", CONTACT),
                       ("verify", {"determination": "valid", "findings": "属实"}),
                       ("classify", {"rectify_class": "complex"}),
                       ("ledger", {"plan": "增设窗口", "promised_date": "2026-10-20",
                                   "owner": "王主任"}),
                       ("rectify", {"rectify_outcome": "extend", "rectify_result": "设备未到货"}),
                       ("request_extension", {"extension_reason": "需采购设备",
                                              "requested_until": "2026-10-30",
                                              "reviewer_informed": True})):
        desk.do("sz_worker", number, step, **data)
    task = _open_task(number, "approve_extension")
    page = _text(browser_for("sz_agency").get(f"/tasks/{task.task_id}"))
    panel = re.search(r'class="panel previous-step".*?</section>', page, re.S)
    assert panel, "no previous step panel"
    text = panel.group(0)
    assert "上一环节：申请延期" in text
    assert re.search(r"<dt>申请延期至</dt><dd>2026年10月30日</dd>", text)
    assert re.search(r"<dt>延期原因</dt><dd>需采购设备</dd>", text)
    assert "该环节截止时间：2026年10月20日 23:59" in text  # the deadline the request would extend
    english = _text(browser_for("sz_agency").get(f"/tasks/{task.task_id}?lang=en"))
    panel = re.search(r'class="panel previous-step".*?</section>', english, re.S).group(0)
    assert "<dt>Extend until</dt>" in panel and "<dt>Reason for the extension</dt>" in panel
    timeline = _text(browser_for("sz_agency").get(f"/cases/{number}?lang=en"))
    assert "<dt>Outcome</dt><dd>Cannot finish in time: request an extension</dd>" in timeline


def test_another_departments_caseworker_gets_403(desk, browser_for):
    number = desk.post()
    task = _open_task(number, "contact")
    other = browser_for("sz_other")
    assert other.get(f"/tasks/{task.task_id}").status_code == 403
    assert other.post(f"/tasks/{task.task_id}", data=CONTACT).status_code == 403
    assert number not in _text(other.get("/inbox?tab=pool"))
    assert other.post("/inbox/claim", data={"one": task.task_id}).status_code == 302
    assert _open_task(number, "contact").assignee_id is None


def test_filters_live_in_the_url_and_bad_values_fall_back(desk, browser_for):
    first, second = desk.post(), desk.post()
    worker = browser_for("sz_worker")
    assert worker.get("/inbox?tab=nonsense&page=abc&per_page=-3&sort=zzz").status_code == 200
    found = _text(worker.get(f"/inbox?tab=pool&q={second}"))
    assert second in found and first not in found
    day = _text(worker.get(f"/inbox?tab=pool&q={second[:11].lower()}"))  # e.g. cp-20261121
    assert second in day and first in day
    assert first not in _text(worker.get(f"/inbox?tab=pool&q={second[:11]}9"))
    assert first not in _text(worker.get(f"/inbox?tab=pool&q={second[:10]}%25"))  # not a LIKE
    assert first not in _text(worker.get("/inbox?tab=pool&step=verify"))
    assert _text(worker.get("/inbox?tab=pool&overdue=1")).count('data-task="') == 0
    listing = _text(worker.get("/inbox?tab=pool&sort=-received"))
    assert listing.index(second) < listing.index(first)
    assert "sort=received" in listing  # the header link that sorts the other way


def test_a_page_past_the_end_goes_to_the_last_page(desk, browser_for):
    """Two tasks, twenty a page: ?page=99 is page 1 (not "no tasks match")."""
    desk.post(), desk.post()
    worker = browser_for("sz_worker")
    resp = worker.get("/inbox?tab=pool&sort=-due&page=99")
    assert resp.status_code == 302 and resp.location.endswith("/inbox?tab=pool&sort=-due")
    assert "没有待认领的任务" in _text(browser_for("sz_hotline").get("/inbox?tab=pool"))
    assert "没有符合条件的任务" in _text(worker.get("/inbox?tab=pool&step=revisit"))
    empty = worker.get("/inbox?tab=mine&page=3")
    assert empty.status_code == 302 and empty.location.endswith("/inbox")
    assert worker.get("/inbox?tab=pool").status_code == 200


def test_supervisor_bulk_reassigns_within_the_department(desk, browser_for):
    numbers = [desk.post(), desk.post()]
    boss = browser_for("sz_boss")
    page = _text(boss.get("/inbox?tab=all"))
    assert "批量指派" in page and 'data-tab="all"' in page
    ids = [_open_task(n, "contact").task_id for n in numbers]
    resp = boss.post("/inbox/reassign", data={"task": ids, "to": "sz_worker"})
    assert resp.status_code == 302
    assert _count(_text(browser_for("sz_worker").get("/inbox")), "mine") == 2
    worker = browser_for("sz_worker")
    assert worker.post("/inbox/reassign", data={"task": ids, "to": "sz_boss"}).status_code == 302
    assert {_open_task(n, "contact").assignee.username for n in numbers} == {"sz_worker"}


def test_hotline_revisit_queue_has_the_call_script(desk, browser_for):
    number = desk.post()
    for step, data in (("contact", CONTACT),
                       ("verify", {"determination": "valid", "findings": "叫号系统故障属实"}),
                       ("classify", {"rectify_class": "simple"}),
                       ("rectify", {"rectify_outcome": "done", "rectify_result": "已修复叫号系统"}),
                       ("feedback", {"feedback_text": "已电话告知", "feedback_channel": "phone"})):
        resp = desk.complete("sz_worker", desk.task(number, step)["task_id"], **data)
        assert resp.status_code == 200, resp.get_json()
    hotline = browser_for("sz_hotline")
    queue = _text(hotline.get("/inbox?tab=pool&queue=revisit"))
    assert number in queue and "待回访" in queue
    task = _open_task(number, "revisit")
    page = _text(hotline.get(f"/tasks/{task.task_id}"))
    assert "回访话术" in page and "已修复叫号系统" in page and "叫号系统故障属实" in page
    resp = hotline.post(f"/tasks/{task.task_id}", data={
        "revisit_result": "satisfied", "revisit_channel": "phone", "next": "/inbox?queue=revisit"})
    assert resp.status_code == 302
    assert desk.case(number)["status"] == "closed"


def test_the_call_script_drops_findings_the_agency_overturned(desk, browser_for):
    """误评 found, appealed, 申诉不成立: the rating stands, so the revisit script does not tell
    the reviewer the department's overturned findings (they pressed the wrong button)."""
    number = desk.post()
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="misjudged",
            findings="评价人操作失误")
    desk.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
    desk.do("sz_worker", number, "appeal_submit", appeal_reason="评价人确认误点")
    desk.do("sz_agency", number, "appeal_decide", appeal_result="rejected",
            appeal_opinion="证据不足")
    for step, data in (("classify", {"rectify_class": "simple"}),
                       ("rectify", {"rectify_outcome": "done", "rectify_result": "已修复叫号系统"}),
                       ("feedback", {"feedback_text": "已电话告知", "feedback_channel": "phone"})):
        desk.do("sz_worker", number, step, **data)
    hotline = browser_for("sz_hotline")
    task = _open_task(number, "revisit")
    page = _text(hotline.get(f"/tasks/{task.task_id}"))
    script = re.search(r'id="script-h".*?</section>', page, re.S).group(0)
    assert "评价人操作失误" not in script and "证据不足" not in script
    assert "核实情况：经复核，您反映的问题属实。处理情况：已修复叫号系统。" in script
    english = _text(hotline.get(f"/tasks/{task.task_id}?lang=en"))
    assert "found to be true" in re.search(r'id="script-h".*?</section>', english, re.S).group(0)


def test_case_numbers_and_department_codes_read_in_any_letter_case(desk, browser_for):
    """cp-20261122-000001 typed or pasted leads to the case; a department code filter in
    lower case, with spaces, finds the department's tasks (codes are stored in capitals)."""
    number = desk.post()
    worker = browser_for("sz_worker")
    resp = worker.get(f"/cases/ {number.lower()}?lang=en")
    assert resp.status_code == 301 and resp.location.endswith(f"/cases/{number}?lang=en")
    assert desk.client.get(f"/api/v1/cases/{number.lower()}",
                           headers=desk.headers["sz_worker"]).get_json()["number"] == number
    assert desk.client.get(f"/api/v1/cases/{number.lower()}/comments",
                           headers=desk.headers["sz_worker"]).status_code == 200
    code = SZ_DEPT[0]
    assert code.lower() != code and _open_task(number, "contact").department_code == code
    found = _text(browser_for("admin").get("/inbox", query_string={
        "tab": "all", "department_code": f" {code.lower()} "}))
    assert number in found


def test_english_on_the_switch(desk, browser_for):
    number = desk.post()
    worker = browser_for("sz_worker")
    page = _text(worker.get("/inbox?tab=pool&lang=en"))
    assert "My tasks" in page and "working day" in page
    task = _open_task(number, "contact")
    worker.post("/inbox/claim", data={"task": [task.task_id]})
    assert "Claimed 1 task." in _text(worker.get("/inbox"))  # one, not "task(s)"
    assert ">Give back<" in _text(worker.get("/inbox?tab=mine"))  # the button: a command
    worker.post("/inbox/unclaim", data={"task": [task.task_id]})
    timeline = _text(worker.get(f"/cases/{number}"))
    assert "Given back" in timeline and "Give back" not in timeline  # the event: done


def test_jurisdictions_go_by_their_english_names_on_english_pages(desk, browser_for):
    """name_en of the rule file (Shenzhen), where the Chinese pages say 深圳市."""
    number = desk.post()
    agency = browser_for("sz_agency")
    english = _text(agency.get(f"/cases/{number}?lang=en"))
    assert "Shenzhen" in english and "深圳市<" not in english and "· 深圳市" not in english
    chinese = _text(agency.get(f"/cases/{number}?lang=zh"))
    assert "深圳市" in chinese and "Shenzhen" not in chinese


def test_a_one_day_limit_reads_in_the_singular_in_english(desk, browser_for):
    number = desk.post(department_code=None, department_name=None)  # dispatch: 1 working day
    task = _open_task(number, "dispatch")
    page = _text(browser_for("sz_hotline").get(f"/tasks/{task.task_id}?lang=en"))
    assert "1 working day, counted from" in page and "1 working days" not in page


def test_agency_sees_overdue_tasks_of_its_city_and_the_queue_counts(desk, browser_for,
                                                                   time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)  # Wednesday before 国庆
    late = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    on_time = desk.post("js", rated_at="2026-09-30T08:00:00+08:00")  # another city
    time_machine.move_to(desk.at("2026-10-13 10:00"), tick=False)  # past both contact dues
    desk.tick()
    agency = browser_for("sz_agency")
    page = _text(agency.get("/inbox?tab=all&queue=escalated"))
    assert late in page and on_time not in page
    assert re.search(r'data-queue="escalated".*?<b>1</b>', page, re.S)
    assert "已超期" in page and _count(page, "all") == 1
    row = re.search(rf'data-task="[^"]+".*?{late}.*?</tr>', page, re.S).group(0)
    assert "inbox/claim" not in row and "查看" in row  # a department task: the agency watches
    assert _count(_text(agency.get("/inbox?tab=pool&queue=appeals")), "pool") == 0


def test_an_agency_user_of_no_region_sees_no_late_tasks(desk, browser_for, time_machine):
    """A row from before users.create checked regions: an empty region is nowhere, not the
    whole country."""
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    late = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    time_machine.move_to(desk.at("2026-10-13 10:00"), tick=False)
    desk.tick()
    user = db.session.scalar(select(User).where(User.username == "sz_agency"))
    user.region_code = None
    db.session.commit()
    page = _text(browser_for("sz_agency").get("/inbox?tab=all&queue=escalated"))
    assert late not in page and _count(page, "all") == 0


def _shipped_docs() -> list[str]:
    import html
    from pathlib import Path

    found = []
    for path in sorted(Path(__file__).resolve().parents[2].joinpath("bpmn").glob("*.bpmn")):
        found += re.findall(r"<bpmn:documentation>(.*?)</bpmn:documentation>", path.read_text())
    return [html.unescape(d) for d in found]


@pytest.mark.parametrize("doc", _shipped_docs())
def test_instructions_leave_out_the_rule_keys_and_keep_the_rest(doc):
    """The page shows the time limit from the rule file beside the form; the diagram's
    "时限：规则 rectify.general" is for its editors."""
    shown = instructions(doc)
    assert shown and not re.search(r"规则\s*[a-z]", shown)
    assert shown.split("，")[0] == doc.split("，")[0] or shown.split("。")[0] in doc
    # the rest is kept word for word: each sentence shown is in the diagram, and each of the
    # diagram's sentences naming no rule key is shown
    assert all(part in doc for part in shown.split("。") if part)
    assert all(part in shown for part in doc.split("。")
               if part and not re.search(r"规则\s*[a-z]", part))


def test_instructions_keep_a_doc_without_rule_keys_as_it_is():
    text = "联系评价人，了解诉求。时限按规定执行。"
    assert instructions(text) == text
    assert instructions("时限：规则 dispatch。") is None


def _tab_name(html: str, tab: str) -> str:
    return re.search(rf'data-tab="{tab}">\s*([^<]*?)\s*<', html).group(1)


def test_the_pool_is_named_for_the_groups_it_holds(desk, browser_for):
    """The hotline's pool holds hotline steps only (热线待办); a personnel unit works its
    department's steps too, so its pool is 部门待办, not 待核查."""
    assert _tab_name(_text(browser_for("sz_hotline").get("/inbox")), "pool") == "热线待办"
    assert _tab_name(_text(browser_for("sz_personnel").get("/inbox")), "pool") == "部门待办"
    assert _tab_name(_text(browser_for("sz_worker").get("/inbox")), "pool") == "部门待办"


def test_the_jurisdiction_filter_offers_the_users_own(desk, browser_for):
    """Shenzhen's agency sees Shenzhen's tasks only: no 江苏省 to pick (one jurisdiction, no
    filter); an administrator picks among all of them."""
    agency = _text(browser_for("sz_agency").get("/inbox?tab=all"))
    assert 'id="jurisdiction"' not in agency and "江苏省" not in agency
    admin = _text(browser_for("admin").get("/inbox?tab=all"))
    options = re.search(r'id="jurisdiction".*?</select>', admin, re.S).group(0)
    assert 'value="jiangsu"' in options and 'value="shenzhen"' in options


def _chip(html: str, key: str) -> tuple[int, str]:
    """A queue chip's count and the listing it leads to."""
    import html as markup
    found = re.search(rf'data-queue="{key}"\s+href="([^"]+)">[^<]*<b>(\d+)</b>', html)
    assert found, f"no {key} chip"
    return int(found.group(2)), markup.unescape(found.group(1))


def test_a_queue_chip_counts_what_it_lists_claimed_tasks_included(desk, browser_for):
    """申诉审核 claimed by the agency: its chip counts it on 我的待办 and lists it there; on
    待审核 (nothing unclaimed) it shows 0, as its listing does."""
    number = desk.post()
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="misjudged", findings="误点")
    desk.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
    desk.do("sz_worker", number, "appeal_submit", appeal_reason="评价人确认误点")
    agency = browser_for("sz_agency")
    task = _open_task(number, "appeal_decide")
    agency.post("/inbox/claim", data={"one": task.task_id, "next": "/inbox"})
    for tab, expected in (("mine", 1), ("pool", 0), ("all", 1)):
        count, href = _chip(_text(agency.get(f"/inbox?tab={tab}")), "appeals")
        listed = _text(agency.get(href))
        assert count == expected, tab
        assert f'aria-current="page" data-tab="{tab}"' in listed, tab
        assert listed.count('<tr class="tone-') == expected, tab
