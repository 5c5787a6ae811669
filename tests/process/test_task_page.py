"""The task page (办理页) beyond the happy path: view-only tasks for those who may see the case,
a refused submission that keeps what was typed, a finished task with what was submitted, the
rating panel, the time limit after an extension, claims on a stale page, English, notes."""

from __future__ import annotations

import html
import re

from tests.process.conftest import SZ_STAFF_UNIT
from tests.process.conftest import open_task as _open_task
from tests.process.conftest import page_text as _text

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}
STAFF = {"rated_object": "staff", "channel": "hall_tablet", "staff_no": "S100",
         "staff_name": "刘工作", "staff_unit_code": SZ_STAFF_UNIT[0],
         "staff_unit_name": SZ_STAFF_UNIT[1]}


def test_the_agency_opens_a_late_department_task_from_its_escalated_queue_read_only(
        desk, browser_for, time_machine):
    """超期督办 lists the city's late department tasks: the row's link opens the task to
    view (no claim, no submit); a submission is still refused, and another city's agency
    gets 403."""
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    number = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    time_machine.move_to(desk.at("2026-10-13 10:00"), tick=False)
    desk.tick()
    agency = browser_for("sz_agency")
    queue = _text(agency.get("/inbox?tab=all&queue=escalated"))
    row = re.search(rf'<tr [^>]*data-task="[^"]+".*?{number}.*?</tr>', queue, re.S).group(0)
    link = html.unescape(re.search(r'href="(/tasks/[^"]+)"', row).group(1))
    page = agency.get(link)
    assert page.status_code == 200
    text = _text(page)
    assert number in text and "该任务不由您所在的岗位办理，仅可查看。" in text
    assert "/claim" not in text and 'type="submit">提交<' not in text
    task = _open_task(number, "contact")
    assert agency.post(f"/tasks/{task.task_id}", data=CONTACT).status_code == 403
    assert browser_for("js_agency").get(link).status_code == 403


def test_claiming_on_a_stale_page_says_someone_else_took_it(desk, browser_for):
    """Two people open the same unclaimed task; the second to press 认领 is told."""
    number = desk.post()
    task = _open_task(number, "contact")
    worker, boss = browser_for("sz_worker"), browser_for("sz_boss")
    for client in (worker, boss):
        assert "认领后他人不会重复办理" in _text(client.get(f"/tasks/{task.task_id}"))
    assert "已认领，可以开始办理。" in _text(worker.post(
        f"/tasks/{task.task_id}/claim", data={"next": "/inbox"}, follow_redirects=True))
    late = boss.post(f"/tasks/{task.task_id}/claim", data={"next": "/inbox"},
                     follow_redirects=True)
    assert "该任务刚被他人认领。" in _text(late)
    assert _open_task(number, "contact").assignee.username == "sz_worker"


def test_a_completed_task_shows_what_was_submitted_with_the_options_labels(desk, browser_for):
    """已办 → 查看: the values of the task's 办理 event, read-only (an option by its label),
    not an empty form."""
    number = desk.post()
    task = desk.do("sz_worker", number, "contact", **CONTACT)
    worker = browser_for("sz_worker")
    page = _text(worker.get(f"/tasks/{task['task_id']}"))
    assert "该任务已结束，以下为只读内容。" in page
    shown = re.search(r'class="submitted".*?</dl>', page, re.S).group(0)
    assert "<dt>联系结果</dt><dd>已联系评价人</dd>" in shown
    assert "<dt>差评原因</dt><dd>窗口排队时间过长</dd>" in shown
    assert 'name="contact_result"' not in page and 'name="reason"' not in page
    english = _text(worker.get(f"/tasks/{task['task_id']}?lang=en"))
    assert re.search(r"<dt>[^<]+</dt><dd>Reached the reviewer</dd>", english), \
        re.search(r'class="submitted".*?</dl>', english, re.S).group(0)
    head = english[:english.index('class="submitted"')]
    # the task is done (完成), not closed as a case is
    assert '<i aria-hidden="true"></i>Completed</span>' in head and "Closed" not in head
    facts = _text(worker.get(f"/cases/{number}?lang=en"))
    assert "<dd>Automatic dispatch</dd>" in facts  # 派单方式, as the diagram's flow reads


