"""In Chromium, the modeler's editor (issue 5): a supervisor of Shenzhen opens bad_review.bpmn,
renames a user task and changes a boundary timer's rule key in the properties panel, validates
(no problems), sees both changes in the diff and deploys with a comment; a new case then runs
the new diagram while a case opened before the deploy finishes on its old version. A broken
timer is listed and marked on the canvas and its deploy is refused while the live version stays;
a draft is saved and opened again; a deploy that someone else beat gets the 409 notice; a
caseworker gets the 403 page; the bundle speaks English when the page does. Screenshots go to
test-artifacts/screenshots/modeler-*.png. Nothing may be loaded from another host.

Signed in through the login form with CSRF on; the clock is frozen on a Monday (time-machine),
so the two cases' timers are comparable. Case steps are worked through the JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from app.auth import tokens, users
from app.auth.models import User
from app.cases.models import Case
from app.cases.records import CaseTimer
from app.demo.data import uscc
from app.extensions import db
from app.modeler import service
from app.org.service import create_department
from app.processes import service as processes
from app.timeutil import SHANGHAI

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=SHANGHAI)  # a Monday, a working day
RATED_AT = "2026-03-02T08:00:00+08:00"
PASSWORD = "modeler-flows-2026"
SZ_REGION = "440305000000"
SZ_DEPT = (uscc("440300", 3), "深圳市人力资源和社会保障局")
EDITOR = "/modeler/shenzhen/bad_review.bpmn"

OLD_TITLE, NEW_TITLE = "联系评价人", "电话联系评价人"
# rule keys present in every jurisdiction's rules (rules/*.yaml)
OLD_TIMER, NEW_TIMER = 'warning("contact")', 'warning("handle")'

PEOPLE = {  # username: (name, role, department, region)
    "sz_boss": ("李强", "supervisor", SZ_DEPT[0], SZ_REGION),
    "sz_worker": ("王芳", "caseworker", SZ_DEPT[0], SZ_REGION),
    "sz_hotline": ("陈静", "hotline", None, "440300000000"),
    "sz_rival": ("孙丽", "supervisor", uscc("440300", 9), SZ_REGION),
    "sz_owner": ("周敏", "process_owner", None, SZ_REGION),
    "root": ("管理员", "admin", None, None),
}

FORMS: dict[str, dict[str, Any]] = {
    "contact": {"contact_result": "reached", "reason": "窗口排队时间过长"},
    "verify": {"determination": "valid", "findings": "等候超过两小时属实"},
    "classify": {"rectify_class": "simple"},
    "rectify": {"rectify_outcome": "done", "rectify_result": "已增开窗口"},
    "feedback": {"feedback_text": "已电话告知整改情况", "feedback_channel": "phone"},
    "revisit": {"revisit_result": "satisfied", "revisit_channel": "phone"},
}
WORKED_BY = {"revisit": "sz_hotline"}


@dataclass
class Office:
    """The JSON API as the people above use it (bringing cases along)."""

    client: Any
    headers: dict[str, dict] = field(default_factory=dict)
    serial: int = 0

    def post(self) -> str:
        """A bad rating of Shenzhen through the intake API; the new case's number."""
        self.serial += 1
        body = {
            "serial_no": f"44030599{self.serial:010d}", "rating_count": 1,
            "rated_object": "item", "channel": "mobile", "level": "不满意",
            "rated_at": RATED_AT, "item_code": "0001370004", "item_name": "社会保障卡申领",
            "department_code": SZ_DEPT[0], "department_name": SZ_DEPT[1],
            "region_code": SZ_REGION, "reviewer_name": "张三", "reviewer_phone": "13812345678",
            "tags": ["等候时间长"], "text": "排队太久"}
        resp = self.client.post("/api/v1/reviews", json=body, headers=self.headers["channel"])
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["case"]["number"]

    def case(self, number: str) -> dict:
        resp = self.client.get(f"/api/v1/cases/{number}", headers=self.headers["root"])
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def open_tasks(self, number: str) -> list[dict]:
        return [t for t in self.case(number)["tasks"] if t["state"] == "open"]

    def do(self, number: str, step: str) -> None:
        found = [t for t in self.open_tasks(number) if t["step"] == step]
        assert len(found) == 1, f"expected one open {step!r}: {self.open_tasks(number)}"
        who = WORKED_BY.get(step, "sz_worker")
        resp = self.client.post(f"/api/v1/tasks/{found[0]['task_id']}/complete",
                                json={"data": FORMS[step]}, headers=self.headers[who])
        assert resp.status_code == 200, resp.get_json()


