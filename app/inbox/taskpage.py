"""The task page (办理页): the case at a glance, the step's form generated from the BPMN, and
completing it. Completing moves the case on and returns to the inbox the user came from."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app.auth.users import can_act, can_claim, can_view_case
from app.cases import assignment, lifecycle
from app.cases.events import KIND_LABELS
from app.cases.holders import holder
from app.cases.materials_view import materials_context
from app.cases.present import actor_names, deadline_text, details, last_completed, previous_step
from app.cases.records import CaseEvent, CaseTask
from app.engine import FormInvalid, ProcessHalted
from app.engine.definitions import TaskInfo
from app.extensions import db
from app.inbox import callscript, drafts, formlimits, formview
from app.inbox.limittext import limit_text
from app.inbox.web import GROUP_LABELS, bp
from app.org.models import Department
from app.processes import service as processes
from app.reviews.masking import mask_name
from app.timeutil import utcnow
from app.web.errors import OUT_OF_SCOPE
from app.web.i18n import N_, when
from app.web.urls import local_target

bp.add_app_template_global(drafts.take, "done_drafts")  # layout.html: drafts to drop
RECENT_EVENTS = 8
# Steps a timer ends when nobody submits them: what happens then, for the step's doer (the
# diagram says it to its editors). bpmn/staff_review.bpmn: `recheck_window` interrupts the
# step, `no_recheck` sets the rating valid, and 书面检讨及整改 follows.
STEP_NOTES = {
    "staff_recheck_request": N_(
        "被评价工作人员未在时限内提出书面复核申请的，无需提交本环节：本环节于截止时间 %(due)s "
        "自动结束，差评按有效处理，转入“书面检讨及整改”。"),
}
# Steps about an appeal (申诉): they show what is appealed, the department's 核实认定 (误评 or
# 恶意评价, and its 核实情况): the steps of the called process 申诉 and 反馈核实结果 after it.
APPEAL_PROCESS, APPEAL_STEPS, APPEALED_STEP = "appeal", frozenset({"appeal_feedback"}), "verify"
# A clause naming a rule key (时限：规则 rectify.general …): for the diagram's editors; the
# page shows the time limit itself, from the rule file, beside the form.
RULE_CLAUSE = re.compile(r"(?:(?<=[。；])|^)\s*(?:时限|期限)：[^。]*?规则\s*[a-z][^。]*(?:。|$)"
                         r"|[，,][^，,。；]*?规则\s*[a-z][a-z0-9_.、\s]*(?=[。；]|$)")


def instructions(documentation: str | None) -> str | None:
    """A step's documentation as its doer reads it: without the clauses naming rule keys."""
    if not documentation:
        return documentation
    return RULE_CLAUSE.sub("", documentation).strip() or None


def _task_or_403(task_id: str) -> CaseTask:
    """The task, if the user may see its case (工单): 404 when unknown, 403 otherwise. Seeing
    is not working it: the agency watches its city's department tasks (超期督办) read-only,
    `can_act` decides who claims and completes."""
    task = db.session.scalar(select(CaseTask).where(CaseTask.task_id == task_id))
    if task is None:
        abort(404)
    if not can_view_case(current_user, task.case):
        abort(403, description=OUT_OF_SCOPE)
    return task


def _info(task: CaseTask) -> TaskInfo | None:
    return processes.task_info(task.case.process_version_id, task.process_id, task.step)


def _back_to() -> str:
    return local_target(request.values.get("next")) or url_for("inbox.index")


@bp.get("/tasks/<task_id>")
def task(task_id: str):
    return _render(_task_or_403(task_id), {}, {})


