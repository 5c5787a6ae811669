"""Drafts, deploys and roll backs of a jurisdiction's process (流程部署): the transactions.

A version is the whole set of files of a jurisdiction's process; deploying an edit of one file
makes a new version with that file replaced, after `validation.validate` found nothing wrong.
Running cases keep their version; new cases start on the newest (`processes.current`).
Each function works in the caller's session and commits what it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.engine.definitions import content_hash
from app.extensions import db
from app.modeler.models import ProcessAudit, ProcessDraft
from app.modeler.safexml import MAX_BYTES
from app.modeler.validation import Problem, rule_keys_now, validate
from app.processes import service as processes
from app.processes.models import ProcessVersion
from app.rules import service as rules_service
from app.timeutil import utcnow
from app.web.i18n import N_

EDITORS = ("supervisor", "process_owner", "admin")  # may open the modeler and save drafts
DEPLOYERS = ("supervisor", "admin")  # may deploy and roll back
COMMENT_MAX = 200


class Refused(ValueError):
    """A change that is not made: `message` (N_ text), per-field `errors`, and the
    validation `problems` when the diagram was at fault."""

    def __init__(self, message: str, errors: Mapping[str, list[str]] | None = None,
                 problems: list[Problem] | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status
        self.errors = dict(errors or {})
        self.problems = list(problems or [])


class Stale(Refused):
    """The version the edit started from is no longer the current one (HTTP 409)."""

    def __init__(self, current: ProcessVersion) -> None:
        super().__init__(N_("已有人部署了新版本，请先打开新版本再修改。"), status=409)
        self.current = current


def jurisdictions_for(user: User) -> list[str]:
    """Jurisdictions whose process `user` may edit: all for administrators, else the one of
    the user's region."""
    book = rules_service.current()
    if user.role == "admin":
        return list(book.jurisdictions())
    return [book.for_region(user.region_code).key]


def may_edit(user: User, jurisdiction: str) -> bool:
    return user.role in EDITORS and jurisdiction in jurisdictions_for(user)


def may_deploy(user: User, jurisdiction: str) -> bool:
    return user.role in DEPLOYERS and jurisdiction in jurisdictions_for(user)


def draft_of(jurisdiction: str, key: str, file_name: str) -> ProcessDraft | None:
    return db.session.scalar(select(ProcessDraft).where(
        ProcessDraft.jurisdiction == jurisdiction, ProcessDraft.process_key == key,
        ProcessDraft.file_name == file_name))


def check_size(xml: str) -> None:
    if not xml or not xml.strip():
        raise Refused(N_("请求有误。"), {"xml": [N_("流程图内容不能为空。")]})
    if len(xml.encode("utf-8")) > MAX_BYTES:
        raise Refused(N_("流程图过大。"), {"xml": [N_("流程图不能超过 2 MB。")]}, status=413)


def save_draft(version: ProcessVersion, file_name: str, xml: str, user: User) -> ProcessDraft:
    """Save (over) the draft of `file_name`, started from `version`. A draft may be invalid."""
    check_size(xml)
    if file_name not in version.files:
        raise KeyError(file_name)
    author = user.username  # read before the draft is pending: it may refresh the user
    draft = draft_of(version.jurisdiction, version.process_key, file_name)
    if draft is None:
        draft = ProcessDraft(jurisdiction=version.jurisdiction, process_key=version.process_key,
                             file_name=file_name)
    draft.xml, draft.base_version_id = xml, version.id
    draft.updated_by, draft.updated_at = author, utcnow()
    db.session.add(draft)
    db.session.commit()
    return draft


def discard_draft(jurisdiction: str, key: str, file_name: str) -> bool:
    draft = draft_of(jurisdiction, key, file_name)
    if draft is None:
        return False
    db.session.delete(draft)
    db.session.commit()
    return True


def check(files: Mapping[str, str], key: str) -> list[Problem]:
    """Every problem of a whole set of files, against the rules in force now."""
    return validate(files, key, rule_keys_now())


def with_file(version: ProcessVersion, file_name: str, xml: str) -> dict[str, str]:
    """The files of `version` with `file_name` replaced by `xml` (KeyError when it has no
    such file)."""
    if file_name not in version.files:
        raise KeyError(file_name)
    files = dict(version.files)
    files[file_name] = xml
    return files


def audit(version_or_key: ProcessVersion | tuple[str, str], kind: str, actor: str,
          comment: str | None = None, data: dict[str, Any] | None = None) -> ProcessAudit:
    """Append an audit row (in the caller's transaction)."""
    if isinstance(version_or_key, ProcessVersion):
        jurisdiction, key = version_or_key.jurisdiction, version_or_key.process_key
        version_id = version_or_key.id
    else:
        (jurisdiction, key), version_id = version_or_key, None
    row = ProcessAudit(jurisdiction=jurisdiction, process_key=key, kind=kind,
                       version_id=version_id, actor=actor, at=utcnow(),
                       comment=(comment or None) and comment[:COMMENT_MAX], data=data)
    db.session.add(row)
    return row


