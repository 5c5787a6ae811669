"""Text with broken encoding (app/plaintext.py): a lone surrogate in JSON ("\\ud800", valid
JSON, no character) and U+FFFD where a form field's bytes were not UTF-8 are refused per
field, never a 500, nothing saved; a multipart file name not in UTF-8 is said to be so."""

from __future__ import annotations

import json
from html import unescape

import pytest

from app.auth import tokens
from app.extensions import db
from app.reviews.models import Review
from tests.materials.conftest import SAMPLES, sign_in

BOUNDARY = "XyZbOuNdArY"


def _json(text_body: dict) -> dict:
    """A JSON body as a client sends it, the lone surrogate escaped (ASCII JSON)."""
    return {"data": json.dumps(text_body), "content_type": "application/json"}


def _multipart(filename: bytes, description: bytes | None = None, prefix: str = "") -> dict:
    """A multipart body written byte by byte: the test client cannot send a non-UTF-8 name."""
    parts = [b'Content-Disposition: form-data; name="%sfile"; filename="%s"\r\n'
             b"Content-Type: image/png\r\n\r\n%s" % (prefix.encode(), filename, SAMPLES["png"])]
    if description is not None:
        parts.append(b'Content-Disposition: form-data; name="%sdescription"\r\n\r\n%s'
                     % (prefix.encode(), description))
    sep = f"--{BOUNDARY}\r\n".encode()
    body = b"".join(sep + part + b"\r\n" for part in parts) + f"--{BOUNDARY}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def _attachments(office) -> str:
    return f"/api/v1/cases/{office.number}/attachments"


def test_a_lone_surrogate_in_a_comment_is_refused(office):
    resp = office.post("worker", f"/api/v1/cases/{office.number}/comments",
                       **_json({"text": "a\ud800b"}))
    assert resp.status_code == 422, resp.get_json()
    [message] = resp.get_json()["errors"]["json"]["text"]
    assert "U+D800" in message and "surrogate" in message
    assert office.events("commented") == []


def test_a_lone_surrogate_in_a_rating_is_refused(office, bad_rating):
    channel = {"Authorization": f"Bearer {tokens.create('surrogate-channel')}"}
    before = db.session.query(Review).count()
    for field, value in (("text", "a\ud800b"), ("tags", ["等候\udc00"])):
        resp = office.client.post("/api/v1/reviews", headers=channel,
                                  **_json(bad_rating(**{field: value})))
        assert resp.status_code == 422, resp.get_json()
        assert "surrogate" in json.dumps(resp.get_json()["errors"]["json"][field])
    assert db.session.query(Review).count() == before


def test_a_lone_surrogate_in_a_task_form_is_refused(office):
    task_id = office.claim("worker")
    resp = office.post("worker", f"/api/v1/tasks/{task_id}/complete", **_json(
        {"data": {"contact_result": "reached", "reason": "a\ud800"}}))
    assert resp.status_code == 422, resp.get_json()
    assert "U+D800" in json.dumps(resp.get_json()["errors"])
    assert office.open_task("contact")["task_id"] == task_id  # nothing moved


def test_an_emoji_is_text(office):
    resp = office.post("worker", f"/api/v1/cases/{office.number}/comments",
                       **_json({"text": "已回电 👍"}))
    assert resp.status_code == 201 and resp.get_json()["text"] == "已回电 👍"


@pytest.mark.parametrize("sent", [b"a\xed\xa0\x80b", "a\ufffdb".encode()])
def test_a_description_damaged_in_encoding_is_refused(office, sent):
    """CESU-8 bytes of a surrogate (not UTF-8) arrive as U+FFFD, as does a typed U+FFFD:
    both refused, as the lone surrogate is in JSON."""
    resp = office.post("worker", _attachments(office), **_multipart(b"x.png", sent))
    assert resp.status_code == 422, resp.get_json()
    [message] = resp.get_json()["errors"]["form"]["description"]
    assert "replacement character U+FFFD" in message
    assert office.events("attachment_added") == []


def test_a_file_name_not_in_utf8_is_said_to_be_so(office):
    resp = office.post("worker", _attachments(office), **_multipart("照片.png".encode("gbk")))
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"] == {"files": {"file": [
        "The file name could not be read: it is not UTF-8. Rename the file, or send its name "
        "in UTF-8."]}}
    assert office.events("attachment_added") == []
    good = office.post("worker", _attachments(office), **_multipart("照片.png".encode()))
    assert good.status_code == 201 and good.get_json()["name"] == "照片.png"


def test_a_cut_off_body_is_400(office):
    body = _multipart(b"x.png")
    body["data"] = body["data"][:-len(f"--{BOUNDARY}--\r\n") - 10]
    resp = office.post("worker", _attachments(office), **body)
    assert resp.status_code == 400, resp.get_json()
    assert "could not be read" in resp.get_json()["errors"]["files"]["file"][0]


def test_the_case_page_refuses_them_on_the_field(office, client):
    sign_in(client, "worker")
    url = f"/cases/{office.number}"
    resp = client.post(f"{url}/comments", data={"comment-text": "已核实\ufffd"})
    assert resp.status_code == 400
    assert "含有替换字符 U+FFFD（文字在编码转换中已损坏）" in unescape(resp.get_data(as_text=True))
    resp = client.post(f"{url}/attachments", **_multipart("照片.png".encode("gbk"), None,
                                                           "upload-"))
    assert resp.status_code == 400
    assert "无法读取文件名（不是 UTF-8 编码）" in unescape(resp.get_data(as_text=True))
    assert office.events("commented") == [] and office.events("attachment_added") == []


def test_with_csrf_the_unreadable_name_is_said_on_the_error_page(office, client, app,
                                                                   monkeypatch):
    """The CSRF token was in the body that could not be read: the page says why."""
    sign_in(client, "worker")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = client.post(f"/cases/{office.number}/attachments",
                       **_multipart("照片.png".encode("gbk"), None, "upload-"))
    html = unescape(resp.get_data(as_text=True))
    assert resp.status_code == 400 and "无法读取文件名（不是 UTF-8 编码）" in html
    assert "表单已过期" not in html