def _unsaved(page: str) -> str:
    found = re.search(r'class="[^"]*\bunsaved\b.*?</dl>', page, re.S)
    assert found, "no 您提交的内容（未保存） box"
    assert "您提交的内容（未保存）" in found.group(0)
    return found.group(0)


def test_a_submission_refused_as_someone_elses_keeps_what_was_typed(desk, browser_for):
    """The boss claimed the task while the worker typed: 409, the message, and the worker's
    values read-only to copy; the draft is kept (the task may come back)."""
    number = desk.post()
    task = _open_task(number, "contact")
    worker = browser_for("sz_worker")
    browser_for("sz_boss").post(f"/tasks/{task.task_id}/claim")
    resp = worker.post(f"/tasks/{task.task_id}", data={**CONTACT, "next": "/inbox"})
    assert resp.status_code == 409
    page = _text(resp)
    assert "该任务已由 sz_boss 认领，您不能办理。" in page
    box = _unsaved(page)
    assert "<dt>联系结果</dt><dd>已联系评价人</dd>" in box
    assert "<dt>差评原因</dt><dd>窗口排队时间过长</dd>" in box
    assert 'data-draft="keep"' in page
    assert _open_task(number, "contact").assignee.username == "sz_boss"


def test_a_submission_of_a_task_done_meanwhile_keeps_what_was_typed(desk, browser_for):
    number = desk.post()
    task = _open_task(number, "contact")
    desk.do("sz_boss", number, "contact", contact_result="reached", reason="叫号系统故障")
    resp = browser_for("sz_worker").post(f"/tasks/{task.task_id}",
                                         data={**CONTACT, "next": "/inbox"})
    assert resp.status_code == 409
    page = _text(resp)
    assert "该任务已办结，无需重复提交。" in page
    assert "<dd>窗口排队时间过长</dd>" in _unsaved(page)
    assert "<dd>叫号系统故障</dd>" in re.search(r'class="submitted".*?</dl>', page, re.S).group(0)
    assert 'data-draft="keep"' in page


def test_a_submission_refused_because_the_case_moved_shows_the_form_filled_in(
        desk, browser_for, monkeypatch):
    """Someone else changed the case between reading and saving (lifecycle.Conflict): the
    form again, with the posted values in it, and the message; nothing saved."""
    from app.cases import lifecycle, writes

    real = lifecycle.complete

    def raced(case, *args, **kwargs):
        writes.claim(case.id, case.version)  # another request changes the case first
        return real(case, *args, **kwargs)

    monkeypatch.setattr(lifecycle, "complete", raced)
    number = desk.post()
    task = _open_task(number, "contact")
    resp = browser_for("sz_worker").post(f"/tasks/{task.task_id}",
                                         data={**CONTACT, "next": "/inbox"})
    assert resp.status_code == 409
    page = _text(resp)
    assert "工单刚被他人更新，请核对后重新提交。" in page
    assert re.search(r'name="contact_result" value="reached" checked', page)
    assert ">窗口排队时间过长</textarea>" in page
    assert 'data-draft="edit"' in page and 'data-posted="1"' in page
    assert "您提交的内容（未保存）" not in page  # it is in the form itself
    assert _open_task(number, "contact") is not None


def _panel(page: str, heading: str) -> str:
    return re.search(rf'<h2 id="{heading}">.*?</section>', page, re.S).group(0)


