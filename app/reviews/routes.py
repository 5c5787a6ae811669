"""/api/v1/reviews: rating intake (one or a batch) and listing."""

from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.apidoc import SECURITY, errors
from app.auth.errors import error_response
from app.auth.tokens import channel_required, token_required
from app.auth.users import review_scope
from app.cases.models import Case
from app.cases.schemas import CaseSummary
from app.extensions import api, db
from app.reviews.intake import ItemResult, intake
from app.reviews.models import Review
from app.reviews.schemas import IntakeBatchOut, IntakeOut, ReviewOut, ReviewQuery
from app.scheduler.runner import nudge
from app.scheduler.sweep import start_waiting
from app.timeutil import utcnow

blp = Blueprint("reviews", __name__, url_prefix="/api/v1/reviews",
                description="评价接收与查询 Rating intake and listing")
_review_out = ReviewOut()
_case_out = CaseSummary()

INTAKE_DOC = {
    "summary": "Submit one rating (an object) or a batch (an array of up to {batch_max})",
    "description": (
        "Idempotent per (serial_no, rating_count, rated_object): a rating sent again returns the "
        "first result (status `duplicate`) and creates nothing. Every new bad rating "
        "(不满意/非常不满意) opens a case. One rating: 201 created, 200 duplicate, 422 invalid "
        "with per-field messages. A batch: valid items are stored; 200 when all were accepted, "
        "207 when some failed, 422 when none was valid; `results` says which and why. Only a "
        "channel system's token submits ratings: a user's token is 403."),
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/ReviewIn"},
        {"$ref": "#/components/schemas/ReviewBatch"},
    ]}}}},
    "security": SECURITY,
}


@blp.record_once
def _batch_schema(state) -> None:
    """The batch's size limit in the document is the app's (INTAKE_BATCH_MAX)."""
    api.spec.components.schema("ReviewBatch", component={
        "type": "array", "minItems": 1, "maxItems": state.app.config["INTAKE_BATCH_MAX"],
        "items": {"$ref": "#/components/schemas/ReviewIn"}})


def _batch_limit_doc(doc: dict, doc_info: dict, *, app, **_) -> dict:
    """The batch's size limit in the intake's summary is the app's number (INTAKE_BATCH_MAX),
    as in ReviewBatch's maxItems (a flask-smorest doc callback: `doc_info` is a copy)."""
    manual = doc_info.get("manual_doc", {})
    if "summary" in manual:
        manual["summary"] = manual["summary"].format(
            batch_max=f"{app.config['INTAKE_BATCH_MAX']:,}")
    return doc


blp._prepare_doc_cbks.append(_batch_limit_doc)


@blp.route("")
class Reviews(MethodView):
    @blp.doc(**INTAKE_DOC)
    @blp.alt_response(201, success=True, schema=IntakeOut, description="one rating, created")
    @blp.alt_response(200, success=True, schema={"oneOf": [IntakeOut, IntakeBatchOut]},
                      description="one rating sent before (status duplicate), or a batch "
                                  "whose items were all accepted (created or duplicate)")
    @blp.alt_response(207, success=True, schema=IntakeBatchOut,
                      description="a batch of which some items were invalid (the others stored)")
    @blp.alt_response(422, schema={"oneOf": [ErrorSchema, IntakeBatchOut]},
                      description="one rating that is invalid (the error, a message per field "
                                  "under errors.json), a batch of which no item was valid (the "
                                  "batch's results), or an empty or too large batch (the error)")
    @errors(blp, 400, 413, 415,
            (403, "a user's token (ratings come from channel systems' tokens), or a "
                  "deactivated user's"))
    @channel_required
    def post(self):
        body = request.get_json(silent=True)
        if isinstance(body, list):
            return _batch(body)
        if not isinstance(body, dict):
            return error_response(422, "expected a JSON object or array",
                                  {"json": {"_schema": ["A rating object or an array of them."]}})
        (res,) = intake([body], source=g.api_token.name)
        if res.status == "invalid":
            return error_response(422, "invalid rating", {"json": res.errors})
        _start_cases([res])
        return _single(res), 201 if res.status == "created" else 200

    @token_required
    @blp.doc(security=SECURITY)
    @errors(blp, (403, "the token's user is deactivated"),
            (422, "an invalid or unknown query parameter"))
    @blp.arguments(ReviewQuery, location="query")
    @blp.response(200, ReviewOut(many=True))
    @blp.paginate()
    def get(self, args: dict, pagination_parameters):
        """List ratings, newest first, with filters; reviewer data masked. A user's token lists
        what the user may see: their department's or region's ratings and their cases'. A
        channel system's token lists the ratings it sent (来源渠道系统), not other channels'."""
        user = g.api_token.user  # active: token_required refuses a deactivated user's
        query = _filtered(args)
        query = query.where(review_scope(user) if user is not None
                            else Review.source == g.api_token.name)
        pagination_parameters.item_count = db.session.scalar(
            query.with_only_columns(db.func.count(Review.id)).order_by(None))
        page, size = pagination_parameters.page, pagination_parameters.page_size
        if (page - 1) * size >= pagination_parameters.item_count:
            return []  # past the end (a page number past SQL's integers too)
        rows = db.session.scalars(query.options(selectinload(Review.case))
                                  .offset((page - 1) * size).limit(size))
        return list(rows)


