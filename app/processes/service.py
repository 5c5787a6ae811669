"""Deployed process versions: the current one per jurisdiction, and their parsed definitions.

The diagrams in `bpmn/` are deployed for every jurisdiction the first time they are needed and
again whenever a release changes them, while the current version is a release's. Supervisors'
deployments (the modeler, 在线建模 and 回滚) add versions too; a release never goes over one of
those: it waits on the modeler's page for a supervisor to deploy it or keep their own
(待部署的发布版本, `app/modeler/release.py`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, defer

from app.engine import DiagramError, ProcessDefinition, definition_for
from app.engine.definitions import TaskInfo, content_hash, parsed
from app.extensions import db
from app.processes.models import ProcessVersion
from app.timeutil import utcnow
from app.web.i18n import N_

log = logging.getLogger("app.processes")


RELEASE = "files"  # the source of a version deployed from bpmn/ (随版本发布)

_release_cache: dict[str, tuple[tuple, dict[str, str], str]] = {}
_released_seen: set[tuple[str, str, str]] = set()  # (jurisdiction, key, hash) known deployed
_held_seen: set[tuple[str, str, str, int]] = set()  # (..., the version kept) told in the log


def release_files(directory: str | Path | None = None) -> tuple[dict[str, str], str]:
    """The BPMN files shipped in `bpmn/` (name → XML text) and their hash; re-read only when
    a file's size or modification time changed."""
    root = Path(directory or current_app.config["BPMN_DIR"])
    paths = sorted(root.glob("*.bpmn"))
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    cached = _release_cache.get(str(root))
    if cached is None or cached[0] != stamp:
        files = {p.name: p.read_text(encoding="utf-8") for p in paths}
        cached = (stamp, files, content_hash(files))
        _release_cache[str(root)] = cached
    return cached[1], cached[2]


# the comment of a version deployed from bpmn/ (shown in the page's language: overview.comment_text)
RELEASE_COMMENT = N_("随版本发布的流程图 (bpmn/)")


def current(jurisdiction: str, process_key: str | None = None) -> ProcessVersion:
    """The version new cases of `jurisdiction` start on, deploying `bpmn/` when it is new,
    unless a supervisor's version is current (`_hold`)."""
    key = process_key or current_app.config["PROCESS_KEY"]
    files, digest = release_files()
    seen = (jurisdiction, key, digest)
    latest = _latest(jurisdiction, key)
    if latest is not None and (seen in _released_seen or (*seen, latest.id) in _held_seen):
        return latest
    if latest is not None and _released(*seen):
        _released_seen.add(seen)
        return latest
    if latest is not None and (latest.content_hash == digest or kept_over_release(latest, digest)):
        return _hold(seen, latest)
    try:
        version = deploy(jurisdiction, key, files, source=RELEASE, by="system",
                         comment=RELEASE_COMMENT)
        _errors.pop(jurisdiction, None)
        return version
    except DiagramError as exc:
        if latest is None:
            raise
        _errors[jurisdiction] = str(exc)
        log.error("bpmn/ not deployed for %s, %s v%s stays in force: %s", jurisdiction, key,
                  latest.number, exc)
        return latest


def _hold(seen: tuple[str, str, str], latest: ProcessVersion) -> ProcessVersion:
    """A release's bpmn/ is not deployed over a supervisor's version: `latest` stays in force
    (told in the log once per process)."""
    if (*seen, latest.id) not in _held_seen:
        _held_seen.add((*seen, latest.id))
        if latest.content_hash != seen[2]:
            log.warning("bpmn/ of this release is not deployed for %s: %s is a supervisor's "
                        "version (%s by %s) and stays in force; a supervisor deploys the "
                        "release, or keeps their own, on /modeler/", seen[0], latest.label,
                        latest.source, latest.deployed_by)
    return latest


def kept_over_release(latest: ProcessVersion, digest: str) -> bool:
    """Whether `latest` stays in force over a release of hash `digest` it has not been deployed
    from: a supervisor's version (在线建模, 回滚) differing from the release. The one rule that
    `current` (which then deploys nothing) and the modeler's notice (`release.held`) share."""
    return latest.source != RELEASE and latest.content_hash != digest


def released(jurisdiction: str, key: str, digest: str) -> bool:
    """Whether the release of hash `digest` was ever deployed for the jurisdiction."""
    seen = (jurisdiction, key, digest)
    return seen in _released_seen or _released(*seen)


_errors: dict[str, str] = {}


