"""The case page through the test client: what it shows, who may open it, its forms."""

from __future__ import annotations

from html import unescape
from io import BytesIO

from tests.materials.conftest import SAMPLES, sign_in


def _page(office, client, who: str = "worker", lang: str | None = None):
    sign_in(client, who)
    return client.get(f"/cases/{office.number}" + (f"?lang={lang}" if lang else ""))


def test_visitors_go_to_the_login_page(office, client):
    resp = client.get(f"/cases/{office.number}")
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]


def test_the_page_shows_the_case(office, client):
    resp = _page(office, client)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert office.number in html and "不满意" in html and "排队太久" in html
    assert "张*" in html and "138****5678" in html and "13812345678" not in html
    assert "联系评价人" in html and "剩余" in html and "个工作日" in html
    assert "bad_review" in html and "第 1 版" in html
    assert "流程启动" in html  # the timeline
    assert 'data-case-diagram' in html and 'data-current="[&#34;contact&#34;]"' in html
    assert "查看完整号码" not in html  # nobody holds the task yet


def test_unknown_case_404_and_other_department_403(office, client):
    sign_in(client, "outsider")
    resp = client.get(f"/cases/{office.number}")
    assert resp.status_code == 403 and "无权访问" in resp.get_data(as_text=True)
    assert client.get("/cases/CP-20000101-000001").status_code == 404
    assert client.get(f"/cases/{office.number}/diagram/bad_review.bpmn").status_code == 403


def test_diagram_xml(office, client):
    sign_in(client, "worker")
    resp = client.get(f"/cases/{office.number}/diagram/bad_review.bpmn")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    assert b'<bpmn:process id="bad_review"' in resp.data
    assert client.get(f"/cases/{office.number}/diagram/nothing.bpmn").status_code == 404


def test_assignee_reveals_the_phone(office, client):
    office.claim("worker")
    html = _page(office, client).get_data(as_text=True)
    assert "查看完整号码" in html
    resp = client.post(f"/cases/{office.number}/phone", headers={"Accept": "application/json"})
    assert resp.get_json() == {"phone": "13812345678"}
    resp = client.post(f"/cases/{office.number}/phone")
    assert resp.status_code == 200 and "13812345678" in resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
    assert [e["actor"] for e in office.events("phone_revealed")] == ["worker", "worker"]


def test_reveal_refused_with_the_403_page(office, client):
    office.claim("worker")
    sign_in(client, "colleague")
    resp = client.post(f"/cases/{office.number}/phone")
    assert resp.status_code == 403 and "13812345678" not in resp.get_data(as_text=True)


def test_upload_and_comment_from_the_page(office, client):
    sign_in(client, "worker")
    resp = client.post(f"/cases/{office.number}/attachments", data={
        "upload-file": (BytesIO(SAMPLES["png"]), "照片.png"), "upload-description": "现场"},
        content_type="multipart/form-data")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#materials")
    resp = client.post(f"/cases/{office.number}/comments", data={"comment-text": "已核实"})
    assert resp.status_code == 302
    html = client.get(f"/cases/{office.number}").get_data(as_text=True)
    assert "照片.png" in html and "现场" in html and "已核实" in html
    assert "上传证明材料" in html and "已上传证明材料。" in html


