"""The survey editor: a community's own surveys, their pages, publishing versions, and what the
editor's other modules share (questions: survey_questions; translations: survey_translations;
XLSForm and YAML: survey_exchange; the preview: survey_preview).

Server-rendered forms, one change per request, so it works on a phone without JavaScript. Every
change is applied to the draft by app.domain.survey_drafts (which refuses what would break it)
and checked by the same validator as the survey files; a question with a problem is not saved,
and the form comes back with what was typed and the problem next to its field.

Only the community's coordinators and admins (and those of the communities it is part of) reach
these pages: anyone else gets 404, as on every coordinator page.
"""

from __future__ import annotations


from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import require_managed
from app.coordinate import bp
from app.coordinate.forms import ConfirmForm, options
from app.coordinate.survey_forms import (
    COMPARISON_LABELS,
    CopySurveyForm,
    ImportForm,
    NewSurveyForm,
    PageForm,
    QUESTION_TYPE_CHOICES,
    SettingsForm,
    TranslationUploadForm,
)
from app.domain import survey_drafts, survey_texts
from app.domain.xlsx_reading import LIMITS, XlsxRefused
from app.domain.survey_drafts import EditRefused
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, pick_translation
from app.models import AuthoredSurvey, Community, Criterion, Survey
from app.services import audit, communities, survey_authoring
from app.services.rounds import surveys_to_choose



def refusal_message(refused: EditRefused) -> str:
    """Why an edit was refused (app.domain.survey_drafts codes)."""
    return {
        "needed_by_conditions": _("Other questions are shown depending on this one (%(keys)s): change their "
                                  "display condition first.", keys=", ".join(refused.details.get("questions", []))),
        "condition_on_itself": _("A question cannot depend on its own answer."),
        "condition_on_later": _("A question can only depend on questions asked before it: this change would make "
                                "“%(key)s” depend on a later one.", key=refused.details.get("question", "")),
        "page_not_empty": _("Move or remove the page's questions first."),
        "last_page": _("A survey keeps at least one page."),
        "unknown_question": _("That question is not in this survey any more."),
        "unknown_page": _("That page is not in this survey any more."),
    }.get(refused.code, _("This cannot be done now."))


def require_authored(authored_id: int) -> AuthoredSurvey:
    authored = db.session.get(AuthoredSurvey, authored_id)
    if authored is None:
        abort(404)
    require_managed(authored.community)
    return authored


def record(action: str, authored: AuthoredSurvey, **details) -> None:
    audit.record(action, community_id=authored.community_id, user_id=current_user.id, survey=authored.key,
                 **details)


# -- the list of a community's surveys ---------------------------------------------------------