def last_error(jurisdiction: str) -> str | None:
    """Why the diagrams in bpmn/ were last refused for `jurisdiction`, if they were."""
    return _errors.get(jurisdiction)


def errors() -> dict[str, str]:
    """Jurisdiction → why bpmn/ was refused (the last good version stays in force)."""
    return dict(_errors)


def current_count(conn: Connection) -> int:
    """How many process versions are current: the newest of each jurisdiction's processes."""
    newest = (select(func.max(ProcessVersion.id))
              .group_by(ProcessVersion.jurisdiction, ProcessVersion.process_key).subquery())
    return conn.execute(select(func.count()).select_from(newest)).scalar_one()


def latest(jurisdiction: str, key: str | None = None) -> ProcessVersion | None:
    """The jurisdiction's current version as stored, deploying nothing (None before the
    first)."""
    return _latest(jurisdiction, key or current_app.config["PROCESS_KEY"])


def _latest(jurisdiction: str, key: str) -> ProcessVersion | None:
    """The newest version, its files left unread until asked for (`definition` needs only
    their hash once they were parsed)."""
    return db.session.scalar(
        select(ProcessVersion).where(ProcessVersion.jurisdiction == jurisdiction,
                                     ProcessVersion.process_key == key)
        .options(defer(ProcessVersion.files))
        .order_by(ProcessVersion.id.desc()).limit(1))


def _released(jurisdiction: str, key: str, digest: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(ProcessVersion).where(
            ProcessVersion.jurisdiction == jurisdiction, ProcessVersion.process_key == key,
            ProcessVersion.content_hash == digest, ProcessVersion.source == RELEASE)) > 0


def deploy(jurisdiction: str, key: str, files: dict[str, str], *, source: str, by: str,
           comment: str | None = None) -> ProcessVersion:
    """A new version (parsed first: a diagram that does not parse raises DiagramError and
    nothing is stored). In the caller's transaction."""
    definition_for(key, files)
    number = (db.session.scalar(
        select(func.max(ProcessVersion.number)).where(
            ProcessVersion.jurisdiction == jurisdiction, ProcessVersion.process_key == key))
        or 0) + 1
    version = ProcessVersion(jurisdiction=jurisdiction, process_key=key, number=number,
                             content_hash=content_hash(files), files=files, source=source,
                             comment=comment, deployed_by=by, deployed_at=utcnow())
    db.session.add(version)
    db.session.flush()
    _log_on_commit(db.session(), "deployed %s v%s for %s (%s)", key, number, jurisdiction,
                   version.content_hash[:12])
    return version


_PENDING_LOG = "app.processes.pending_log"  # Session.info key: lines told once committed


def _log_on_commit(session: Session, message: str, *args: object) -> None:
    """Log `message` when `session` commits; a rolled back (refused) deploy is not logged."""
    session.info.setdefault(_PENDING_LOG, []).append((message, args))


@event.listens_for(Session, "after_commit")
def _told_after_commit(session: Session) -> None:
    for message, args in session.info.pop(_PENDING_LOG, []):
        log.info(message, *args)


@event.listens_for(Session, "after_rollback")
def _forgotten_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_LOG, None)


_by_version: dict[int, ProcessDefinition] = {}


def forget_versions() -> None:
    """Forget what is cached by version id, which releases were deployed or held, and why one
    was refused (tests and benchmarks empty the tables, and ids start again)."""
    _by_version.clear()
    _released_seen.clear()
    _held_seen.clear()
    _errors.clear()


def definition(version: ProcessVersion) -> ProcessDefinition:
    """The parsed definition of a version (cached by content hash: the files are read and
    hashed only when the version's stored hash is not in the cache)."""
    return (parsed(version.process_key, version.content_hash)
            or definition_for(version.process_key, version.files))


def task_info(version_id: int | None, process_id: str, step: str) -> TaskInfo | None:
    """A user task of process version `version_id` (its title, group, form), or None when the
    case has no version yet or the version has no such task."""
    if version_id is None:
        return None
    try:
        return definition_by_id(version_id).task(process_id, step)
    except KeyError:
        return None


def definition_by_id(version_id: int) -> ProcessDefinition:
    """The parsed definition of version `version_id`; its row (with the files) is read only
    the first time in a process: versions never change once deployed."""
    found = _by_version.get(version_id)
    if found is None:
        found = definition(db.session.get(ProcessVersion, version_id))
        _by_version[version_id] = found
    return found
