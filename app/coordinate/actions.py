"""Actions against needs: what a community does about what a round found, with their status,
progress and dated updates (the rules in app.domain.actions, the rows in services.actions).

Who may: the community's coordinators and admins (and those of a community above it) do
everything; a stakeholder whose membership says may_record_actions (a partner organisation's
person, let in by an admin under "People with access") records actions and updates, but does
not delete them. Anyone else gets 404, as on every coordinator page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import MANAGING_ROLES, may_record_actions, role_over
from app.coordinate import bp
from app.coordinate.action_forms import ActionForm, UpdateForm, action_form_for, update_form_for
from app.coordinate.forms import ConfirmForm, options
from app.domain import actions as rules
from app.domain.actions import ActionProblem
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, named, pick_translation
from app.models import Action, ActionStatus, Community, Criterion, Membership, PartnerSector, Role, Round, User
from app.services import actions as action_service
from app.services.actions import ActionRefused, ActionSpec


# -- who may -----------------------------------------------------------------------------------


def manages(community: Community) -> bool:
    return role_over(current_user, community) in MANAGING_ROLES


def require_recorder(community: Community | None) -> Community:
    """The community, if the current user may record its actions; 404 otherwise."""
    if community is None or not may_record_actions(current_user, community):
        abort(404)
    return community


def action_or_404(action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    require_recorder(action.community if action else None)
    return action  # type: ignore[return-value]


def round_or_404(round_id: int) -> Round:
    survey_round = db.session.get(Round, round_id)
    require_recorder(survey_round.community if survey_round else None)
    return survey_round  # type: ignore[return-value]


# -- what an action names, in the page language ------------------------------------------------


class Names:
    """The round's needs (by their wording), criteria and groups, each by key, in survey order."""

    def __init__(self, survey_round: Round):
        definition = survey_round.definition()
        community = survey_round.community
        fallback = [community.default_language, *survey_round.languages]
        self.needs = {key: pick_translation(definition.question(key).text, fallback)
                      for key in rules.needs_of(definition)}
        criterion_keys = rules.scored_criteria(definition)
        known = {c.key: c for c in db.session.scalars(select(Criterion).where(Criterion.key.in_(criterion_keys)))}
        self.criteria = {key: pick_translation(known[key].name, fallback) if key in known else key
                         for key in criterion_keys}
        self.groups = {g.key: named(g) for g in survey_round.groups}

    def of(self, kind: str, keys: list[str]) -> list[str]:
        """Names for keys; a key the round no longer offers is shown as it is stored."""
        names = getattr(self, kind)
        return [names.get(key, key) for key in keys]


# -- pages -------------------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/actions")
@login_required
def actions(round_id: int):
    survey_round = round_or_404(round_id)
    community = survey_round.community
    partners = list(db.session.scalars(
        select(Membership).join(User).where(Membership.community_id == community.id, Membership.role == Role.STAKEHOLDER)
        .order_by(User.name))) if manages(community) else []
    return render_template("coordinate/actions.html", round=survey_round, community=community,
                           actions=action_service.actions_of_round(survey_round.id), names=Names(survey_round),
                           manages=manages(community), partners=partners)


@bp.route("/rounds/<int:round_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(round_id: int):
    return _action_form_page(round_or_404(round_id), None)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(action_id: int):
    action = action_or_404(action_id)
    return _action_form_page(action.round, action)


@bp.get("/actions/<int:action_id>")
@login_required
def action_page(action_id: int):
    action = action_or_404(action_id)
    form = update_form_for(action.community)
    form.on.data = action_service.community_today(action.community)
    return _render_action(action, form)


@bp.post("/actions/<int:action_id>/updates")
@login_required
def add_action_update(action_id: int):
    action = action_or_404(action_id)
    form = update_form_for(action.community)
    if form.validate_on_submit():
        try:
            action_service.add_update(action, form.on.data, form.texts("text"), actor_id=current_user.id)
        except ActionRefused as refused:
            db.session.rollback()
            _show_problems(form, refused.problems)
        else:
            db.session.commit()
            flash(_("Update added."), "info")
            return redirect(url_for("coordinate.action_page", action_id=action.id, _anchor="updates"), 303)
    return _render_action(action, form), 400


@bp.post("/actions/<int:action_id>/delete")
@login_required
def delete_action(action_id: int):
    action = action_or_404(action_id)
    if not manages(action.community):
        abort(403)  # partners record actions; removing one is for the community's coordinators
    ConfirmForm().validate_on_submit() or abort(400)
    round_id = action.round_id
    action_service.delete(action, actor_id=current_user.id)
    db.session.commit()
    flash(_("The action is removed."), "info")
    return redirect(url_for("coordinate.actions", round_id=round_id), 303)


# -- the form of an action ---------------------------------------------------------------------


def _action_form_page(survey_round: Round, action: Action | None):
    community = survey_round.community
    names = Names(survey_round)
    form = action_form_for(community, statuses=rules.statuses_from(action.status.value if action else None))
    _offer_choices(form, names, action)
    if request.method == "GET":
        _fill(form, action)
    if form.validate_on_submit():
        try:
            saved = _save(survey_round, action, _spec_of(form))
        except ActionRefused as refused:
            db.session.rollback()
            _show_problems(form, refused.problems)
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("coordinate.action_page", action_id=saved.id), 303)
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("coordinate/action_form.html", form=form, round=survey_round, community=community,
                           action=action, manages=manages(community)), status


