"""/healthz: database reachable, calendar coverage, rules version and last reload error."""

from flask import Blueprint, jsonify

from app.health.checks import report

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    body, code = report()
    return jsonify(body), code
