"""Which process this is: a server of requests (`flask run`, or a WSGI server such as gunicorn
importing wsgi.py), the watcher process of `flask run`'s reloader (it serves nothing), or
another `flask` command (`flask db upgrade`, `flask demo load`, ...).

Told from click's current context while the app is created, not from positions in sys.argv:
`flask --debug run` and `flask --app wsgi run` are `flask run` too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import click


def cli_context() -> click.Context | None:
    """The click context the app is being created in, None outside the `flask` CLI."""
    return click.get_current_context(silent=True)


def is_flask_run(ctx: click.Context | None) -> bool:
    """`flask run` (the top-level command, not `flask scheduler run`)."""
    return (ctx is not None and ctx.info_name == "run" and ctx.parent is not None
            and ctx.parent.parent is None)


def debug_flag(environ: Mapping[str, str]) -> bool:
    """FLASK_DEBUG as Flask reads it (`flask --debug` sets it): anything but 0, false, no."""
    value = environ.get("FLASK_DEBUG") or ""
    return bool(value) and value.lower() not in ("0", "false", "no")


def is_reloader_watcher(ctx: click.Context | None, environ: Mapping[str, str]) -> bool:
    """The watcher process of `flask run` with the reloader (`--reload`, or `--debug` without
    `--no-reload`): it only restarts its child, which Werkzeug marks WERKZEUG_RUN_MAIN=true."""
    if not is_flask_run(ctx):
        return False
    reload = ctx.params.get("reload")
    if reload is None:
        reload = debug_flag(environ)
    return bool(reload) and environ.get("WERKZEUG_RUN_MAIN") != "true"


def serves_requests(ctx: click.Context | None,
                    environ: Mapping[str, str] | None = None) -> bool:
    """Does this process serve requests: `flask run` (its reloader's child, not the watcher),
    or a WSGI server outside the `flask` CLI? Other `flask` commands do not."""
    environ = os.environ if environ is None else environ
    if ctx is None:
        return environ.get("FLASK_RUN_FROM_CLI") != "true"
    return is_flask_run(ctx) and not is_reloader_watcher(ctx, environ)
