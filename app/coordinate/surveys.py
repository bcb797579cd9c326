"""The survey editor: a community's own surveys, their pages and questions, publishing versions.

Server-rendered forms, one change per request, so it works on a phone without JavaScript. Every
change is applied to the draft by app.domain.survey_drafts (which refuses what would break it)
and checked by the same validator as the survey files; a question with a problem is not saved,
and the form comes back with what was typed and the problem next to its field.

Only the community's coordinators and admins (and those of the communities it is part of) reach
these pages: anyone else gets 404, as on every coordinator page.
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import require_managed
from app.coordinate import bp, exchange_words
from app.coordinate.forms import ConfirmForm, options
from app.coordinate.survey_forms import (
    COMPARISON_LABELS,
    CopySurveyForm,
    ImportForm,
    NewSurveyForm,
    PageForm,
    QUESTION_TYPE_CHOICES,
    QuestionForm,
    SettingsForm,
    TranslationUploadForm,
)
from app.domain import survey_drafts, translation_sheet, xlsform
from app.domain.survey_yaml import survey_yaml
from app.domain.xlsx_reading import LIMITS, XlsxRefused
from app.domain.survey_drafts import EditRefused, SimpleCondition
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, pick_translation
from app.models import AuthoredSurvey, Community, Criterion, Framework, Round, Survey
from app.services import audit, survey_authoring
from app.services.rounds import surveys_to_choose

KEEP_CONDITION = "__keep__"  # the question's condition is more than menus can show: keep it


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


def _record(action: str, authored: AuthoredSurvey, **details) -> None:
    audit.record(action, community_id=authored.community_id, user_id=current_user.id, survey=authored.key,
                 **details)


# -- the list of a community's surveys ---------------------------------------------------------


@bp.get("/communities/<int:community_id>/surveys")
@login_required
def surveys(community_id: int):
    community = require_managed(db.session.get(Community, community_id))
    return _surveys_page(community)


def _surveys_page(community: Community, new_form=None, copy_form=None, import_form=None, status=200,
                  import_problems=()):
    copy_form = copy_form or CopySurveyForm(formdata=None)
    copy_form.survey_id.choices = _copy_choices(community)
    return render_template(
        "coordinate/surveys.html", community=community, own=survey_authoring.own_surveys(community),
        inherited=[a for c in survey_authoring.lineage(community)[1:] for a in survey_authoring.own_surveys(c)],
        bank=[s for s in surveys_to_choose(community) if s.authored_survey_id is None],
        new_form=new_form or NewSurveyForm(formdata=None, source_language=community.default_language),
        copy_form=copy_form, import_form=import_form or ImportForm(formdata=None),
        import_problems=import_problems, unpublished=survey_authoring.has_unpublished_changes,
    ), status


def _copy_choices(community: Community):
    return options((s.id, survey_label(s, community)) for s in surveys_to_choose(community))


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
    form.survey_id.choices = _copy_choices(community)
    if not form.validate_on_submit():
        return _surveys_page(community, copy_form=form, status=400)
    original = db.session.get(Survey, form.survey_id.data)
    languages = [lang for lang in _ordered_languages(community) if lang in original.parsed().languages]
    authored = survey_authoring.create_copy(community, original, languages or None)
    _record("survey_created", authored, copied_from=authored.copied_from)
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
        return _surveys_page(community, new_form=form, status=400)
    source = form.source_language.data
    languages = [source, *(lang for lang in community.languages if lang != source)]
    authored = survey_authoring.create_empty(community, form.title.data, languages, form.audience.data)
    _record("survey_created", authored)
    db.session.commit()
    flash(_("The survey is started. Add its questions."), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303


# -- one survey --------------------------------------------------------------------------------


@bp.get("/surveys/<int:authored_id>")
@login_required
def edit_survey(authored_id: int):
    authored = require_authored(authored_id)
    return _survey_page(authored)


def _survey_page(authored: AuthoredSurvey, status: int = 200, page_form=None, sheet_problems=()):
    draft = authored.draft
    check = survey_authoring.check(authored)
    rounds = db.session.scalars(
        select(Round).join(Survey, Survey.id == Round.survey_id).where(Survey.authored_survey_id == authored.id)
        .order_by(Round.id.desc())).all()
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
    return _("“%(question)s” %(comparison)s “%(value)s”", question=_short(question["text"].get(source, question["key"])),
             comparison=COMPARISON_LABELS.get(condition.comparison, condition.comparison), value=value)


def _progress(draft) -> list[tuple[str, int, int]]:
    """(language, texts translated, texts) for each of the survey's languages."""
    total = len(survey_drafts.texts_of(draft))
    return [(lang, total - len(survey_drafts.missing_texts(draft, lang)), total) for lang in draft["languages"]]


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
        _record("survey_edited", authored, part="settings")
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
        return _survey_page(authored, status=400, page_form=form)
    draft, key = survey_drafts.add_page(authored.draft, form.title.data)
    survey_authoring.save_draft(authored, draft)
    _record("survey_edited", authored, part="page_added", page=key)
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
        _record("survey_edited", authored, part="page_retitled", page=page_key)
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
    try:
        if action == "remove":
            draft = survey_drafts.remove_page(authored.draft, page_key)
        else:
            draft = survey_drafts.move_page(authored.draft, page_key, -1 if action == "up" else 1)
    except EditRefused as refused:
        flash(refusal_message(refused), "error")
        return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303
    survey_authoring.save_draft(authored, draft)
    _record("survey_edited", authored, part=f"page_{action}", page=page_key)
    db.session.commit()
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id,
                            _anchor="" if action == "remove" else f"page-{page_key}")), 303


