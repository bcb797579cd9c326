"""Citizens' pages. A short link /s/<token> leads to a round's welcome page."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.i18n import prefer_community_language
from app.models import AccessLink, Round, RoundStatus, utcnow
from app.public import bp


@bp.get("/")
def index():
    return render_template("public/index.html")


@bp.get("/s/<token>")
def welcome(token: str):
    link = db.session.scalar(
        select(AccessLink)
        .where(AccessLink.token == token)
        # One query for everything the page shows, however many people answered.
        .options(
            joinedload(AccessLink.round).joinedload(Round.community),
            joinedload(AccessLink.round).joinedload(Round.survey),
            joinedload(AccessLink.group),
        )
    )
    if link is None or link.revoked_at is not None:
        abort(404)
    survey_round = link.round
    prefer_community_language(survey_round.languages, survey_round.community.default_language)
    if survey_round.status is RoundStatus.CLOSED:
        abort(410)
    if not survey_round.accepts_answers(utcnow()):
        return render_template("public/not_open.html", round=survey_round, hide_login=True), 403
    definition = survey_round.survey.parsed()
    return render_template(
        "public/welcome.html", round=survey_round, link=link, survey=definition, hide_login=True
    )
