"""The revisit call script (回访话术) for the 12345 hotline: what to say, filled in with the
case's own facts (the matter, the rating, what was found and done), never the reviewer's data
beyond the masked name."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from app.cases.models import Case
from app.cases.records import CaseEvent, CaseTask
from app.extensions import db
from app.reviews.masking import mask_name

# the middle dots that join the parts of a transliterated name (阿依古丽·买买提), as typed
NAME_DOTS = ("·", "•", "・", "．", ".")
FACTS = ("demand", "findings", "explanation", "rectify_result",
         "rectify_again_result", "feedback_text")


def facts(case: Case) -> dict[str, str]:
    """The latest value of each fact the caseworkers entered (联系、核实、整改、反馈). Findings
    that backed a determination the agency overturned (申诉不成立: the rating stands, 按属实处理)
    are not the case's findings any more: they are dropped, and `overturned` is set."""
    found: dict[str, str] = {}
    rows = db.session.scalars(select(CaseEvent.data).where(
        CaseEvent.case_id == case.id, CaseEvent.kind == "completed").order_by(CaseEvent.id))
    for data in rows:
        if not isinstance(data, dict):
            continue
        if data.get("appeal_result") == "rejected":
            found.pop("findings", None)
            found["overturned"] = "rejected"
        for key in FACTS:
            if data.get(key):
                found[key] = str(data[key]).strip().rstrip("。.；;，, ")
    return found


def _findings(known: dict[str, str]) -> str:
    """What the script says was found: the standing findings, or, when the department's were
    overturned on appeal, that the matter reported was found to be true."""
    if known.get("findings"):
        return known["findings"]
    if known.get("overturned"):
        return gettext("经复核，您反映的问题属实")
    return gettext("情况已核实")


def addressed(review: Any) -> str:
    """How the operator asks for the reviewer: a person by surname (张先生/女士), the rest of
    the name kept back as on every page; an organisation by its masked name; without a name,
    or with one whose first character is no surname (a one-character name is all masked; a
    name with a middle dot, 阿依古丽·买买提, has no surname first), as the reviewer
    (评价人本人)."""
    masked = mask_name(review.reviewer_name, review.reviewer_type)
    if review.reviewer_type != "individual" and masked:
        return masked
    surname = (masked or "").rstrip("*")
    if not surname or any(dot in review.reviewer_name for dot in NAME_DOTS):
        return gettext("评价人本人")
    return gettext("%(surname)s先生/女士", surname=surname)


def _said(review: Any) -> str:
    """What the reviewer said in the rating: their text, else their tags."""
    text = (review.text or "").strip().rstrip("。.；;，, ")
    return text or "、".join(review.tags or []) or gettext("（见评价内容）")


def for_task(task: CaseTask, case: Case) -> list[dict[str, Any]]:
    """The script as steps: a heading and what to say (or check). It restates the rating in
    the reviewer's own words and the demand they told the caseworker, not the caseworkers'
    notes about the call."""
    review, known = case.review, facts(case)
    matter = review.item_name or gettext("政务服务")
    done = known.get("rectify_again_result") or known.get("rectify_result") \
        or known.get("explanation") or known.get("feedback_text") or gettext("（见办理记录）")
    restate = gettext("您在评价中反映：%(said)s。", said=_said(review))
    if known.get("demand"):
        restate += gettext("您的诉求是：%(demand)s。", demand=known["demand"])
    steps = [
        {"title": gettext("问候与身份确认"),
         "say": gettext("您好，我是12345政务服务便民热线，请问是%(who)s吗？关于您对“%(matter)s”"
                        "的评价，我们进行一次回访，占用您一两分钟时间。",
                        who=addressed(review), matter=matter)},
        {"title": gettext("复述诉求"), "say": restate},
        {"title": gettext("告知办理结果"),
         "say": gettext("核实情况：%(findings)s。处理情况：%(done)s。",
                        findings=_findings(known), done=done)},
        {"title": gettext("征询满意度"),
         "say": gettext("请问您对本次处理结果是满意、基本满意，还是不满意？")},
        {"title": gettext("结束语"),
         "say": gettext("感谢您对政务服务工作的监督和支持，祝您生活愉快，再见。")},
    ]
    return steps
