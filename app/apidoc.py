"""What the OpenAPI document (/api/v1/openapi.json) says of the API besides its schemas: the
token every operation takes and the JSON error (`{"code", "status", "message", "errors"}`,
app/auth/errors.py) of each status an operation answers with, so that the document lists the
statuses the API really uses (tests/test_openapi.py checks it)."""

from __future__ import annotations

from http import HTTPStatus

from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

SECURITY = [{"ApiToken": []}]

WWW_AUTHENTICATE = {"WWW-Authenticate": {
    "description": 'Bearer realm="api"', "schema": {"type": "string"}}}

# What each status means wherever it is used; an operation may say more (`(status, text)`).
MEANINGS = {
    400: "the body is not valid JSON (its line and column), or nested too deeply",
    401: "no token, or an invalid or revoked one",
    403: "a channel token (these operations need a user's token), or out of your scope",
    404: "not found, or not in your scope",
    409: "the task is not open, or someone else holds it",
    413: "the body is larger than the limit",
    416: "the Range header asks for bytes the file does not have",
    415: "the body is not JSON (Content-Type: application/json; files: multipart/form-data)",
    422: "invalid: a message per field under `errors`, by location (json, query, form, files)",
    503: "the process cannot go on (a rule key missing from the rule files); nothing changed",
}


def errors(blp: Blueprint, *statuses: int | tuple[int, str]):
    """Decorator: document the JSON error for 401 (every operation takes a token) and for each
    of `statuses`, a status or (status, what it means here)."""
    texts = {401: MEANINGS[401]}
    for status in statuses:
        code, text = status if isinstance(status, tuple) else (status, MEANINGS.get(status))
        texts[code] = text

    def decorate(view):
        for code, text in sorted(texts.items()):
            view = blp.alt_response(
                code, schema=ErrorSchema,
                description=f"{HTTPStatus(code).phrase}: {text}" if text else None,
                headers=WWW_AUTHENTICATE if code == 401 else None)(view)
        return view

    return decorate
