"""JSON errors for the API: every error is `{"code", "status", "message", "errors"}` with
per-field messages under `errors` (the same shape flask-smorest uses for 422)."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


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
    from app.web.errors import render_error, render_internal_error

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if not is_api():
            if err.code is None or err.code < 400:  # a RequestRedirect and the like
                return err
            return render_error(err)
        data = getattr(err, "data", None) or {}
        return error_response(err.code or 500, err.description or "",
                              data.get("messages") or data.get("errors"))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        app.logger.exception("unhandled error on %s", request.path)
        if is_api():
            return error_response(500, "internal error; nothing was changed")
        return render_internal_error()
