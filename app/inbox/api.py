"""/api/v1/tasks: my tasks, my groups' and my department's; claim, unclaim, complete."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app.apidoc import SECURITY, errors
from app.auth.errors import error_response
from app.auth.models import User
from app.auth.users import can_act, can_view_case, task_scope, user_required
from app.cases import assignment, lifecycle
from app.cases.models import Case
from app.cases.records import CaseTask
from app.engine import FormInvalid, ProcessHalted
from app.extensions import db
from app.inbox import queries
from app.inbox.schemas import CompleteIn, ReassignIn, TaskDetail, TaskOut, TaskQuery
from app.timeutil import utcnow

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks",
                description="待办任务 Tasks: list, claim, unclaim, complete")


VIEW_TABS = {"mine": "mine", "group": "pool", "department": "all", "done": "done"}


def _view(args: dict, chosen: queries.Queue | None) -> str:
    """The view asked for; else, as the inbox's chip leads (`queries.chip_tab`), a watch
    list's department view (every such task of the region), or mine."""
    if args.get("view"):
        return args["view"]
    return "department" if chosen is not None and chosen.watching else "mine"


def _listing(user: User, args: dict, chosen: queries.Queue | None):
    """The API's views are the inbox's tabs (app/inbox/queries.py), under their API names, and
    its queues."""
    f = queries.Filters(tab=VIEW_TABS[_view(args, chosen)],
                        queue=chosen.key if chosen else None, step=args.get("step"),
                        rectify_class=args.get("rectify_class"),
                        jurisdiction=args.get("jurisdiction"), overdue=args.get("overdue"))
    query = select(CaseTask).join(Case, Case.id == CaseTask.case_id)
    if args.get("case_number"):
        query = query.where(Case.number == args["case_number"])
    return queries.restrict(query, user, f, utcnow())


@blp.route("")
class Tasks(MethodView):
    @user_required
    @blp.doc(security=SECURITY)
    @errors(blp, 403, 422)
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, TaskOut(many=True))
    @blp.paginate()
    def get(self, args: dict, pagination_parameters):
        """List tasks, soonest due first."""
        chosen = queries.queue(args.get("queue"), g.user)  # the user's (TaskQuery checks)
        query = _listing(g.user, args, chosen)
        pagination_parameters.item_count = db.session.scalar(
            query.with_only_columns(func.count(CaseTask.id)).order_by(None))
        page, size = pagination_parameters.page, pagination_parameters.page_size
        if (page - 1) * size >= pagination_parameters.item_count:
            return []  # past the end (a page number past SQL's integers too)
        order = (CaseTask.completed_at.desc(),) if _view(args, chosen) == "done" else (
            CaseTask.due_at.is_(None), CaseTask.due_at, CaseTask.id)
        return list(db.session.scalars(query.order_by(*order)
                                       .offset((page - 1) * size).limit(size)))


def _task(task_id: str, user: User, act: bool = True):
    """(task row, None) or (None, error response): 404 unknown or out of scope, 403 not theirs."""
    task = db.session.scalar(select(CaseTask).where(CaseTask.task_id == task_id,
                                                    task_scope(user))) \
        if "\x00" not in task_id else None  # PostgreSQL takes no NUL in text
    if task is None:
        return None, error_response(404, f"no task {task_id} that you may see")
    if act and not can_act(user, task):
        return None, error_response(403, f"task {task_id} is worked by the {task.group_name} "
                                         "group of its department or region, not by you")
    return task, None


@blp.route("/<task_id>")
class TaskItem(MethodView):
    @user_required
    @blp.doc(security=SECURITY)
    @errors(blp, 403, 404)
    @blp.response(200, TaskDetail)
    def get(self, task_id: str):
        """One task with its form (fields, labels, required, options) and deadline: a task in
        the user's scope, or of a case they may see (the hotline and the agency read their
        region's department tasks, as listed by queue=warned or escalated)."""
        task, err = _task(task_id, g.user, act=False)
        if err is None:
            return task
        seen = db.session.scalar(select(CaseTask).where(CaseTask.task_id == task_id)) \
            if "\x00" not in task_id else None
        return seen if seen is not None and can_view_case(g.user, seen.case) else err


def _open_or_409(task: CaseTask):
    if task.state != "open":
        return error_response(409, f"task {task.task_id} is {task.state}")
    return None


@blp.route("/<task_id>/claim", methods=["POST"])
@user_required
@blp.doc(security=SECURITY)
@errors(blp, 400, 403, (404, "no such task, or out of your scope"),
        (409, "the task is not open, or someone else holds it"), 415)
