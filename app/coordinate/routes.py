"""Coordinators' pages: communities, their groups, and the rounds asked in them.

Every view checks first that the user coordinates the community (or a community above it),
with app.auth.access; anyone else gets 404, so nobody learns which communities exist.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import (
    MANAGING_ROLES,
    communities_of,
    require_admin,
    require_managed,
    require_round,
    role_over,
)
from app.coordinate import audit_text, bp
from app.coordinate.forms import (
    CommunityForm,
    ConfirmForm,
    GroupForm,
    ReopenForm,
    RoundForm,
    options,
    to_local,
    to_utc,
)
from app.domain.naming import slugify
from app.domain.community_rules import MoveRefused
from app.domain.round_rules import RoundRuleError
from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from app.models import (
    Community,
    CommunityKind,
    Group,
    GroupKind,
    ReleaseKind,
    Role,
    Round,
    RoundKind,
    Survey,
    utcnow,
)
from app.request_guards import database_id
from app.reports.presenting import load_report
from app.services import audit, communities, report_releases, rounds, survey_authoring
from app.services.outreach import complete_responses_per_round, response_counts_by_group

@bp.context_processor  # only the coordinator pages use these
def coordinator_helpers() -> dict[str, object]:
    def community_role(community: Community) -> str | None:
        role = role_over(current_user, community)
        return role.value if role else None

    return {"community_role": community_role,
            "audit_actor": audit_text.actor, "audit_action": audit_text.action}


def move_message(code: str) -> str:
    """Why a community cannot be moved there (app.domain.community_rules codes)."""
    return {
        "into_itself": _("A community cannot be part of itself or of a community within it."),
        "top_level_site_admins_only": _("Only a site admin can make a community one of its own."),
        "not_admin_of_old_parent": _("Only an admin of the community it is part of now can move it."),
        "not_admin_of_new_parent": _("Only an admin of the community it would become part of can move it there."),
    }.get(code, _("This cannot be done now."))


def rule_message(code: str) -> str:
    """What a coordinator reads when a step is refused (app.domain.round_rules codes)."""
    return {
        "not_draft": _("This round has been launched already."),
        "not_open": _("Only an open round can be paused."),
        "not_paused": _("Only a paused round can be resumed."),
        "not_running": _("This round is not running, so it cannot be closed."),
        "not_closed": _("Only a closed round can be reopened."),
        "no_groups": _("Choose at least one group before launching."),
        "no_languages": _("Choose at least one language before launching."),
        "closing_time_passed": _("The closing time has passed: set a later one first."),
        "closes_before_opening": _("The round must close after it opens."),
        "survey_fixed_after_answers": _(
            "People have answered this round, so its questions stay as they are. "
            "Duplicate it to ask a newer version of the survey."),
        "group_has_answers": _("A group whose people have answered cannot be taken out of the round."),
        "kind_fixed_after_answers": _("People have answered this round, so who answers (anonymously or as a "
                                      "named panel) stays as it is."),
        "unknown_survey": _("Choose a survey from the list."),
        "unknown_group": _("Choose groups of this community."),
        "language_not_offered": _("Choose languages both the survey and the community offer."),
        "not_wording_only": _("This version changes questions, not only their wording, and people have answered "
                              "this round: duplicate the round to ask it."),
    }.get(code, _("This cannot be done now."))


# -- communities -------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    managed = communities_of(current_user, MANAGING_ROLES)
    administered = communities_of(current_user, {Role.ADMIN})
    return render_template("coordinate/index.html", communities=managed,
                           can_create=current_user.site_admin or bool(administered))


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new_community():
    parents = _possible_parents()
    if not current_user.site_admin and not parents:
        abort(404)
    form = CommunityForm(parents=[(c.id, c.name) for c in parents])
    if request.method == "GET":
        form.parent_id.data = int(request.args["parent"]) if request.args.get("parent", "").isdigit() else 0
        form.languages.data, form.default_language.data = ["en"], "en"
    if form.validate_on_submit():
        parent = next((c for c in parents if c.id == form.parent_id.data), None)
        if parent is None and not current_user.site_admin:
            form.parent_id.errors.append(_("Choose the community this one is part of."))
        elif communities.slug_taken(form.slug.data or slugify(form.name.data)):
            form.slug.errors.append(_("This short name is taken: choose another."))
        else:
            community = communities.create(_community_spec(form), form.slug.data or slugify(form.name.data), parent,
                                           current_user)
            audit.record("community_created", community_id=community.id, user_id=current_user.id,
                         name=community.name)
            db.session.commit()
            flash(_("%(name)s is ready. Now add the groups of people it wants to reach.", name=community.name),
                  "info")
            return redirect(url_for("coordinate.groups", community_id=community.id))
    return render_template("coordinate/community_form.html", form=form, community=None), _status(form)


@bp.get("/communities/<int:community_id>")
@login_required
def community(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    community_rounds = db.session.scalars(
        select(Round).where(Round.community_id == community.id).order_by(Round.began_at.desc(), Round.id.desc())
    ).all()
    counts = complete_responses_per_round([r.id for r in community_rounds])
    return render_template("coordinate/community.html", community=community, rounds=community_rounds,
                           counts=counts)


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@login_required
def edit_community(community_id: int):
    community = require_admin(db.session.get(Community, community_id))
    below = communities.descendants(community)
    parents = [c for c in _possible_parents() if c.id != community.id and c.id not in below]
    if community.parent and community.parent not in parents:
        parents.insert(0, community.parent)  # keep the current parent choosable
    form = CommunityForm(obj=community, parents=[(c.id, c.name) for c in parents])
    names, neighbourhoods = _translation_fields(community, community.name_translations), _neighbourhood_fields(community)
    if request.method == "GET":
        form.kind.data = community.kind.value  # the enum itself matches no choice: the form would show the first
        form.parent_id.data = community.parent_id or 0
        form.neighbourhoods.data = "\n".join(n["name"].get(community.default_language) or next(iter(n["name"].values()))
                                             for n in community.neighbourhoods)
    if form.validate_on_submit():
        slug = form.slug.data or community.slug
        new_parent = next((c for c in parents if c.id == form.parent_id.data), None)
        try:
            communities.move(community, new_parent, current_user)
        except MoveRefused as refused:
            form.parent_id.errors.append(move_message(refused.code))
        if slug != community.slug and communities.slug_taken(slug):
            form.slug.errors.append(_("This short name is taken: choose another."))
        elif not form.parent_id.errors:
            communities.update(community, _community_spec(form, names, neighbourhoods), slug)
            audit.record("community_edited", community_id=community.id, user_id=current_user.id)
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("coordinate.community", community_id=community.id))
    return render_template("coordinate/community_form.html", form=form, community=community, names=names,
                           neighbourhoods=neighbourhoods), _status(form)


@bp.get("/communities/<int:community_id>/audit")
@login_required
def audit_log(community_id: int):
    community = require_admin(db.session.get(Community, community_id))
    before = request.args.get("before", type=database_id)
    events = audit.events_of(community.id, limit=100, before_id=before)
    return render_template("coordinate/audit.html", community=community, events=events)


def _community_spec(form: CommunityForm, names: list[tuple[str, str, str]] = (),
                    neighbourhoods: list[tuple[str, str, str]] = ()) -> communities.CommunitySpec:
    """The form's values; `names` and `neighbourhoods`: the same in the community's other languages."""
    return communities.CommunitySpec(
        name=form.name.data, name_translations=_translations_given(names), kind=CommunityKind(form.kind.data),
        languages=[code for code in LANGUAGE_NAMES if code in form.languages.data],
        default_language=form.default_language.data, timezone=form.timezone.data,
        min_group_size=form.min_group_size.data, neighbourhoods=form.neighbourhood_names(),
        neighbourhood_translations={language: lines.splitlines() for language, _, lines in neighbourhoods})


def _possible_parents() -> list[Community]:
    """Communities the user administers: a new community can be created inside them."""
    return communities_of(current_user, {Role.ADMIN})


# -- groups ------------------------------------------------------------------------------------


@bp.get("/communities/<int:community_id>/groups")
@login_required
def groups(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    return render_template("coordinate/groups.html", community=community,
                           answered=communities.groups_with_answers(community),
                           confirm=ConfirmForm())


@bp.route("/communities/<int:community_id>/groups/new", methods=["GET", "POST"])
@login_required
def new_group(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    form = GroupForm()
    translations = _translation_fields(community, None)
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in ("citizens", "stakeholders") \
            else "citizens"
        form.position.data = len(community.groups)
    if form.validate_on_submit():
        group = communities.create_group(community, _group_spec(form, translations))
        audit.record("group_created", community_id=community.id, group_id=group.id, user_id=current_user.id,
                     name=group.name)
        db.session.commit()
        flash(_("Group %(name)s added.", name=group.name), "info")
        return redirect(url_for("coordinate.groups", community_id=community.id))
    return render_template("coordinate/group_form.html", form=form, community=community, group=None,
                           translations=translations), _status(form)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit_group(group_id: int):
    group = db.get_or_404(Group, group_id)
    community = require_managed(group.community)
    form = GroupForm(obj=group)
    translations = _translation_fields(community, group.name_translations)
    if request.method == "GET":
        form.kind.data = group.kind.value
    if form.validate_on_submit():
        communities.update_group(group, _group_spec(form, translations))
        audit.record("group_edited", community_id=community.id, group_id=group.id, user_id=current_user.id)
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("coordinate.groups", community_id=community.id))
    return render_template("coordinate/group_form.html", form=form, community=community, group=group,
                           translations=translations), _status(form)


@bp.post("/groups/<int:group_id>/delete")
@login_required
def delete_group(group_id: int):
    group = db.get_or_404(Group, group_id)
    community = require_managed(group.community)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        communities.delete_group(group)
    except communities.GroupHasAnswers:
        flash(_("People of %(name)s have answered, so the group stays: their answers need it.", name=group.name),
              "error")
        return redirect(url_for("coordinate.groups", community_id=community.id)), 303
    audit.record("group_deleted", community_id=community.id, user_id=current_user.id, name=group.name)
    db.session.commit()
    flash(_("Group %(name)s removed.", name=group.name), "info")
    return redirect(url_for("coordinate.groups", community_id=community.id)), 303


def _translation_fields(community: Community, saved: dict[str, str] | None, prefix: str = "name",
                        max_length: int = 200) -> list[tuple[str, str, str]]:
    """(language, field name, value) for a name (a group's, the community's, a round's title) in
    the community's other languages; the values come from the submitted form, so nothing typed
    is lost on an error."""
    fields = []
    for language in community.languages:
        if language == community.default_language:
            continue
        name = f"{prefix}_{language}"
        fields.append((language, name, request.form.get(name, (saved or {}).get(language, ""))[:max_length]))
    return fields


def _translations_given(fields: list[tuple[str, str, str]]) -> dict[str, str]:
    return {language: value.strip() for language, _, value in fields if value.strip()}


def _neighbourhood_fields(community: Community) -> list[tuple[str, str, str]]:
    """(language, field name, lines) for the neighbourhoods' names in the community's other
    languages, one line per neighbourhood in the order of the main list."""
    saved = {language: "\n".join(n["name"].get(language, "") for n in community.neighbourhoods or [])
             for language in community.languages}
    return _translation_fields(community, saved, prefix="neighbourhoods", max_length=20_000)


def _group_spec(form: GroupForm, translations: list[tuple[str, str, str]]) -> communities.GroupSpec:
    return communities.GroupSpec(
        name=form.name.data, name_translations=_translations_given(translations), kind=GroupKind(form.kind.data),
        population=form.population.data, target_responses=form.target_responses.data,
        position=form.position.data or 0)



# -- rounds ------------------------------------------------------------------------------------


@bp.route("/communities/<int:community_id>/rounds/new", methods=["GET", "POST"])
@login_required
def new_round(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    surveys = rounds.surveys_to_choose(community)
    form = _round_form(community, surveys)
    titles = _translation_fields(community, None, prefix="title")
    if request.method == "GET":
        form.group_ids.data = [g.id for g in community.groups if g.kind is GroupKind.CITIZENS]
        form.languages.data = list(community.languages)
    if form.validate_on_submit() and not _untranslated_languages(form):
        try:
            survey_round = rounds.create(community, _round_spec(form, community, titles))
        except RoundRuleError as error:
            db.session.rollback()
            form.survey_id.errors.append(rule_message(error.code))
        else:
            audit.record("round_created", community_id=community.id, round_id=survey_round.id,
                         user_id=current_user.id, title=survey_round.title)
            db.session.commit()
            flash(_("The round is saved as a draft. Check it, then launch it."), "info")
            return redirect(url_for("coordinate.round_page", round_id=survey_round.id))
    return render_template("coordinate/round_form.html", form=form, community=community, round=None,
                           surveys=surveys, titles=titles), _status(form)


@bp.get("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    survey_round = require_round(round_id)
    counts = response_counts_by_group(survey_round.id)
    newer = rounds.newer_version(survey_round) if survey_round.status.value != "closed" else None
    return render_template(
        "coordinate/round.html", round=survey_round, community=survey_round.community, counts=counts,
        newer=newer, can_adopt=newer is not None and rounds.can_adopt(survey_round, newer),
        total=sum(counts.values()), confirm=ConfirmForm(), reopen=ReopenForm(),
        answered=rounds.has_responses(survey_round.id), release=report_releases.latest_release(survey_round.id),
    )


@bp.get("/rounds/<int:round_id>/launch")
@login_required
def confirm_launch(round_id: int):
    """Before launching: when it opens and closes, to whom and in which languages, and what
    can no longer change once people answer (the launch itself is the POST)."""
    survey_round = require_round(round_id)
    if survey_round.status.value != "draft":
        return redirect(url_for("coordinate.round_page", round_id=round_id))
    community = survey_round.community
    return render_template("coordinate/launch_confirm.html", round=survey_round, community=community,
                           confirm=ConfirmForm(),
                           opens_later=bool(survey_round.opens_at and survey_round.opens_at > utcnow()))


@bp.get("/rounds/<int:round_id>/close")
@login_required
def confirm_close(round_id: int):
    """Before closing: what the final report will count, and what it will have to hold back
    against what stakeholders have seen already (the release rule), so that a coordinator can
    keep the round open a little longer instead."""
    survey_round = require_round(round_id)
    if survey_round.status.value not in ("scheduled", "open", "paused"):
        return redirect(url_for("coordinate.round_page", round_id=round_id))
    return _release_preview(survey_round, ReleaseKind.FINAL)


@bp.route("/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@login_required
def publish_report(round_id: int):
    """Publish the figures so far to the round's stakeholders (an interim release)."""
    survey_round = require_round(round_id)
    if survey_round.status.value not in ("open", "paused") or survey_round.is_panel:
        return redirect(url_for("coordinate.round_page", round_id=round_id))
    if request.method == "GET":
        return _release_preview(survey_round, ReleaseKind.INTERIM)
    if not ConfirmForm().validate_on_submit():
        flash(_("Your session had expired: please press the button again."), "error")
        return redirect(url_for("coordinate.publish_report", round_id=round_id)), 303
    report_releases.request_release(survey_round.id, current_user.id, utcnow())
    audit.record("report_published", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=current_user.id)
    db.session.commit()
    from app.tasks import request_report  # the tasks module imports the services; keep imports one way

    if not request_report(survey_round.id):
        flash(_("The background workers cannot be reached just now: the figures will be published as soon as "
                "they are back."), "error")
    elif current_app.extensions["celery"].conf.task_always_eager:  # no broker: made here, now
        flash(_("Published: stakeholders now see the figures of this round so far."), "info")
    else:
        flash(_("The figures are being published: stakeholders see them in a minute."), "info")
    return redirect(url_for("coordinate.round_page", round_id=round_id)), 303


def _release_preview(survey_round: Round, kind: ReleaseKind):
    if survey_round.is_panel:  # its ratings are attributed and read live: there is no release to preview
        return render_template("coordinate/release_confirm.html", round=survey_round, community=survey_round.community,
                               kind=kind.value, preview=None, held={}, confirm=ConfirmForm(), release=None)
    preview = report_releases.preview(survey_round, kind)
    names = load_report(survey_round, lambda _round: True)  # its coordinators read it live
    held: dict[str, list[str]] = {}
    for figure in preview.held_back:
        section = names.name_of(figure.section) if names else figure.section
        held.setdefault(section, []).append(names.figure_name(figure.figure) if names else ":".join(figure.figure))
    return render_template(
        "coordinate/release_confirm.html", round=survey_round, community=survey_round.community, kind=kind.value,
        preview=preview, held=held, confirm=ConfirmForm(), release=report_releases.latest_release(survey_round.id),
    )


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit_round(round_id: int):
    survey_round = require_round(round_id)
    community = survey_round.community
    surveys = rounds.surveys_to_choose(community)
    if survey_round.survey not in surveys:
        surveys.insert(0, survey_round.survey)  # the pinned version stays choosable
    form = _round_form(community, surveys, obj=survey_round)
    titles = _translation_fields(community, survey_round.title_translations, prefix="title")
    if request.method == "GET":
        form.survey_id.data = survey_round.survey_id
        form.group_ids.data = [g.id for g in survey_round.groups]
        form.languages.data = list(survey_round.languages)
        form.opens_at.data = to_local(survey_round.opens_at, community.timezone)
        form.closes_at.data = to_local(survey_round.closes_at, community.timezone)
    if form.validate_on_submit() and not _untranslated_languages(form):
        try:
            rounds.update(survey_round, _round_spec(form, community, titles))
        except RoundRuleError as error:
            db.session.rollback()
            target = {"group_has_answers": form.group_ids, "kind_fixed_after_answers": form.kind}.get(
                error.code, form.survey_id)
            target.errors.append(rule_message(error.code))
        else:
            audit.record("round_edited", community_id=community.id, round_id=survey_round.id,
                         user_id=current_user.id)
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("coordinate.round_page", round_id=survey_round.id))
    return render_template("coordinate/round_form.html", form=form, community=community, round=survey_round,
                           surveys=surveys, answered=rounds.has_responses(survey_round.id), titles=titles), _status(form)


