"""Comments (备注) through the API: by anyone who may see the case, each an event."""

from __future__ import annotations


def _comments(office) -> str:
    return f"/api/v1/cases/{office.number}/comments"


def test_add_and_list(office):
    text = "  已电话联系，评价人同意等候回复。 "
    resp = office.post("worker", _comments(office), json={"text": text})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["text"] == "已电话联系，评价人同意等候回复。" and body["author"] == "worker"
    assert body["author_name"] == "王芳" and body["task_id"] is None
    office.post("hotline", _comments(office), json={"text": "热线已转告"})
    listing = office.get("boss", _comments(office)).get_json()
    assert [c["text"] for c in listing] == ["已电话联系，评价人同意等候回复。", "热线已转告"]
    events = office.events("commented")
    assert [(e["actor"], e["data"]["text"]) for e in events] == [
        ("worker", "已电话联系，评价人同意等候回复。"), ("hotline", "热线已转告")]
    assert events[0]["kind_label"] == "备注"


def test_tied_to_a_task(office):
    task_id = office.open_task("contact")["task_id"]
    resp = office.post("worker", _comments(office),
                       json={"text": "约定明日回电", "task_id": task_id})
    assert resp.status_code == 201 and resp.get_json()["task_id"] == task_id
    [event] = office.events("commented")
    assert event["step"] == "contact"


def test_per_field_messages(office):
    resp = office.post("worker", _comments(office), json={"text": "   "})
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"json": {"text": ["Write something."]}}
    resp = office.post("worker", _comments(office), json={"text": "长" * 2001})
    assert resp.get_json()["errors"] == {"json": {"text": ["At most 2000 characters."]}}
    resp = office.post("worker", _comments(office), json={})
    assert resp.status_code == 422 and "text" in resp.get_json()["errors"]["json"]
    resp = office.post("worker", _comments(office), json={"text": "x", "task_id": "nope"})
    assert resp.get_json()["errors"] == {"json": {"task_id": ["Not a task of this case."]}}
    resp = office.post("worker", _comments(office), json={"text": "已告知\u202e评价人"})
    assert resp.get_json()["errors"] == {"json": {"text": [
        "Contains the control character U+202E."]}}
    assert office.events("commented") == []


def test_only_those_who_may_see_the_case(office):
    assert office.post("outsider", _comments(office), json={"text": "x"}).status_code == 403
    assert office.get("outsider", _comments(office)).status_code == 403
    assert office.post("js_hotline", _comments(office), json={"text": "x"}).status_code == 403
    assert office.post("agency", _comments(office), json={"text": "督办意见"}).status_code == 201
