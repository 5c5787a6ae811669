"""A deploy is logged once its transaction commits: a refused (rolled back) one is not."""

from __future__ import annotations

import logging

from app.extensions import db
from app.processes import service as processes


def _told(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "app.processes" and r.getMessage().startswith("deployed ")]


def test_a_deploy_is_logged_after_commit_and_not_when_rolled_back(app_ctx, caplog):
    caplog.set_level(logging.INFO, logger="app.processes")
    first = processes.current("jiangsu")
    db.session.commit()
    files = dict(first.files)
    caplog.clear()
    processes.deploy("jiangsu", first.process_key, files, source="modeler", by="tester")
    assert _told(caplog) == []  # not yet committed
    db.session.rollback()
    assert _told(caplog) == []
    db.session.commit()  # a later commit does not tell the rolled back one
    assert _told(caplog) == []
    stored = processes.deploy("jiangsu", first.process_key, files, source="modeler",
                              by="tester")
    db.session.commit()
    assert _told(caplog) == [f"deployed {first.process_key} v{stored.number} for jiangsu "
                             f"({stored.content_hash[:12]})"]