# -- questions ---------------------------------------------------------------------------------


@bp.route("/surveys/<int:authored_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(authored_id: int):
    authored = require_authored(authored_id)
    pages = [p["key"] for p in authored.draft["pages"]]
    page_key = request.values.get("page_key") or request.values.get("page") or pages[-1]
    if page_key not in pages:
        abort(404)
    return _question_page(authored, None, page_key)


@bp.route("/surveys/<int:authored_id>/questions/<key>", methods=["GET", "POST"])
@login_required
def edit_question(authored_id: int, key: str):
    authored = require_authored(authored_id)
    try:
        p, q = survey_drafts.find_question(authored.draft, key)
    except EditRefused:
        abort(404)
    return _question_page(authored, authored.draft["pages"][p]["questions"][q], authored.draft["pages"][p]["key"])


def _question_page(authored: AuthoredSurvey, existing: dict | None, page_key: str):
    draft = authored.draft
    form = QuestionForm()
    _question_choices(form, authored, existing, page_key)
    if request.method == "GET":
        _fill_question_form(form, authored, existing, page_key)
    elif request.form.get("action") == "retype":  # "Change the kind": show its fields, keep what was typed
        return _render_question(authored, form, existing, page_key)
    elif form.validate_on_submit():
        question, field_errors = _question_from_form(form, authored, existing)
        if not field_errors:
            try:
                changed = survey_drafts.save_question(draft, form.page_key.data, question,
                                                      replacing=existing["key"] if existing else None)
            except EditRefused as refused:
                field = "page_key" if refused.code == "unknown_page" else "condition_question"
                field_errors = {field: [refusal_message(refused)]}
            else:
                field_errors = _validator_errors(authored, changed, question["key"])
        if not field_errors:
            survey_authoring.save_draft(authored, changed)
            _record("survey_edited", authored, part="question_saved" if existing else "question_added",
                    question=question["key"])
            _save_fixed_answers(authored, question)
            db.session.commit()
            flash(_("Question saved."), "info")
            return redirect(url_for("coordinate.edit_survey", authored_id=authored.id,
                                    _anchor=f"q-{question['key']}")), 303
        for name, messages in field_errors.items():
            form[name].errors = list(form[name].errors) + messages
    return _render_question(authored, form, existing, page_key), 400 if request.method == "POST" else 200


def _render_question(authored, form, existing, page_key):
    return render_template(
        "coordinate/question_form.html", authored=authored, community=authored.community, form=form,
        question=existing, page_key=page_key, source=authored.source_language,
        fixed=_fixed_answer_fields(authored, existing),
        complex_condition=existing.get("show_if") if existing and form.condition_question.data == KEEP_CONDITION
        else None)


def _fixes_answers(question: dict | None) -> bool:
    """A question about who answers, with a list, can be answered by a group's link."""
    return bool(question) and question.get("role") == "group" and question.get("type") == "single_choice" \
        and bool(question.get("options"))


def _fixed_answer_fields(authored: AuthoredSurvey, question: dict | None) -> list[tuple]:
    """(group, field name, chosen option) for each of the community's groups, when the question
    can be answered by a group's link: people who come through that link are not asked it."""
    if not _fixes_answers(question):
        return []
    key = question["key"]
    return [(group, f"fixed_{group.id}", request.form.get(f"fixed_{group.id}", (group.fixed_answers or {}).get(key, "")))
            for group in authored.community.groups]


def _save_fixed_answers(authored: AuthoredSurvey, question: dict) -> None:
    if not _fixes_answers(question):
        return
    options = {o["key"] for o in question["options"]}
    for group in authored.community.groups:
        chosen = request.form.get(f"fixed_{group.id}", "")
        fixed = dict(group.fixed_answers or {})
        if chosen in options:
            fixed[question["key"]] = chosen
        else:
            fixed.pop(question["key"], None)
        if fixed != (group.fixed_answers or {}):
            group.fixed_answers = fixed
            audit.record("group_edited", community_id=authored.community_id, group_id=group.id,
                         user_id=current_user.id, fixed_answer=question["key"], option=fixed.get(question["key"]))


def _question_choices(form: QuestionForm, authored: AuthoredSurvey, existing: dict | None, page_key: str) -> None:
    draft, source = authored.draft, authored.source_language
    form.page_key.choices = options((p["key"], p["title"].get(source) or p["key"]) for p in draft["pages"])
    frameworks = db.session.scalars(select(Framework).order_by(Framework.position)).all()
    language = [str(request.accept_languages.best_match(LANGUAGE_NAMES) or source), source, "en"]
    form.criterion.choices = {"": [("", _("None: shown as an item of its own"))]} | {
        pick_translation(f.name, language): [(c.key, pick_translation(c.name, language)) for c in f.criteria]
        for f in frameworks}
    named = list((draft.get("scales") or {}).keys())
    form.scale.choices = options([("", _("Strongly disagree … Strongly agree")), *((n, n.replace("_", " ")) for n in named)])
    sources = survey_drafts.condition_sources(draft, existing["key"] if existing else None, page_key)
    keep = [(KEEP_CONDITION, _("as now (a combined condition)"))] if existing and existing.get("show_if") and \
        survey_drafts.simple_condition(existing["show_if"]) is None else []
    form.condition_question.choices = options([("", _("always")), *keep, *(
        (q["key"], _("when “%(question)s” …", question=_short(q["text"].get(source, q["key"])))) for q in sources)])
    form.condition_option.choices = {"": [("", _("(not a list question)"))]} | {
        _short(q["text"].get(source, q["key"])): [(f"{q['key']}:{o['key']}", o["label"].get(source, o["key"]))
                                                  for o in q["options"]]
        for q in sources if q["type"] in ("single_choice", "multiple_choice") and q["options"]}


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _fill_question_form(form: QuestionForm, authored: AuthoredSurvey, existing: dict | None, page_key: str) -> None:
    source = authored.source_language
    form.page_key.data = page_key
    if existing is None:
        form.type.data = request.args.get("type") if request.args.get("type") in dict(QUESTION_TYPE_CHOICES) else "agreement"
        form.role.data, form.criterion.data, form.scale.data, form.integer.data = "item", "", "", True
        form.condition_question.data = ""
        return
    form.type.data, form.role.data = existing["type"], existing.get("role", "item")
    form.text.data = existing["text"].get(source, "")
    form.help.data = (existing.get("help") or {}).get(source, "")
    form.required.data = bool(existing.get("required"))
    form.criterion.data = existing.get("criterion") or ""
    form.option_lines.data = "\n".join(o["label"].get(source, o["key"]) for o in existing.get("options", []))
    form.options_from.data = bool(existing.get("options_from"))
    form.other.data, form.max_choices.data = bool(existing.get("other")), existing.get("max_choices")
    form.long.data = bool(existing.get("long"))
    form.minimum.data = _decimal(existing.get("min"))
    form.maximum.data = _decimal(existing.get("max"))
    form.integer.data = existing.get("integer", True)
    form.unit.data = (existing.get("unit") or {}).get(source, "")
    scales = authored.draft.get("scales") or {}
    form.scale.data = next((n for n, points in scales.items() if points == existing.get("scale")), "")
    _fill_condition(form, authored.draft, existing.get("show_if"))


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _fill_condition(form: QuestionForm, draft: dict, show_if: str | None) -> None:
    condition = survey_drafts.simple_condition(show_if)
    if show_if and condition is None:
        form.condition_question.data = KEEP_CONDITION
        return
    form.condition_question.data = condition.question if condition else ""
    form.condition_comparison.data = condition.comparison if condition else "=="
    if condition is None:
        return
    try:
        p, q = survey_drafts.find_question(draft, condition.question)
    except EditRefused:
        return
    if draft["pages"][p]["questions"][q]["type"] in ("single_choice", "multiple_choice"):
        form.condition_option.data = f"{condition.question}:{condition.value}"
    else:
        form.condition_value.data = str(condition.value)


def _question_from_form(form: QuestionForm, authored: AuthoredSurvey, existing: dict | None
                        ) -> tuple[dict, dict[str, list[str]]]:
    """The question as the form describes it, with the errors only the editor can see (the
    validator checks the rest). Texts in other languages are kept; the source text is replaced."""
    draft, source = authored.draft, authored.source_language
    kind = form.type.data
    errors: dict[str, list[str]] = {}
    question = dict(survey_drafts.QUESTION_DEFAULTS)
    question["key"] = existing["key"] if existing else survey_drafts.new_question_key(draft, form.text.data)
    question["type"], question["role"] = kind, form.role.data
    question["text"] = _with_source((existing or {}).get("text"), source, form.text.data)
    question["help"] = _with_source((existing or {}).get("help"), source, form.help.data) or None
    question["required"] = bool(form.required.data)
    question["criterion"] = (form.criterion.data or None) if form.role.data == "item" else None
    if kind in ("single_choice", "multiple_choice"):
        question["options"] = _options(form.option_lines.data, (existing or {}).get("options", []), source)
        if kind == "single_choice" and form.options_from.data:
            question["options_from"] = "neighbourhoods"
        if kind == "multiple_choice":
            question["other"], question["max_choices"] = bool(form.other.data), form.max_choices.data
    if kind == "agreement" and form.scale.data:
        question["scale"] = (draft.get("scales") or {}).get(form.scale.data)
    if kind == "text":
        question["long"] = bool(form.long.data)
    if kind == "number":
        question["min"], question["max"] = _number(form.minimum.data), _number(form.maximum.data)
        question["integer"] = bool(form.integer.data)
        question["unit"] = _with_source((existing or {}).get("unit"), source, form.unit.data) or None
    question["show_if"], condition_error = _condition_from_form(form, draft, existing)
    if condition_error:
        errors["condition_value"] = [condition_error]
    return question, errors


def _with_source(saved: dict | None, source: str, typed: str | None) -> dict[str, str]:
    texts = dict(saved or {})
    if (typed or "").strip():
        texts[source] = typed.strip()
    else:
        texts.pop(source, None)
        return {}  # without the source text the others have nothing to translate
    return texts


def _options(lines: str | None, saved: list[dict], source: str) -> list[dict]:
    """One option per line; an option whose words are unchanged keeps its key and translations."""
    by_label = {o["label"].get(source): o for o in saved}
    taken: set[str] = set()
    result = []
    for label in dict.fromkeys(line.strip() for line in (lines or "").splitlines() if line.strip()):
        kept = by_label.get(label)
        key = kept["key"] if kept and kept["key"] not in taken else \
            survey_drafts.new_key(label, taken | {o["key"] for o in saved}, "option")
        taken.add(key)
        result.append({"key": key, "label": dict(kept["label"]) if kept else {source: label[:500]}})
    return result


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _condition_from_form(form: QuestionForm, draft: dict, existing: dict | None) -> tuple[str | None, str | None]:
    """(show_if, error) from the condition menus."""
    chosen = form.condition_question.data
    if not chosen:
        return None, None
    if chosen == KEEP_CONDITION:
        return (existing or {}).get("show_if"), None
    try:
        p, q = survey_drafts.find_question(draft, chosen)
    except EditRefused:
        return None, _("Choose an earlier question.")
    source_question = draft["pages"][p]["questions"][q]
    comparison = form.condition_comparison.data
    allowed = survey_drafts.COMPARISONS.get(source_question["type"], ())
    if comparison not in allowed:
        return None, _("For this question choose: %(choices)s.",
                       choices=", ".join(str(COMPARISON_LABELS[c]) for c in allowed))
    if source_question["type"] in ("single_choice", "multiple_choice"):
        question_key, _sep, option = (form.condition_option.data or "").partition(":")
        value = option if question_key == chosen else None
    else:
        value = survey_drafts.condition_value(source_question, form.condition_value.data or "")
    if value is None:
        return None, _("Choose one of the answers of the question it depends on, or write a number or text it can have.")
    return SimpleCondition(chosen, comparison, value).expression(), None


# Where the validator's problems go in the question form.
FORM_FIELD_OF = {
    "text": "text", "key": "text", "type": "type", "role": "role", "required": "required", "help": "help",
    "criterion": "criterion", "show_if": "condition_question", "options": "option_lines",
    "options_from": "options_from", "other": "other", "max": "maximum", "min": "minimum", "unit": "unit",
    "scale": "scale", "long": "long", "integer": "integer",
}


def _validator_errors(authored: AuthoredSurvey, draft: dict, key: str) -> dict[str, list[str]]:
    check = survey_drafts.check_draft(draft, survey_authoring.criterion_keys())
    p, q = survey_drafts.find_question(draft, key)
    question = draft["pages"][p]["questions"][q]
    errors: dict[str, list[str]] = {}
    for problem in check.of_question(p, q):
        name = problem.field or "text"
        if name == "max" and question["type"] == "multiple_choice":
            name = "max_choices"
        errors.setdefault(FORM_FIELD_OF.get(name, name if name in QuestionForm.__dict__ else "text"), []).append(
            problem.message)
    return errors


@bp.post("/surveys/<int:authored_id>/questions/<key>/<any(up, down, remove):action>")
@login_required
def question_action(authored_id: int, key: str, action: str):
    authored = require_authored(authored_id)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        if action == "remove":
            draft = survey_drafts.remove_question(authored.draft, key)
        else:
            draft = survey_drafts.move_question(authored.draft, key, -1 if action == "up" else 1)
    except EditRefused as refused:
        flash(refusal_message(refused), "error")
        return redirect(url_for("coordinate.edit_survey", authored_id=authored.id, _anchor=f"q-{key}")), 303
    survey_authoring.save_draft(authored, draft)
    _record("survey_edited", authored, part=f"question_{action}", question=key)
    db.session.commit()
    if action == "remove":
        flash(_("Question removed."), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id,
                            _anchor="" if action == "remove" else f"q-{key}")), 303


