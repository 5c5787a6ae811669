"""/api/v1/cases/<number>: a case with its status, tasks, deadlines, timeline and version."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from app.apidoc import SECURITY, errors
from app.auth.errors import error_response
from app.auth.users import can_view_case, user_required
from app.cases import numbering
from app.cases.schemas import CaseDetail

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases",
                description="差评工单 Cases: status, tasks, deadlines, timeline")


@blp.route("/<number>")
@user_required
@blp.doc(security=SECURITY)
@errors(blp, (403, "a channel token, or the case is another department's or region's"),
        (404, "no such case"))
@blp.response(200, CaseDetail)
def case_detail(number: str):
    """One case (差评工单), if it is in your department or region."""
    case = numbering.find(number)
    if case is None:
        return error_response(404, f"no case {number}")
    if not can_view_case(g.user, case):
        return error_response(403, f"case {number} belongs to another department or region")
    return case