def test_refusals_shown_on_the_fields(office, client):
    sign_in(client, "worker")
    resp = client.post(f"/cases/{office.number}/attachments", data={
        "upload-file": (BytesIO(b"MZ\x90\x00"), "a.png")}, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "不支持的文件类型" in resp.get_data(as_text=True)
    resp = client.post(f"/cases/{office.number}/comments", data={"comment-text": " "})
    assert resp.status_code == 400 and "请填写内容。" in resp.get_data(as_text=True)


def test_refusal_from_the_task_page_goes_back_there(office, client):
    sign_in(client, "worker")
    resp = client.post(f"/cases/{office.number}/comments",
                       data={"comment-text": "", "comment-next": "/inbox?tab=mine"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox?tab=mine"
    resp = client.post(f"/cases/{office.number}/comments",
                       data={"comment-text": "好", "comment-next": "https://evil.example/"})
    assert resp.headers["Location"].endswith(f"/cases/{office.number}#comments")


def test_download_from_the_page(office, client):
    uploaded = office.upload("worker", "录音.mp3", SAMPLES["mp3"]).get_json()
    sign_in(client, "colleague")
    resp = client.get(f"/cases/{office.number}/attachments/{uploaded['id']}")
    assert resp.status_code == 200 and resp.data == SAMPLES["mp3"]
    assert resp.mimetype == "audio/mpeg"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    client.post("/logout")
    sign_in(client, "outsider")
    assert client.get(f"/cases/{office.number}/attachments/{uploaded['id']}").status_code == 403


def test_in_english(office, client):
    html = _page(office, client, lang="en").get_data(as_text=True)
    assert "Evidence files" in html and "Timeline" in html and "Process diagram" in html


def test_the_partial_for_the_task_page(office, app, client):
    from flask import render_template
    from sqlalchemy import select

    from app.cases.materials_view import materials_context
    from app.cases.models import Case
    from app.extensions import db

    task_id = office.open_task("contact")["task_id"]
    back = f"/tasks/{task_id}?next=/inbox"
    case = db.session.scalar(select(Case).where(Case.number == office.number))
    with app.test_request_context(back):
        context = materials_context(case, task_id=task_id, back=back)
        html = render_template(context["materials_template"], **context)
    assert f'name="comment-task_id" type="hidden" value="{task_id}"' in html
    assert 'name="upload-next" type="hidden" value="/tasks/' in html
    sign_in(client, "worker")
    resp = client.post(f"/cases/{office.number}/comments", data={
        "comment-text": "联系未果，明日再试", "comment-task_id": task_id, "comment-next": back})
    assert resp.status_code == 302 and resp.headers["Location"] == back
    [event] = office.events("commented")
    assert event["step"] == "contact"
    listing = office.get("worker", f"/api/v1/cases/{office.number}/comments").get_json()
    assert listing[0]["task_id"] == task_id


def test_the_diagram_labels_come_in_the_page_language(office, client):
    english = _page(office, client, lang="en").get_data(as_text=True)
    assert "&#34;lane_hotline&#34;: &#34;12345 hotline&#34;" in english
    chinese = _page(office, client, lang="zh").get_data(as_text=True)
    assert 'data-labels="{}"' in chinese


# bad_review.bpmn's words before the reviewer was 评价人 everywhere (QA #12): new → old
BEFORE_评价人 = (('name="联系评价人"', 'name="联系服务对象"'),
                ('name="已联系评价人"', 'name="已联系服务对象"'),
                ('label="评价人诉求"', 'label="服务对象诉求"'),
                ("经办人联系评价人，", "经办人联系服务对象，"))


def test_a_case_opened_before_评价人_keeps_its_words_in_both_languages(client, bad_rating):
    """A release that changes bpmn/'s words deploys a new version; a case opened before it
    stays on its version and shows that version's words, in English translated still."""
    from app.extensions import db
    from app.processes import service as processes
    from tests.materials.conftest import open_office

    released = processes.current("shenzhen")
    text = released.files["bad_review.bpmn"]
    for new, old in BEFORE_评价人:
        assert new in text
        text = text.replace(new, old)
    processes.deploy("shenzhen", released.process_key, {**released.files, "bad_review.bpmn": text},
                     source="files", by="system")
    db.session.commit()
    office = open_office(client, bad_rating)  # on the earlier words' version
    processes.deploy("shenzhen", released.process_key, released.files, source="files",
                     by="system")  # then the release that says 评价人
    db.session.commit()

    chinese = _page(office, client).get_data(as_text=True)
    assert "联系服务对象" in chinese and "联系评价人" not in chinese
    english = _page(office, client, lang="en").get_data(as_text=True)
    assert "Contact the reviewer" in english and "联系服务对象" not in english
    assert "&#34;contact&#34;: &#34;Contact the reviewer&#34;" in english  # the diagram's label
    diagram = client.get(f"/cases/{office.number}/diagram/bad_review.bpmn")
    assert diagram.status_code == 200 and 'name="联系服务对象"'.encode() in diagram.data
    task = client.get(f"/tasks/{office.open_task('contact')['task_id']}?lang=en")
    shown = unescape(task.get_data(as_text=True))
    assert task.status_code == 200 and "服务对象" not in shown
    assert "Reached the reviewer" in shown and "The reviewer's demand" in shown
    assert "The responsible department's caseworker contacts the reviewer" in shown


def test_the_timeline_says_what_happened_not_what_to_do(office, client):
    """认领 is the button's word (Claim); the timeline says the task was claimed (已认领,
    Claimed), and a plain timer fired (计时器到期, Timer fired), in both languages."""
    from app.cases import events
    from app.extensions import db

    task_id = office.open_task("contact")["task_id"]
    assert office.post("worker", f"/api/v1/tasks/{task_id}/claim").status_code == 200
    chinese = _page(office, client).get_data(as_text=True)
    assert "<b>已认领</b>" in chinese
    english = _page(office, client, lang="en").get_data(as_text=True)
    assert "<b>Claimed</b>" in english and "<b>Claim</b>" not in english
    with client.application.test_request_context("/?lang=en"):
        from flask_babel import gettext

        assert gettext(events.KIND_LABELS["timer"]) == "Timer fired"
    db.session.rollback()
