"""What /healthz and the home page report: database, calendar coverage, rules, scheduler, and
the processes in force (bpmn/ refused or waiting for a supervisor; rule keys their timers use
that the rules lack)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import text

from app import workdays
from app.dberrors import schema_problem
from app.extensions import db
from app.modeler.release import held_all
from app.modeler.rulekeys import missing_keys_in_use
from app.processes import service as processes
from app.rules import service as rules_service
from app.scheduler.sweep import status as sweep_status
from app.timeutil import to_local, utcnow
from app.workdays.files import NATIONAL
from app.yamldoc import display_path


def database() -> dict:
    """Reachable, and migrated to the code's revision? Also records the rule versions in force
    (so a reload shows up in `rule_versions` even before a case uses it)."""
    try:
        db.session.execute(text("SELECT 1"))
        problem = schema_problem(db.session.connection(),
                                 current_app.extensions["migrate"].directory)
        if problem is not None:
            db.session.rollback()
            current_app.logger.error("health check: %s", problem)
            return {"ok": False, "error": problem}
        rules_service.record_loaded_versions()
        db.session.commit()
        return {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as err:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        # the page is public: the class only (the log has the message, with host and port)
        current_app.logger.error("health check: database unavailable: %s", err)
        return {"ok": False, "error": f"{type(err).__name__} (see the log)"}


def calendar(today: date | None = None) -> dict:
    """How far the working-day calendar reaches; a warning when fewer than
    COVERAGE_WARNING_DAYS remain (the next year's arrangement is usually published in November)."""
    today = today or to_local(utcnow()).date()
    if not workdays.available():
        return {"covered_through": None, "days_remaining": None, "unavailable": True,
                "last_error": workdays.last_error(), "ignored_files": list(workdays.ignored())}
    through = workdays.coverage()
    remaining = (through - today).days
    out = {"covered_through": through.isoformat(), "days_remaining": remaining,
           "last_error": workdays.last_error(), "ignored_files": list(workdays.ignored())}
    limit = current_app.config["COVERAGE_WARNING_DAYS"]
    if remaining < 0:
        out["warning"] = (f"the calendar ended {-remaining} days ago ({through}): deadlines "
                          f"since count weekends only; add {_next_file(through)}")
    elif remaining < limit:
        out["warning"] = (f"the calendar covers only {remaining} more days: add "
                          f"{_next_file(through)} when the State Council publishes it")
    return out


def _next_file(through: date) -> str:
    """The national file of the year after `through`, in the configured calendars directory
    (CALENDARS_DIR), as errors name files."""
    return display_path(workdays.configured_path() / NATIONAL / f"{through.year + 1}.yaml")


def scheduler(now=None) -> dict:
    """Timers waiting, overdue by more than the safety interval (the scheduler is not
    running?), failing, and cases not yet started on the engine."""
    now = now or utcnow()
    grace = timedelta(seconds=2 * current_app.config["SCHEDULER_SAFETY_SECONDS"] + 60)
    try:
        st = sweep_status(now, grace)
    except Exception as err:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        return {"error": str(err).splitlines()[0]}
    late, failing = st.late, st.failing
    out = {"pending_timers": st.pending, "failing_timers": failing, "late_timers": late,
           "next_due": to_local(st.next_due).isoformat() if st.next_due else None,
           "cases_waiting_for_engine": st.waiting_cases}
    if late or st.waiting_late:
        what = (f"{late} timers are past due" if late else
                f"{st.waiting_late} cases have waited more than {grace.seconds // 60} minutes "
                "to start on the engine")
        out["warning"] = (f"{what}: is the scheduler running? "
                          "(make run starts it; with gunicorn run `flask scheduler run`)")
    elif failing:
        out["warning"] = f"{failing} timers failed and are being retried: see the case events"
    return out


def _held_releases() -> dict[str, dict[str, str]]:
    """Jurisdiction → the release in bpmn/ that waits for a supervisor (待部署的发布版本)."""
    book = rules_service.current()
    return {j: {"name": book.get(j).name, "current": r.current.label, "release": r.short}
            for j, r in held_all().items()}


def report() -> tuple[dict, int]:
    """The whole health report and its HTTP status (503 when the database is unreachable or
    not migrated, or no rules or no calendar are in force)."""
    db_state, cal, rules = database(), calendar(), rules_service.status()
    sched = scheduler() if db_state["ok"] else {}
    refused = processes.errors()
    missing = (missing_keys_in_use(rules_service.current())
               if db_state["ok"] and not rules["unavailable"] else [])
    held = _held_releases() if db_state["ok"] and not rules["unavailable"] else {}
    status = "ok"
    if ("warning" in cal or cal["last_error"] or rules.get("last_error")
            or cal.get("ignored_files") or rules.get("ignored_files")
            or "warning" in sched or "error" in sched or refused or missing or held):
        status = "warning"
    if not db_state["ok"] or cal.get("unavailable") or rules["unavailable"]:
        status = "error"  # nothing can be worked: 503
    body = {"status": status, "time": to_local(utcnow()).isoformat(timespec="seconds"),
            "database": db_state, "calendar": cal, "rules": rules, "scheduler": sched,
            "processes": {"refused": refused, "missing_rule_keys": missing,
                          "held_releases": held}}
    return body, 503 if status == "error" else 200
