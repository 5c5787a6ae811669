"""JSON errors for the API: every error is `{"code", "status", "message", "errors"}` with
per-field messages under `errors` (the same shape flask-smorest uses for 422)."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


def error_response(code: int, message: str, errors: dict | None = None, headers=None):
    from http import HTTPStatus

    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors is not None:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = code
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def unauthorized(message: str):
    return error_response(401, message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def register_error_handlers(app: Flask) -> None:
    """JSON for /api/ errors (flask-smorest already renders its own aborts and 422s as JSON);
    HTML pages keep Flask's error pages."""

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if not request.path.startswith("/api/"):
            return err
        data = getattr(err, "data", None) or {}
        return error_response(err.code or 500, err.description or "",
                              data.get("messages") or data.get("errors"))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        app.logger.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            return error_response(500, "internal error; nothing was changed")
        return "服务器内部错误 Internal Server Error", 500
