"""The modeler's pages and JSON endpoints: who may open, draft and deploy; a bad diagram is
refused and the live version stays; deploys, refusals and roll backs are audited; running
cases keep their version while new ones start on the newest."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth import users
from app.auth.models import DEPARTMENT_ROLES
from app.cases.models import Case
from app.config import ROOT
from app.demo.data import uscc
from app.extensions import db
from app.modeler import service
from app.modeler.models import ProcessAudit, ProcessDraft
from app.processes import service as processes

PASSWORD = "modeler-pass-1"
SZ = "440305000000"
JS = "320102000000"
BASE = "/modeler/shenzhen/bad_review.bpmn"
SHIPPED = (Path(ROOT) / "bpmn" / "bad_review.bpmn").read_text(encoding="utf-8")
RENAMED = SHIPPED.replace('name="联系评价人"', 'name="电话联系评价人"')
BAD_KEY = SHIPPED.replace('warning("contact")', 'warning("no.such.rule")')


def sign_in(client, username: str, role: str, region: str = SZ) -> None:
    department = uscc(region[:6], 1) if role in DEPARTMENT_ROLES else None
    users.create(username, f"测试{username}", role, department, region, password=PASSWORD)
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302


@pytest.fixture()
def supervisor(client):
    sign_in(client, "sz_boss", "supervisor")
    return client


def current_number(jurisdiction: str = "shenzhen") -> int:
    return processes.current(jurisdiction).number


def deploy(client, xml: str, comment: str = "改名", **extra):
    """Deploy `xml`, by default from the current version (the editor sends the one it opened)."""
    body = {"xml": xml, "comment": comment, "base_version": processes.current("shenzhen").id}
    return client.post(BASE + "/deploy", json={**body, **extra})


def test_pages_need_an_editor_role(client):
    assert client.get("/modeler/").status_code == 302  # to the login page
    sign_in(client, "clerk", "caseworker")
    assert client.get("/modeler/").status_code == 403
    resp = client.get(BASE + "/xml", headers={"Accept": "application/json"})
    assert resp.status_code == 403 and resp.get_json()["code"] == 403


def test_the_versions_page_and_the_editor(supervisor):
    page = supervisor.get("/modeler/").get_data(as_text=True)
    assert "bad_review v1" in page and "bad_review.bpmn" in page
    editor = supervisor.get(BASE)
    assert editor.status_code == 200
    assert supervisor.get("/modeler/shenzhen/nope.bpmn").status_code == 404
    assert supervisor.get("/modeler/mars/bad_review.bpmn").status_code == 404


def test_the_versions_page_reads_in_english(supervisor):
    """The shipped version's comment in the page's language, the column 部署说明 (Comment, not
    the BPMN's Documentation), and an English colon before a comment, as a deploy's."""
    processes.current("shenzhen")
    assert deploy(supervisor, RENAMED, comment="rename the contact step").status_code == 201
    zh = supervisor.get("/modeler/?lang=zh_CN").get_data(as_text=True)
    assert "随版本发布的流程图 (bpmn/)" in zh and "<th>部署说明</th>" in zh
    assert "：rename the contact step" in zh
    en = supervisor.get("/modeler/?lang=en").get_data(as_text=True)
    assert "Diagrams shipped with the release (bpmn/)" in en and "随版本发布的流程图" not in en
    assert "<th>Comment</th>" in en and "Documentation" not in en
    assert ": rename the contact step" in en and "：" not in en


def test_a_supervisor_edits_only_their_jurisdiction(supervisor):
    assert supervisor.get("/modeler/jiangsu/bad_review.bpmn").status_code == 403


def test_drafts_are_saved_read_and_discarded(supervisor):
    got = supervisor.get(BASE + "/xml").get_json()
    assert got["source"] == "deployed" and got["draft"] is None and got["xml"] == SHIPPED
    saved = supervisor.put(BASE + "/draft", json={"xml": RENAMED}).get_json()["draft"]
    assert saved["updated_by"] == "sz_boss" and saved["stale"] is False
    again = supervisor.get(BASE + "/xml?from=draft").get_json()
    assert again["source"] == "draft" and again["xml"] == RENAMED
    assert supervisor.get(BASE + "/xml").get_json()["xml"] == SHIPPED  # deployed by default
    assert supervisor.delete(BASE + "/draft").status_code == 204
    assert db.session.scalar(select(ProcessDraft)) is None


def test_a_draft_without_xml_or_too_big_is_refused(supervisor):
    resp = supervisor.put(BASE + "/draft", json={})
    assert resp.status_code == 422 and "xml" in resp.get_json()["errors"]
    resp = supervisor.put(BASE + "/draft", json={"xml": "x" * (2 * 1024 * 1024 + 1)})
    assert resp.status_code == 413 and "xml" in resp.get_json()["errors"]


def test_validate_names_the_element(supervisor):
    assert supervisor.post(BASE + "/validate", json={"xml": RENAMED}).get_json() == {
        "ok": True, "problems": []}
    found = supervisor.post(BASE + "/validate", json={"xml": BAD_KEY}).get_json()
    assert found["ok"] is False
    problem = found["problems"][0]
    assert problem["code"] == "timer.rule_key" and problem["file"] == "bad_review.bpmn"
    assert problem["element"] and problem["line"]


def test_a_condition_that_runs_code_is_refused_by_validate_and_deploy(supervisor):
    evil = SHIPPED.replace('dispatch == "hotline"',
                           '__import__("os").system("touch /tmp/x") or False')
    found = supervisor.post(BASE + "/validate", json={"xml": evil}).get_json()
    assert found["ok"] is False
    assert [(p["code"], p["element"]) for p in found["problems"]] == [
        ("expression.not_allowed", "flow_gw_dispatch_dispatch")]
    resp = deploy(supervisor, evil, base_version=processes.current("shenzhen").id)
    assert resp.status_code == 422
    assert resp.get_json()["problems"][0]["code"] == "expression.not_allowed"
    assert current_number() == 1


def test_diff_lists_the_renamed_task(supervisor):
    found = supervisor.post(BASE + "/diff", json={"xml": RENAMED}).get_json()
    assert found["base"]["number"] == 1
    assert [c["id"] for c in found["changed"]] == ["contact"]
    assert not found["added"] and not found["removed"]


def test_a_broken_diagram_is_not_deployed(supervisor):
    before = current_number()
    resp = deploy(supervisor, BAD_KEY)
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["problems"][0]["code"] == "timer.rule_key"
    assert current_number() == before
    audit = db.session.scalars(select(ProcessAudit)).all()
    assert [a.kind for a in audit] == ["deploy_refused"]
    malformed = deploy(supervisor, SHIPPED[:500])
    assert malformed.status_code == 422 and malformed.get_json()["problems"][0]["code"] == (
        "xml.malformed")
    assert current_number() == before


def test_deploy_needs_a_comment_and_a_change(supervisor):
    assert deploy(supervisor, RENAMED, comment=" ").get_json()["errors"]["comment"]
    unchanged = deploy(supervisor, SHIPPED)
    assert unchanged.status_code == 422 and unchanged.get_json()["errors"]["xml"]


@pytest.mark.parametrize("base", ["missing", None, "the id as text", 1.5, True])
def test_deploy_needs_the_version_it_started_from_as_an_integer(supervisor, base):
    body = {"xml": RENAMED, "comment": "改名"}
    current = processes.current("shenzhen").id  # (1 on SQLite, where True would pass as 1)
    if base != "missing":
        body["base_version"] = str(current) if base == "the id as text" else base
    resp = supervisor.post(BASE + "/deploy", json=body)
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["base_version"]
    assert "base_version" in resp.get_json()["errors"]["base_version"][0]
    assert current_number() == 1


def test_deploy_reports_every_missing_field_at_once(supervisor):
    resp = supervisor.post(BASE + "/deploy", json={"xml": RENAMED})
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"comment", "base_version"}


def test_deploy_makes_a_new_version_for_new_cases_only(supervisor, bad_rating, auth):
    old = _open_case(supervisor, bad_rating, auth, "OLD1")
    supervisor.put(BASE + "/draft", json={"xml": RENAMED})
    base = processes.current("shenzhen").id
    resp = deploy(supervisor, RENAMED, comment="联系环节改名", base_version=base)
    assert resp.status_code == 201, resp.get_json()
    version = resp.get_json()["version"]
    assert version["number"] == 2 and version["source"] == "modeler"
    assert version["deployed_by"] == "sz_boss" and version["comment"] == "联系环节改名"
    assert db.session.scalar(select(ProcessDraft)) is None  # the deployed draft is gone
    audit = db.session.scalars(select(ProcessAudit)).all()
    assert [(a.kind, a.actor, a.comment) for a in audit] == [("deploy", "sz_boss", "联系环节改名")]
    new = _open_case(supervisor, bad_rating, auth, "NEW1")
    assert _case(old).process_version.number == 1
    assert _case(new).process_version.number == 2
    stale = deploy(supervisor, RENAMED.replace("电话联系", "再联系"), base_version=base)
    assert stale.status_code == 409 and stale.get_json()["current"]["number"] == 2


def test_only_supervisors_and_administrators_deploy(client):
    sign_in(client, "owner", "process_owner")
    assert client.get(BASE).status_code == 200
    assert deploy(client, RENAMED).status_code == 403
    assert current_number() == 1


def test_roll_back_makes_an_old_version_current_again(supervisor):
    assert deploy(supervisor, RENAMED).status_code == 201
    v1 = service.versions("shenzhen", "bad_review")[-1]
    resp = supervisor.post(f"/modeler/shenzhen/rollback/{v1.id}", data={"comment": "改回"})
    assert resp.status_code == 302
    current = processes.current("shenzhen")
    assert current.number == 3 and current.source == "rollback"
    assert current.files == v1.files
    kinds = [a.kind for a in db.session.scalars(select(ProcessAudit).order_by(ProcessAudit.id))]
    assert kinds == ["deploy", "rollback"]
    again = supervisor.post(f"/modeler/shenzhen/rollback/{current.id}", data={"comment": "x"})
    assert again.status_code == 302 and processes.current("shenzhen").number == 3
    # in English the change log says what happened, the version's source what made it
    en = supervisor.get("/modeler/?lang=en").get_data(as_text=True)
    assert "<b>Deployed</b>" in en and "<b>Rollback</b>" in en
    assert ">Rollback</td>" in en and "Roll back</td>" not in en
    assert '<i aria-hidden="true"></i>Current</span>' in en  # the badge of the current version


def test_writes_need_the_csrf_header(app_ctx, supervisor):
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = supervisor.put(BASE + "/draft", json={"xml": RENAMED})
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 400 and resp.is_json


def _open_case(client, bad_rating, auth, serial: str) -> str:
    resp = client.post("/api/v1/reviews", json=bad_rating(serial_no=serial, region_code=SZ),
                       headers=auth)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["case"]["number"]


def _case(number: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.number == number))


def test_open_cases_move_to_the_current_version_when_it_is_safe(supervisor, bad_rating, auth):
    waiting = _open_case(supervisor, bad_rating, auth, "MOVE1")
    later_step = SHIPPED.replace('name="回访"', 'name="电话回访"')
    assert deploy(supervisor, later_step, comment="回访改名").status_code == 201
    page = supervisor.get("/modeler/").get_data(as_text=True)
    assert "迁移到现行版本" in page
    resp = supervisor.post("/modeler/shenzhen/migrate", data={"numbers": ""})
    assert resp.status_code == 302
    assert _case(waiting).process_version.number == 2
    row = db.session.scalars(select(ProcessAudit).where(ProcessAudit.kind == "migrate")).one()
    assert row.data["moved"] == [waiting] and row.data["refused"] == {}


def test_the_move_section_and_its_log_entry_read_apart_in_english(supervisor, bad_rating,
                                                                   auth):
    """迁移在办工单 is the section that moves open cases (an action) and, in 变更记录, the
    entry of a move that was done (an event): the English says which."""
    _open_case(supervisor, bad_rating, auth, "MOVE3")
    assert deploy(supervisor, SHIPPED.replace('name="回访"', 'name="电话回访"')).status_code == 201
    supervisor.post("/modeler/shenzhen/migrate", data={"numbers": ""})
    zh = supervisor.get("/modeler/?lang=zh_CN").get_data(as_text=True)
    assert "<h3>迁移在办工单</h3>" in zh and "<b>迁移在办工单</b>" in zh
    en = supervisor.get("/modeler/?lang=en").get_data(as_text=True)
    assert "<h3>Move open cases</h3>" in en and "<b>Open cases moved</b>" in en


def test_a_case_whose_current_step_changed_is_not_moved(supervisor, bad_rating, auth):
    waiting = _open_case(supervisor, bad_rating, auth, "STAY1")
    retimed = SHIPPED.replace('warning("contact")', 'warning("handle")')  # its current step's
    assert deploy(supervisor, retimed).status_code == 201
    supervisor.post("/modeler/shenzhen/migrate", data={"numbers": waiting})
    assert _case(waiting).process_version.number == 1
    row = db.session.scalars(select(ProcessAudit).where(ProcessAudit.kind == "migrate")).one()
    assert row.data["moved"] == [] and "（计时器）" in row.data["refused"][waiting][0]


def _said_of(page: str, number: str) -> list[str]:
    """The flashed warnings about case `number`, as read."""
    return [html.unescape(text) for text in
            re.findall(r'<div class="alert alert-warning">(.*?)</div>', page, re.S)
            if text.startswith(number)]


def test_the_reasons_a_case_is_not_moved_read_in_the_page_language(supervisor, bad_rating,
                                                                     auth):
    waiting = _open_case(supervisor, bad_rating, auth, "STAY2")
    retimed = SHIPPED.replace('warning("contact")', 'warning("handle")').replace(
        'overdue("contact")', 'overdue("handle")')  # both timers of its current step
    assert deploy(supervisor, retimed).status_code == 201
    en = supervisor.post("/modeler/shenzhen/migrate?lang=en", data={"numbers": waiting},
                         follow_redirects=True).get_data(as_text=True)
    assert _said_of(en, waiting) == [
        f"{waiting}: In the “Bad-review handling” process, the open step “Overdue warning” of "
        "“Contact the reviewer” was changed (Timer): moving would reset the step and lose its "
        "deadlines; In the “Bad-review handling” process, the open step “Overdue (escalated)” of "
        "“Contact the reviewer” was changed (Timer): moving would reset the step and lose its "
        "deadlines"]
    zh = supervisor.post("/modeler/shenzhen/migrate?lang=zh_CN", data={"numbers": waiting},
                         follow_redirects=True).get_data(as_text=True)
    reasons = [f"「差评处置」流程中进行中的「联系评价人」的「{timer}」已修改（计时器），"
               "迁移需重置该步骤并丢失其时限" for timer in ("超期预警", "超期督办")]
    assert _said_of(zh, waiting) == [f"{waiting}: {'；'.join(reasons)}"]
    # the log keeps the Chinese, whatever the page's language
    rows = db.session.scalars(select(ProcessAudit).where(ProcessAudit.kind == "migrate")).all()
    assert [row.data["refused"] for row in rows] == [{waiting: reasons}] * 2


def test_a_case_whose_current_step_was_reworded_is_moved(supervisor, bad_rating, auth):
    waiting = _open_case(supervisor, bad_rating, auth, "MOVE2")
    assert deploy(supervisor, RENAMED).status_code == 201  # renames contact, its current step
    supervisor.post("/modeler/shenzhen/migrate", data={"numbers": waiting})
    assert _case(waiting).process_version.number == 2
    row = db.session.scalars(select(ProcessAudit).where(ProcessAudit.kind == "migrate")).one()
    assert row.data["moved"] == [waiting] and row.data["refused"] == {}


@pytest.mark.parametrize("action", ["validate", "diff", "deploy"])
@pytest.mark.parametrize("body", ['{"xml": "<a/>"', "[]", "xml=<a/>"])
def test_a_body_that_is_not_a_json_object_is_said_to_be_so(supervisor, action, body):
    resp = supervisor.post(f"{BASE}/{action}", data=body, content_type="application/json")
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert list(errors) == ["json"] and "JSON" in errors["json"][0]


@pytest.mark.parametrize(("action", "method"), [("validate", "post"), ("draft", "put"),
                                                ("diff", "post"), ("deploy", "post")])
def test_a_lone_surrogate_is_refused_per_field(supervisor, action, method):
    """A lone surrogate (U+D800) cannot be stored or encoded: 422 naming the field, not 500."""
    extra = {"comment": "x", "base_version": 1} if action == "deploy" else {}
    resp = getattr(supervisor, method)(f"{BASE}/{action}", data=json.dumps(
        {"xml": "<a>\ud800</a>", **extra}), content_type="application/json")
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["xml"]
    base = processes.current("shenzhen").id
    comment = supervisor.post(BASE + "/deploy", data=json.dumps(
        {"xml": RENAMED, "comment": "改\ud800名", "base_version": base}),
        content_type="application/json")
    assert comment.status_code == 422 and list(comment.get_json()["errors"]) == ["comment"]
    assert current_number() == 1


@pytest.mark.parametrize(("action", "method"), [("validate", "post"), ("draft", "put"),
                                                ("diff", "post"), ("deploy", "post")])
def test_unknown_fields_are_refused_per_field(supervisor, action, method):
    resp = getattr(supervisor, method)(f"{BASE}/{action}",
                                       json={"xml": RENAMED, "xlm": "x", "force": True})
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert errors["xlm"] == ["未知字段。"] and errors["force"] == ["未知字段。"]
    assert "xml" not in errors
    assert db.session.scalar(select(ProcessDraft)) is None


def test_xml_that_is_not_text_is_said_to_be_so(supervisor):
    errors = supervisor.post(BASE + "/validate", json={"xml": 5}).get_json()["errors"]
    assert errors == {"xml": ["流程图内容 (xml) 须为文本。"]}
    missing = supervisor.post(BASE + "/validate", json={}).get_json()["errors"]
    assert missing == {"xml": ["缺少流程图内容 (xml)。"]}
    errors = supervisor.post(BASE + "/validate?lang=en", json={"xml": 5}).get_json()["errors"]
    assert errors == {"xml": ["The diagram (xml) must be text."]}


def test_an_unknown_xml_source_names_the_parameter(supervisor):
    resp = supervisor.get(BASE + "/xml?from=bogus")
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["from"]
    assert supervisor.get(BASE + "/xml?from=draft").get_json()["source"] == "deployed"


def test_json_errors_read_in_the_session_language(app_ctx, supervisor):
    """403, 404 and a missing CSRF token, as the other errors: in the session's language."""
    supervisor.get("/modeler/?lang=zh_CN")
    as_json = {"Accept": "application/json"}
    missing = supervisor.get("/modeler/shenzhen/nope.bpmn/xml", headers=as_json)
    assert missing.status_code == 404 and missing.get_json()["message"] == (
        "您访问的页面不存在或已被移除，请检查地址。")
    forbidden = supervisor.get("/modeler/jiangsu/bad_review.bpmn/xml", headers=as_json)
    assert forbidden.status_code == 403 and forbidden.get_json()["message"] == (
        "您的角色无权访问此页面。如需权限，请联系系统管理员。")
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = supervisor.put(BASE + "/draft", json={"xml": RENAMED})
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 400
    assert resp.get_json()["message"] == "表单已过期或来源无法验证，请刷新页面后重新提交。"
