"""Stakeholders' pages: the reports of the rounds in their communities."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import READING_ROLES, communities_of
from app.extensions import db
from app.models import ReportSnapshot, Round
from app.reports import bp


@bp.get("/")
@login_required
def index():
    communities = communities_of(current_user, READING_ROLES)
    community_ids = [c.id for c in communities]
    rounds = db.session.scalars(
        select(Round).where(Round.community_id.in_(community_ids)).order_by(Round.created_at.desc())
    ).all()
    snapshots = {
        s.round_id: s
        for s in db.session.scalars(
            select(ReportSnapshot).where(ReportSnapshot.round_id.in_([r.id for r in rounds]))
        )
    }
    return render_template(
        "reports/index.html", communities=communities, rounds=rounds, snapshots=snapshots
    )
