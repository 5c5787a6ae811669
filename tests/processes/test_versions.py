"""Process versions: bpmn/ deployed per jurisdiction when it changes; cases keep their version."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from app.cases.models import Case
from app.engine import DiagramError
from app.extensions import db
from app.processes import service as processes
from app.processes.models import ProcessVersion
from app.reviews.intake import intake
from app.scheduler.sweep import start_waiting
from app.timeutil import utcnow


def test_deployed_once_per_jurisdiction_and_again_when_changed(app_ctx, bpmn_copy, bad_rating):
    first = processes.current("shenzhen")
    assert (first.number, first.source, first.deployed_by) == (1, "files", "system")
    assert processes.current("shenzhen").id == first.id
    assert processes.current("jiangsu").number == 1
    intake([bad_rating()], source="t")
    start_waiting(utcnow())
    old_case = db.session.scalar(select(Case))
    assert old_case.process_version_id == first.id

    path = bpmn_copy / "appeal.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("申诉审核", "申诉审核（复议）"),
                    encoding="utf-8")
    second = processes.current("shenzhen")
    assert second.number == 2 and second.content_hash != first.content_hash
    db.session.commit()
    assert db.session.get(Case, old_case.id).process_version_id == first.id
    assert len(db.session.scalars(select(ProcessVersion)).all()) == 3


def test_the_current_version_is_found_without_reading_its_files_again(app_ctx, bpmn_copy):
    """Once a version's files were parsed, its stored hash finds the definition: starting a
    case does not read the diagrams (tens of KB) from the database every time."""
    parsed = processes.definition(processes.current("shenzhen"))
    db.session.commit()
    db.session.expunge_all()
    version = processes.current("shenzhen")
    assert "files" in inspect(version).unloaded
    assert processes.definition(version) is parsed
    assert "files" in inspect(version).unloaded
    assert version.files == processes.release_files()[0]  # read when asked for


def test_a_broken_release_is_refused_and_the_last_good_version_stays(app_ctx, bpmn_copy):
    first = processes.current("shenzhen")
    db.session.commit()
    path = bpmn_copy / "staff_review.bpmn"
    path.write_text(path.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    assert processes.current("shenzhen").id == first.id
    assert "staff_review.bpmn" in processes.last_error("shenzhen")
    assert [v.id for v in db.session.scalars(select(ProcessVersion))] == [first.id]
    with pytest.raises(DiagramError):  # nothing to fall back on
        processes.current("jiangsu")