def test_a_staff_review_names_the_staff_member_but_not_the_reviewer(desk, browser_for):
    """The personnel unit tells the staff member (被评价工作人员): the panel names them; the
    reviewer stays masked."""
    number = desk.post(**STAFF)
    task = _open_task(number, "staff_notify")
    panel = _panel(_text(browser_for("sz_personnel").get(f"/tasks/{task.task_id}")),
                   "rating-h")
    assert re.search(r"<dt>被评价工作人员</dt><dd>刘工作 <span[^>]*>S100</span></dd>", panel)
    assert "<dt>评价人</dt><dd>张*</dd>" in panel and "张三" not in panel
    assert "13812345678" not in panel
    item = _open_task(desk.post(), "contact")
    assert "被评价工作人员" not in _text(browser_for("sz_worker").get(f"/tasks/{item.task_id}"))


def test_after_an_approved_extension_the_limit_says_so(desk, browser_for, time_machine):
    """整改 after 同意延期: the deadline is the approved day, and the limit beside it says
    so instead of the rule's working days alone."""
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    number = desk.post(rated_at="2026-09-30T08:00:00+08:00")
    for who, step, data in (
            ("sz_worker", "contact", CONTACT),
            ("sz_worker", "verify", {"determination": "valid", "findings": "属实"}),
            ("sz_worker", "classify", {"rectify_class": "complex"}),
            ("sz_worker", "ledger", {"plan": "增设窗口", "promised_date": "2026-10-20",
                                     "owner": "王主任"}),
            ("sz_worker", "rectify", {"rectify_outcome": "extend",
                                      "rectify_result": "设备未到货"}),
            ("sz_worker", "request_extension", {"extension_reason": "需采购设备",
                                                "requested_until": "2026-11-03",
                                                "reviewer_informed": True})):
        desk.do(who, number, step, **data)
    desk.do("sz_agency", number, "approve_extension", extension_decision="approved")
    task = _open_task(number, "rectify")
    limit = _panel(_text(browser_for("sz_worker").get(f"/tasks/{task.task_id}")), "due-h")
    assert "<dd>2026年11月3日 23:59" in limit
    assert re.search(r"<dt>办理时限</dt><dd>已批准延期至 2026年11月3日（原时限：\d+ 个工作日",
                     limit)
    english = _panel(_text(browser_for("sz_worker").get(f"/tasks/{task.task_id}?lang=en")),
                     "due-h")
    assert "Extension approved until Nov 3, 2026" in english


def test_the_steps_instructions_read_in_english(desk, browser_for):
    number = desk.post()
    task = _open_task(number, "contact")
    worker = browser_for("sz_worker")
    chinese = _text(worker.get(f"/tasks/{task.task_id}"))
    shown = re.search(r'<p class="doc">(.*?)</p>', chinese).group(1)
    assert shown == "责任部门经办人联系评价人，了解差评原因和具体诉求，记录联系结果。"
    english = _text(worker.get(f"/tasks/{task.task_id}?lang=en"))
    doc = html.unescape(re.search(r'<p class="doc">(.*?)</p>', english).group(1))
    assert doc.startswith("The responsible department's caseworker contacts the reviewer")
    assert not re.search(r"[\u4e00-\u9fff]", doc)


def test_the_call_script_uses_the_languages_colon(desk, browser_for):
    number = desk.post()
    for step, data in (("contact", CONTACT),
                       ("verify", {"determination": "valid", "findings": "叫号系统故障属实"}),
                       ("classify", {"rectify_class": "simple"}),
                       ("rectify", {"rectify_outcome": "done", "rectify_result": "已修复"}),
                       ("feedback", {"feedback_text": "已电话告知", "feedback_channel": "phone"})):
        desk.do("sz_worker", number, step, **data)
    task = _open_task(number, "revisit")
    hotline = browser_for("sz_hotline")
    chinese = _text(hotline.get(f"/tasks/{task.task_id}"))
    assert re.search(r"<li><b>问候与身份确认：</b><q>", chinese)
    english = _text(hotline.get(f"/tasks/{task.task_id}?lang=en"))
    script = re.search(r'<ol class="script">.*?</ol>', english, re.S).group(0)
    assert "：" not in script and re.search(r"<li><b>[A-Z][^<]*: </b><q>", script)