@bp.post("/tasks/<task_id>")
def complete(task_id: str):
    """Complete the step with the posted form; the form again with messages in place when it
    does not fit (400), or with what was typed when the task is no longer the user's to
    complete (409); back to the inbox when done, whose page drops the tab's draft."""
    task = _task_or_403(task_id)
    if not can_act(current_user, task):
        abort(403)
    info = _info(task)
    form = info.form if info else ()
    data = formview.posted_data(form, request.form)
    refusal = _refusal(task)
    if refusal:
        return _refused(task, data, refusal)
    case, number, title = task.case, task.case.number, task.title
    try:
        lifecycle.complete(case, task_id, data, current_user, utcnow())
        db.session.commit()
    except FormInvalid as exc:
        db.session.rollback()
        return _render(db.session.get(CaseTask, task.id), data, exc.errors, posted=True), 400
    except lifecycle.Conflict:
        db.session.rollback()
        task = db.session.get(CaseTask, task.id)
        return _refused(task, data, _refusal(task)
                        or gettext("工单刚被他人更新，请核对后重新提交。"))
    except ProcessHalted as exc:
        db.session.rollback()
        current_app.logger.error("completion of %s refused: %s", task_id, exc)
        flash(gettext("未能提交：流程在“%(where)s”无法继续（%(reason)s）。工单未作任何改动，"
                      "您填写的内容仍在下方。请联系流程负责人修正规则文件或流程图。",
                      where=_halted_at(exc), reason=exc.reason), "error")
        return _render(db.session.get(CaseTask, task.id), data, {}, posted=True), 503
    flash(_moved_on(number, title, case), "success")
    drafts.done(task_id)
    return redirect(_back_to())


def _refusal(task: CaseTask) -> str | None:
    """Why the user may not complete the task now (done, or claimed by someone else)."""
    if task.state != "open":
        return gettext("该任务已办结，无需重复提交。")
    if task.assignee_id not in (None, current_user.id):
        return gettext("该任务已由 %(name)s 认领，您不能办理。", name=task.assignee.name)
    return None


def _refused(task: CaseTask, data: dict, message: str):
    """A submission not saved (409): the page again with `message` and what was typed, in
    the form while the user may still complete the task, read-only otherwise."""
    flash(message, "warning")
    return _render(task, data, {}, posted=True), 409


def _halted_at(exc: ProcessHalted) -> str:
    """Where the process stopped, as people read it: 反馈结果（超期预警）."""
    at = _term(exc.name, exc.element)
    if exc.step_name or exc.step:
        return gettext("%(step)s（%(at)s）", step=_term(exc.step_name, exc.step), at=at)
    return at


def _term(name: str | None, element: str | None) -> str:
    """A diagram element's name in the user's language (processes/terms.py), else its id."""
    return gettext(name) if name else (element or "")


def _moved_on(number: str, title: str, case: Any) -> str:
    db.session.refresh(case)
    if case.status == "closed":
        return gettext("“%(step)s”已提交，工单 %(number)s 已办结。", step=gettext(title),
                       number=number)
    steps = db.session.scalars(select(CaseTask.title).where(
        CaseTask.case_id == case.id, CaseTask.state == "open")).all()
    return gettext("“%(step)s”已提交，工单 %(number)s 进入：%(next)s。", step=gettext(title),
                   number=number, next="、".join(gettext(s) for s in steps) or "—")


@bp.post("/tasks/<task_id>/claim")
def claim_one(task_id: str):
    """Claim the task (认领); told when someone took it since the page was drawn, or just
    now (of two claims at once, one wins)."""
    task = _task_or_403(task_id)
    if can_claim(current_user, task):
        if assignment.claim(task, current_user, utcnow()):
            db.session.commit()
            flash(gettext("已认领，可以开始办理。"), "success")
        else:
            db.session.rollback()
            flash(gettext("该任务刚被他人认领。"), "warning")
    elif task.state == "open" and task.assignee_id not in (None, current_user.id):
        flash(gettext("该任务刚被他人认领。"), "warning")
    return redirect(url_for("inbox.task", task_id=task_id, next=_back_to()))


