"""What the events of warnings (超期预警), overdue steps (超期) and escalations (督办) say: the
step's deadline under `due_at`, and when the warning was due (`warn_at`) or the step became
overdue (`overdue_at`). Events recorded before kept the timer's instant under `due_at`; the
trail is append-only, so readers show those the same (QA #10)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.cases.records import CaseEvent
from app.extensions import db
from tests.process.test_scenarios import R1, Flow


@pytest.fixture()
def case_of(desk, time_machine):
    return lambda where: Flow(desk, time_machine, where)


OLD_SHAPE = {  # how events were written before s18: the timer's instant under due_at
    "warning": {"event": "contact_warn", "due_at": "2026-10-10T00:00:00+08:00",
                "rule_key": "contact"},
    "overdue": {"event": "contact_overdue", "due_at": "2026-10-11T00:00:00+08:00",
                "rule_key": "contact"},
    "escalated": {"to": "agency", "event": "contact_overdue",
                  "due_at": "2026-10-11T00:00:00+08:00", "rule_key": "contact"},
}
CONTACT_DEADLINE = {  # contact: 3 from receipt 9/30 -> Sat 10/10 (make-up working day)
    "warning": {"event": "contact_warn", "rule_key": "contact",
                "due_at": "2026-10-10T23:59:59+08:00", "warn_at": "2026-10-10T00:00:00+08:00"},
    "overdue": {"event": "contact_overdue", "rule_key": "contact",
                "due_at": "2026-10-10T23:59:59+08:00",
                "overdue_at": "2026-10-11T00:00:00+08:00"},
}
CONTACT_DEADLINE["escalated"] = {"to": "agency", **CONTACT_DEADLINE["overdue"]}


def _overdue_contact(f: Flow) -> None:
    f.post(R1)
    f.at("2026-10-10 00:00:01")
    f.desk.tick()
    f.at("2026-10-11 00:00:01")
    f.desk.tick()


def _timer_events(f: Flow) -> list[tuple[str, dict]]:
    return [(e["kind"], e["data"]) for e in f.case()["timeline"]
            if e["kind"] in ("warning", "overdue", "escalated")]


@pytest.mark.parametrize("old", [False, True], ids=["new", "old"])
def test_warning_and_overdue_events_name_the_deadline(case_of, browser_for, old):
    """A warning's data: the step's deadline (due_at) and when it warned (warn_at); an
    overdue's and an escalation's: the deadline and the instant after it (overdue_at). Events
    written before kept the timer's instant under due_at; they are shown the same (the rows
    are left as they were: the trail is append-only)."""
    f = case_of("sz")
    _overdue_contact(f)
    if old:
        for kind, data in OLD_SHAPE.items():
            db.session.execute(update(CaseEvent).where(CaseEvent.kind == kind)
                               .values(data=data, task_id=None))
        db.session.commit()
        stored = dict(db.session.execute(select(CaseEvent.kind, CaseEvent.data).where(
            CaseEvent.kind.in_(OLD_SHAPE))).all())
        assert stored == OLD_SHAPE
    assert _timer_events(f) == [(k, CONTACT_DEADLINE[k])
                                for k in ("warning", "overdue", "escalated")]
    page = browser_for("sz_worker").get(f"/cases/{f.number}").get_data(as_text=True)
    assert ("<dt>截止时间</dt><dd>2026年10月10日 23:59</dd>"
            "<dt>预警时间</dt><dd>2026年10月10日 00:00</dd>") in page
    assert page.count("<dt>截止时间</dt><dd>2026年10月10日 23:59</dd>") == 2  # and overdue
    english = browser_for("sz_worker").get(f"/cases/{f.number}?lang=en").get_data(as_text=True)
    assert "<dt>Due</dt><dd>Oct 10, 2026, 23:59</dd>" in english
    assert "<dt>Warning at</dt><dd>Oct 10, 2026, 00:00</dd>" in english
