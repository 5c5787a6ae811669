"""The modeler's pages (流程建模): the list of versions and the editor, with the editor's JSON
endpoints (session login, CSRF token in the X-CSRFToken header). See docs/modeler.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.auth.access import protect
from app.auth.errors import error_response, is_api
from app.cases.present import actor_names
from app.extensions import db
from app.modeler import overview, service
from app.modeler import release as releases
from app.modeler.diff import diff_xml
from app.modeler.migrate import move_cases
from app.modeler.models import ProcessDraft
from app.modeler.service import EDITORS, Refused, Stale
from app.processes import service as processes
from app.processes.models import ProcessVersion
from app.rules import service as rules_service
from app.timeutil import to_local, utcnow
from app.web.errors import CSRF_MESSAGE, MESSAGES, render_error
from app.web.i18n import N_, current_language
from app.web.nav import register

bp = Blueprint("modeler", __name__, url_prefix="/modeler", template_folder="templates",
               static_folder="static")
protect(bp, *EDITORS)
register("modeler.index", N_("流程建模"), roles=EDITORS, order=60, section="modeler.")

FILE = "/<jurisdiction>/<file_name>"
# Translators: between the reasons a case was not moved (; in English).
REASON_SEPARATOR = N_("；")


def version_dict(version: ProcessVersion) -> dict[str, Any]:
    return {"id": version.id, "number": version.number, "label": version.label,
            "deployed_by": version.deployed_by, "deployed_by_name": _name(version.deployed_by),
            "deployed_at": to_local(version.deployed_at).isoformat(),
            "comment": version.comment, "source": version.source}


def draft_dict(draft: ProcessDraft | None, current: ProcessVersion) -> dict[str, Any] | None:
    if draft is None:
        return None
    return {"updated_by": draft.updated_by, "updated_by_name": _name(draft.updated_by),
            "updated_at": to_local(draft.updated_at).isoformat(),
            "base_version": draft.base_version.number, "base_version_id": draft.base_version_id,
            "stale": draft.base_version_id != current.id}


def _name(username: str) -> str:
    """A person's name for a username (the system's own actors by what they are)."""
    return actor_names({username})[username]


def _allow(jurisdiction: str, deploy: bool = False) -> None:
    """404 for an unknown jurisdiction; 403 when the user may not edit (or deploy) its process."""
    if jurisdiction not in rules_service.current():
        abort(404)
    may = service.may_deploy if deploy else service.may_edit
    if not may(current_user, jurisdiction):
        abort(403)


def _current(jurisdiction: str, file_name: str, deploy: bool = False) -> ProcessVersion:
    """The jurisdiction's current version, after checking the user may edit (or deploy) it
    and it has `file_name` (else 403 / 404)."""
    _allow(jurisdiction, deploy)
    version = processes.current(jurisdiction)
    db.session.commit()  # the first visit may have deployed bpmn/
    if file_name not in version.files:
        abort(404)
    return version


def _refused(exc: Refused):
    """A refusal as the API's JSON error, with the validation problems when there are any."""
    errors = {name: [gettext(m) for m in messages] for name, messages in exc.errors.items()}
    extra: dict[str, Any] = {}
    if exc.problems:
        extra["problems"] = [p.as_dict() for p in exc.problems]
    if isinstance(exc, Stale):
        extra["current"] = version_dict(exc.current)
    return error_response(exc.status, gettext(exc.message), errors or None, **extra)


# The fields each JSON endpoint reads; any other is refused, as the API refuses them.
XML_ONLY = ("xml",)
DEPLOY_FIELDS = ("xml", "comment", "base_version")
XML_SOURCES = ("deployed", "draft")  # ?from= of …/xml


def _posted(allowed: tuple[str, ...] = XML_ONLY) -> dict[str, Any]:
    """The request's JSON object, or a 422 Refused: not an object, or fields not in `allowed`
    or holding text that cannot be stored (a lone surrogate such as "\\ud800"), per field."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(N_("请求有误。"), {"json": [N_("请求内容不是有效的 JSON 对象。")]})
    errors = {name: [N_("未知字段。")] for name in body if name not in allowed}
    errors.update({name: [N_("含有无法存储的字符（孤立的 UTF-16 代理项），不是有效的文本。")]
                   for name, value in body.items() if name in allowed and _unencodable(value)})
    if errors:
        raise Refused(N_("请求有误。"), errors)
    return body


def _unencodable(value: Any) -> bool:
    """A text (or one inside a list or object) that UTF-8 cannot encode: a lone surrogate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unencodable(k) or _unencodable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unencodable(v) for v in value)
    return False


