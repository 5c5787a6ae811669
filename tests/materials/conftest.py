"""Fixtures for case materials and the case page: people with API tokens and passwords, a
Shenzhen case waiting at `contact`, and small valid files of every accepted type."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.auth import tokens, users
from app.demo.data import uscc

PASSWORD = "correct-horse-9"
SZ_REGION = "440305000000"
SZ_DEPT = (uscc("440300", 3), "深圳市人力资源和社会保障局")
OTHER_DEPT = (uscc("440300", 9), "深圳市公安局")

# username: (role, department, region)
PEOPLE = {
    "worker": ("caseworker", SZ_DEPT[0], SZ_REGION),
    "colleague": ("caseworker", SZ_DEPT[0], SZ_REGION),
    "boss": ("supervisor", SZ_DEPT[0], SZ_REGION),
    "hotline": ("hotline", None, "440300000000"),
    "js_hotline": ("hotline", None, "320000000000"),
    "agency": ("agency", None, "440300000000"),
    "outsider": ("caseworker", OTHER_DEPT[0], SZ_REGION),
    "root": ("admin", None, None),
}
NAMES = {"worker": "王芳", "outsider": "刘洋"}  # shown on pages; the others are "<username>名"


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


SAMPLES = {
    "png": png_bytes(),
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40,
    "pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n",
    "mp3": b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 60,
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 40,
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 40,
    "amr": b"#!AMR\n" + b"\x3c" * 40,
}


@dataclass
class Office:
    """The people above, their API headers, and the case the fixture opened."""

    client: Any
    headers: dict[str, dict] = field(default_factory=dict)
    number: str = ""

    def get(self, who: str, path: str, **kw):
        return self.client.get(path, headers=self.headers[who], **kw)

    def post(self, who: str, path: str, **kw):
        return self.client.post(path, headers=self.headers[who], **kw)

    def case(self, who: str = "root") -> dict:
        resp = self.get(who, f"/api/v1/cases/{self.number}")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def open_task(self, step: str) -> dict:
        [task] = [t for t in self.case()["tasks"] if t["state"] == "open" and t["step"] == step]
        return task

    def claim(self, who: str, step: str = "contact") -> str:
        task_id = self.open_task(step)["task_id"]
        resp = self.post(who, f"/api/v1/tasks/{task_id}/claim")
        assert resp.status_code == 200, resp.get_json()
        return task_id

    def do(self, who: str, step: str, **data) -> str:
        """`who` completes the case's open `step` task with `data`; returns the task id."""
        task_id = self.open_task(step)["task_id"]
        resp = self.post(who, f"/api/v1/tasks/{task_id}/complete", json={"data": data})
        assert resp.status_code == 200, resp.get_json()
        return task_id

    def upload(self, who: str, name: str, content: bytes, **form):
        from io import BytesIO

        data = {"file": (BytesIO(content), name), **form}
        return self.post(who, f"/api/v1/cases/{self.number}/attachments", data=data,
                         content_type="multipart/form-data")

    def events(self, kind: str) -> list[dict]:
        return [e for e in self.case()["timeline"] if e["kind"] == kind]


def open_office(client, bad_rating) -> Office:
    """Everyone in PEOPLE (password PASSWORD, an API token each) and a new Shenzhen case of
    SZ_DEPT, waiting at `contact` (unclaimed). Also for browser tests, which cannot use this
    directory's fixtures."""
    office = Office(client)
    channel = {"Authorization": f"Bearer {tokens.create('test-channel')}"}
    for username, (role, dept, region) in PEOPLE.items():
        user = users.create(username, NAMES.get(username, f"{username}名"), role, dept, region,
                            password=PASSWORD)
        office.headers[username] = {
            "Authorization": f"Bearer {tokens.create(f'token-{username}', user.id)}"}
    body = bad_rating(region_code=SZ_REGION, department_code=SZ_DEPT[0],
                      department_name=SZ_DEPT[1], reviewer_phone="13812345678")
    resp = client.post("/api/v1/reviews", json=body, headers=channel)
    assert resp.status_code == 201, resp.get_json()
    office.number = resp.get_json()["case"]["number"]
    return office


@pytest.fixture()
def office(client, bad_rating) -> Office:
    return open_office(client, bad_rating)


def sign_in(client, username: str) -> None:
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)