def _save(survey_round: Round, action: Action | None, spec: ActionSpec) -> Action:
    if action is None:
        return action_service.create(survey_round, spec, actor_id=current_user.id)
    return action_service.update(action, spec, actor_id=current_user.id)


def _offer_choices(form: ActionForm, names: Names, action: Action | None) -> None:
    """The round's needs, criteria and groups, and whatever the action names already."""
    for kind in ("needs", "criteria", "groups"):
        offered = dict(getattr(names, kind))
        for key in getattr(action, kind, None) or []:
            offered.setdefault(key, key)
        form[kind].choices = options(offered.items())
    if not form.needs.choices:  # the partners' survey, the self-assessment: they score criteria only
        form.needs.description = _("The round's survey asks about no needs: choose the criteria the action "
                                   "answers.")


def _fill(form: ActionForm, action: Action | None) -> None:
    if action is None:
        form.status.data = ActionStatus.PLANNED.value
        return
    for prefix in ("title", "description", "dropped_reason"):
        form.fill(prefix, getattr(action, prefix))
    form.needs.data, form.criteria.data = list(action.needs), list(action.criteria)
    form.groups.data = list(action.groups)
    form.carried_by.data = action.carried_by
    form.sector.data = action.sector.value if action.sector else ""
    form.status.data = action.status.value
    form.progress.data = action.progress


def _spec_of(form: ActionForm) -> ActionSpec:
    return ActionSpec(
        title=form.texts("title"), description=form.texts("description"), needs=form.needs.data or [],
        criteria=form.criteria.data or [], groups=form.groups.data or [], carried_by=form.carried_by.data or "",
        sector=PartnerSector(form.sector.data) if form.sector.data else None,
        status=ActionStatus(form.status.data),
        dropped_reason=form.texts("dropped_reason"), progress=form.progress.data)


def _show_problems(form: ActionForm | UpdateForm, problems: list[ActionProblem]) -> None:
    """Each problem next to its field (a text's next to its language's box)."""
    for problem in problems:
        if problem.field in ("title", "description", "dropped_reason", "text"):
            field = form.box(problem.field, problem.language)
        else:
            field = form[problem.field]
        field.errors = [*field.errors, problem_message(problem)]


def problem_message(problem: ActionProblem) -> str:
    """What someone reads when an action or an update cannot be saved (app.domain.actions)."""
    language = LANGUAGE_NAMES.get(problem.language or "", problem.language or "")
    if problem.code == "too_long":
        return _("At most %(limit)s characters.", limit=problem.limit)
    return {
        ("title", "missing"): _("Give the title in %(language)s, the community's main language.",
                                language=language),
        ("needs", "nothing_answered"): _("Choose at least one need or criterion that the action answers."),
        ("needs", "unknown"): _("Choose needs from the list."),
        ("criteria", "unknown"): _("Choose criteria from the list."),
        ("groups", "unknown"): _("Choose groups from the list."),
        ("status", "unknown"): _("Choose a status from the list."),
        ("status", "not_allowed"): _("The action cannot go from its present status to this one."),
        ("dropped_reason", "missing"): _("Say why the action was dropped, at least in %(language)s.",
                                         language=language),
        ("progress", "out_of_range"): _("A whole number from 0 to 100."),
        ("on", "in_future"): _("An update tells what has happened: give today's date or an earlier one."),
        ("text", "missing"): _("Write what happened, at least in %(language)s.", language=language),
    }.get((problem.field, problem.code), _("This cannot be saved as it is."))


def _render_action(action: Action, form: UpdateForm):
    return render_template("coordinate/action.html", action=action, round=action.round,
                           community=action.community, names=Names(action.round), form=form, confirm=ConfirmForm(),
                           manages=manages(action.community))
