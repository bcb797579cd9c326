"""Previewing a survey as a citizen sees it: a draft, any published version, or a draft round's.

The screens, display conditions and answer checks are those of the answering flow
(app.domain.answering, public/_questions.html). Nothing is stored: what was typed on earlier
screens travels with the page, sealed in a hidden field, so a preview never becomes a response
and is never counted.
"""

from __future__ import annotations

import json

from flask import render_template, request, url_for
from flask_login import login_required

from app.auth.access import require_managed, require_round
from app.coordinate import bp
from app.coordinate.surveys import require_authored, version_for
from app.domain import answering
from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.i18n import prefer_community_language
from app.models import Community
from app import wording
from app.public.sealed import seal, unseal
from app.services import survey_authoring


@bp.route("/surveys/<int:authored_id>/preview", methods=["GET", "POST"])
@login_required
def preview_draft(authored_id: int):
    authored = require_authored(authored_id)
    check = survey_authoring.check(authored)
    if check.definition is None:
        return render_template("coordinate/preview_blocked.html", authored=authored, community=authored.community,
                               check=check), 409
    return _preview(authored.community.asks(check.definition), authored.community,
                    url_for("coordinate.edit_survey", authored_id=authored.id))


@bp.route("/communities/<int:community_id>/surveys/versions/<int:survey_id>/preview", methods=["GET", "POST"])
@login_required
def preview_version(community_id: int, survey_id: int):
    community = require_managed(db.session.get(Community, community_id))
    survey = version_for(community, survey_id)
    return _preview(community.asks(survey.parsed(), survey.fingerprint), community,
                    url_for("coordinate.surveys", community_id=community.id))


@bp.route("/rounds/<int:round_id>/preview", methods=["GET", "POST"])
@login_required
def preview_round(round_id: int):
    """The round's questions as its community asks them (its neighbourhoods filled in)."""
    survey_round = require_round(round_id)
    return _preview(survey_round.definition(), survey_round.community,
                    url_for("coordinate.round_page", round_id=round_id), languages=survey_round.languages)


def _preview(definition: SurveyDefinition, community: Community, back_url: str, languages=None):
    """`definition`: the survey as the community asks it (Community.asks)."""
    languages = list(languages or definition.languages)
    prefer_community_language(languages, languages[0])
    screens = answering.screens_of(definition)
    posted_by_screen = _carried(request.form.get("carried"))
    answers = _answers(screens, posted_by_screen)
    visible = [s for s in screens if answering.visible_questions(s, answers)]
    number = request.form.get("number", type=int) or request.args.get("number", type=int) or 1
    problems: dict = {}
    values: dict = {}
    if request.method == "POST" and 1 <= number <= len(visible):
        current = visible[number - 1]
        posted = {name: request.form.getlist(name) for name in request.form
                  if name.startswith("q_")}
        move = request.form.get("move", "next")
        result = answering.parse_screen(answering.visible_questions(current, answers), posted,
                                        enforce_required=move == "next")
        if result.ok:
            posted_by_screen[str(current.index)] = posted
            answers = _answers(screens, posted_by_screen)
            visible = [s for s in screens if answering.visible_questions(s, answers)]
            position = next((i for i, s in enumerate(visible) if s.index == current.index), number - 1)
            number = position if move == "back" else position + 2
        else:
            problems, values = result.problems, posted
    if number < 1:
        number = 1
    finished = number > len(visible)
    current = None if finished else visible[number - 1]
    questions = () if current is None else answering.visible_questions(current, answers)
    if current is not None and not values:
        values = posted_by_screen.get(str(current.index)) or answering.form_values(questions, answers)
    page_title = None if current is None else next(p.title for p in definition.pages if p.key == current.page_key)
    return render_template(
        "coordinate/preview.html", community=community, survey=definition, back_url=back_url,
        fallback=[languages[0], *definition.languages], number=number, total=len(visible), finished=finished,
        questions=questions, values=values, problems=problems, problem_text=wording.PROBLEMS, wording=wording,
        page_title=page_title, carried=seal(json.dumps(posted_by_screen)), answered=_answered_rows(visible, answers),
        answers=answers, preview_languages=languages,
    ), 400 if problems else 200


def _carried(sealed: str | None) -> dict[str, dict[str, list[str]]]:
    """What was typed on earlier screens of this preview, if the sealed field is intact."""
    text = unseal(sealed) if sealed else None
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _answers(screens, posted_by_screen) -> dict[str, object]:
    """The answers of every screen seen so far, read in order so conditions see earlier ones."""
    answers: dict[str, object] = {}
    for screen in screens:
        posted = posted_by_screen.get(str(screen.index))
        if posted is None:
            continue
        result = answering.parse_screen(answering.visible_questions(screen, answers), posted, enforce_required=False)
        answers.update(result.answers)
    return answers


def _answered_rows(visible, answers):
    return [(n, q) for n, s in enumerate(visible, start=1) for q in answering.visible_questions(s, answers)]
