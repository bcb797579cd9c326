"""A round's results for its citizens: what the community heard, what it did, whether it helped.

At a stable address of its own (/results/<round id>), and at the round's short links once the
round has closed (app.public.routes.welcome), so every printed poster and QR code keeps working.
The page and its printable poster read the round's latest release through
app.reports.citizens: what stakeholders may see, chosen by the coordinator's publication.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import get_locale

from app.extensions import db
from app.qr_codes import qr_svg_inline
from app.i18n import prefer_community_language
from app.models import Round, RoundStatus
from app.public import bp
from app.reports.citizens import CitizensResults, citizens_results
from app.services import results


@bp.get("/results/<int:round_id>", endpoint="results")
def results_page(round_id: int):
    survey_round = _public_round(round_id)
    page = _page_of(survey_round)
    if page is None:
        return render_template("public/results_pending.html", round=survey_round, hide_login=True), 404
    return render_template("public/results.html", round=survey_round, page=page, hide_login=True)


@bp.get("/results/<int:round_id>/poster")
def results_poster(round_id: int):
    """A printable A4 "You said, we did" poster in the page language."""
    survey_round = _public_round(round_id)
    page = _page_of(survey_round) or abort(404)
    url = results.results_url(survey_round.id)
    return render_template("public/results_poster.html", round=survey_round, page=page, url=url, qr=qr_svg_inline(url))


def render_results_of(survey_round: Round) -> str | None:
    """The results page of a round whose results are published (for its short links once it
    has closed), or None."""
    page = _page_of(survey_round)
    return render_template("public/results.html", round=survey_round, page=page, hide_login=True) if page else None


def _public_round(round_id: int) -> Round:
    """A round whose results may one day be public: any but a draft or a named panel (whose
    ratings carry names). Its languages become the page's."""
    survey_round = db.session.get(Round, round_id)
    if survey_round is None or survey_round.status is RoundStatus.DRAFT or survey_round.is_panel:
        abort(404)
    prefer_community_language(survey_round.languages, survey_round.community.default_language)
    return survey_round


def _page_of(survey_round: Round) -> CitizensResults | None:
    return citizens_results(survey_round, str(get_locale()))
