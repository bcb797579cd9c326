"""Coordinators' pages: their communities, rounds and the links that lead into them."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import MANAGING_ROLES, communities_of, require_community
from app.coordinate import bp
from app.extensions import db
from app.models import Round
from app.services.outreach import response_counts_by_group


@bp.get("/")
@login_required
def index():
    communities = communities_of(current_user, MANAGING_ROLES)
    return render_template("coordinate/index.html", communities=communities)


@bp.get("/communities/<int:community_id>")
@login_required
def community(community_id: int):
    community = require_community(community_id, MANAGING_ROLES)
    rounds = db.session.scalars(
        select(Round).where(Round.community_id == community.id).order_by(Round.created_at.desc())
    ).all()
    counts = {r.id: response_counts_by_group(r.id) for r in rounds}
    return render_template(
        "coordinate/community.html", community=community, rounds=rounds, counts=counts
    )