# -- publishing --------------------------------------------------------------------------------


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
        return _survey_page(require_authored(authored_id), status=409)
    _record("survey_published", authored, version=survey.version, new=is_new)
    db.session.commit()
    if is_new:
        flash(_("Version %(version)s is published: rounds can now ask it.", version=survey.version), "info")
    else:
        flash(_("Nothing changed since version %(version)s.", version=survey.version), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303


# -- translations ------------------------------------------------------------------------------


@bp.route("/surveys/<int:authored_id>/translate/<language>", methods=["GET", "POST"])
@login_required
def translate_survey(authored_id: int, language: str):
    """Every text a respondent sees, the source beside a box for this language."""
    authored = require_authored(authored_id)
    draft = authored.draft
    if language not in draft["languages"]:
        abort(404)
    if language == authored.source_language:
        return redirect(url_for("coordinate.edit_survey", authored_id=authored.id))
    texts = survey_drafts.texts_of(draft)
    if request.method == "POST":
        ConfirmForm().validate_on_submit() or abort(400)
        changed, too_long = draft, []
        for number, (path, text) in enumerate(texts):
            typed = request.form.get(f"t_{number}")
            if typed is None or request.form.get(f"p_{number}") != _path_id(path):
                continue  # the survey changed since the page was opened: that row is left alone
            if len(typed) > survey_drafts.TEXT_MAX:
                too_long.append(number)
                continue
            if typed.strip() != (text.get(language) or ""):
                changed = survey_drafts.set_text(changed, path, language, typed)
        if too_long:
            return _translation_page(authored, language, status=400, too_long=set(too_long))
        survey_authoring.save_draft(authored, changed)
        _record("survey_translated", authored, language=language)
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("coordinate.translate_survey", authored_id=authored.id, language=language)), 303
    return _translation_page(authored, language)