def test_the_call_script_asks_for_an_unnamed_reviewer_as_评价人(app):
    """Without a name the operator asks for 评价人本人 (the glossary's word, QA #12)."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    from app.inbox.callscript import addressed

    nameless = SimpleNamespace(reviewer_name=None, reviewer_type="individual")
    with app.test_request_context(), force_locale("zh_CN"):
        assert addressed(nameless) == "评价人本人"
    with app.test_request_context(), force_locale("en"):
        assert addressed(nameless) == "the reviewer"

def test_the_recheck_step_says_what_happens_without_a_request(desk, browser_for,
                                                              time_machine):
    """登记复核申请 needs no submission when the staff member asks for no re-check: the
    window's timer ends the step and the rating stands (书面检讨及整改 follows)."""
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    number = desk.post(rated_at="2026-09-30T08:00:00+08:00", **STAFF)
    time_machine.move_to(desk.at("2026-10-08 10:00"), tick=False)
    personnel = browser_for("sz_personnel")
    notify = _open_task(number, "staff_notify")
    assert "无需提交" not in _text(personnel.get(f"/tasks/{notify.task_id}"))
    desk.do("sz_personnel", number, "staff_notify", staff_reason="态度生硬", staff_notified=True)
    task = _open_task(number, "staff_recheck_request")
    page = _text(personnel.get(f"/tasks/{task.task_id}"))
    note = re.search(r'<p class="step-note">(.*?)</p>', page, re.S).group(1)
    assert "未在时限内提出书面复核申请" in note and "无需提交" in note
    assert "2026年10月12日 23:59" in note and "差评按有效处理" in note
    assert "书面检讨及整改" in note
    english = _text(personnel.get(f"/tasks/{task.task_id}?lang=en"))
    note = re.search(r'<p class="step-note">(.*?)</p>', english, re.S).group(1)
    assert "Oct 12, 2026, 23:59" in note and not re.search(r"[\u4e00-\u9fff]", note)


def test_the_page_after_a_submission_names_its_draft_to_drop_once(desk, browser_for):
    """The inbox a completed submission lands on tells the tab to drop the task's draft
    (draftsdone.js); the pages after it do not."""
    number = desk.post()
    task = _open_task(number, "contact")
    worker = browser_for("sz_worker")
    page = _text(worker.post(f"/tasks/{task.task_id}", data={**CONTACT, "next": "/inbox"},
                             follow_redirects=True))
    assert "“联系评价人”已提交" in page
    assert re.search(rf'src="/static/js/draftsdone.js" data-tasks="{task.task_id}"', page)
    assert "draftsdone.js" not in _text(worker.get("/inbox"))


def test_the_case_page_shows_the_personnel_units_decision_as_the_determination(desk,
                                                                               browser_for):
    """A staff review has no 核实认定: the personnel unit's 复核认定 is the case's 认定结果
    (差评无效（人员复核） when it finds the rating invalid), in both languages."""
    number = desk.post(**STAFF)
    desk.do("sz_personnel", number, "staff_notify", staff_reason="态度生硬", staff_notified=True)
    desk.do("sz_personnel", number, "staff_recheck_request", recheck_statement="系统故障")
    desk.do("sz_personnel", number, "staff_decide", staff_determination="invalid",
            staff_opinion="经查看监控，差评无效")
    personnel = browser_for("sz_personnel")
    facts = re.search(r'id="facts".*?</dl>', _text(personnel.get(f"/cases/{number}")), re.S)
    assert "<dt>认定结果</dt><dd>差评无效（人员复核）</dd>" in facts.group(0)
    # the result goes back to 12345 (反馈核实结果): its page shows the personnel unit's
    # decision as the previous step; there was no appeal, so no 申诉所涉认定
    feedback = _open_task(number, "appeal_feedback")
    page = _text(personnel.get(f"/tasks/{feedback.task_id}"))
    assert "上一环节：复核认定" in page and "<dd>差评无效</dd>" in page
    assert "申诉所涉认定" not in page and "工作人员差评经人员管理单位复核认定无效" in page
    english = _text(personnel.get(f"/cases/{number}?lang=en"))
    facts = re.search(r'id="facts".*?</dl>', english, re.S).group(0)
    assert "<dt>Determination</dt><dd>Rating invalid (staff re-check)</dd>" in facts


