"""/coordinate/rounds/<id>/results: what citizens see of a round's results, and when.

The round's coordinators choose what the public results page shows (the top needs of each
group, who took part, the criteria profile), write a short note per need in the community's
languages, and publish, save or withdraw. Publishing is what the page offers once the round
has closed; before that it asks for a tick, because the page would show the latest interim
release, not the final figures. The first publication writes once to those who asked to be
told (app.tasks.notify_results).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField

from app.auth.access import require_round
from app.coordinate import bp
from app.domain.survey_format import Question
from app.extensions import db
from app.models import ResultsPublication, Round, RoundStatus, utcnow
from app.services import mail, report_releases, results
from app.services.results import MAX_NOTE_LENGTH, PublicationRefused, ResultsChoices

ACTIONS = ("publish", "save", "withdraw")


class ResultsForm(FlaskForm):
    show_needs = BooleanField(_l("The needs each group named most"), default=True)
    show_turnout = BooleanField(_l("Who took part, against the number of people in each group"), default=True)
    show_profile = BooleanField(_l("The criteria profile: how people rate the community on each criterion"),
                                default=True)
    before_closing = BooleanField(_l("Publish before the round closes: the page shows the figures released so far, "
                                     "not the final ones"))


@dataclass(frozen=True)
class NoteBoxes:
    """One need, and a box for its note in each of the community's languages."""

    question: Question
    boxes: list[tuple[str, str, str]]  # (language, field name, value)
    problem: str | None = None

    def texts(self) -> dict[str, str]:
        return {language: value for language, _name, value in self.boxes}


@bp.route("/rounds/<int:round_id>/results", methods=["GET", "POST"])
@login_required
def results_for_citizens(round_id: int):
    survey_round = require_round(round_id)
    if survey_round.is_panel:  # attributed ratings, read by the coordinators: no public page
        abort(404)
    publication = results.publication_of(survey_round)
    form = ResultsForm(obj=publication)
    notes = note_boxes(survey_round, publication)
    refusal = None
    if form.validate_on_submit() and not any(n.problem for n in notes):
        action = request.form.get("action")
        if action not in ACTIONS:
            abort(400)
        try:
            done = act(action, survey_round, form, notes)
        except PublicationRefused as refused:
            db.session.rollback()
            refusal = refusal_message(refused.code)
        else:
            if done:
                return redirect(url_for("coordinate.results_for_citizens", round_id=round_id)), 303
    submitted_with_problems = form.is_submitted() and (form.errors or refusal or any(n.problem for n in notes))
    return render_template(
        "coordinate/results_form.html", round=survey_round, community=survey_round.community, form=form,
        notes=notes, publication=publication, refusal=refusal, closed=survey_round.status is RoundStatus.CLOSED,
        release=report_releases.latest_release(survey_round.id),
        waiting=results.subscriber_count(survey_round.id), mail_configured=mail.configured(current_app.config),
        max_note_length=MAX_NOTE_LENGTH,
    ), 400 if submitted_with_problems else 200


def act(action: str, survey_round: Round, form: ResultsForm, notes: list[NoteBoxes]) -> bool:
    """Do what the pressed button asks; False when the form must come back (a tick missing)."""
    if action == "withdraw":
        if results.withdraw(survey_round, current_user) is not None:
            db.session.commit()
            flash(_("The results page is withdrawn: citizens no longer see it. Your choices are kept."), "info")
        return True
    choices = ResultsChoices(show_needs=form.show_needs.data, show_turnout=form.show_turnout.data,
                             show_profile=form.show_profile.data, notes={n.question.key: n.texts() for n in notes})
    if action == "publish":
        if survey_round.status is not RoundStatus.CLOSED and not form.before_closing.data:
            form.before_closing.errors = [_("The round is still open: tick this to publish its figures so far.")]
            return False
        publication = results.publish(survey_round, current_user, choices, utcnow())
        flash(_("Published: everyone can read the results page."), "info")
    else:
        publication = results.update(survey_round, current_user, choices)
        flash(_("Saved."), "info")
    db.session.commit()
    tell_those_who_asked(publication)
    return True


def tell_those_who_asked(publication: ResultsPublication) -> None:
    """After a publication, once: queue the mail to those who asked to be told (with nobody
    waiting, the task only notes that everyone was told). Saving a published page queues it
    again if it could not be queued before (the broker was down)."""
    if not results.needs_notice(publication):
        return
    from app.tasks import request_results_notice  # the tasks module imports the services; keep imports one way

    if not request_results_notice(publication.round_id):
        flash(_("The background workers cannot be reached just now: the people who asked to be told will be "
                "written to when you save this page again."), "error")


def note_boxes(survey_round: Round, publication: ResultsPublication | None) -> list[NoteBoxes]:
    """The note boxes of each need the round asks; values from the submitted form, so nothing
    typed is lost on an error, else as saved."""
    saved = (publication.notes if publication else None) or {}
    community = survey_round.community
    languages = [community.default_language, *(code for code in community.languages
                                               if code != community.default_language)]
    found = []
    for question in results.need_questions(survey_round):
        boxes = []
        for language in languages:
            name = f"note_{question.key}_{language}"
            as_saved = saved.get(question.key, {}).get(language, "")
            boxes.append((language, name, request.form.get(name, "") if request.method == "POST" else as_saved))
        too_long = any(len(value) > MAX_NOTE_LENGTH for _language, _name, value in boxes)
        found.append(NoteBoxes(question, boxes, _("At most %(count)s characters.", count=MAX_NOTE_LENGTH)
                               if too_long else None))
    return found


def refusal_message(code: str) -> str:
    return {
        "no_release": _("There is nothing to publish yet: the round has no release. Publish the figures so far "
                        "from the round's page, or close the round; its final report is then released."),
        "named_panel": _("A named panel's ratings have no public results page."),
    }.get(code, _("This cannot be done now."))