def document(api) -> None:
    """Components the hand-written intake request body refers to, and the token's scheme."""
    from app.reviews.schemas import ReviewIn

    api.spec.components.schema("ReviewIn", schema=ReviewIn)
    api.spec.components.security_scheme("ApiToken", {
        "type": "http", "scheme": "bearer",
        "description": "A channel system's token (ratings only: `flask tokens create NAME`) or a "
                       "user's (`flask tokens create NAME --user USERNAME`); also accepted as "
                       "the `X-API-Token` header."})


def _batch(items: list):
    limit = current_app.config["INTAKE_BATCH_MAX"]
    if not items or len(items) > limit:
        return error_response(422, f"a batch holds 1 to {limit} ratings",
                              {"json": {"_schema": [f"A batch holds 1 to {limit} ratings."]}})
    results = intake(items, source=g.api_token.name)
    _start_cases(results)
    counts = {s: sum(r.status == s for r in results) for s in ("created", "duplicate", "invalid")}
    body = {"received": len(results), **counts, "results": [_row(r) for r in results]}
    if counts["invalid"] == 0:
        return body, 200
    return body, 422 if counts["invalid"] == len(results) else 207


def _start_cases(results: list[ItemResult]) -> None:
    """Start the new cases on the engine now when they are few (so the reply shows their first
    task), else leave them to the scheduler, woken now."""
    numbers = [r.case_number for r in results if r.status == "created" and r.case_number]
    if not numbers:
        return
    if len(numbers) <= current_app.config["START_INLINE_MAX"]:
        ids = list(db.session.scalars(select(Case.id).where(Case.number.in_(numbers))))
        start_waiting(utcnow(), case_ids=ids)
    else:
        nudge(current_app._get_current_object())


def _single(res: ItemResult) -> dict:
    review = db.session.get(Review, res.review_id)
    return {"status": res.status, "review": _review_out.dump(review),
            "case": _case_out.dump(review.case) if review.case else None}


def _row(res: ItemResult) -> dict:
    row = {"index": res.index, "status": res.status}
    if res.review_id is not None:
        row["review_id"] = res.review_id
        row["case_number"] = res.case_number
    if res.errors:
        row["errors"] = res.errors
    return row


def _filtered(args: dict):
    q = select(Review).order_by(Review.rated_at.desc(), Review.id.desc())
    if "region" in args:
        q = q.where(Review.region_code.startswith(args["region"]))
    for name in ("department_code", "channel", "level", "rated_object", "serial_no"):
        if name in args:
            q = q.where(getattr(Review, name) == args[name])
    if "bad" in args:
        q = q.where(Review.is_bad.is_(args["bad"]))
    if "rated_from" in args:
        q = q.where(Review.rated_at >= args["rated_from"])
    if "rated_to" in args:
        q = q.where(Review.rated_at < args["rated_to"])
    return q
