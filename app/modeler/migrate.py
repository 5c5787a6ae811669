"""Moving open cases to another process version (流程版本迁移).

Running cases keep the version they started on; a supervisor may move one, several or all open
cases of a jurisdiction to a newer version. Each case moves in its own transaction, as any change
of a case does (claimed by its version, state, tasks, timers and an event written together), and
only when the engine finds the move safe (`app.engine.migration`); a refused case is left as it
was and its outcome says why. The caller records the audit row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.cases import events, lifecycle, writes
from app.cases.models import AWAITING_ENGINE, CLOSED, Case
from app.engine.migration import MigrationRefused, Reason, migrate
from app.extensions import db
from app.processes import service as processes
from app.processes.models import ProcessVersion
from app.web.i18n import N_

KIND = "process_migrated"

log = logging.getLogger("app.modeler")


@dataclass(frozen=True)
class Outcome:
    """What became of one case: moved, or refused with the reasons (str() of each is the
    Chinese text; the page translates them)."""

    number: str
    moved: bool
    reasons: list[Reason] = field(default_factory=list)
    from_label: str | None = None
    to_label: str | None = None


def _target(jurisdiction: str, version_id: int) -> ProcessVersion:
    version = db.session.get(ProcessVersion, version_id)
    if version is None or version.jurisdiction != jurisdiction:
        raise LookupError(f"no process version {version_id} for {jurisdiction}")
    return version


def _open_on_older(jurisdiction: str, target: ProcessVersion) -> list[tuple[int, str]]:
    """(id, number) of the jurisdiction's open cases on older versions of the process."""
    older = select(ProcessVersion.id).where(
        ProcessVersion.jurisdiction == jurisdiction,
        ProcessVersion.process_key == target.process_key,
        ProcessVersion.number < target.number)
    query = (select(Case.id, Case.number)
             .where(Case.jurisdiction == jurisdiction, Case.status != CLOSED,
                    Case.process_version_id.in_(older))
             .order_by(Case.received_at, Case.id))
    return [(row.id, row.number) for row in db.session.execute(query)]


def _named(numbers: Iterable[str], jurisdiction: str) -> list[tuple[int | None, str]]:
    """(id or None when not found in the jurisdiction, number) of the named cases."""
    wanted = list(dict.fromkeys(numbers))
    found = dict(db.session.execute(
        select(Case.number, Case.id).where(Case.number.in_(wanted),
                                           Case.jurisdiction == jurisdiction)).all())
    return [(found.get(number), number) for number in wanted]


def move_cases(numbers: Iterable[str] | None, jurisdiction: str, target_version_id: int,
               actor: str, now: datetime) -> list[Outcome]:
    """Move the named open cases of `jurisdiction` (None: all its open cases on older
    versions) to version `target_version_id`. Commits each moved case and rolls back each
    refused one, so call it with nothing pending in the session. LookupError when the version
    is not one of the jurisdiction's."""
    target = _target(jurisdiction, target_version_id)
    cases = (_open_on_older(jurisdiction, target) if numbers is None
             else _named(numbers, jurisdiction))
    db.session.commit()  # end the reading transaction; each case has its own
    return [_move_one(case_id, number, target, actor, now) for case_id, number in cases]


def _refusal(case: Case, target: ProcessVersion) -> Reason | None:
    """Why the case cannot be moved at all, before looking at its workflow."""
    if case.status == CLOSED:
        return Reason(N_("工单已办结"))
    if case.status == AWAITING_ENGINE or case.process_version_id is None:
        return Reason(N_("工单尚未启动流程"))
    if case.process_version_id == target.id:
        return Reason(N_("工单已在该流程版本上"))
    source = db.session.get(ProcessVersion, case.process_version_id)
    if source.process_key != target.process_key:
        return Reason.of(N_("工单的流程是 %(source)s，不是 %(target)s"),
                         source=source.process_key, target=target.process_key)
    return None


def _move_one(case_id: int | None, number: str, target: ProcessVersion, actor: str,
              now: datetime) -> Outcome:
    """One case in its own transaction."""
    to_label = target.label
    case = db.session.get(Case, case_id, options=[lazyload(Case.review)]) if case_id else None
    if case is None:
        return Outcome(number, False, [Reason(N_("未找到该辖区的工单"))], None, to_label)
    from_label = case.process_version.label if case.process_version else None
    refused = _refusal(case, target)
    if refused:
        db.session.rollback()
        return Outcome(number, False, [refused], from_label, to_label)
    try:
        _move(case, target, actor, now, from_label)
        db.session.commit()
    except MigrationRefused as exc:
        db.session.rollback()
        return Outcome(number, False, exc.reasons, from_label, to_label)
    except lifecycle.Conflict:
        db.session.rollback()
        return Outcome(number, False, [Reason(N_("工单正在被他人办理，请稍后重试"))], from_label,
                       to_label)
    except Exception as exc:  # one case failing does not stop the others
        db.session.rollback()
        log.exception("could not move case %s to %s", number, to_label)
        failed = Reason.of(N_("迁移失败：%(error)s"), error=str(exc))
        return Outcome(number, False, [failed], from_label, to_label)
    return Outcome(number, True, [], from_label, to_label)


def _move(case: Case, target: ProcessVersion, actor: str, now: datetime,
          from_label: str | None) -> None:
    """Claim the case, move its workflow (MigrationRefused when unsafe) and save it."""
    run = lifecycle.load(case, now, lifecycle.claim(case))
    moved = migrate(run, processes.definition(target))  # MigrationRefused with the reasons
    writes.set_fields(case, process_version_id=target.id)  # written by the change
    lifecycle.save_change(case, moved, now, actor, [events.row(
        case.id, KIND, actor, now, data={"from": from_label, "to": target.label})])