@bp.post("/rounds/<int:round_id>/<any(launch, pause, resume, close, reopen):action>")
@login_required
def round_action(round_id: int, action: str):
    survey_round = require_round(round_id)
    form = ReopenForm() if action == "reopen" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Your session had expired: please press the button again."), "error")
        return redirect(url_for("coordinate.round_page", round_id=round_id)), 303
    if action == "reopen" and form.closes_at.data:
        survey_round.closes_at = to_utc(form.closes_at.data, survey_round.community.timezone)
    try:
        status = rounds.act(survey_round, action, utcnow())
    except RoundRuleError as error:
        db.session.rollback()
        flash(rule_message(error.code), "error")
        return redirect(url_for("coordinate.round_page", round_id=round_id)), 303
    audit.record(f"round_{action}ed" if not action.endswith("e") else f"round_{action}d",
                 community_id=survey_round.community_id, round_id=survey_round.id, user_id=current_user.id,
                 status=status.value)
    db.session.commit()
    if status.value == "closed":
        from app.tasks import request_report  # the tasks module imports the services; keep imports one way

        request_report(survey_round.id)  # its final report
    flash(_("The round is now %(status)s.", status=_status_word(status)), "info")
    return redirect(url_for("coordinate.round_page", round_id=round_id)), 303


