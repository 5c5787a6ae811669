"""Drafts (办理表单草稿) a successful submission leaves in the browser. The task page keeps what
is typed in the tab's sessionStorage (static/js/taskdraft.js); when a submission completes the
task, its id is noted in the session, and the next page drawn tells the tab to drop that draft
(static/js/draftsdone.js, from layout.html) rather than keep it until the task's page is
opened again."""

from __future__ import annotations

from flask import has_request_context, session

SESSION_KEY = "drafts_done"
KEEP = 20  # ids noted at most, should no page be drawn for a while (API-only use)


def done(task_id: str) -> None:
    """Note that the draft of `task_id` may go: its task was completed."""
    noted = [t for t in session.get(SESSION_KEY, []) if t != task_id]
    session[SESSION_KEY] = [*noted, task_id][-KEEP:]


def take() -> list[str]:
    """The task ids noted since the last page was drawn, forgotten once read."""
    if not has_request_context() or SESSION_KEY not in session:
        return []
    return list(session.pop(SESSION_KEY))
