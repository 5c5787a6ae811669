"""Migration 0011 fills in the determination (认定结果) of staff reviews decided before the
personnel unit's decision was recorded as one: invalid → staff_invalid, valid → valid (also
when the re-check window ran out); undecided ones stay empty."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from tests.process.test_task_page import STAFF

NOTIFY = {"staff_reason": "态度生硬", "staff_notified": True}


def _determinations() -> dict[str, str | None]:
    db.session.rollback()
    return dict(db.session.execute(select(Case.number, Case.determination)).all())


def test_staff_reviews_decided_before_get_their_determination(desk, time_machine):
    time_machine.move_to(desk.at("2026-09-30 10:00"), tick=False)
    invalid, valid, lapsed, pending = (desk.post(**STAFF, serial_no=f"4403052400000000{i}")
                                       for i in range(4))
    for number in (invalid, valid, lapsed):
        desk.do("sz_personnel", number, "staff_notify", **NOTIFY)
    for number, decision in ((invalid, "invalid"), (valid, "valid")):
        desk.do("sz_personnel", number, "staff_recheck_request", recheck_statement="系统故障")
        desk.do("sz_personnel", number, "staff_decide", staff_determination=decision,
                staff_opinion="经核实")
    time_machine.move_to(desk.at("2026-10-13 00:00:01"), tick=False)
    desk.tick()  # the re-check window of `lapsed` runs out: the rating stands
    item = desk.post(serial_no="440305240000000009")  # not a staff review: left alone
    after = {invalid: "staff_invalid", valid: "valid", lapsed: "valid", pending: None,
             item: None}
    assert _determinations() == after
    db.session.remove()

    downgrade(revision="0010_task_rule_version")  # as before: staff reviews undetermined
    assert _determinations() == dict.fromkeys(after)
    db.session.remove()
    upgrade()
    assert _determinations() == after