FINDINGS = "监控显示工作人员依规答复，评价人诉求未获支持后给予差评"


def test_the_appeal_decision_shows_what_is_appealed(desk, browser_for):
    """申诉审核 shows the department's determination (误评/恶意评价) and its findings beside
    the appeal, and so do 反馈核实结果 and 提出申诉 (whose previous step is 确认认定)."""
    number = desk.post()
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="malicious", findings=FINDINGS)
    desk.do("sz_boss", number, "confirm_determination", confirm_decision="confirmed")
    submit = _open_task(number, "appeal_submit")
    worker, agency = browser_for("sz_worker"), browser_for("sz_agency")
    page = _text(worker.get(f"/tasks/{submit.task_id}"))
    # the previous step is the supervisor's confirmation: the determination is shown beside it
    assert "上一环节：确认认定" in page and 'class="panel previous-step appealed"' in page
    desk.do("sz_worker", number, "appeal_submit", appeal_reason="工作人员依法办理",
            appeal_evidence="监控录像")
    decide = _open_task(number, "appeal_decide")
    page = _text(agency.get(f"/tasks/{decide.task_id}"))
    appealed = re.search(r'class="panel previous-step appealed".*?</section>', page, re.S)
    shown = appealed.group(0)
    assert "申诉所涉认定：核实认定" in shown
    assert "<dt>认定结果</dt><dd>恶意评价</dd>" in shown
    assert f"<dt>核实情况</dt><dd>{FINDINGS}</dd>" in shown
    assert page.index("申诉所涉认定") < page.index("上一环节：提出申诉")  # then the appeal
    assert "<dt>申诉理由</dt><dd>工作人员依法办理</dd>" in page
    english = _text(agency.get(f"/tasks/{decide.task_id}?lang=en"))
    shown = re.search(r'class="panel previous-step appealed".*?</section>', english, re.S)
    assert "<dt>Determination</dt><dd>Malicious</dd>" in shown.group(0)
    desk.do("sz_agency", number, "appeal_decide", appeal_result="upheld", appeal_opinion="成立")
    feedback = _open_task(number, "appeal_feedback")
    page = _text(worker.get(f"/tasks/{feedback.task_id}"))
    assert "申诉所涉认定：核实认定" in page and "<dd>恶意评价</dd>" in page


def test_a_returned_determination_shows_the_supervisors_opinion(desk, browser_for):
    """退回重新核实: the caseworker's 核实认定 page shows the supervisor's 确认认定 as its
    previous step, with the opinion; the supervisor's inbox lists the step, the caseworker's
    pool does not."""
    number = desk.post()
    desk.do("sz_worker", number, "contact", **CONTACT)
    desk.do("sz_worker", number, "verify", determination="misjudged", findings=FINDINGS)
    confirm = _open_task(number, "confirm_determination")
    boss, worker = browser_for("sz_boss"), browser_for("sz_worker")
    assert confirm.task_id in boss.get("/inbox?tab=pool").get_data(as_text=True)
    assert confirm.task_id not in worker.get("/inbox?tab=pool").get_data(as_text=True)
    desk.do("sz_boss", number, "confirm_determination", confirm_decision="returned",
            confirm_opinion="请补充调取通话录音")
    verify = _open_task(number, "verify")
    page = _text(worker.get(f"/tasks/{verify.task_id}"))
    assert "上一环节：确认认定" in page
    assert "<dt>确认意见</dt><dd>退回重新核实</dd>" in page
    assert "<dt>审核意见（退回必填）</dt><dd>请补充调取通话录音</dd>" in page