DEPLOY_NOTE_MISSING = N_("请填写部署说明。")


def _comment_error(comment: Any, missing: str = DEPLOY_NOTE_MISSING) -> str | None:
    text = comment.strip() if isinstance(comment, str) else ""
    if not text:
        return missing
    if len(text) > COMMENT_MAX:
        return N_("部署说明不能超过 200 字。")
    return None


def _base_error(base_version_id: Any) -> str | None:
    """The base version is required: without it a deploy could not tell it is stale."""
    if base_version_id is None:
        return N_("缺少所依据的版本（base_version）：编辑开始时的现行版本 id。")
    if not isinstance(base_version_id, int) or isinstance(base_version_id, bool):
        return N_("所依据的版本（base_version）须为整数（版本 id）。")
    return None


def clean_comment(comment: Any, missing: str = DEPLOY_NOTE_MISSING) -> str:
    """The trimmed comment, or a 422 Refused saying `missing` (what to write) or too long."""
    error = _comment_error(comment, missing)
    if error:
        raise Refused(N_("请求有误。"), {"comment": [error]})
    return comment.strip()


def publish(current: ProcessVersion, files: dict[str, str], *, source: str, user: User,
             comment: str, kind: str, data: dict[str, Any],
             draft: ProcessDraft | None = None) -> ProcessVersion:
    """Validate `files` and make them the jurisdiction's new version, or refuse (the current
    version stays in force and the refusal is audited). `draft`, the edit now deployed, goes
    in the same transaction."""
    key, jurisdiction = current.process_key, current.jurisdiction
    if content_hash(files) == current.content_hash:
        raise Refused(N_("与当前版本相比没有任何改动。"), {"xml": [N_("没有改动，无需部署。")]})
    problems = check(files, key)
    if problems:
        db.session.rollback()
        audit((jurisdiction, key), "deploy_refused", user.username, comment,
              {**data, "problems": [p.as_dict() for p in problems[:50]]})
        db.session.commit()
        raise Refused(N_("流程图未通过校验，未部署；现行版本继续有效。"), problems=problems)
    try:
        version = processes.deploy(jurisdiction, key, files, source=source,
                                   by=user.username, comment=comment)
        audit(version, kind, user.username, comment,
              {**data, "previous": current.label, "number": version.number})
        if draft is not None:
            db.session.delete(draft)
        db.session.commit()
    except IntegrityError:  # another deploy took the number first
        db.session.rollback()
        raise Stale(processes.current(jurisdiction, key)) from None
    return version


def deploy_file(jurisdiction: str, file_name: str, xml: str, comment: Any,
                base_version_id: Any, user: User) -> ProcessVersion:
    """Deploy an edit of one file: a new version of the jurisdiction's process.
    `base_version_id`, the id of the version the edit started from, is required: Stale when
    it is no longer the current one."""
    check_size(xml)
    errors = {field: [error] for field, error in (("comment", _comment_error(comment)),
                                                 ("base_version", _base_error(base_version_id)))
              if error}
    if errors:
        raise Refused(N_("请求有误。"), errors)
    current = processes.current(jurisdiction)
    if base_version_id != current.id:
        raise Stale(current)
    try:
        files = with_file(current, file_name, xml)
    except KeyError:
        raise Refused(N_("请求有误。"), {"file": [N_("当前版本中没有这个文件。")]}) from None
    return publish(current, files, source="modeler", user=user, comment=comment.strip(),
                    kind="deploy", data={"file": file_name},
                    draft=draft_of(jurisdiction, current.process_key, file_name))


def rollback(jurisdiction: str, version_id: int, comment: Any,
             user: User) -> ProcessVersion:
    """Make an earlier version's files current again, as a new version (回滚). They are
    validated again: the rules may have changed since."""
    text = clean_comment(comment)
    current = processes.current(jurisdiction)
    target = db.session.get(ProcessVersion, version_id)
    if target is None or target.jurisdiction != jurisdiction \
            or target.process_key != current.process_key:
        raise Refused(N_("没有这个版本。"), status=404)
    if target.id == current.id:
        raise Refused(N_("这已是现行版本。"), {"version": [N_("这已是现行版本。")]})
    return publish(current, dict(target.files), source="rollback", user=user, comment=text,
                    kind="rollback", data={"to": target.label})


def versions(jurisdiction: str, key: str) -> list[ProcessVersion]:
    """A jurisdiction's versions, newest first."""
    return list(db.session.scalars(select(ProcessVersion).where(
        ProcessVersion.jurisdiction == jurisdiction, ProcessVersion.process_key == key)
        .order_by(ProcessVersion.id.desc())))


def history(jurisdiction: str, key: str, limit: int = 50) -> list[ProcessAudit]:
    """The newest audit rows of a jurisdiction's process."""
    return list(db.session.scalars(select(ProcessAudit).where(
        ProcessAudit.jurisdiction == jurisdiction, ProcessAudit.process_key == key)
        .order_by(ProcessAudit.id.desc()).limit(limit)))
