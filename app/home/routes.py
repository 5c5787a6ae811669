"""The landing page 首页: what this installation holds and whether it is healthy."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from app.cases.models import RESPONSIBILITY_LABELS, Case
from app.extensions import db
from app.health.checks import report
from app.reviews import vocab
from app.reviews.models import Review

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    total = db.session.scalar(select(func.count(Review.id))) or 0
    bad = db.session.scalar(select(func.count(Review.id)).where(Review.is_bad)) or 0
    by_channel = dict(db.session.execute(
        select(Review.channel, func.count(Review.id)).group_by(Review.channel)).all())
    recent = db.session.scalars(select(Case).order_by(Case.received_at.desc(), Case.id.desc())
                                .limit(10)).all()
    health, _ = report()
    return render_template(
        "home/index.html", total=total, bad=bad, open_cases=db.session.scalar(
            select(func.count(Case.id))) or 0,
        bad_rate=(bad / total * 100) if total else 0.0,
        channels=[(vocab.CHANNELS[k], by_channel.get(k, 0)) for k in vocab.CHANNELS],
        recent=recent, health=health, responsibility=RESPONSIBILITY_LABELS,
        objects=vocab.RATED_OBJECTS)