@bp.get("/communities/<int:community_id>/surveys")
@login_required
def surveys(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    return surveys_page(community)


def surveys_page(community: Community, new_form=None, copy_form=None, import_form=None, status=200,
                  import_problems=()):
    copy_form = copy_form or CopySurveyForm(formdata=None)
    usable = surveys_to_choose(community)
    copy_form.survey_id.choices = _copy_choices(community, usable)
    return render_template(
        "coordinate/surveys.html", community=community, own=survey_authoring.own_surveys(community),
        inherited=[a for c in communities.with_ancestors(community)[1:] for a in survey_authoring.own_surveys(c)],
        bank=[s for s in usable if s.authored_survey_id is None],
        new_form=new_form or NewSurveyForm(formdata=None, source_language=community.default_language),
        copy_form=copy_form, import_form=import_form or ImportForm(formdata=None),
        import_problems=import_problems, unpublished=survey_authoring.has_unpublished_changes,
    ), status


def _copy_choices(community: Community, usable: list[Survey]):
    """Every survey the community may start from: its own and its ancestors', then the bank's."""
    return options((s.id, survey_label(s, community)) for s in usable)


def survey_label(survey: Survey, community: Community) -> str:
    """How a survey version is named in menus: its title and version, and whose it is."""
    title = pick_translation(survey.title, [community.default_language, *survey.languages])
    if survey.authored is not None:
        return _("%(title)s (%(community)s's own, v%(version)s)", title=title,
                 community=survey.authored.community.display_name(community.default_language),
                 version=survey.version)
    return f"{title} (v{survey.version})"


@bp.post("/communities/<int:community_id>/surveys/copy")
@login_required
def copy_survey(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    form = CopySurveyForm()
    form.survey_id.choices = _copy_choices(community, surveys_to_choose(community))
    if not form.validate_on_submit():
        return surveys_page(community, copy_form=form, status=400)
    original = db.session.get(Survey, form.survey_id.data)
    languages = [lang for lang in _ordered_languages(community) if lang in original.parsed().languages]
    authored = survey_authoring.create_copy(community, original, languages or None)
    record("survey_created", authored, copied_from=authored.copied_from)
    db.session.commit()
    flash(_("Your copy is ready. Change what you need, then publish it."), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303


def _ordered_languages(community: Community) -> list[str]:
    """The community's languages, its main language first (the language it writes in)."""
    return [community.default_language, *(lang for lang in community.languages if lang != community.default_language)]


@bp.post("/communities/<int:community_id>/surveys/new")
@login_required
def new_survey(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    form = NewSurveyForm()
    if not form.validate_on_submit():
        return surveys_page(community, new_form=form, status=400)
    source = form.source_language.data
    languages = [source, *(lang for lang in community.languages if lang != source)]
    authored = survey_authoring.create_empty(community, form.title.data, languages, form.audience.data)
    record("survey_created", authored)
    db.session.commit()
    flash(_("The survey is started. Add its questions."), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303


# -- one survey --------------------------------------------------------------------------------


@bp.get("/surveys/<int:authored_id>")
@login_required
def edit_survey(authored_id: int):
    authored = require_authored(authored_id)
    return survey_page(authored)


def survey_page(authored: AuthoredSurvey, status: int = 200, page_form=None, sheet_problems=()):
    draft = authored.draft
    check = survey_authoring.check(authored)
    rounds = survey_authoring.rounds_of(authored)
    return render_template(
        "coordinate/survey.html", authored=authored, community=authored.community, draft=draft, check=check,
        source=draft["languages"][0], progress=_progress(draft), confirm=ConfirmForm(),
        page_form=page_form or PageForm(formdata=None), types=QUESTION_TYPE_CHOICES,
        sheet_form=TranslationUploadForm(formdata=None), sheet_problems=sheet_problems,
        unpublished=survey_authoring.has_unpublished_changes(authored), rounds=rounds,
        conditions={q["key"]: condition_words(draft, q["show_if"]) for page in draft["pages"]
                    for q in page["questions"] if q.get("show_if")},
        criterion_names={c.key: pick_translation(c.name, [draft["languages"][0], "en"])
                         for c in db.session.scalars(select(Criterion))},
    ), status


def condition_words(draft: dict, show_if: str) -> str:
    """A display condition as a coordinator reads it: “How old are you?” is “16 to 25”. One
    more complex than the menus make is shown as it is written."""
    condition = survey_drafts.simple_condition(show_if)
    if condition is None:
        return show_if
    source = draft["languages"][0]
    try:
        p, q = survey_drafts.find_question(draft, condition.question)
    except EditRefused:
        return show_if
    question = draft["pages"][p]["questions"][q]
    value = next((o["label"].get(source, o["key"]) for o in question.get("options", []) if o["key"] == condition.value),
                 str(condition.value))
    return _("“%(question)s” %(comparison)s “%(value)s”", question=short(question["text"].get(source, question["key"])),
             comparison=COMPARISON_LABELS.get(condition.comparison, condition.comparison), value=value)


def _progress(draft) -> list[tuple[str, int, int, int]]:
    """(language, texts translated, texts, translations outdated) for each of the survey's languages."""
    total = len(survey_texts.translatable_texts(draft))
    return [(lang, total - len(survey_texts.missing_texts(draft, lang)), total, len(survey_texts.outdated_texts(draft, lang)))
            for lang in draft["languages"]]


@bp.route("/surveys/<int:authored_id>/settings", methods=["GET", "POST"])
@login_required
def survey_settings(authored_id: int):
    authored = require_authored(authored_id)
    draft, source = authored.draft, authored.source_language
    form = SettingsForm(source_language=source)
    if request.method == "GET":
        form.title.data, form.intro.data = draft["title"].get(source, ""), draft["intro"].get(source, "")
        form.minutes.data, form.audience.data = int(draft["minutes"]), draft["audience"]
        form.languages.data = list(draft["languages"])
    if form.validate_on_submit():
        chosen = [source, *(lang for lang in LANGUAGE_NAMES if lang in form.languages.data and lang != source)]
        changed = survey_drafts.with_languages(draft, chosen)
        changed["title"][source], changed["intro"][source] = form.title.data.strip(), form.intro.data.strip()
        changed["minutes"], changed["audience"] = form.minutes.data, form.audience.data
        survey_authoring.save_draft(authored, changed)
        record("survey_edited", authored, part="settings")
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303
    return render_template("coordinate/survey_settings.html", authored=authored, community=authored.community,
                           form=form), 400 if form.errors else 200


# -- pages -------------------------------------------------------------------------------------


@bp.post("/surveys/<int:authored_id>/pages")
@login_required
def add_page(authored_id: int):
    authored = require_authored(authored_id)
    form = PageForm()
    if not form.validate_on_submit():
        return survey_page(authored, status=400, page_form=form)
    draft, key = survey_drafts.add_page(authored.draft, form.title.data)
    survey_authoring.save_draft(authored, draft)
    record("survey_edited", authored, part="page_added", page=key)
    db.session.commit()
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id, _anchor=f"page-{key}")), 303


@bp.route("/surveys/<int:authored_id>/pages/<page_key>", methods=["GET", "POST"])
@login_required
def edit_page(authored_id: int, page_key: str):
    authored = require_authored(authored_id)
    index = _page_or_404(authored, page_key)
    form = PageForm()
    if request.method == "GET":
        form.title.data = authored.draft["pages"][index]["title"].get(authored.source_language, "")
    if form.validate_on_submit():
        survey_authoring.save_draft(authored, survey_drafts.retitle_page(authored.draft, page_key, form.title.data))
        record("survey_edited", authored, part="page_retitled", page=page_key)
        db.session.commit()
        return redirect(url_for("coordinate.edit_survey", authored_id=authored.id, _anchor=f"page-{page_key}")), 303
    return render_template("coordinate/survey_page_form.html", authored=authored, community=authored.community,
                           form=form, page_key=page_key), 400 if form.errors else 200


def _page_or_404(authored: AuthoredSurvey, page_key: str) -> int:
    try:
        return survey_drafts.page_index(authored.draft, page_key)
    except EditRefused:
        abort(404)


@bp.post("/surveys/<int:authored_id>/pages/<page_key>/<any(up, down, remove):action>")
@login_required
def page_action(authored_id: int, page_key: str, action: str):
    authored = require_authored(authored_id)
    _page_or_404(authored, page_key)
    ConfirmForm().validate_on_submit() or abort(400)
    if action == "remove":
        refused = apply_edit(authored, lambda draft: survey_drafts.remove_page(draft, page_key),
                             part="page_remove", page=page_key)
    else:
        refused = apply_edit(authored, lambda draft: survey_drafts.move_page(draft, page_key, STEPS[action]),
                             part=f"page_{action}", page=page_key)
    anchor = "" if action == "remove" and not refused else f"page-{page_key}"
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id, _anchor=anchor)), 303


STEPS = {"up": -1, "down": 1}


def apply_edit(authored: AuthoredSurvey, edit, **details) -> bool:
    """Apply one edit (a function of the draft, from app.domain.survey_drafts) and save it;
    when the edit is refused, say why and change nothing. Whether it was refused."""
    try:
        draft = edit(authored.draft)
    except EditRefused as refused:
        flash(refusal_message(refused), "error")
        return True
    survey_authoring.save_draft(authored, draft)
    record("survey_edited", authored, **details)
    db.session.commit()
    return False


# -- publishing --------------------------------------------------------------------------------


@bp.post("/surveys/<int:authored_id>/delete")
@login_required
def delete_survey(authored_id: int):
    """A survey no round has asked goes, with its draft and versions; one a round asked stays,
    because its answers need it."""
    authored = require_authored(authored_id)
    ConfirmForm().validate_on_submit() or abort(400)
    community_id = authored.community_id
    if survey_authoring.rounds_of(authored):
        flash(_("Rounds ask this survey, so it stays: their answers need it."), "error")
        return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303
    record("survey_deleted", authored, title=authored.draft["title"].get(authored.source_language, ""))
    survey_authoring.delete(authored)
    db.session.commit()
    flash(_("The survey is deleted."), "info")
    return redirect(url_for("coordinate.surveys", community_id=community_id)), 303


@bp.post("/surveys/<int:authored_id>/publish")
@login_required
def publish_survey(authored_id: int):
    authored = require_authored(authored_id)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        survey, is_new = survey_authoring.publish(authored)
    except survey_authoring.DraftInvalid:
        db.session.rollback()
        flash(_("The survey has problems (listed below): it can be published once they are solved."), "error")
        return survey_page(require_authored(authored_id), status=409)
    record("survey_published", authored, version=survey.version, new=is_new)
    db.session.commit()
    if is_new:
        flash(_("Version %(version)s is published: rounds can now ask it.", version=survey.version), "info")
    else:
        flash(_("Nothing changed since version %(version)s.", version=survey.version), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303



# -- shared by the editor's pages ---------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body: bytes, mimetype: str, filename: str):
    """A download that the browser saves under `filename`."""
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response



def short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def uploaded(file) -> bytes:
    """The upload's bytes, refused past the limit without reading the rest."""
    data = file.read(LIMITS.file_bytes + 1)
    if len(data) > LIMITS.file_bytes:
        raise XlsxRefused("too_large", {"limit": LIMITS.file_bytes})
    return data


def version_for(community: Community, survey_id: int) -> Survey:
    """A published version the community may see: the bank's, its own, or those of the
    communities it is part of; 404 otherwise."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    if survey.authored is not None and survey.authored.community_id not in {
            c.id for c in communities.with_ancestors(community)}:
        abort(404)
    return survey
