"""The landing page 首页: what this installation holds and whether it is healthy."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.auth.users import case_scope
from app.cases.models import CLOSED, RESPONSIBILITY_LABELS, Case
from app.extensions import db
from app.health.checks import report
from app.home import visitors
from app.modeler.service import EDITORS
from app.reviews import vocab
from app.reviews.models import Review

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    counted = _counted() if current_user.is_authenticated else visitors.figures(_counted)
    health, _ = report()
    return render_template(
        "home/index.html", **counted, recent=_recent(), health=health,
        responsibility=RESPONSIBILITY_LABELS, objects=vocab.RATED_OBJECTS, editors=EDITORS)


def _counted() -> dict:
    """The figures and the ratings by channel, both without the ratings found invalid (差评无效):
    the channels add up to 评价数."""
    by_channel = dict(db.session.execute(
        select(Review.channel, func.count(Review.id))
        .outerjoin(Case, Case.review_id == Review.id)
        .where(or_(Case.id.is_(None), Case.invalid.is_(False)))
        .group_by(Review.channel)).all())
    return {**_figures(),
            "channels": [(vocab.CHANNELS[k], by_channel.get(k, 0)) for k in vocab.CHANNELS]}


def _recent() -> list[Case] | None:
    """The latest cases the signed-in user may see (None for a visitor: the figures are
    public, the cases are not)."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalars(select(Case).where(case_scope(current_user))
                              .order_by(Case.received_at.desc(), Case.id.desc()).limit(10)).all()


def _figures() -> dict[str, int | float]:
    """评价数, 差评数 and 差评率 without the ratings found invalid on appeal (they leave both
    the numerator and the denominator), and the cases, all and still open (在办)."""
    ratings, bad = db.session.execute(select(
        func.count(Review.id), func.count(Review.id).filter(Review.is_bad))).one()
    cases, open_cases, invalid = db.session.execute(select(
        func.count(Case.id), func.count(Case.id).filter(Case.status != CLOSED),
        func.count(Case.id).filter(Case.invalid))).one()
    total, bad = ratings - invalid, bad - invalid
    return {"total": total, "bad": bad, "bad_rate": (bad / total * 100) if total else 0.0,
            "cases": cases, "open_cases": open_cases}
