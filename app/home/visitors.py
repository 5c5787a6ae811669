"""The home page's figures for visitors (访客, not signed in), counted at most once every
HOME_FIGURES_SECONDS per process: the page is public, and each count reads every rating and
case, so a crowd of visitors costs one count, not one each. Signed-in people get them live."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app

from app.timeutil import utcnow

_KEY = "home.visitor_figures"  # in app.extensions: (counted at, figures)


def figures(count: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`count()`, or what it returned less than HOME_FIGURES_SECONDS ago (0: always count)."""
    seconds = current_app.config["HOME_FIGURES_SECONDS"]
    now = utcnow()
    kept: tuple[datetime, dict[str, Any]] | None = current_app.extensions.get(_KEY)
    if seconds > 0 and kept is not None and 0 <= (now - kept[0]).total_seconds() < seconds:
        return kept[1]
    found = count()
    if seconds > 0:
        current_app.extensions[_KEY] = (now, found)  # one assignment: two requests that
        # counted at once both store a whole pair
    return found
