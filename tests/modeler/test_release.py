"""A release's diagrams and supervisors' versions (待部署的发布版本): a release that changes
bpmn/ does not go over a version a supervisor deployed or rolled back to; it waits on the
modeler's page, with what differs, for a supervisor to deploy it or keep their own."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.extensions import db
from app.modeler.models import ProcessAudit
from app.processes import service as processes
from tests.modeler.test_deploy import RENAMED, deploy, sign_in

APPEAL_RENAMED = ("申诉审核", "申诉复核")


@pytest.fixture()
def supervisor(client):
    sign_in(client, "sz_boss", "supervisor")
    return client


@pytest.fixture()
def edited(supervisor, bpmn_copy):
    """Shenzhen on a supervisor's version (v2), and then a release that changes appeal.bpmn."""
    assert deploy(supervisor, RENAMED, "联系环节改名").status_code == 201
    processes.current("jiangsu")  # on the release before this one
    db.session.commit()
    path = bpmn_copy / "appeal.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace(*APPEAL_RENAMED),
                    encoding="utf-8")
    return supervisor


def _kinds() -> list[str]:
    return [a.kind for a in db.session.scalars(select(ProcessAudit).order_by(ProcessAudit.id))]


def _form(client, action: str, comment: str = "采用新版", base: int | None = None):
    base = processes.current("shenzhen").id if base is None else base
    return client.post(f"/modeler/shenzhen/release/{action}",
                       data={"comment": comment, "base_version": base})


def test_a_release_does_not_go_over_a_supervisors_version(edited, caplog):
    with caplog.at_level(logging.WARNING, logger="app.processes"):
        kept = processes.current("shenzhen")
        assert processes.current("shenzhen").id == kept.id
    assert (kept.number, kept.source) == (2, "modeler")
    told = [r for r in caplog.records if "not deployed for shenzhen" in r.getMessage()]
    assert len(told) == 1  # once, not on every new case
    assert processes.current("jiangsu").number == 2  # its current version was the release's

    page = edited.get("/modeler/").get_data(as_text=True)
    assert "data-release=" in page and "bad_review v2" in page
    assert "appeal.bpmn" in page and "申诉审核 → 申诉复核" in page  # what the release changes
    assert 'data-release-action="deploy"' in page and 'data-release-action="decline"' in page

    english = edited.get("/modeler/?lang=en").get_data(as_text=True)
    held = english[english.index("data-release="):english.index("release-actions")]
    assert "What the release changes" in held and "Changed" in held
    assert "Deploy the release" in english[english.index("release-actions"):]  # the button
    assert "：" not in held and "（" not in held  # no Chinese punctuation around English

    health = edited.get("/healthz").get_json()
    assert health["status"] == "warning"
    assert health["processes"]["held_releases"]["shenzhen"]["current"] == "bad_review v2"
    assert "jiangsu" not in health["processes"]["held_releases"]
    assert "data-held-releases" in edited.get("/").get_data(as_text=True)


def test_a_supervisor_deploys_the_release(edited):
    assert _form(edited, "deploy").status_code == 302
    current = processes.current("shenzhen")
    assert (current.number, current.source, current.deployed_by) == (3, "files", "sz_boss")
    assert "申诉复核" in current.files["appeal.bpmn"]
    assert "电话联系评价人" not in current.files["bad_review.bpmn"]  # the release as shipped
    assert _kinds() == ["deploy", "release"]
    assert "data-release=" not in edited.get("/modeler/").get_data(as_text=True)
    english = edited.get("/modeler/?lang=en").get_data(as_text=True)
    assert "<b>Release deployed</b>" in english  # the change log: done, not the button's words
    assert edited.get("/healthz").get_json()["processes"]["held_releases"] == {}


def test_a_supervisor_keeps_their_version_until_the_next_release(edited, bpmn_copy):
    assert _form(edited, "decline", "本地流程已含相关修改").status_code == 302
    assert processes.current("shenzhen").number == 2
    assert _kinds() == ["deploy", "release_declined"]
    assert "data-release=" not in edited.get("/modeler/").get_data(as_text=True)
    assert "shenzhen" not in edited.get("/healthz").get_json()["processes"]["held_releases"]

    path = bpmn_copy / "staff_review.bpmn"  # a later release
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("收到工作人员差评", "收到对工作人员的差评"), encoding="utf-8")
    assert processes.current("shenzhen").number == 2
    assert "data-release=" in edited.get("/modeler/").get_data(as_text=True)


def test_a_rolled_back_version_is_a_supervisors_too(supervisor, bpmn_copy):
    assert deploy(supervisor, RENAMED).status_code == 201
    first = processes.current("shenzhen")
    v1 = [v for v in db.session.scalars(select(processes.ProcessVersion)) if v.number == 1][0]
    supervisor.post(f"/modeler/shenzhen/rollback/{v1.id}", data={"comment": "改回"})
    assert processes.current("shenzhen").source == "rollback" != first.source
    path = bpmn_copy / "appeal.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace(*APPEAL_RENAMED),
                    encoding="utf-8")
    assert processes.current("shenzhen").number == 3


@pytest.mark.parametrize("action", ["deploy", "decline"])
def test_a_stale_page_or_no_comment_changes_nothing(edited, action):
    kept = processes.current("shenzhen")
    stale = _form(edited, action, base=kept.id - 1, comment="x")
    assert stale.status_code == 302
    assert "已有人部署了新版本" in edited.get("/modeler/").get_data(as_text=True)
    assert _form(edited, action, comment=" ").status_code == 302
    assert processes.current("shenzhen").id == kept.id and _kinds() == ["deploy"]


def test_nothing_waits_when_bpmn_is_unchanged(supervisor):
    assert deploy(supervisor, RENAMED).status_code == 201
    resp = _form(supervisor, "deploy")
    assert resp.status_code == 302 and processes.current("shenzhen").number == 2
    assert "没有待部署的发布版本" in supervisor.get("/modeler/").get_data(as_text=True)


def test_only_supervisors_and_administrators_decide(client, edited):
    client.post("/logout")
    sign_in(client, "owner", "process_owner")
    assert _form(client, "deploy").status_code == 403
    assert _form(client, "decline").status_code == 403
    assert processes.current("shenzhen").number == 2 and _kinds() == ["deploy"]


def test_declining_without_a_reason_asks_for_the_reason(edited):
    """暂不采用 asks for its reason, not for a deploy note; deploying still asks for the note."""
    _form(edited, "decline", comment=" ")
    page = edited.get("/modeler/").get_data(as_text=True)
    assert "请填写暂不采用的理由。" in page and "请填写部署说明。" not in page
    _form(edited, "deploy", comment=" ")
    assert "请填写部署说明。" in edited.get("/modeler/").get_data(as_text=True)
