"""What the modeler's first page shows of each jurisdiction the user may edit (流程版本一览):
the current version and its files with drafts, every version with its open cases, and the
newest changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from app.auth.models import User
from app.cases.models import IN_PROGRESS, Case
from app.cases.present import actor_names
from app.extensions import db
from app.modeler import release as releases
from app.modeler import service
from app.modeler.models import ProcessAudit, ProcessDraft
from app.processes import service as processes
from app.processes.models import ProcessVersion
from app.rules import service as rules_service
from app.web.i18n import N_, current_language

AUDIT_LABELS = {"deploy": N_("部署"), "deploy_refused": N_("部署被拒"), "rollback": N_("回滚"),
                "migrate": N_("迁移在办工单"), releases.DEPLOYED: N_("部署发布版本"),
                releases.DECLINED: N_("暂不采用发布版本")}
SOURCE_LABELS = {"files": N_("随版本发布"), "modeler": N_("在线建模"), "rollback": N_("回滚")}


def comment_text(comment: str | None) -> str | None:
    """A version's or a change's comment as written; the one the app writes for the diagrams
    shipped in bpmn/ (随版本发布) in the page's language."""
    return gettext(comment) if comment == processes.RELEASE_COMMENT else comment


@dataclass
class Panel:
    """One jurisdiction's process on the modeler's first page."""

    jurisdiction: str
    name: str
    current: ProcessVersion
    files: list[str]
    drafts: dict[str, ProcessDraft]
    versions: list[ProcessVersion]
    open_cases: dict[int, int]  # version id → cases in progress on it
    history: list[ProcessAudit]
    can_deploy: bool
    release_error: str | None
    release: releases.HeldRelease | None  # bpmn/ of a release, waiting for a supervisor

    @property
    def open_elsewhere(self) -> int:
        """Cases in progress on versions other than the current one."""
        return sum(n for vid, n in self.open_cases.items() if vid != self.current.id)


def open_cases(jurisdiction: str) -> dict[int, int]:
    rows = db.session.execute(
        select(Case.process_version_id, func.count()).where(
            Case.jurisdiction == jurisdiction, Case.status == IN_PROGRESS,
            Case.process_version_id.is_not(None))
        .group_by(Case.process_version_id))
    return {vid: count for vid, count in rows}


def _drafts(jurisdiction: str, key: str) -> dict[str, ProcessDraft]:
    rows = db.session.scalars(select(ProcessDraft).where(
        ProcessDraft.jurisdiction == jurisdiction, ProcessDraft.process_key == key))
    return {d.file_name: d for d in rows}


def panel(user: User, jurisdiction: str) -> Panel:
    rules = rules_service.current().get(jurisdiction)
    current = processes.current(jurisdiction)
    key = current.process_key
    return Panel(jurisdiction, rules.label(current_language()), current, sorted(current.files),
                 _drafts(jurisdiction, key), service.versions(jurisdiction, key),
                 open_cases(jurisdiction), service.history(jurisdiction, key, 20),
                 service.may_deploy(user, jurisdiction), processes.last_error(jurisdiction),
                 releases.held(jurisdiction, key))


def overview(user: User) -> list[Panel]:
    panels = [panel(user, j) for j in service.jurisdictions_for(user)]
    db.session.commit()  # processes.current may have deployed bpmn/ for the first time
    return panels


def people(panels: list[Panel]) -> dict[str, str]:
    """Username → name of everyone the panels show (deployers, draft authors, actors)."""
    usernames = {v.deployed_by for p in panels for v in p.versions}
    usernames |= {d.updated_by for p in panels for d in p.drafts.values()}
    usernames |= {a.actor for p in panels for a in p.history}
    return actor_names(usernames) if usernames else {}


def audit_summary(row: ProcessAudit) -> dict[str, Any]:
    """The parts of an audit row's data a person reads."""
    data = row.data or {}
    return {k: data[k] for k in ("file", "previous", "to", "moved", "refused", "release")
            if k in data}
