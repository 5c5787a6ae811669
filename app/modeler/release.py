"""A release's diagrams waiting for a supervisor (待部署的发布版本).

When a release changes `bpmn/` while a supervisor's version is current (在线建模 or 回滚),
the release is not deployed over it (`processes.current`). The modeler's page shows the
release beside the current version, what differs, and lets a supervisor deploy it (a new
version, 随版本发布) or keep their own (暂不采用: audited, and the notice goes until the next
release changes bpmn/ again).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.modeler import service
from app.modeler.diff import ElementDiff, diff_xml
from app.modeler.models import ProcessAudit
from app.modeler.service import Refused, Stale
from app.processes import service as processes
from app.processes.models import ProcessVersion
from app.rules import service as rules_service
from app.web.i18n import N_

DEPLOYED, DECLINED = "release", "release_declined"  # their audit kinds


@dataclass(frozen=True)
class FileDiff:
    """One file of the release against the current version's (None: the file is new or
    gone)."""

    name: str
    diff: ElementDiff | None
    added: bool = False
    removed: bool = False


@dataclass(frozen=True)
class HeldRelease:
    """The release in bpmn/ and the supervisor's version kept in force instead."""

    digest: str
    files: dict[str, str]
    current: ProcessVersion

    @property
    def short(self) -> str:
        return self.digest[:12]

    def diffs(self) -> list[FileDiff]:
        """The files that differ, by name."""
        kept = self.current.files
        found = []
        for name in sorted(set(kept) | set(self.files)):
            if name not in kept:
                found.append(FileDiff(name, None, added=True))
            elif name not in self.files:
                found.append(FileDiff(name, None, removed=True))
            elif kept[name] != self.files[name]:
                found.append(FileDiff(name, diff_xml(kept[name], self.files[name])))
        return found


def held(jurisdiction: str, key: str | None = None) -> HeldRelease | None:
    """The release waiting for a supervisor of `jurisdiction`, if one is (reads only)."""
    key = key or current_app.config["PROCESS_KEY"]
    files, digest = processes.release_files()
    current = processes.latest(jurisdiction, key)
    if current is None or not processes.kept_over_release(current, digest):
        return None
    if processes.released(jurisdiction, key, digest) or _declined(jurisdiction, key, digest):
        return None
    return HeldRelease(digest, files, current)


def held_all() -> dict[str, HeldRelease]:
    """Jurisdiction → the release waiting for its supervisors (/healthz, the home page)."""
    found = {j: held(j) for j in rules_service.current().jurisdictions()}
    return {j: r for j, r in found.items() if r is not None}


def _declined(jurisdiction: str, key: str, digest: str) -> bool:
    rows = db.session.scalars(select(ProcessAudit.data).where(
        ProcessAudit.jurisdiction == jurisdiction, ProcessAudit.process_key == key,
        ProcessAudit.kind == DECLINED))
    return any((data or {}).get("hash") == digest for data in rows)


def _waiting(jurisdiction: str, base_version_id: int | None) -> HeldRelease:
    """The held release, checked against the version the supervisor saw (`base_version_id`,
    the page's current version): Stale when another has been deployed since."""
    if base_version_id is None:
        raise Refused(N_("请求有误。"),
                      {"base_version": [N_("缺少所依据的版本（base_version）。")]})
    release = held(jurisdiction)
    if release is None:
        raise Refused(N_("没有待部署的发布版本。"), status=409)
    if release.current.id != base_version_id:
        raise Stale(release.current)
    return release


def deploy(jurisdiction: str, comment: object, base_version_id: int | None,
           user: User) -> ProcessVersion:
    """Deploy the held release as the jurisdiction's new version (validated like any)."""
    text = service.clean_comment(comment)
    release = _waiting(jurisdiction, base_version_id)
    return service.publish(release.current, dict(release.files), source=processes.RELEASE,
                           user=user, comment=text, kind=DEPLOYED,
                           data={"release": release.short})


def decline(jurisdiction: str, comment: object, base_version_id: int | None,
            user: User) -> HeldRelease:
    """Keep the current version and stop showing this release (暂不采用), audited."""
    text = service.clean_comment(comment, N_("请填写暂不采用的理由。"))
    release = _waiting(jurisdiction, base_version_id)
    service.audit(release.current, DECLINED, user.username, text,
                  {"release": release.short, "hash": release.digest,
                   "kept": release.current.label})
    db.session.commit()
    return release
