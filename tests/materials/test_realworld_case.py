"""A case opened from a rating with real-world data (a landline with an extension, a name
with a middle dot, emoji, rare characters, HTML-like text), followed to the case page, the
task page, the hotline's phone reveal and the comments: nothing lost, nothing interpreted."""

from __future__ import annotations

import re
from html import escape

import pytest

from tests.materials.conftest import open_office, sign_in

TEXT = "𠮷野家 䶮 窗口<b>态度差</b> &amp; <script>alert(1)</script>😡\r\n第二行"
SHOWN = TEXT.replace("\r\n", "\n")
SECRETS = ("0755", "12345678", "801", "阿依古丽", "买买提")
# What differs on every run and may hold any digits: CSRF tokens, ids, instants.
RANDOM = re.compile(r"[\w-]+\.[\w-]+\.[\w-]{16,}"
                    r"|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
                    r"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?")


def leaked(text: str) -> list[str]:
    """The reviewer's secrets found in text, leaving out random tokens, ids and instants."""
    text = RANDOM.sub("…", text)
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture()
def office(client, bad_rating):
    return open_office(client, lambda **kw: bad_rating(**{
        **kw, "reviewer_phone": "0755 1234 5678转801", "reviewer_name": "阿依古丽·买买提",
        "text": TEXT, "tags": ["<i>态度</i>"]}))


def test_the_case_page_shows_the_landline_and_name_masked_and_the_text_literally(office,
                                                                                 client):
    sign_in(client, "worker")
    html = client.get(f"/cases/{office.number}").get_data(as_text=True)
    assert "****-****5678-***" in html and "阿*******" in html
    assert leaked(html) == []
    assert escape(SHOWN, quote=False) in html and "<script>alert" not in html
    assert "&lt;i&gt;态度&lt;/i&gt;" in html


def test_the_hotline_reveals_the_whole_landline_with_its_extension(office, client):
    resp = office.post("hotline", f"/api/v1/cases/{office.number}/reveal-phone")
    assert resp.get_json()["phone"] == "0755-12345678-801"
    [event] = office.events("phone_revealed")
    assert leaked(str(event)) == [] and "****-****5678-***" in str(event)
    sign_in(client, "hotline")
    resp = client.post(f"/cases/{office.number}/phone", headers={"Accept": "application/json"})
    assert resp.get_json() == {"phone": "0755-12345678-801"}


def test_the_api_and_the_task_page_show_the_same(office, client):
    case = office.case("worker")
    assert leaked(str(case)) == []
    task_id = office.claim("worker")
    sign_in(client, "worker")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<dt>评价人</dt><dd>阿*******</dd>" in html
    assert escape(SHOWN, quote=False) in html and "<script>alert" not in html


def test_form_text_with_html_and_windows_line_breaks_is_kept_literally(office, client):
    office.claim("worker")
    reason = "<b>排队</b> &amp; 等候\r\n" * 3 + "😡"
    office.do("worker", "contact", contact_result="reached", reason=reason,
              demand="<script>x</script>")
    completed = [e for e in office.case("worker")["timeline"] if e["kind"] == "completed"]
    assert completed[-1]["data"]["reason"] == reason.replace("\r\n", "\n").strip()
    sign_in(client, "worker")
    html = client.get(f"/cases/{office.number}").get_data(as_text=True)
    assert "&lt;b&gt;排队&lt;/b&gt; &amp;amp; 等候" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html


def test_a_comment_as_long_as_the_textarea_allows_is_taken(office, client):
    """The textarea's maxlength (2000) counts a line break as one character; the browser
    sends it as CR LF. A comment the browser let through was refused as too long."""
    sign_in(client, "worker")
    typed = ("备注" * 9 + "\n") * 105 + "备" * 5  # 2000 characters as typed
    assert len(typed) == 2000
    resp = client.post(f"/cases/{office.number}/comments",
                       data={"comment-text": typed.replace("\n", "\r\n")})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    [event] = office.events("commented")
    assert event["data"]["text"] == typed
    resp = client.post(f"/cases/{office.number}/comments", data={"comment-text": typed + "备"})
    assert resp.status_code == 400 and "最多 2000 个字。" in resp.get_data(as_text=True)


@pytest.mark.parametrize(("name", "kind", "addressed"), [
    ("张三", "individual", "张先生/女士"),
    ("张", "individual", "评价人本人"),  # all masked: no surname to say
    ("阿依古丽·买买提", "individual", "评价人本人"),  # no surname first
    ("深圳市某某科技有限公司", "legal_person", "深圳*********"),
])
def test_the_call_script_asks_for_the_reviewer_without_showing_the_name(app, name, kind,
                                                                       addressed):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from app.inbox.callscript import addressed as address

    with app.test_request_context(), force_locale("zh_CN"):
        assert address(SimpleNamespace(reviewer_name=name, reviewer_type=kind)) == addressed
