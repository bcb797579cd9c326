"""Citizens' pages: /s/<token> leads through welcome, screens of questions, review and thanks.

The respondent is known by a cookie per round holding their resume code; nothing else
identifies them. Every screen is saved when they move on, so a lost connection loses at most
the screen being typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Response as HttpResponse,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import ValidationError

from app.domain import answering
from app.domain.survey_format import Question
from app.extensions import csrf, db, limiter
from app.i18n import prefer_community_language
from app.models import AccessLink, LinkKind, ResponseStatus, Round, RoundStatus, utcnow
from app import wording
from app.public import bp
from app.public.results import render_results_of
from app.public.sealed import seal, unseal
from app.services import invitations, report_queue, responding, results

RESUME_COOKIE = "cg_resume_{}"
DONE_COOKIE = "cg_done_{}"
RESUME_COOKIE_DAYS = 30


@bp.get("/")
def index():
    return render_template("public/index.html")


# --- Finding the round ------------------------------------------------------------------------


def open_link(token: str, results_once_closed: bool = False) -> AccessLink:
    """The link and its round, if the round takes answers now; a clear page otherwise. With
    `results_once_closed` (the welcome page: the address on every poster and QR code), a closed
    round whose results are published shows them (app.public.results) instead of "closed"."""
    link = db.session.scalar(
        select(AccessLink)
        .where(AccessLink.token == token)
        # One query for everything the pages show, however many people answered.
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
        published = render_results_of(survey_round) if results_once_closed else None
        abort(make_response(published, 200) if published else 410)
    if not survey_round.accepts_answers(utcnow()):
        abort(make_response(render_template(
            "public/not_open.html", round=survey_round, hide_login=True), 403))
    return link


def current_language() -> str:
    return str(get_locale())


def respondent_for(link: AccessLink) -> responding.Respondent | None:
    """The response this browser has in progress for the link's round, if any."""
    code = resume_code_of(link)
    response = responding.find_by_resume_code(link.round_id, code) if code else None
    if response is None:
        return None
    definition = link.round.definition()
    return responding.Respondent(
        response, link, definition, responding.saved_answers(response, definition))


def resume_code_of(link: AccessLink) -> str | None:
    """The resume code this browser keeps for the link's round, from its sealed cookie."""
    return unseal(request.cookies.get(RESUME_COOKIE.format(link.round_id)))


def already_answered(link: AccessLink) -> bool:
    if link.kind is LinkKind.INVITATION:
        return link.used_at is not None
    return link.round.one_response_per_browser and bool(
        request.cookies.get(DONE_COOKIE.format(link.round_id)))


def page(template: str, link: AccessLink, status: int = 200, **context) -> tuple[str, int]:
    survey = link.round.definition()
    # A text missing in the page language is shown in the community's default language,
    # else in the survey's source language.
    fallback = [link.round.community.default_language, *survey.languages]
    return render_template(
        template, link=link, round=link.round, survey=survey, fallback=fallback,
        hide_login=True, **context,
    ), status


# --- Welcome, start, resume -------------------------------------------------------------------


@bp.get("/s/<token>")
def welcome(token: str):
    link = open_link(token, results_once_closed=True)
    if already_answered(link):
        return page("public/already_answered.html", link)
    rater = invitations.rater_of(link) if link.round.is_panel else None
    return page("public/welcome.html", link, in_progress=respondent_for(link) is not None, rater=rater)


@bp.post("/s/<token>/start")
def start(token: str):
    link = open_link(token)
    if already_answered(link):
        return page("public/already_answered.html", link, status=409)
    respondent = respondent_for(link)
    if respondent is not None and respondent.response.status is ResponseStatus.IN_PROGRESS:
        return redirect(screen_url(link, respondent, resume=True))
    response, resume_code = responding.start(link, current_language())
    round_id = link.round_id  # read before the commit expires the link (else: one more query)
    db.session.commit()
    redirect_response = redirect(url_for("public.screen", token=token, number=1))
    remember_respondent(redirect_response, round_id, resume_code)
    return redirect_response