@pytest.fixture()
def office(app, app_ctx, time_machine, monkeypatch) -> Office:
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    create_department(*SZ_DEPT, "440300000000")
    processes.current("shenzhen")  # v1 from bpmn/, stored before the pages are opened
    db.session.commit()
    office = Office(app_ctx.test_client())
    office.headers["channel"] = {"Authorization": f"Bearer {tokens.create('test-channel')}"}
    for username, (name, role, dept, region) in PEOPLE.items():
        user = users.create(username, name, role, dept, region, password=PASSWORD)
        office.headers[username] = {
            "Authorization": f"Bearer {tokens.create(f'token-{username}', user.id)}"}
    return office


@pytest.fixture(autouse=True)
def no_script_errors(page):
    """Every test here ends with no uncaught error in the page's scripts."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield
    assert errors == []


def sign_in(page, base: str, username: str, path: str = EDITOR) -> None:
    page.goto(f"{base}/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.endswith(path))


def open_editor(page, base: str, username: str = "sz_boss") -> None:
    sign_in(page, base, username)
    page.wait_for_selector('#modeler[data-state="ready"]')
    page.wait_for_selector('.djs-element[data-element-id="contact"]')


def shape(page, element_id: str):
    return page.locator(f'.djs-element[data-element-id="{element_id}"]')


def pick(page, element_id: str) -> None:
    """Click the element on the canvas (scrolled to first, as a user pans); the properties
    panel shows it."""
    page.evaluate("id => window.hcpModeler.get('canvas').scrollToElement(id)", element_id)
    shape(page, element_id).click()
    page.wait_for_function(
        "id => (window.hcpModeler.get('selection').get()[0] || {}).id === id", arg=element_id)


def open_group(page, group: str) -> None:
    """Expand a properties panel group (they start folded)."""
    header = page.locator(f'[data-group-id="group-{group}"] > .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def rename(page, element_id: str, name: str) -> None:
    pick(page, element_id)
    open_group(page, "general")
    page.fill("#bio-properties-panel-name", name)


def set_timer(page, element_id: str, expression: str) -> None:
    pick(page, element_id)
    open_group(page, "timer")
    page.fill("#bio-properties-panel-timerEventDefinitionValue", expression)


def business_attr(page, element_id: str, expression: str):
    return page.evaluate(
        "([id, expr]) => { const bo = window.hcpModeler.get('elementRegistry').get(id)"
        ".businessObject; return Function('bo', 'return ' + expr)(bo); }", [element_id, expression])


def timer_text(page, element_id: str) -> str:
    return business_attr(page, element_id, "bo.eventDefinitions[0].timeDate.body")


def click_action(page, action: str) -> None:
    page.click(f'.mod-tools button[data-action="{action}"]')
    page.wait_for_selector('#modeler[data-busy="0"]')


def deploy(page, comment: str) -> None:
    page.click('.mod-tools button[data-action="deploy"]')
    dialog = page.locator("#deploy-dialog")
    assert dialog.is_visible()
    page.fill("#deploy-comment", comment)
    dialog.locator('button[data-action="confirm-deploy"]').click()
    page.wait_for_selector('#modeler[data-busy="0"]')


def contact_warn_due(number: str):
    db.session.rollback()  # a fresh read: the server thread committed meanwhile
    return db.session.scalar(select(CaseTimer.fire_at).join(Case, Case.id == CaseTimer.case_id)
                             .where(CaseTimer.event == "contact_warn", Case.number == number))


def test_supervisor_renames_a_task_changes_a_timer_and_deploys(
        live_server, page, screenshot, office):
    old_case = office.post()  # opened on v1, before the deploy
    assert [t["title"] for t in office.open_tasks(old_case)] == [OLD_TITLE]

    open_editor(page, live_server)
    status = page.locator(".mod-status")
    assert "bad_review v1" in status.inner_text() and "已部署版本" in status.inner_text()
    assert page.locator('.mod-tools button[data-action="deploy"]').is_visible()
    assert not page.locator('[data-field="dirty"]').is_visible()
    assert page.locator('[data-count="lint"]').inner_text() == "0"  # bpmnlint finds nothing
    screenshot(page, "modeler-editor")

    rename(page, "contact", NEW_TITLE)
    page.wait_for_function(
        "t => window.hcpModeler.get('elementRegistry').get('contact').businessObject.name === t",
        arg=NEW_TITLE)
    assert NEW_TITLE in shape(page, "contact").text_content()  # the label on the canvas
    assert page.locator('[data-field="dirty"]').is_visible()  # 有未保存的修改

    assert timer_text(page, "contact_warn") == OLD_TIMER
    set_timer(page, "contact_warn", NEW_TIMER)
    page.wait_for_function(
        "t => window.hcpModeler.get('elementRegistry').get('contact_warn').businessObject"
        ".eventDefinitions[0].timeDate.body === t", arg=NEW_TIMER)
    assert "定时边界事件（非中断）" in page.locator(".bio-properties-panel-header").inner_text()
    screenshot(page, "modeler-timer")

    click_action(page, "validate")
    assert page.locator("#modeler").get_attribute("data-validated") == "ok"
    assert page.locator('[data-count="problems"]').inner_text() == "0"
    assert "没有问题" in page.locator('[data-list="problems"]').inner_text()
    assert "校验通过" in page.locator(".mod-alerts").inner_text()

    click_action(page, "diff")
    assert page.locator("#modeler").get_attribute("data-diffed") == "2"
    changed = page.locator('.mod-diff-changed')
    task = changed.locator('li[data-element="contact"]')
    assert OLD_TITLE in task.inner_text() and NEW_TITLE in task.inner_text()
    timer = changed.locator('li[data-element="contact_warn"]')
    assert OLD_TIMER in timer.inner_text() and NEW_TIMER in timer.inner_text()
    assert "mod-changed" in shape(page, "contact").get_attribute("class")
    assert "mod-changed" in shape(page, "contact_warn").get_attribute("class")
    screenshot(page, "modeler-diff")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.wait_for_timeout(200)
    screenshot(page, "modeler-diff-tablet")
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.set_viewport_size({"width": 1366, "height": 768})

    deploy(page, "联系步骤改为电话联系；预警按核实处理时限")
    assert page.locator("#modeler").get_attribute("data-deployed") == "bad_review v2"
    assert "已部署为 bad_review v2" in page.locator(".mod-alerts").inner_text()
    assert "bad_review v2" in page.locator('[data-field="version-label"]').inner_text()
    assert not page.locator('[data-field="dirty"]').is_visible()
    screenshot(page, "modeler-deployed")
    db.session.rollback()
    current = processes.current("shenzhen")
    assert current.number == 2 and current.deployed_by == "sz_boss"
    assert current.comment == "联系步骤改为电话联系；预警按核实处理时限"
    assert NEW_TIMER in current.files["bad_review.bpmn"]

    # a new case follows the new diagram: the renamed step, the warning on the 'handle' rule
    new_case = office.post()
    assert office.case(new_case)["process_version"]["number"] == 2
    assert [t["title"] for t in office.open_tasks(new_case)] == [NEW_TITLE]
    assert contact_warn_due(new_case) > contact_warn_due(old_case)

    # the case opened before finishes on v1, under the old title
    assert office.case(old_case)["process_version"]["number"] == 1
    assert [t["title"] for t in office.open_tasks(old_case)] == [OLD_TITLE]
    for step in ("contact", "verify", "classify", "rectify", "feedback", "revisit"):
        office.do(old_case, step)
    finished = office.case(old_case)
    assert finished["status"] == "closed" and finished["process_version"]["number"] == 1
    assert page.foreign_requests == []


def test_a_broken_timer_is_marked_and_its_deploy_refused(live_server, page, screenshot, office):
    open_editor(page, live_server)
    set_timer(page, "contact_warn", 'warning("no.such.rule")')

    click_action(page, "validate")
    assert page.locator("#modeler").get_attribute("data-validated") == "problems"
    problem = page.locator('[data-list="problems"] li[data-code="timer.rule_key"]')
    assert problem.count() == 1
    assert problem.get_attribute("data-element") == "contact_warn"
    assert "超期预警" in problem.inner_text()
    assert "mod-problem" in shape(page, "contact_warn").get_attribute("class")
    assert page.locator(".djs-overlay-hcp-problems .mod-badge").count() == 1

    # the problem, by keyboard, selects the element and brings it into view
    pick(page, "contact")
    problem.locator("button").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => (window.hcpModeler.get('selection').get()[0] || {}).id === 'contact_warn'")
    assert "超期预警" in page.locator(".bio-properties-panel-header").inner_text()
    assert shape(page, "contact_warn").is_visible()
    screenshot(page, "modeler-problems")

    deploy(page, "试图部署错误的规则键")
    assert "未通过校验" in page.locator(".mod-alerts").inner_text()
    assert not page.locator("#deploy-dialog").is_visible()
    assert page.locator('[data-list="problems"] li[data-code="timer.rule_key"]').count() == 1
    assert "bad_review v1" in page.locator('[data-field="version-label"]').inner_text()
    db.session.rollback()
    assert processes.current("shenzhen").number == 1  # the live version stays

    # the broken edit is kept as a draft and opens again after a reload
    click_action(page, "save")
    assert "草稿已保存" in page.locator(".mod-alerts").inner_text()
    assert "李强" in page.locator('[data-field="draft"]').inner_text() or \
        "sz_boss" in page.locator('[data-field="draft"]').inner_text()
    assert not page.locator('[data-field="dirty"]').is_visible()
    page.reload()
    page.wait_for_selector('#modeler[data-state="ready"]')
    assert "草稿" in page.locator('[data-field="source"]').inner_text()
    assert timer_text(page, "contact_warn") == 'warning("no.such.rule")'
    click_action(page, "open-deployed")
    page.wait_for_selector('#modeler[data-state="ready"]')
    assert timer_text(page, "contact_warn") == OLD_TIMER
    assert page.foreign_requests == []


def test_a_deploy_after_someone_elses_says_so(live_server, page, screenshot, office):
    open_editor(page, live_server)
    rename(page, "verify", "核实并认定")
    # meanwhile another supervisor deploys
    rival = db.session.scalar(select(User).where(User.username == "sz_rival"))
    shipped = processes.current("shenzhen").files["bad_review.bpmn"]
    service.deploy_file("shenzhen", "bad_review.bpmn",
                        shipped.replace('name="回访"', 'name="电话回访"'), "回访改名",
                        processes.current("shenzhen").id, rival)

    deploy(page, "核实步骤改名")
    notice = page.locator('.mod-alerts [data-kind="stale"]')
    assert "已有人部署了新版本 bad_review v2" in notice.inner_text()
    assert notice.locator("button", has_text="重新加载").is_visible()
    assert page.locator('[data-field="dirty"]').is_visible()  # the edit is still there
    db.session.rollback()
    assert processes.current("shenzhen").deployed_by == "sz_rival"
    screenshot(page, "modeler-stale")


def test_a_caseworker_gets_403_and_a_process_owner_may_not_deploy(live_server, page, office):
    sign_in(page, live_server, "sz_worker", "/inbox")
    resp = page.goto(f"{live_server}{EDITOR}")
    assert resp.status == 403
    assert page.locator("#modeler").count() == 0
    page.click("form.logout button")
    page.wait_for_url("**/login")

    open_editor(page, live_server, "sz_owner")  # drafts yes, deploy no
    assert page.locator('.mod-tools button[data-action="deploy"]').count() == 0
    assert page.locator("#deploy-dialog").count() == 0
    assert "部署须由部门负责人或管理员进行" in page.locator(".mod-note").inner_text()
    assert page.locator('.mod-tools button[data-action="save"]').is_enabled()


def test_the_modeler_in_english(live_server, page, screenshot, office):
    open_editor(page, live_server)
    assert page.locator('.djs-palette [data-action="create.task"]').get_attribute(
        "aria-label") == "创建任务"
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, in English
    page.click(".langswitch a[hreflang=en]")
    page.wait_for_selector('#modeler[data-state="ready"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator('.djs-palette [data-action="create.task"]').get_attribute(
        "aria-label") == "Create task"
    assert "Shenzhen" in page.locator("main").inner_text()  # the rule file's name_en
    pick(page, "contact")
    assert "USER TASK" in page.locator(".bio-properties-panel-header").inner_text().upper()
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    screenshot(page, "modeler-en-tablet")


def test_the_versions_page_rolls_back_and_moves_open_cases(live_server, page, screenshot,
                                                           office):
    """On /modeler/ a supervisor sees both versions with their open cases, moves the case
    that may move, and rolls back to v1 with a comment."""
    waiting = office.post()  # waits at contact on v1
    later = processes.current("shenzhen").files["bad_review.bpmn"].replace(
        'name="回访"', 'name="电话回访"')
    boss = db.session.scalar(select(User).where(User.username == "sz_boss"))
    service.deploy_file("shenzhen", "bad_review.bpmn", later, "回访改名",
                        processes.current("shenzhen").id, boss)
    sign_in(page, live_server, "sz_boss", "/modeler/")
    panel = page.locator("#j-shenzhen")
    assert "bad_review v2" in panel.locator("[data-current-version]").inner_text()
    screenshot(page, "modeler-versions")
    panel.locator("form.migrate button[type=submit]").click()
    page.wait_for_load_state()
    assert "已迁移 1 件" in page.locator(".flashes").inner_text()
    db.session.rollback()
    assert db.session.scalar(select(Case).where(Case.number == waiting)).process_version.number == 2
    office.do(waiting, "contact")  # it goes on, on v2
    row = page.locator("#j-shenzhen tr", has_text="bad_review v1")
    row.locator("summary").click()
    # the open form fits the versions table: nothing scrolls sideways at 1280 px
    wraps = page.evaluate("[...document.querySelectorAll('#j-shenzhen .table-wrap')]"
                          ".map(w => w.scrollWidth - w.clientWidth)")
    assert wraps and max(wraps) <= 0, wraps
    assert row.locator("button[type=submit]").is_visible()
    row.locator("input[name=comment]").fill("回访名称改回")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "bad_review v3" in page.locator("#j-shenzhen [data-current-version]").inner_text()
    history = page.locator("#j-shenzhen ul.audit").inner_text()
    assert "回滚" in history and "回访名称改回" in history and "迁移在办工单" in history
    screenshot(page, "modeler-versions-after")


def test_a_release_waits_for_the_supervisor_who_deploys_it(live_server, page, screenshot,
                                                           office, bpmn_copy):
    """An upgrade that changes bpmn/ while v2 is a supervisor's: /modeler/ shows the release
    with what it changes; the supervisor deploys it with a comment, and it is current."""
    boss = db.session.scalar(select(User).where(User.username == "sz_boss"))
    edited = processes.current("shenzhen").files["bad_review.bpmn"].replace(
        f'name="{OLD_TITLE}"', f'name="{NEW_TITLE}"')
    service.deploy_file("shenzhen", "bad_review.bpmn", edited, "联系环节改名",
                        processes.current("shenzhen").id, boss)
    path = bpmn_copy / "appeal.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("申诉审核", "申诉复核"),
                    encoding="utf-8")
    sign_in(page, live_server, "sz_boss", "/modeler/")
    held = page.locator("#j-shenzhen .release-held")
    held.locator(".release-diff summary").click()
    changes = held.locator(".release-diff").inner_text()
    assert "appeal.bpmn" in changes and "申诉审核 → 申诉复核" in changes
    assert f"{NEW_TITLE} → {OLD_TITLE}" in changes  # the supervisor's own edit, undone
    screenshot(page, "modeler-release-waiting")
    held.locator(".release-actions details", has_text="部署发布版本").locator("summary").click()
    held.locator("input[name=comment]").first.fill("采用升级后的申诉流程")
    held.locator("[data-release-action=deploy]").click()
    page.wait_for_load_state()
    assert "bad_review v3" in page.locator(".flashes").inner_text()
    assert page.locator("#j-shenzhen .release-held").count() == 0
    assert "部署发布版本" in page.locator("#j-shenzhen ul.audit").inner_text()
    db.session.rollback()
    assert processes.current("shenzhen").source == "files"