def _posted_xml(body: dict[str, Any] | None = None) -> str:
    """The `xml` of the JSON body (read when not given), or a 422 Refused."""
    body = _posted() if body is None else body
    if "xml" not in body or body["xml"] is None:
        raise Refused(N_("请求有误。"), {"xml": [N_("缺少流程图内容 (xml)。")]})
    if not isinstance(body["xml"], str):
        raise Refused(N_("请求有误。"), {"xml": [N_("流程图内容 (xml) 须为文本。")]})
    return body["xml"]


@bp.errorhandler(Refused)
def _on_refused(exc: Refused):
    return _refused(exc)


@bp.errorhandler(HTTPException)
def _on_http(err: HTTPException):
    """403, 404, a missing CSRF token …: for the JSON endpoints, the app's JSON error with the
    message in the session's language (not werkzeug's English text); pages as elsewhere."""
    if err.code is None or err.code < 400:
        return err
    if not is_api():
        return render_error(err)
    message = CSRF_MESSAGE if isinstance(err, CSRFError) else MESSAGES.get(err.code, MESSAGES[400])
    kept = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
    return error_response(err.code, gettext(message), headers=kept)


@bp.get("/")
def index():
    panels = overview.overview(current_user)
    return render_template("modeler/index.html", panels=panels,
                           source_labels=overview.SOURCE_LABELS,
                           audit_labels=overview.AUDIT_LABELS,
                           audit_summary=overview.audit_summary,
                           comment_text=overview.comment_text,
                           names=overview.people(panels))


@bp.get(FILE)
def editor(jurisdiction: str, file_name: str):
    version = _current(jurisdiction, file_name)
    draft = service.draft_of(jurisdiction, version.process_key, file_name)
    rules = rules_service.current().get(jurisdiction)
    urls = {name: url_for(f"modeler.{name}", jurisdiction=jurisdiction, file_name=file_name)
            for name in ("xml", "draft", "validate", "diff", "deploy")}
    urls["index"] = url_for("modeler.index")
    return render_template(
        "modeler/editor.html", jurisdiction=jurisdiction,
        jurisdiction_name=rules.label(current_language()),
        file_name=file_name, files=sorted(version.files), version=version_dict(version),
        draft=draft_dict(draft, version), urls=urls,
        can_deploy=service.may_deploy(current_user, jurisdiction))


@bp.get(FILE + "/xml")
def xml(jurisdiction: str, file_name: str):
    version = _current(jurisdiction, file_name)
    draft = service.draft_of(jurisdiction, version.process_key, file_name)
    source = request.args.get("from", "deployed")
    if source not in XML_SOURCES:
        raise Refused(N_("请求有误。"), {"from": [N_("参数 from 须为 deployed 或 draft。")]})
    if source == "draft" and draft is not None:
        text = draft.xml
    else:
        source, text = "deployed", version.files[file_name]
    return {"xml": text, "source": source, "version": version_dict(version),
            "draft": draft_dict(draft, version)}


@bp.put(FILE + "/draft")
def draft(jurisdiction: str, file_name: str):
    version = _current(jurisdiction, file_name)
    saved = service.save_draft(version, file_name, _posted_xml(), current_user)
    return {"draft": draft_dict(saved, version)}


@bp.delete(FILE + "/draft")
def discard(jurisdiction: str, file_name: str):
    version = _current(jurisdiction, file_name)
    service.discard_draft(jurisdiction, version.process_key, file_name)
    return "", 204


@bp.post(FILE + "/validate")
def validate(jurisdiction: str, file_name: str):
    version = _current(jurisdiction, file_name)
    text = _posted_xml()
    service.check_size(text)
    problems = service.check(service.with_file(version, file_name, text), version.process_key)
    return {"ok": not problems, "problems": [p.as_dict() for p in problems]}