def remember_respondent(http_response: HttpResponse, round_id: int, resume_code: str) -> None:
    http_response.set_cookie(
        RESUME_COOKIE.format(round_id), seal(resume_code), max_age=RESUME_COOKIE_DAYS * 24 * 3600,
        httponly=True, samesite="Lax", secure=request.is_secure,
    )


def screen_url(link: AccessLink, respondent: responding.Respondent, resume: bool = False) -> str:
    """Where to continue: the screen after the last one saved (the review when all are)."""
    visible = respondent.visible_screens()
    saved = respondent.response.current_page
    keys = [str(s.index) for s in visible]
    if not resume or saved not in keys:
        return url_for("public.screen", token=link.token, number=1)
    following = keys.index(saved) + 2
    if following > len(visible):
        return url_for("public.review", token=link.token)
    return url_for("public.screen", token=link.token, number=following)


def code_attempts_limit() -> str:
    return current_app.config["CODE_ATTEMPTS_LIMIT"]


@bp.route("/s/<token>/resume", methods=["GET", "POST"])
@limiter.limit(code_attempts_limit, methods=["POST"])
def resume(token: str):
    link = open_link(token)
    typed = request.form.get("code", "").strip()
    if request.method == "GET":
        return page("public/resume.html", link, code="")
    response = responding.find_by_resume_code(link.round_id, typed)
    if response is None or response.status is ResponseStatus.COMPLETE:
        message = (_("These answers were already sent. Thank you!") if response
                   else _("We could not find answers with this code. Please check it and try again."))
        return page("public/resume.html", link, status=400, code=typed, error=message)
    definition = link.round.definition()
    respondent = responding.Respondent(
        response, link, definition, responding.saved_answers(response, definition))
    redirect_response = redirect(screen_url(link, respondent, resume=True))
    remember_respondent(redirect_response, link.round_id, typed)
    return redirect_response


# --- Screens of questions ---------------------------------------------------------------------


def require_respondent(link: AccessLink) -> responding.Respondent:
    respondent = respondent_for(link)
    if respondent is None:
        flash(_("Please start here. If you began on another device, use your resume code."), "info")
        abort(redirect(url_for("public.welcome", token=link.token)))
    if respondent.response.status is ResponseStatus.COMPLETE:
        abort(redirect(url_for("public.thanks", token=link.token)))
    return respondent


@dataclass
class OpenScreen:
    """The screen a respondent is on: where it stands among the visible ones, what it asks."""

    link: AccessLink
    respondent: responding.Respondent
    number: int  # from 1, among the screens visible now
    visible: list[answering.Screen]

    @property
    def current(self) -> answering.Screen:
        return self.visible[self.number - 1]

    @property
    def questions(self) -> tuple[Question, ...]:
        return answering.visible_questions(self.current, self.respondent.answers)


def open_screen(token: str, number: int) -> OpenScreen:
    """The numbered screen of this browser's response; past the last one, the review."""
    link = open_link(token)
    respondent = require_respondent(link)
    visible = respondent.visible_screens()
    if not 1 <= number <= len(visible):
        abort(redirect(url_for("public.review", token=token)))
    return OpenScreen(link, respondent, number, visible)


@bp.get("/s/<token>/q/<int:number>")
def screen(token: str, number: int):
    opened = open_screen(token, number)
    saved = answering.form_values(opened.questions, opened.respondent.answers)
    return render_screen(opened, saved, problems={})


# CSRF is checked in the view: a failed check after a long pause must keep what was typed.
@csrf.exempt
@bp.post("/s/<token>/q/<int:number>")
def save_screen(token: str, number: int):
    opened = open_screen(token, number)
    posted = {name: request.form.getlist(name) for name in request.form}
    if not csrf_token_is_valid():
        return render_screen(opened, posted, problems={}, status=400, stale=True)
    move = request.form.get("move", "next")
    result = answering.parse_screen(opened.questions, posted, enforce_required=(move == "next"))
    if not result.ok:
        return render_screen(opened, posted, problems=result.problems, status=400)
    responding.save_screen(opened.respondent, result, str(opened.current.index))
    # Where to go next is worked out before the commit, which expires what was loaded: read
    # after it, the link would be fetched again (a query on every save, the busiest request).
    next_url = after_save(opened, move)
    db.session.commit()
    return redirect(next_url)