@bp.post("/rounds/<int:round_id>/adopt")
@login_required
def adopt_version(round_id: int):
    """Move a round to the newer version of its survey (any, before the first answer; after,
    one that changes only wording and translations)."""
    survey_round = require_round(round_id)
    ConfirmForm().validate_on_submit() or abort(400)
    newer = rounds.newer_version(survey_round)
    if newer is None or survey_round.status.value == "closed":
        return redirect(url_for("coordinate.round_page", round_id=round_id)), 303
    old_version = survey_round.survey.version
    try:
        rounds.adopt(survey_round, newer)
    except RoundRuleError as error:
        db.session.rollback()
        flash(rule_message(error.code), "error")
        return redirect(url_for("coordinate.round_page", round_id=round_id)), 303
    audit.record("round_survey_updated", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=current_user.id, from_version=old_version, to_version=newer.version)
    db.session.commit()
    if survey_round.status.value != "draft":
        from app.tasks import request_report  # the tasks module imports the services; keep imports one way

        request_report(survey_round.id)  # its report shows the new wording
    flash(_("The round now asks version %(version)s.", version=newer.version), "info")
    return redirect(url_for("coordinate.round_page", round_id=round_id)), 303


@bp.post("/rounds/<int:round_id>/duplicate")
@login_required
def duplicate_round(round_id: int):
    survey_round = require_round(round_id)
    ConfirmForm().validate_on_submit() or abort(400)
    copy = rounds.duplicate(survey_round)
    audit.record("round_duplicated", community_id=survey_round.community_id, round_id=copy.id,
                 user_id=current_user.id, copied_from=survey_round.id)
    db.session.commit()
    flash(_("A new draft repeats this round. Set its times, then launch it."), "info")
    return redirect(url_for("coordinate.edit_round", round_id=copy.id)), 303


