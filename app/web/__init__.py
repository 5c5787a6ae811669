"""The browser side shared by every page: language, navigation, links, error pages, formatting.

`init_app` wires it into the factory; pages use the pieces through templates (see
app/templates/macros/) and `app.web.nav.register`.
"""

from __future__ import annotations

from flask import Flask, Response, g

# Per-request state kept on `g`: the language, the signed-in user, department names.
REQUEST_STATE = ("_flask_babel", "_login_user", "department_names")
# Content-Security-Policy: what a page of this site may load and run. Defence in depth: should an
# escaping bug let text through as markup, an injected <script>, on*= handler or javascript: link
# does not run, and nothing is sent to another host. Every script, stylesheet, image and font is a
# file of this site (app/static); templates hold no inline code, only `<script
# type="application/json">` data blocks, which browsers read and never run. Swagger UI
# (/api/v1/docs) needs no exception either: app/templates/swagger_ui.html replaces
# flask-smorest's page, whose inline start-up script would need a hash that changes with the
# spec's URL and OPENAPI_SWAGGER_UI_CONFIG, by a file. Neither bpmn-js nor Swagger UI needs
# 'unsafe-eval' (tests/e2e/test_csp.py visits them).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",  # no 'unsafe-inline', no 'unsafe-eval': only our own files run
    "style-src 'self'",
    # Style attributes: none but the one the modeler's properties panel writes into its container
    # (bpmn-js-properties-panel: <div style="height: 100%" ...>), by its hash, so an injected
    # style="..." cannot lay a fake form over the page. Browsers without style-src-attr fall back
    # to style-src and drop it: the same rule is in modeler.css.
    "style-src-attr 'unsafe-hashes' 'sha256-nR5hyLltSjfvi2rqC26RbcredWrJvTaPA1yqPX96jpY='",
    # data: for the small SVG icons stylesheets embed (app.css's select arrow, Swagger UI's)
    "img-src 'self' data:",
    "font-src 'self'",  # the modeler's icon font as files (bpmn.css, not bpmn-embedded.css)
    "connect-src 'self'",  # fetch: the diagram XML, the API, the modeler's checks
    "object-src 'none'",  # no plug-ins (<object>, <embed>)
    "base-uri 'self'",  # an injected <base> cannot move relative script URLs to another host
    "form-action 'self'",  # an injected <form> cannot post what is typed to another host
    "frame-ancestors 'none'",  # as X-Frame-Options: DENY, for browsers that read only CSP
))
# On every response unless a view set its own: the policy above, no page in another site's frame
# (clickjacking a claim or a phone reveal), no type sniffing, no addresses (case numbers) sent to
# other hosts.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    from app.web import i18n, nav, urls

    app.before_request(_fresh_request_state)
    app.after_request(_security_headers)
    i18n.init_app(app)
    urls.init_app(app)
    nav.init_app(app)
    app.jinja_env.globals.update(department_name=department_name, region_name=region_name)


def _fresh_request_state() -> None:
    """Forget the previous request's state when an app context outlives a request (tests keep
    one open around the test client; in production every request has its own)."""
    for key in REQUEST_STATE:
        g.pop(key, None)


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
    from app.web import i18n

    if not code:
        return ""
    try:
        return rules_service.current().for_region(code).label(i18n.current_language())
    except LookupError:
        return code