def _path_id(path) -> str:
    return ".".join(str(step) for step in path)


def _translation_page(authored: AuthoredSurvey, language: str, status: int = 200, too_long=frozenset()):
    draft, source = authored.draft, authored.source_language
    texts = survey_drafts.texts_of(draft)
    places = [(p, q) for p, page in enumerate(draft["pages"]) for q in range(len(page["questions"]))]
    numbers = {place: n for n, place in enumerate(places, start=1)}
    rows = [
        {"number": n, "path": _path_id(path), "what": _text_label(path, numbers), "source": text.get(source, ""),
         "value": request.form.get(f"t_{n}", text.get(language, "")), "too_long": n in too_long}
        for n, (path, text) in enumerate(texts)
    ]
    done = sum(1 for _path, text in texts if (text.get(language) or "").strip())
    return render_template("coordinate/translate.html", authored=authored, community=authored.community,
                           language=language, source=source, rows=rows, done=done, total=len(texts),
                           only_missing=request.args.get("only") == "missing",
                           confirm=ConfirmForm()), status


def _text_label(path, numbers) -> str:
    """Which text a row of the translation page is, in words ("Question 3, answer 2")."""
    if path[0] == "title":
        return _("Title")
    if path[0] == "intro":
        return _("Welcome text")
    if path[0] == "scales":
        return _("Scale “%(name)s”, point %(point)s", name=path[1], point=path[2] + 1)
    if len(path) == 3:
        return _("Page %(number)s, title", number=path[1] + 1)
    number = numbers[(path[1], path[3])]
    part = path[4]
    if part == "text":
        return _("Question %(number)s", number=number)
    if part == "help":
        return _("Question %(number)s, hint", number=number)
    if part == "unit":
        return _("Question %(number)s, unit", number=number)
    if part == "options":
        return _("Question %(number)s, answer %(answer)s", number=number, answer=path[5] + 1)
    return _("Question %(number)s, scale point %(point)s", number=number, point=path[5] + 1)