def _round_form(community: Community, surveys, obj=None) -> RoundForm:
    from app.coordinate.surveys import survey_label  # the editor's module builds on this one
    form = RoundForm(obj=obj)
    form.survey_id.choices = options((s.id, survey_label(s, community)) for s in surveys)
    form.group_ids.choices = options((g.id, g.display_name(community.default_language)) for g in community.groups)
    form.languages.choices = options((code, LANGUAGE_NAMES[code]) for code in community.languages)
    return form


def _untranslated_languages(form: RoundForm) -> bool:
    """Whether languages were chosen that the survey is not yet translated into (a community's
    own survey may lack some): they are named on the form with how many texts are missing."""
    survey = db.session.get(Survey, form.survey_id.data)
    if survey is None:
        return False
    missing = {language: survey_authoring.missing_text_count(survey, language)
               for language in form.languages.data if language not in survey.languages}
    if missing:
        form.languages.errors = list(form.languages.errors) + [_(
            "The survey is not yet translated into %(languages)s: untick it, or translate the survey and publish "
            "it again.", languages=", ".join(
                _("%(language)s (%(count)s texts missing)", language=LANGUAGE_NAMES[language], count=count)
                for language, count in missing.items()))]
    return bool(missing)


def _round_spec(form: RoundForm, community: Community, titles: list[tuple[str, str, str]] = ()) -> rounds.RoundSpec:
    return rounds.RoundSpec(
        title=form.title.data, title_translations=_translations_given(titles), survey_id=form.survey_id.data, group_ids=form.group_ids.data,
        languages=form.languages.data, opens_at=to_utc(form.opens_at.data, community.timezone),
        closes_at=to_utc(form.closes_at.data, community.timezone),
        one_response_per_browser=form.one_response_per_browser.data,
        kind=RoundKind(form.kind.data), panel_shared=form.panel_shared.data,
    )


def _status_word(status) -> str:
    from app.i18n import round_status_label

    return round_status_label(status)


def _status(form) -> int:
    """400 when a submitted form comes back with errors, so clients and tests can tell."""
    return 400 if form.is_submitted() and form.errors else 200
