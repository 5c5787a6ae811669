"""Evidence files (证明材料) on a case: receive, check, store, list, find.

Files go to ATTACHMENTS_DIR (default `instance/attachments/`) under a random name in a
two-character folder, `3f/3f9c…e1.pdf`; the uploader's file name is kept only in the table.
A file is read in chunks: it is refused as soon as it passes ATTACHMENT_MAX_BYTES, and its type
is told by its first bytes (app/cases/filetypes.py).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import Response, current_app, send_file
from sqlalchemy import select

from app.auth.models import User
from app.cases import events, filetypes
from app.cases.materials import CaseAttachment
from app.cases.models import Case
from app.cases.records import CaseTask
from app.cases.refusals import Refused, task_of, text
from app.extensions import db

CHUNK = 64 * 1024
MAX_NAME = 255
MAX_DESCRIPTION = 200


def root() -> Path:
    """The attachments directory (created when missing)."""
    folder = Path(current_app.config.get("ATTACHMENTS_DIR")
                  or Path(current_app.instance_path) / "attachments")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def max_mb() -> str:
    """The limit in MB as people read it: 20, or 0.5."""
    return f"{max_bytes() / 1024 / 1024:g}"


def clean_name(filename: str | None) -> str:
    """The uploader's file name without folders or control characters, at most 255
    characters (the extension kept); '' when nothing is left."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_NAME - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and keep > 0 else name[:MAX_NAME]
    return name


def _receive(stream: BinaryIO, folder: Path, limit: int) -> tuple[Path, int, str, bytes]:
    """Copy `stream` into a temporary file of `folder`: (path, size, SHA-256, first bytes).
    Refused (and nothing left behind) when empty or larger than `limit`."""
    incoming = folder / "incoming"
    incoming.mkdir(exist_ok=True)
    fd, name = tempfile.mkstemp(dir=incoming)
    path, size, digest, head = Path(name), 0, hashlib.sha256(), b""
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Refused("file", "too_large", 413, limit=max_mb())
                if len(head) < filetypes.HEAD_BYTES:
                    head += chunk[:filetypes.HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Refused("file", "empty")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest(), head


def _check_type(name: str, head: bytes) -> filetypes.FileType:
    found, ext = filetypes.sniff(head), filetypes.extension(name)
    if found is None:
        raise Refused("file", "type", 415)
    if ext not in found.extensions:
        raise Refused("file", "mismatch", 415, found=found.name.upper(), ext=ext or "—")
    return found


def save(case: Case, user: User, stream: BinaryIO, filename: str | None, at: datetime, *,
         task_id: str | None = None, description: str | None = None) -> CaseAttachment:
    """Store an evidence file on `case` with its upload event; committed. Refused (nothing
    stored) for a missing, empty, too large or unaccepted file, or a task of another case."""
    name = clean_name(filename)
    if not name:
        raise Refused("file", "missing")
    task = task_of(case, task_id)
    description = text(description, "description", MAX_DESCRIPTION, required=False)
    folder = root()
    temp, size, sha256, head = _receive(stream, folder, max_bytes())
    try:
        found = _check_type(name, head)
        token = secrets.token_hex(16)
        storage_name = f"{token[:2]}/{token}.{found.extensions[0]}"
        target = folder / storage_name
        target.parent.mkdir(exist_ok=True)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:
        attachment = _record(case, user, task, at, name=name, found=found, size=size,
                             sha256=sha256, storage_name=storage_name, description=description)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        target.unlink(missing_ok=True)
        raise
    return attachment


def _record(case: Case, user: User, task: CaseTask | None, at: datetime, *, name: str,
            found: filetypes.FileType, size: int, sha256: str, storage_name: str,
            description: str | None) -> CaseAttachment:
    attachment = CaseAttachment(
        case_id=case.id, task_id=task.task_id if task else None, storage_name=storage_name,
        original_name=name, file_type=found.name, content_type=found.mime, kind=found.kind,
        size=size, sha256=sha256, description=description, uploaded_by_id=user.id,
        uploaded_at=at)
    db.session.add(attachment)
    db.session.flush()
    events.record(case.id, "attachment_added", user.username, at,
                  step=task.step if task else None, title=task.title if task else None,
                  task_id=task.task_id if task else None,
                  data={"attachment_id": attachment.id, "name": name, "size": size,
                        "type": found.name, "sha256": sha256})
    return attachment


def for_case(case: Case) -> list[CaseAttachment]:
    return list(db.session.scalars(select(CaseAttachment).where(
        CaseAttachment.case_id == case.id).order_by(CaseAttachment.id)))


def one(case: Case, attachment_id: int) -> CaseAttachment | None:
    """The attachment `attachment_id` if it belongs to `case`."""
    return db.session.scalar(select(CaseAttachment).where(
        CaseAttachment.id == attachment_id, CaseAttachment.case_id == case.id))


def path_of(attachment: CaseAttachment) -> Path:
    """Where the file lies (inside the attachments directory, whatever the row says)."""
    folder = root().resolve()
    path = (folder / attachment.storage_name).resolve()
    if folder not in path.parents:
        raise FileNotFoundError(attachment.storage_name)
    return path


def send(attachment: CaseAttachment) -> Response:
    """The file as a download (Content-Disposition: attachment) under its original name, with
    its sniffed type; browsers may not sniff it, shared caches may not keep it.
    FileNotFoundError when the file is gone."""
    response = send_file(path_of(attachment), mimetype=attachment.content_type,
                         as_attachment=True, download_name=attachment.original_name,
                         etag=attachment.sha256, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
