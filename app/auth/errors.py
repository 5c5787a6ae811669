"""JSON errors for the API: every error is `{"code", "status", "message", "errors"}` with
per-field messages under `errors` (the same shape flask-smorest uses for 422)."""

from __future__ import annotations

import json

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from app import dberrors

DATABASE_DOWN = "database unavailable; nothing was changed"


def error_response(code: int, message: str, errors: dict | None = None, headers=None,
                   **extra):
    """The JSON error; `extra` adds fields beside the standard ones (e.g. `problems`)."""
    from http import HTTPStatus

    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    resp = jsonify(body)
    resp.status_code = code
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def unauthorized(message: str):
    return error_response(401, message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def is_api() -> bool:
    """The API, and the JSON endpoints of pages (a JSON body, or JSON asked for)."""
    return (request.path.startswith("/api/") or request.is_json
            or request.accept_mimetypes.best == "application/json")


def register_error_handlers(app: Flask) -> None:
    """JSON for /api/ errors (flask-smorest already renders its own aborts and 422s as JSON);
    every other path gets an HTML page in the user's language (app/web/errors.py)."""
    from app.web.errors import NOT_MIGRATED_PAGE, render_error, render_internal_error

    def _database_down(err: Exception):
        """503 when the database cannot be reached or is not migrated (its message logged,
        not its traceback)."""
        app.logger.error("%s on %s", dberrors.describe(err), request.path)
        migrated = not dberrors.not_migrated(err)
        if is_api():
            return error_response(503, DATABASE_DOWN if migrated else dberrors.NOT_SET_UP)
        # the signed-in user cannot be read: the page is rendered as for nobody (Flask-Login's
        # template context would load the user again, and fail again)
        g._login_user = app.login_manager.anonymous_user()
        return render_error(ServiceUnavailable() if migrated
                            else ServiceUnavailable(description=NOT_MIGRATED_PAGE))

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if not is_api():
            if err.code is None or err.code < 400:  # a RequestRedirect and the like
                return err
            return render_error(err)
        data = getattr(err, "data", None) or {}
        # the exception's own headers (Allow on a 405, Retry-After, ...) but its content type
        kept = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
        return error_response(err.code or 500, err.description or "",
                              data.get("messages") or data.get("errors"), headers=kept)

    @app.before_request
    def _json_bodies():
        if request.path.startswith("/api/"):
            return check_body()
        return None

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        if dberrors.unreachable(err) or dberrors.not_migrated(err):
            return _database_down(err)
        if isinstance(err, RecursionError) and is_api() and request.content_length:
            return error_response(400, "the JSON body is nested too deeply",
                                  {"json": {"_schema": ["Nested too deeply."]}})
        app.logger.exception("unhandled error on %s", request.path)
        if is_api():
            return error_response(500, "internal error; nothing was changed")
        return render_internal_error()


def check_body():
    """An API body is JSON (or, for files, multipart form data): anything else is 415, and
    JSON that does not parse is 400, each saying so, before any handler reads it."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.content_length:
        return None
    if request.mimetype == "multipart/form-data":
        return None
    if not request.is_json:
        return error_response(415, "send the body as JSON (Content-Type: application/json)",
                              {"json": {"_schema": [f"Content-Type {request.mimetype or 'none'} "
                                                    "is not JSON."]}})
    if request.get_json(silent=True) is not None:  # cached for the handler
        return None  # (too deep a body raises RecursionError: see _unexpected)
    try:
        json.loads(request.get_data(cache=True))
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        return error_response(400, "the body is not valid JSON",
                              {"json": {"_schema": [f"{getattr(exc, 'msg', exc)}{where}."]}})
    return None  # the JSON null
