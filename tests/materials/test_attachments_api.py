"""Evidence files through the API: stored by a random name with their facts, checked by content
and size, downloaded only by those who may see the case, each upload an event."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.materials.conftest import SAMPLES


def _root(app) -> Path:
    return Path(app.instance_path) / "attachments"


def _stored(app) -> set[Path]:
    root = _root(app)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_upload_png_stores_it_by_a_random_name(office, app):
    before = _stored(app)
    resp = office.upload("worker", "现场照片.png", SAMPLES["png"], description="窗口现场")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "现场照片.png" and body["type"] == "png"
    assert body["content_type"] == "image/png" and body["kind"] == "image"
    assert body["size"] == len(SAMPLES["png"])
    assert body["sha256"] == hashlib.sha256(SAMPLES["png"]).hexdigest()
    assert body["uploaded_by"] == "worker" and body["description"] == "窗口现场"
    assert body["uploaded_at"].endswith("+08:00")
    [new] = _stored(app) - before
    assert new.read_bytes() == SAMPLES["png"]
    assert "现场照片" not in str(new) and new.parent.parent == _root(app)
    assert not list((_root(app) / "incoming").iterdir())  # no temporary file left behind
    [event] = office.events("attachment_added")
    assert event["kind_label"] == "上传证明材料" and event["actor"] == "worker"
    assert event["data"]["attachment_id"] == body["id"] and event["data"]["name"] == "现场照片.png"


@pytest.mark.parametrize("ext", sorted(SAMPLES))
def test_every_accepted_type(office, ext):
    resp = office.upload("worker", f"证据.{ext}", SAMPLES[ext])
    assert resp.status_code == 201, resp.get_json()


def test_list_and_download(office):
    uploaded = office.upload("worker", "通话录音.m4a", SAMPLES["m4a"]).get_json()
    listing = office.get("colleague", f"/api/v1/cases/{office.number}/attachments").get_json()
    assert [a["id"] for a in listing] == [uploaded["id"]]
    resp = office.get("colleague", listing[0]["download_url"])
    assert resp.status_code == 200 and resp.data == SAMPLES["m4a"]
    assert resp.mimetype == "audio/mp4"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E9%80%9A%E8%AF%9D%E5%BD%95%E9%9F%B3.m4a" in disposition
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_task_tied_upload(office):
    task_id = office.open_task("contact")["task_id"]
    resp = office.upload("worker", "a.pdf", SAMPLES["pdf"], task_id=task_id)
    assert resp.status_code == 201 and resp.get_json()["task_id"] == task_id
    [event] = office.events("attachment_added")
    assert event["step"] == "contact" and event["title"] == "联系评价人"


def test_content_not_an_accepted_type_is_refused(office, app):
    before = _stored(app)
    resp = office.upload("worker", "photo.png", b"<html><script>alert(1)</script></html>")
    assert resp.status_code == 415
    assert "Not an accepted file type" in resp.get_json()["errors"]["files"]["file"][0]
    assert _stored(app) == before and office.events("attachment_added") == []


def test_content_must_match_the_extension(office):
    resp = office.upload("worker", "photo.png", SAMPLES["pdf"])
    assert resp.status_code == 415
    assert resp.get_json()["errors"]["files"]["file"] == [
        "The file's content (PDF) does not match its extension (.png)."]
    assert office.upload("worker", "noext", SAMPLES["pdf"]).status_code == 415


def test_size_limit(office, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    before = _stored(app)
    big = SAMPLES["pdf"] + b"0" * (1024 * 1024)
    resp = office.upload("worker", "big.pdf", big)
    assert resp.status_code == 413
    assert resp.get_json()["errors"]["files"]["file"] == ["The file is larger than 1 MB."]
    assert _stored(app) == before
    assert office.upload("worker", "small.pdf", SAMPLES["pdf"]).status_code == 201


def test_request_larger_than_max_content_length(office, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    resp = office.upload("worker", "big.pdf", SAMPLES["pdf"] + b"0" * 4096)
    assert resp.status_code == 413 and resp.is_json


def test_empty_and_missing_file(office):
    resp = office.upload("worker", "empty.pdf", b"")
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["files"]["file"] == ["The file is empty."]
    resp = office.post("worker", f"/api/v1/cases/{office.number}/attachments",
                       data={"description": "x"}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "file" in resp.get_json()["errors"]["files"]


def test_task_of_another_case_is_refused(office, client, bad_rating):
    resp = office.upload("worker", "a.pdf", SAMPLES["pdf"], task_id="not-a-task")
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["form"]["task_id"] == ["Not a task of this case."]


def test_path_in_the_file_name_is_dropped(office, app):
    resp = office.upload("worker", "..\\..\\C:\\temp\\../../etc/证据.pdf", SAMPLES["pdf"])
    assert resp.status_code == 201 and resp.get_json()["name"] == "证据.pdf"


def test_other_department_may_not_upload_list_or_download(office):
    uploaded = office.upload("worker", "a.pdf", SAMPLES["pdf"]).get_json()
    base = f"/api/v1/cases/{office.number}/attachments"
    assert office.upload("outsider", "b.pdf", SAMPLES["pdf"]).status_code == 403
    assert office.get("outsider", base).status_code == 403
    assert office.get("outsider", uploaded["download_url"]).status_code == 403
    assert office.get("js_hotline", uploaded["download_url"]).status_code == 403
    assert office.get("hotline", uploaded["download_url"]).status_code == 200  # the region's


def test_unknown_case_and_attachment(office):
    assert office.get("root", "/api/v1/cases/CP-20000101-000001/attachments").status_code == 404
    resp = office.get("root", f"/api/v1/cases/{office.number}/attachments/999999")
    assert resp.status_code == 404


def test_channel_token_and_no_token(office, client):
    assert client.get(f"/api/v1/cases/{office.number}/attachments").status_code == 401
