"""What the engine keeps of a case besides the case row: its workflow state (流程状态), its
events (the audit trail, 办理记录), its open and done tasks (待办/已办) and its pending timers."""

from __future__ import annotations

from app.extensions import db
from app.models_base import BigId, UTCDateTime
from app.timeutil import utcnow


class CaseState(db.Model):
    """The case's serialized workflow (SpiffWorkflow state without the spec)."""

    __tablename__ = "case_states"

    case_id = db.Column(db.ForeignKey("cases.id"), primary_key=True)
    process_version_id = db.Column(db.ForeignKey("process_versions.id"), nullable=False)
    state = db.Column(db.Text, nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class CaseEvent(db.Model):
    """One entry of the case's audit trail: who did what when, and the data entered. Append-only."""

    __tablename__ = "case_events"
    __table_args__ = (db.Index("ix_case_events_case_at", "case_id", "id"),)

    id = db.Column(BigId, primary_key=True)
    case_id = db.Column(db.ForeignKey("cases.id"), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    kind = db.Column(db.String(24), nullable=False)  # started, completed, warning, overdue, ...
    actor = db.Column(db.String(64), nullable=False)  # a username, or "system" / "scheduler"
    step = db.Column(db.String(64), nullable=True)
    title = db.Column(db.String(100), nullable=True)
    task_id = db.Column(db.String(36), nullable=True)
    late = db.Column(db.Boolean, nullable=False, default=False)  # completed after its deadline
    data = db.Column(db.JSON, nullable=True)


# Open tasks counted on a provisional deadline (暂定期限) not yet due: the ones 期限重算 may
# move. The partial index's condition, also the query's (SQLite uses a partial index only for
# a query that repeats its terms), spelled alike on SQLite and PostgreSQL.
PROVISIONAL_OPEN = "state = 'open' AND provisional = true AND overdue = false"


class CaseTask(db.Model):
    """A user task of a case (待办), kept in step with the workflow for the inbox; done tasks stay
    (已办). Scoped by the group that works it and the case's department and region."""

    __tablename__ = "case_tasks"
    __table_args__ = (
        db.Index("ix_case_tasks_open_dept", "state", "department_code", "group_name"),
        db.Index("ix_case_tasks_open_region", "state", "group_name", "region_code"),
        db.Index("ix_case_tasks_assignee", "assignee_id", "state"),
        db.Index("ix_case_tasks_due", "state", "due_at"),
        # the region's late tasks (超期督办) and warned ones (超期预警: past the warning
        # instant, not yet due) counted from the index alone, the tabs' claimed and unclaimed
        # too; my done tasks (已办)
        db.Index("ix_case_tasks_late_region", "state", "due_at", "region_code", "assignee_id"),
        db.Index("ix_case_tasks_warned_region", "state", "warn_at", "due_at", "region_code",
                 "assignee_id"),
        db.Index("ix_case_tasks_done_by", "completed_by_id", "completed_at"),
        db.Index("ix_case_tasks_open_step", "state", "step"),  # queue chips on 全部在办
        # the scheduler's 期限重算: a few rows, not the open tasks
        db.Index("ix_case_tasks_provisional", "due_at", "case_id",
                 sqlite_where=db.text(PROVISIONAL_OPEN),
                 postgresql_where=db.text(PROVISIONAL_OPEN)),
    )

    id = db.Column(BigId, primary_key=True)
    task_id = db.Column(db.String(36), nullable=False, unique=True)  # the workflow task's id
    case_id = db.Column(db.ForeignKey("cases.id"), nullable=False, index=True)
    process_id = db.Column(db.String(64), nullable=False)
    step = db.Column(db.String(64), nullable=False)
    title = db.Column(db.String(100), nullable=False)
    group_name = db.Column(db.String(16), nullable=True)  # hotline, department, agency, personnel
    department_code = db.Column(db.String(18), nullable=True)
    region_code = db.Column(db.String(12), nullable=False)
    jurisdiction = db.Column(db.String(32), nullable=False)
    state = db.Column(db.String(12), nullable=False, default="open")  # open | done | cancelled
    assignee_id = db.Column(db.ForeignKey("users.id"), nullable=True)
    claimed_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    warn_at = db.Column(UTCDateTime, nullable=True)
    due_at = db.Column(UTCDateTime, nullable=True)
    rule_key = db.Column(db.String(64), nullable=True)
    # The jurisdiction's rules when the step began and its deadlines were counted (期限重算
    # counts them again with these); null on rows older than migration 0010.
    rule_version_id = db.Column(db.ForeignKey("rule_versions.id"), nullable=True)
    provisional = db.Column(db.Boolean, nullable=False, default=False)  # due past the calendar
    warned = db.Column(db.Boolean, nullable=False, default=False)
    overdue = db.Column(db.Boolean, nullable=False, default=False)
    completed_at = db.Column(UTCDateTime, nullable=True)
    completed_by_id = db.Column(db.ForeignKey("users.id"), nullable=True)
    late = db.Column(db.Boolean, nullable=False, default=False)

    case = db.relationship("Case", lazy="joined", innerjoin=True)
    assignee = db.relationship("User", foreign_keys=[assignee_id], lazy="joined")


class CaseTimer(db.Model):
    """A timer of a case waiting to fire (the scheduler's work list). `fire_at` is when to try
    next: the due instant, later after a failure (retried with backoff)."""

    __tablename__ = "case_timers"
    # The claim's order, whole in the index: with `fire_at` alone, timers due at the same
    # instant (a day's warnings) were read and sorted again for every claim.
    __table_args__ = (db.Index("ix_case_timers_claim", "fire_at", "id"),)

    id = db.Column(BigId, primary_key=True)
    task_id = db.Column(db.String(36), nullable=False, unique=True)  # the timer's workflow task
    case_id = db.Column(db.ForeignKey("cases.id"), nullable=False, index=True)
    event = db.Column(db.String(64), nullable=False)  # BPMN id of the timer event
    kind = db.Column(db.String(12), nullable=False)  # warning | overdue | deadline | timer
    step = db.Column(db.String(64), nullable=True)  # the user task it sits on
    due_at = db.Column(UTCDateTime, nullable=False)
    fire_at = db.Column(UTCDateTime, nullable=False)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text, nullable=True)
