"""Fixtures for intake tests: an API token and rating payload builders."""

from __future__ import annotations

import itertools

import pytest

from app.auth import tokens
from app.demo.data import uscc

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