# -- XLSForm, YAML and the translators' spreadsheet ----------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.post("/communities/<int:community_id>/surveys/import")
@login_required
def import_survey(community_id: int):
    """An XLSForm becomes a new draft, or nothing at all when any row cannot be mapped."""
    community = require_managed(db.session.get(Community, community_id))
    form = ImportForm()
    if not form.validate_on_submit():
        return _surveys_page(community, import_form=form, status=400)
    try:
        result = xlsform.read_xlsform(_uploaded(form.file.data), untagged_language=community.default_language)
    except XlsxRefused as refused:
        form.file.errors = [exchange_words.refusal_message(refused)]
        return _surveys_page(community, import_form=form, status=400)
    problems = [exchange_words.row_problem_message(p) for p in result.problems]
    if result.survey is not None and not problems:
        check = survey_drafts.check_draft(result.survey, survey_authoring.criterion_keys())
        problems = [problem.message for problem in check.problems]
    if problems or result.survey is None:
        return _surveys_page(community, import_form=form, status=400, import_problems=problems)
    filename = (form.file.data.filename or "")[:120]
    authored = survey_authoring.create_imported(community, result.survey, filename)
    _record("survey_imported", authored, file=filename)
    db.session.commit()
    flash(_("The form is imported as a draft. Check it, then publish it."), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303


def _uploaded(file) -> bytes:
    """The upload's bytes, refused past the limit without reading the rest."""
    data = file.read(LIMITS.file_bytes + 1)
    if len(data) > LIMITS.file_bytes:
        raise XlsxRefused("too_large", {"limit": LIMITS.file_bytes})
    return data


@bp.get("/surveys/<int:authored_id>/export/<any(xlsform, yaml):kind>")
@login_required
def export_draft(authored_id: int, kind: str):
    """The draft as it is now, as an XLSForm (for KoboToolbox or ODK) or as a survey file (to
    contribute it to the bank)."""
    authored = require_authored(authored_id)
    _record("survey_exported", authored, format=kind, version=None)
    db.session.commit()
    return _download(authored.draft, kind, f"{authored.key}-draft")


@bp.get("/communities/<int:community_id>/surveys/versions/<int:survey_id>/export/<any(xlsform, yaml):kind>")
@login_required
def export_version(community_id: int, survey_id: int, kind: str):
    community = require_managed(db.session.get(Community, community_id))
    survey = version_for(community, survey_id)
    audit.record("survey_exported", community_id=community.id, user_id=current_user.id, survey=survey.key,
                 format=kind, version=survey.version)
    db.session.commit()
    return _download(survey.parsed().to_dict(), kind, f"{survey.key}-v{survey.version}")


def version_for(community: Community, survey_id: int) -> Survey:
    """A published version the community may see: the bank's, its own, or those of the
    communities it is part of; 404 otherwise."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    if survey.authored is not None and survey.authored.community_id not in {
            c.id for c in survey_authoring.lineage(community)}:
        abort(404)
    return survey


def _download(survey: dict, kind: str, name: str):
    if kind == "yaml":
        body, mimetype, suffix = survey_yaml(survey).encode("utf-8"), "application/yaml", "yaml"
    else:
        body = xlsform.write_xlsform(survey, exchange_words.builtin_scale_words(survey["languages"]))
        mimetype, suffix = XLSX_TYPE, "xlsx"
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response


@bp.get("/surveys/<int:authored_id>/translations.xlsx")
@login_required
def translation_sheet_download(authored_id: int):
    """Every text respondents read, one row each, one column per language."""
    authored = require_authored(authored_id)
    _record("survey_exported", authored, format="translations")
    db.session.commit()
    response = make_response(translation_sheet.write_translation_sheet(authored.draft, authored.draft["languages"]))
    response.mimetype = XLSX_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{authored.key}-translations.xlsx"'
    return response


@bp.post("/surveys/<int:authored_id>/translations.xlsx")
@login_required
def translation_sheet_upload(authored_id: int):
    """The translators' sheet back: every row applied, or none when any row has a problem."""
    authored = require_authored(authored_id)
    form = TranslationUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            changed, row_problems = translation_sheet.read_translation_sheet(
                _uploaded(form.file.data), authored.draft, authored.draft["languages"])
        except XlsxRefused as refused:
            problems = [exchange_words.refusal_message(refused)]
        else:
            problems = [exchange_words.row_problem_message(p) for p in row_problems]
            if changed is not None and not problems:
                survey_authoring.save_draft(authored, changed)
                _record("survey_translated", authored, language="spreadsheet")
                db.session.commit()
                flash(_("The translations are saved."), "info")
                return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303
    else:
        problems = [error for errors in form.errors.values() for error in errors]
    return _survey_page(authored, status=400, sheet_problems=problems)
