"""The browser side shared by every page: language, navigation, links, error pages, formatting.

`init_app` wires it into the factory; pages use the pieces through templates (see
app/templates/macros/) and `app.web.nav.register`.
"""

from __future__ import annotations

from flask import Flask, g

# Per-request state kept on `g`: the language, the signed-in user, department names.
REQUEST_STATE = ("_flask_babel", "_login_user", "department_names")


def init_app(app: Flask) -> None:
    from app.web import i18n, nav, urls

    app.before_request(_fresh_request_state)
    i18n.init_app(app)
    urls.init_app(app)
    nav.init_app(app)
    app.jinja_env.globals.update(department_name=department_name, region_name=region_name)


def _fresh_request_state() -> None:
    """Forget the previous request's state when an app context outlives a request (tests keep
    one open around the test client; in production every request has its own)."""
    for key in REQUEST_STATE:
        g.pop(key, None)


def department_name(code: str | None) -> str:
    """For templates: a department's name by its code (the code when unknown), cached for the
    request."""
    from app.org.service import names

    if not code:
        return ""
    cache = g.setdefault("department_names", {})
    if code not in cache:
        cache[code] = names([code]).get(code, code)
    return cache[code]


def region_name(code: str | None) -> str:
    """For templates: the jurisdiction a region code falls in (深圳市 for 440300000000), else
    the code."""
    from app.rules import service as rules_service

    if not code:
        return ""
    try:
        return rules_service.current().for_region(code).name
    except LookupError:
        return code