@bp.post(FILE + "/diff")
def diff(jurisdiction: str, file_name: str):
    version = _current(jurisdiction, file_name)
    text = _posted_xml()
    service.check_size(text)
    try:
        found = diff_xml(version.files[file_name], text)
    except ValueError as exc:
        raise Refused(N_("流程图无法解析，不能对比。"), {"xml": [str(exc)]}) from None
    return {"base": version_dict(version), **found.as_dict()}


@bp.post(FILE + "/deploy")
def deploy(jurisdiction: str, file_name: str):
    _current(jurisdiction, file_name, deploy=True)
    body = _posted(DEPLOY_FIELDS)
    deployed = service.deploy_file(jurisdiction, file_name, _posted_xml(body),
                                   body.get("comment"), body.get("base_version"), current_user)
    return {"version": version_dict(deployed)}, 201


@bp.post("/<jurisdiction>/rollback/<int:version_id>")
def rollback(jurisdiction: str, version_id: int):
    """Form post: make an earlier version current again (a new version with its files)."""
    def act() -> str:
        done = service.rollback(jurisdiction, version_id, request.form.get("comment"),
                                current_user)
        return gettext("已回滚：%(label)s 现为现行版本。", label=done.label)
    return _form_post(jurisdiction, act)


@bp.post("/<jurisdiction>/release/deploy")
def release_deploy(jurisdiction: str):
    """Form post: deploy the release waiting in bpmn/ over the supervisor's version."""
    def act() -> str:
        done = releases.deploy(jurisdiction, request.form.get("comment"),
                               request.form.get("base_version", type=int), current_user)
        return gettext("已部署发布版本：%(label)s 现为现行版本。", label=done.label)
    return _form_post(jurisdiction, act)


@bp.post("/<jurisdiction>/release/decline")
def release_decline(jurisdiction: str):
    """Form post: keep the current version, and stop showing the release waiting in bpmn/."""
    def act() -> str:
        kept = releases.decline(jurisdiction, request.form.get("comment"),
                                request.form.get("base_version", type=int), current_user)
        return gettext("已保留现行版本 %(label)s，暂不采用发布版本 %(release)s。",
                       label=kept.current.label, release=kept.short)
    return _form_post(jurisdiction, act)


def _form_post(jurisdiction: str, act: Callable[[], str]):
    """A form post of the versions page by a deployer of `jurisdiction`: `act` makes the change
    and says what it did; a refusal is flashed instead. Back to the page either way."""
    _allow(jurisdiction, deploy=True)
    try:
        message = act()
    except Refused as exc:
        _flash_refusal(exc)
    else:
        flash(message, "success")
    return redirect(url_for("modeler.index"))


def _flash_refusal(exc: Refused) -> None:
    details = [gettext(m) for messages in exc.errors.values() for m in messages]
    details += [p.as_dict()["message"] for p in exc.problems[:5]]
    flash(" ".join([gettext(exc.message), *details]), "error")


@bp.post("/<jurisdiction>/migrate")
def migrate(jurisdiction: str):
    """Form post: move open cases (the numbers given, else every open case on an older
    version) to the current version, where SpiffWorkflow's diff says it is safe."""
    _allow(jurisdiction, deploy=True)
    current = processes.current(jurisdiction)
    db.session.commit()  # move_cases commits each case on its own
    numbers = [n for n in re.split(r"[\s,，;；]+", request.form.get("numbers", "")) if n]
    outcomes = move_cases(numbers or None, jurisdiction, current.id, current_user.username,
                          utcnow())
    moved = [o.number for o in outcomes if o.moved]
    refused = {o.number: o.reasons for o in outcomes if not o.moved}
    service.audit(current, "migrate", current_user.username, None,  # the reasons in Chinese
                  {"moved": moved, "refused": {n: list(map(str, r)) for n, r in refused.items()},
                   "asked": numbers or "all"})
    db.session.commit()
    flash(gettext("已迁移 %(moved)d 件到 %(label)s；%(refused)d 件不能安全迁移。",
                  moved=len(moved), label=current.label, refused=len(refused)),
          "success" if moved or not refused else "warning")
    for number, reasons in list(refused.items())[:10]:
        said = gettext(REASON_SEPARATOR).join(r.text(gettext) for r in reasons)
        flash(f"{number}: {said}", "warning")
    return redirect(url_for("modeler.index"))
