"""Who holds an open task (办理人), said the same way on the inbox, the task page and the case
page: the assignee's name; 待认领 when the viewer may claim it; else whose step it is,
待<group>办理 (a caseworker sees 确认认定 as 待部门负责人办理, the hotline a late department
step as 待责任部门办理). `can_claim` decides, as claiming does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from app.auth.models import User
from app.auth.users import can_claim
from app.web.i18n import N_

GROUP_LABELS = {"hotline": N_("12345热线"), "department": N_("责任部门"),
                "agency": N_("政务服务管理机构"), "personnel": N_("人员管理单位"),
                "supervisor": N_("部门负责人")}
# whole sentences, not 待 + label + 办理: English reads "Awaiting the department supervisor"
WAITING = {"hotline": N_("待12345热线办理"), "department": N_("待责任部门办理"),
           "agency": N_("待政务服务管理机构办理"), "personnel": N_("待人员管理单位办理"),
           "supervisor": N_("待部门负责人办理")}
WAITING_OTHER = N_("待其他岗位办理")

HELD, CLAIMABLE, WAITING_KIND = "held", "claimable", "waiting"


@dataclass(frozen=True)
class Holder:
    """What the 办理人 cell says: `kind` held (`text` is the assignee's name), claimable
    (待认领) or waiting (待<group>办理)."""

    kind: str
    text: str


def waiting_text(group: str | None) -> str:
    """待<group>办理 in the page's language."""
    return gettext(WAITING.get(group or "", WAITING_OTHER))


def holder(user: User, task: Any, assignee_name: str | None) -> Holder | None:
    """The holder of `task` (a CaseTask or an inbox row) as `user` reads it; None for a closed
    task nobody held."""
    if assignee_name:
        return Holder(HELD, assignee_name)
    if task.state != "open":
        return None
    if can_claim(user, task):
        return Holder(CLAIMABLE, gettext("待认领"))
    return Holder(WAITING_KIND, waiting_text(task.group_name))
