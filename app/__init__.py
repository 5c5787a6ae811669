"""政务服务"好差评"差评处置: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from app import config
from app.extensions import api, csrf, db, migrate
from app.formbody import Request


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: settings from the environment (then `overrides`), extensions, blueprints,
    CLI commands, and the calendar and rule files."""
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = Request  # says why a form body was dropped (app/formbody.py)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_env(app.instance_path))
    app.config.update(overrides or {})
    app.config["OPENAPI_SWAGGER_UI_PATH"] = "/docs"
    app.config["OPENAPI_SWAGGER_UI_URL"] = "/static/vendor/swagger-ui/"
    # No calls to validator.swagger.io: pages reach no other host.
    app.config["OPENAPI_SWAGGER_UI_CONFIG"] = {"validatorUrl": None}
    app.json.ensure_ascii = False
    _logging(app)

    db.init_app(app)
    _database(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    api.init_app(app)
    csrf.init_app(app)
    _models()
    _data_files(app)
    _web(app)
    _blueprints(app)
    _commands(app)
    _scheduler(app)
    _startup_summary(app)
    return app


def _logging(app: Flask) -> None:
    level = app.config["LOG_LEVEL"]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(level)
    # SpiffWorkflow logs every task state change at INFO, APScheduler every run: warnings only.
    for name in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _database(app: Flask) -> None:
    """SQLite in WAL mode (readers do not block the writer; a commit does not wait for the
    disk twice), pooled connections checked after they sat idle, and the size of the
    per-process cache of case workflows."""
    from app.cases import runcache
    from app.dbutil import ping_when_idle, quote_no_rows, tune_sqlite

    with app.app_context():
        tune_sqlite(db.engine)
        ping_when_idle(db.engine)
        quote_no_rows(db.engine)
    runcache.cache.size = app.config["RUN_CACHE_SIZE"]


def _models() -> None:
    """Import every model so the metadata (and Alembic) sees all tables."""
    from app.auth import models as _auth  # noqa: F401
    from app.cases import materials as _materials  # noqa: F401
    from app.cases import models as _cases  # noqa: F401
    from app.cases import records as _records  # noqa: F401
    from app.modeler import models as _modeler  # noqa: F401
    from app.org import models as _org  # noqa: F401
    from app.processes import models as _processes  # noqa: F401
    from app.reviews import models as _reviews  # noqa: F401
    from app.rules import models as _rules  # noqa: F401


def _data_files(app: Flask) -> None:
    """Load the working-day calendar and the jurisdiction rules (last good version stays in force
    when a file is bad, and when a reload drops a rule key the deployed diagrams use; a process
    starting while a file is bad takes the last good copy kept under the instance folder, or
    starts without and answers 503 until the file is fixed: see app/datafiles.py)."""
    from app import datafiles

    datafiles.init_app(app)


def _web(app: Flask) -> None:
    """The browser side: language, navigation, logins, administration."""
    from app import web
    from app.admin import bp as admin_bp
    from app.auth import web as auth_web
    from app.inbox import taskpage as _taskpage  # noqa: F401  (the task page's routes)
    from app.inbox.web import bp as inbox_bp
    from app.modeler.web import bp as modeler_bp

    web.init_app(app)
    auth_web.init_app(app)
    app.register_blueprint(admin_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(modeler_bp)


def _blueprints(app: Flask) -> None:
    from app.auth.errors import register_error_handlers
    from app.cases.materials_api import blp as case_materials_blp
    from app.cases.routes import blp as cases_blp
    from app.cases.web import bp as case_pages_bp
    from app.health.routes import bp as health_bp
    from app.home.routes import bp as home_bp
    from app.inbox.api import blp as tasks_blp
    from app.reviews.routes import blp as reviews_blp
    from app.reviews.routes import document

    for blueprint in (reviews_blp, tasks_blp, cases_blp, case_materials_blp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # the API takes bearer tokens only, never the session cookie
    document(api)
    app.register_blueprint(case_pages_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    register_error_handlers(app)


def _commands(app: Flask) -> None:
    from app.auth.cli import tokens_cli, users_cli
    from app.demo.cli import demo_cli
    from app.rules.cli import rules_cli
    from app.scheduler.cli import scheduler_cli
    from app.web.catalog import translations_cli
    from app.workdays.cli import calendar_cli

    for group in (calendar_cli, rules_cli, tokens_cli, users_cli, demo_cli, scheduler_cli,
                  translations_cli):
        app.cli.add_command(group)


def _scheduler(app: Flask) -> None:
    """The timer scheduler in this process, when SCHEDULER_IN_APP is set (make run)."""
    from app.scheduler import runner

    runner.init_app(app)


def _startup_summary(app: Flask) -> None:
    """One INFO line when this process serves requests: rules, calendar, processes, database
    backend, scheduler."""
    from app.health import startup

    startup.init_app(app)
