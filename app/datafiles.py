"""The calendar and rule files in the app (数据文件): loaded at startup with their last good
copies under `instance/last-good/`, and the answer to a request that needs them when a process
started with neither (503, naming the bad file), until the files are fixed.

What loading them logs (a bad file, files not read) is logged at once by a process that serves
requests. A `flask` command holds it back: the app's own commands (`AppCommands`: users,
tokens, demo, scheduler) log it when they start (`log_held_back`), while `flask rules …` and
`flask calendar …` report the files themselves, and the rest (`flask db upgrade`, …) do not
need them; so a bad file is not reported twice, in two formats, by a check."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context, render_template

from app import serving, workdays
from app.lastgood import LastGood
from app.rules import RulesUnavailable
from app.rules import service as rules_service
from app.web.i18n import N_

TITLE = N_("系统暂不可用")
MESSAGE = N_("规则文件或工作日历文件有误，且没有可用的上一版本，系统暂停办理。"
             "请联系系统管理员修正文件（/healthz 列出出错的文件和行号）；修正后无需重启即恢复。")
LOGGERS = ("app.rules", "app.workdays", "app.lastgood")  # what loading the files logs
HELD_BACK = "datafiles.held_back"


def init_app(app: Flask) -> None:
    from app.modeler.rulekeys import dropped_keys_in_use, missing_key_issues

    kept = Path(app.config["LAST_GOOD_DIR"])
    hold = not serving.serves_requests(serving.cli_context())
    with _holding_back(hold) as held:
        workdays.configure(app.config["CALENDARS_DIR"],
                           reload_seconds=app.config["RULES_RELOAD_SECONDS"],
                           last_good=LastGood(kept / "calendars"))
        rules_service.init_app(app, reload_check=dropped_keys_in_use,
                               last_good=LastGood(kept / "rules"),
                               deployed_check=missing_key_issues)
    app.extensions[HELD_BACK] = held
    app.register_error_handler(RulesUnavailable, _unavailable)
    app.register_error_handler(workdays.CalendarUnavailable, _unavailable)


def _unavailable(err: Exception):
    """503: what the request needs is not in force; the log and /healthz name the file."""
    from app.auth.errors import error_response, is_api

    if is_api():
        return error_response(503, str(err))
    return render_template("errors/500.html", code=503, title=TITLE, message=MESSAGE), 503


class _Keep(logging.Filter):
    """Keeps the records of the loggers it is added to instead of letting them through."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False


@contextmanager
def _holding_back(hold: bool) -> Iterator[list[logging.LogRecord]]:
    """While inside, what LOGGERS log is kept in the list given (when `hold`), not logged."""
    keep = _Keep()
    loggers = [logging.getLogger(name) for name in LOGGERS] if hold else []
    for logger in loggers:
        logger.addFilter(keep)
    try:
        yield keep.records
    finally:
        for logger in loggers:
            logger.removeFilter(keep)


def log_held_back() -> None:
    """Log (once) what loading the files at startup logged and `init_app` held back."""
    if not has_app_context():
        return
    held = current_app.extensions.get(HELD_BACK) or []
    while held:
        record = held.pop(0)
        logging.getLogger(record.name).handle(record)