def csrf_token_is_valid() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
        return True
    except (ValidationError, CSRFError):
        return False


def after_save(opened: OpenScreen, move: str) -> str:
    token = opened.link.token
    if move == "language":
        chosen = request.form.get("lang", "")
        return url_for("public.screen", token=token, number=opened.number, lang=chosen)
    # Answers on this screen may have shown or hidden later screens: count again.
    visible = opened.respondent.visible_screens()
    position = next((i for i, s in enumerate(visible) if s.index == opened.current.index),
                    opened.number - 1)
    if move == "back":
        if position == 0:
            return url_for("public.welcome", token=token)
        return url_for("public.screen", token=token, number=position)
    if position + 1 >= len(visible):
        return url_for("public.review", token=token)
    return url_for("public.screen", token=token, number=position + 2)


def render_screen(opened: OpenScreen, values, problems, status=200, stale=False):
    page_key = opened.current.page_key
    survey_page = next(p for p in opened.respondent.definition.pages if p.key == page_key)
    return page(
        "public/screen.html", opened.link, status=status, number=opened.number,
        total=len(opened.visible), page_title=survey_page.title, questions=opened.questions,
        values=values, problems=problems, stale=stale, problem_text=wording.PROBLEMS,
        wording=wording, resume_code=resume_code_of(opened.link),
    )


# --- Review, submit, thanks -------------------------------------------------------------------


@bp.get("/s/<token>/review")
def review(token: str):
    link = open_link(token)
    respondent = require_respondent(link)
    visible = respondent.visible_screens()
    rows = [
        (number, question)
        for number, s in enumerate(visible, start=1)
        for question in answering.visible_questions(s, respondent.answers)
    ]
    return page("public/review.html", link, rows=rows, answers=respondent.answers,
                total=len(visible), wording=wording)


@bp.post("/s/<token>/submit")
def submit(token: str):
    link = open_link(token)
    respondent = respondent_for(link)
    if respondent is None:
        return redirect(url_for("public.welcome", token=token))
    if respondent.response.status is ResponseStatus.COMPLETE:
        return redirect(url_for("public.thanks", token=token))
    visible = respondent.visible_screens()
    missing = answering.first_incomplete_screen(visible, respondent.answers)
    if missing is not None:
        flash(_("Some questions still need an answer."), "error")
        number = [s.index for s in visible].index(missing.index) + 1
        return redirect(url_for("public.screen", token=token, number=number))
    responding.submit(respondent)
    round_id = link.round_id  # read before the commit expires the link (else: one more query)
    db.session.commit()
    thanks_response = redirect(url_for("public.thanks", token=token))
    thanks_response.set_cookie(DONE_COOKIE.format(round_id), "1", max_age=365 * 24 * 3600,
                               httponly=True, samesite="Lax", secure=request.is_secure)
    return thanks_response


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    link = open_link(token)
    respondent = respondent_for(link)
    sent = respondent is not None and respondent.response.status is ResponseStatus.COMPLETE
    return page("public/thanks.html", link, receipt=responding.receipt_of(respondent.response) if sent else None,
                results_promise=results.promise_for(link.round))


# --- Withdrawing answers ----------------------------------------------------------------------


@bp.route("/withdraw", methods=["GET", "POST"])
@limiter.limit(code_attempts_limit, methods=["POST"])
def withdraw():
    typed = request.form.get("code", "").strip()
    if request.method == "GET":
        return render_template("public/withdraw.html", code="", hide_login=True)
    round_id = responding.withdraw(typed)
    if round_id is None:
        return render_template(
            "public/withdraw.html", code=typed, hide_login=True,
            error=_("We could not find answers with this code. Please check it and try again."),
        ), 400
    db.session.commit()
    if report_queue.build_status(round_id).built_at is not None:
        # The published report still counts them: rebuild it now, even if the round is closed.
        from app.tasks import request_report  # the tasks module imports the services; keep imports one way

        request_report(round_id)
    return render_template("public/withdrawn.html", hide_login=True)
