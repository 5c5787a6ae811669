"""The calendar and rule files in the app (数据文件): loaded at startup with their last good
copies under `instance/last-good/`, and the answer to a request that needs them when a process
started with neither (503, naming the bad file), until the files are fixed."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template

from app import workdays
from app.lastgood import LastGood
from app.rules import RulesUnavailable
from app.rules import service as rules_service
from app.web.i18n import N_

TITLE = N_("系统暂不可用")
MESSAGE = N_("规则文件或工作日历文件有误，且没有可用的上一版本，系统暂停办理。"
             "请联系系统管理员修正文件（/healthz 列出出错的文件和行号）；修正后无需重启即恢复。")


def init_app(app: Flask) -> None:
    from app.modeler.rulekeys import dropped_keys_in_use, missing_key_issues

    kept = Path(app.config["LAST_GOOD_DIR"])
    workdays.configure(app.config["CALENDARS_DIR"],
                       reload_seconds=app.config["RULES_RELOAD_SECONDS"],
                       last_good=LastGood(kept / "calendars"))
    rules_service.init_app(app, reload_check=dropped_keys_in_use,
                           last_good=LastGood(kept / "rules"), deployed_check=missing_key_issues)
    app.register_error_handler(RulesUnavailable, _unavailable)
    app.register_error_handler(workdays.CalendarUnavailable, _unavailable)


def _unavailable(err: Exception):
    """503: what the request needs is not in force; the log and /healthz name the file."""
    from app.auth.errors import error_response, is_api

    if is_api():
        return error_response(503, str(err))
    return render_template("errors/500.html", code=503, title=TITLE, message=MESSAGE), 503
