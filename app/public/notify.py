"""/s/<token>/notify: from the thank-you page, leave an email address to be told once when the
round's results are published.

Blind on purpose to who is asking: this view reads no resume or done cookie, no response and
no code, and stores the round and the address only (app.services.results.subscribe), so that
nothing can join an address to the answers of the person who left it. The token only says
which round; a closed round still takes addresses until its results are out.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import csrf, db, limiter
from app.i18n import prefer_community_language
from app.models import AccessLink, Round, RoundStatus
from app.public import bp
from app.public.routes import code_attempts_limit, csrf_token_is_valid
from app.services import results

TYPED_MAX = 320  # more than any address; what is typed comes back on the page, so it is capped


def link_of(token: str) -> AccessLink:
    """The link, for its round only; 404 for an unknown or revoked link, or a draft."""
    link = db.session.scalar(
        select(AccessLink).where(AccessLink.token == token)
        .options(joinedload(AccessLink.round).joinedload(Round.community)))
    if link is None or link.revoked_at is not None or link.round.status is RoundStatus.DRAFT:
        abort(404)
    prefer_community_language(link.round.languages, link.round.community.default_language)
    return link


# CSRF is checked in the view: a form left open too long must come back with the address typed.
@csrf.exempt
@bp.post("/s/<token>/notify")
@limiter.limit(code_attempts_limit)  # the limit of the other public forms: nobody fills the table by the thousand
def results_sign_up(token: str):
    link = link_of(token)
    survey_round = link.round
    typed = request.form.get("email", "")[:TYPED_MAX]
    if not csrf_token_is_valid():
        return sign_up_page(link, status=400, email=typed,
                            error=_("The form had been open too long. Please send it again."))
    try:
        results.subscribe(survey_round, typed)
    except results.SignUpRefused as refused:
        return refused_page(link, refused.code, typed)
    db.session.commit()
    return sign_up_page(link, outcome="kept")


def refused_page(link: AccessLink, code: str, typed: str):
    if code == "invalid_email":
        return sign_up_page(link, status=400, email=typed,
                            error=_("This does not look like an email address. Please check it."))
    if code == "already_told":  # the page links to the published results instead
        return sign_up_page(link, status=409)
    return sign_up_page(link, outcome="unavailable", status=409)


def sign_up_page(link: AccessLink, status: int = 200, outcome: str = "form", **context):
    return render_template("public/results_sign_up.html", link=link, round=link.round, outcome=outcome,
                           promise=results.promise_for(link.round), hide_login=True,
                           **{"email": "", "error": None, **context}), status
