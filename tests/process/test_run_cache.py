"""The per-process cache of case workflows (app/cases/runcache.py): a change takes the workflow
the previous change committed, and the result is the same as loading the saved state; a change
that rolls back leaves nothing in the cache; a case changed elsewhere is loaded again."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from app.cases import lifecycle, runcache
from app.cases.models import Case
from app.cases.records import CaseState
from app.extensions import db
from app.timeutil import utcnow

CONTACT = {"contact_result": "reached", "reason": "窗口排队时间过长"}
VERIFY = {"determination": "valid", "findings": "属实"}
CLASSIFY = {"rectify_class": "general"}


@pytest.fixture()
def cache():
    runcache.cache.clear()
    runcache.cache.hits = runcache.cache.misses = 0
    return runcache.cache


def _walk(desk, number: str) -> None:
    for step, data in (("contact", CONTACT), ("verify", VERIFY), ("classify", CLASSIFY)):
        task_id = desk.task(number, step)["task_id"]
        resp = desk.complete("sz_worker", task_id, **data)
        assert resp.status_code == 200, resp.get_json()


def _saved(number: str) -> tuple[str, list[str]]:
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == number))
    return db.session.get(CaseState, case.id).state, sorted(case.current_steps.split(","))


def _shape(state: str) -> list[tuple[str, str]]:
    """What the saved workflow holds, without the random task ids: (task spec, state)."""
    tasks = json.loads(state)["tasks"].values()
    return sorted((t["task_spec"], str(t["state"])) for t in tasks)


def test_changes_take_the_kept_workflow_and_save_the_same_state(desk, cache, monkeypatch):
    warm = desk.post()
    _walk(desk, warm)
    assert cache.hits == 3 and cache.misses == 0  # start put it there, each change took it

    monkeypatch.setattr(cache, "size", 0)  # the same walk, every change loading the state
    cold = desk.post()
    _walk(desk, cold)
    assert cache.hits == 3 and cache.misses == 3

    (warm_state, warm_steps), (cold_state, cold_steps) = _saved(warm), _saved(cold)
    assert warm_steps == cold_steps == ["rectify"]
    assert _shape(warm_state) == _shape(cold_state)


def test_a_change_that_rolls_back_leaves_nothing_behind(desk, cache, monkeypatch):
    number = desk.post()
    task_id = desk.task(number, "contact")["task_id"]
    case = db.session.scalar(select(Case).where(Case.number == number))
    assert len(cache) == 1
    lifecycle.complete(case, task_id, CONTACT, None, utcnow())
    db.session.rollback()  # the completed contact task is not kept anywhere
    assert len(cache) == 0

    resp = desk.complete("sz_worker", task_id, **CONTACT)
    assert resp.status_code == 200
    assert cache.misses == 1  # loaded from the saved state, where contact was still open
    assert _saved(number)[1] == ["verify"]


def test_a_case_changed_elsewhere_is_loaded_again(desk, cache):
    number = desk.post()
    task_id = desk.task(number, "contact")["task_id"]
    # another process moved the case on: its version is no longer the kept one's
    db.session.execute(update(Case).where(Case.number == number)
                       .values(version=Case.version + 1))
    db.session.commit()
    resp = desk.complete("sz_worker", task_id, **CONTACT)
    assert resp.status_code == 200
    assert (cache.hits, cache.misses) == (0, 1)