@blp.response(200, TaskOut)
def claim(task_id: str):
    """Claim a task (认领): it becomes mine; 409 when someone else holds it."""
    task, err = _task(task_id, g.user)
    if err or (err := _open_or_409(task)):
        return err
    if task.assignee_id not in (None, g.user.id):
        return error_response(409, f"task {task_id} is claimed by {task.assignee.username}")
    if task.assignee_id is None:
        if not assignment.claim(task, g.user, utcnow()):
            db.session.rollback()
            return error_response(409, f"task {task_id} was claimed by someone else")
        db.session.commit()
    return task


def _supervises(user: User, task: CaseTask) -> bool:
    """A department supervisor (部门负责人) for their department's tasks; an administrator."""
    return user.role == "admin" or (user.role == "supervisor" and can_act(user, task))


@blp.route("/<task_id>/unclaim", methods=["POST"])
@user_required
@blp.doc(security=SECURITY)
@errors(blp, 400, (403, "a channel token, or the task is held by someone else"),
        (404, "no such task, or out of your scope"), (409, "the task is not open"), 415)
@blp.response(200, TaskOut)
def unclaim(task_id: str):
    """Give a task back to the group (退回); the holder or a supervisor may."""
    task, err = _task(task_id, g.user, act=False)
    if err or (err := _open_or_409(task)):
        return err
    if task.assignee_id is not None:
        if task.assignee_id != g.user.id and not _supervises(g.user, task):
            return error_response(403, f"task {task_id} is held by {task.assignee.username}")
        assignment.release(task, g.user, utcnow())
        db.session.commit()
    return task


@blp.route("/<task_id>/reassign", methods=["POST"])
@user_required
@blp.doc(security=SECURITY)
@errors(blp, 400, (403, "a channel token, or not a supervisor of the task's group"),
        (404, "no such task, or out of your scope"), (409, "the task is not open"), 415,
        (422, "`username` is not an active user who may work the task"))
@blp.arguments(ReassignIn)
@blp.response(200, TaskOut)
def reassign(args: dict, task_id: str):
    """A department supervisor (部门负责人) gives a task to one of the department's people."""
    task, err = _task(task_id, g.user, act=False)
    if err or (err := _open_or_409(task)):
        return err
    if not _supervises(g.user, task):
        return error_response(403, "only a supervisor of the group that works this task may "
                                   "reassign it")
    to = db.session.scalar(select(User).where(User.username == args["username"]))
    if to is None or not to.active or not can_act(to, task):
        return error_response(422, "cannot reassign", {"json": {"username": [
            "Not an active user who may work this task."]}})
    assignment.assign(task, to, g.user, utcnow())
    db.session.commit()
    return task


@blp.route("/<task_id>/complete", methods=["POST"])
@user_required
@blp.doc(security=SECURITY)
@errors(blp, 400, (403, "a channel token, or the task is worked by another group"),
        (404, "no such task, or out of your scope"),
        (409, "the task was completed, someone else holds it, or the case changed meanwhile"),
        415, (422, "the data does not fit the form: a message per field under errors.json.data"),
        503)
@blp.arguments(CompleteIn)
@blp.response(200, TaskOut)
def complete(args: dict, task_id: str):
    """Complete a task with its form data: 422 with a message per field when the data does not
    fit the form; 409 when the task was completed or the case changed meanwhile; 503 when the
    process cannot go on after it (a rule key the timers use is missing from the rule files),
    nothing changed."""
    task, err = _task(task_id, g.user)
    if err or (err := _open_or_409(task)):
        return err
    if task.assignee_id not in (None, g.user.id):
        return error_response(409, f"task {task_id} is claimed by {task.assignee.username}")
    case = task.case
    try:
        lifecycle.complete(case, task_id, args["data"], g.user, utcnow())
        db.session.commit()
    except FormInvalid as exc:
        db.session.rollback()
        return error_response(422, "the form data is not valid", {"json": {"data": exc.errors}})
    except lifecycle.Conflict as exc:
        db.session.rollback()
        return error_response(409, str(exc))
    except ProcessHalted as exc:
        db.session.rollback()
        return error_response(503, halted_message(exc))
    db.session.refresh(task)
    return task


def halted_message(exc: ProcessHalted) -> str:
    """Why a completion was refused though its data fit (流程无法继续)."""
    return (f"{exc}. Nothing was changed; the rule files or the diagram must be fixed by the "
            "process owner (/healthz lists rule keys in use that the rules lack)")