def _render(task: CaseTask, values: dict, errors: dict, posted: bool = False):
    """The page; `values` fill the form, or (`posted`, the user may not complete the task)
    show read-only as what was submitted and not saved."""
    now, case = utcnow(), task.case
    info = _info(task)
    limits = formlimits.for_task(task, info, now)
    form = limits.shown(info.form if info else ())  # the fields that apply to the case
    mine = task.assignee_id == current_user.id
    actionable = (task.state == "open" and can_act(current_user, task)
                  and task.assignee_id in (None, current_user.id))
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                .order_by(CaseEvent.id.desc()).limit(RECENT_EVENTS)).all()
    submitted = _submitted(task)
    previous = previous_step(task)
    names = actor_names({e.actor for e in events} | ({submitted.actor} if submitted else set()))
    return render_template(
        "inbox/task.html", task=task, case=case, review=case.review, info=info,
        widgets=formview.widgets(form, values, errors,
                                 limits if actionable else limits.read_only()),
        other_errors=formview.other_errors(errors, form), error_count=len(errors),
        deadline=deadline_text(task, now), actionable=actionable, mine=mine,
        can_claim=can_claim(current_user, task),
        holder=holder(current_user, task, task.assignee.name if task.assignee else None),
        events=events, kind_labels=KIND_LABELS, group_labels=GROUP_LABELS,
        script=callscript.for_task(task, case) if task.step == "revisit" else None,
        departments=_departments_near(case.region_code) if task.step == "dispatch" else [],
        masked_name=mask_name(case.review.reviewer_name, case.review.reviewer_type),
        case_url=_case_url(case.number),
        actor_names=names, submitted=submitted,
        submitted_details=details(submitted.data, form) if submitted else [],
        posted=posted, unsaved=details(values, form) if posted and not actionable else [],
        draft=_draft_state(task, actionable, posted),
        rule=limit_text(task), previous=previous, appealed=_appealed(task, previous),
        instructions=instructions(info.documentation if info else None),
        step_note=_step_note(task),
        back=_back_to(), **materials_context(case, task_id=task.task_id,
                                             back=request.full_path))


def _appealed(task: CaseTask, previous: tuple | None):
    """What an appeal step is about: the department's determination and findings (核实认定),
    unless that is the previous step the page shows anyway (提出申诉)."""
    if task.process_id != APPEAL_PROCESS and task.step not in APPEAL_STEPS:
        return None
    if previous is not None and previous[0].event.step == APPEALED_STEP:
        return None
    return last_completed(task, APPEALED_STEP)


def _step_note(task: CaseTask) -> str | None:
    """What happens to an open step nobody submits, when a timer ends it (STEP_NOTES)."""
    note = STEP_NOTES.get(task.step)
    if note is None or task.state != "open":
        return None
    return gettext(note, due=when(task.due_at) or "—")


def _draft_state(task: CaseTask, actionable: bool, posted: bool) -> str:
    """What the page's draft script does with the tab's draft of this task: `edit` (keep it
    up to date), `keep` (a refused submission, or someone else's task for now) or `done`
    (the task is finished: drop it)."""
    if actionable:
        return "edit"
    return "keep" if posted or task.state == "open" else "done"


def _submitted(task: CaseTask) -> CaseEvent | None:
    """The completion (办理) event of a done task: who, when and what they entered."""
    if task.state != "done":
        return None
    return db.session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == task.case_id, CaseEvent.kind == "completed",
        CaseEvent.task_id == task.task_id).order_by(CaseEvent.id.desc()).limit(1))


def _case_url(number: str) -> str | None:
    """The case page (工单详情), once it exists."""
    for endpoint in ("case_pages.case", "case_pages.show"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, number=number)
    return None


def _departments_near(region_code: str, limit: int = 500) -> list[Department]:
    """Departments of the case's city (行政区划代码 first four digits), for dispatch (派单)."""
    return list(db.session.scalars(select(Department).where(
        Department.region_code.startswith(region_code[:4])).order_by(Department.name)
        .limit(limit)))
