"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL
is set (`make test` runs both). The schema is built by the Alembic migrations, as in production."""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
from pathlib import Path

import pytest

from app import create_app, workdays
from app.auth import tokens
from app.cases import runcache
from app.config import ROOT, normalise_db_url
from app.dbutil import rebuild_schema
from app.demo.data import uscc
from app.engine import steps, taskcodec
from app.extensions import db
from app.processes.service import forget_versions
from app.rules import service as rules_service

steps.VERIFY = True  # every ready-task scan checked against SpiffWorkflow's tree walk
taskcodec.VERIFY = True  # every state dump checked against a conversion of all its tasks


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_db_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RULES_RELOAD_SECONDS": 0,
        "LAST_GOOD_DIR": str(instance / "last-good"),
        # Forms in test-client tests post without tokens; tests/web/test_csrf.py turns it on.
        "WTF_CSRF_ENABLED": False,
        # one cheap hash per account: the suite creates hundreds, and scrypt takes ~0.1 s
        # (tests/web/test_admin.py checks the production method, scrypt)
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "HOME_FIGURES_SECONDS": 0,  # figures as of the request (tests/web/test_health_and_home.py
        # checks the visitors' ones counted once every HOME_FIGURES_SECONDS)
    })
    app.instance_path = str(instance)
    with app.app_context():
        rebuild_schema()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.rollback()
        _clear_tables()
        db.session.remove()


def _clear_tables() -> None:
    runcache.cache.clear()  # row ids start again: no workflow may outlive its case
    forget_versions()  # nor a parsed definition its version
    rules_service.forget_versions()  # nor a rule version id its row
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture()
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture()
def bpmn_copy(app, tmp_path):
    """A copy of bpmn/ the app ships from, for a test to change as a release would."""
    target = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn", target)
    app.config["BPMN_DIR"] = str(target)
    yield target
    app.config["BPMN_DIR"] = str(ROOT / "bpmn")


@pytest.fixture()
def data_root() -> Path:
    return ROOT


# -- ratings and channel tokens (intake tests, process scenarios) ----------------------

_serials = itertools.count(1)

SZ_DEPT = (uscc("440300", 3), "深圳市人力资源和社会保障局")


@pytest.fixture()
def token(app_ctx) -> str:
    return tokens.create("test-channel")


@pytest.fixture()
def auth(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


def make_rating(**overrides) -> dict:
    """A valid good rating from the Shenzhen app; override any field."""
    base = {
        "serial_no": f"44030524{next(_serials):010d}",
        "rating_count": 1,
        "rated_object": "item",
        "channel": "mobile",
        "level": "满意",
        "rated_at": "2026-03-02T10:15:00+08:00",
        "item_code": "0001370004",
        "item_name": "社会保障卡申领",
        "department_code": SZ_DEPT[0],
        "department_name": SZ_DEPT[1],
        "region_code": "440305000000",
        "reviewer_name": "张三",
        "reviewer_phone": "13812345678",
        "tags": ["办事高效"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def make_bad_rating(**overrides) -> dict:
    defaults = {"level": "不满意", "tags": ["等候时间长"], "text": "排队太久"}
    return make_rating(**{**defaults, **overrides})


@pytest.fixture()
def rating():
    """Factory: a valid good rating, fields overridable."""
    return make_rating


@pytest.fixture()
def bad_rating():
    """Factory: a valid bad rating (不满意, with tag and text)."""
    return make_bad_rating


# -- a calendar the test may extend (期限重算) --------------------------------------------

# A made-up 2027 arrangement for the tests only (the real one is not published yet): 元旦 off
# and one day for each other statutory festival (a national file must list them all), none
# before February.
TEST_2027 = ("year: 2027\n"
             "source: {title: 测试用安排（非国务院通知）, number: 测试1号, published: 2026-11-01}\n"
             "holidays:\n  - {name: 元旦, date: 2027-01-01}\n"
             "  - {name: 春节, from: 2027-02-05, to: 2027-02-11}\n"
             "  - {name: 清明节, date: 2027-04-05}\n"
             "  - {name: 劳动节, from: 2027-05-01, to: 2027-05-05}\n"
             "  - {name: 端午节, date: 2027-06-09}\n"
             "  - {name: 中秋节, date: 2027-09-15}\n"
             "  - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}\n")


@dataclasses.dataclass
class CalendarCopy:
    """A copy of calendars/ in force as the working-day calendar, read again on every change."""

    root: Path

    def publish_2027(self, text: str = TEST_2027) -> Path:
        """Add `cn/2027.yaml` (test data), as a process owner adds next year's file."""
        path = self.root / "cn" / "2027.yaml"
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture()
def calendar_copy(tmp_path):
    """calendars/ copied under tmp_path and made the calendar in force (reloaded without
    delay); the calendar configured before is restored after the test."""
    state = workdays._state
    saved = {f.name: getattr(state, f.name) for f in dataclasses.fields(state) if f.name != "lock"}
    root = tmp_path / "calendars"
    shutil.copytree(ROOT / "calendars", root)
    workdays.configure(root, reload_seconds=0)
    yield CalendarCopy(root)
    for name, value in saved.items():
        setattr(state, name, value)
