"""The survey editor's questions: add, edit, move and remove them, with display conditions chosen
from menus and the answers a group's link gives. A question is built from the form, put in the
draft by app.domain.survey_drafts and checked by the survey files' validator; one with a problem
is not saved, and the form comes back with what was typed and each problem next to its field."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.coordinate import bp
from app.coordinate.forms import ConfirmForm, options
from app.coordinate.survey_forms import (
    COMPARISON_LABELS,
    QUESTION_TYPE_CHOICES,
    QuestionForm,
)
from app.coordinate.surveys import (
    STEPS,
    apply_edit,
    record,
    refusal_message,
    require_authored,
    short,
)
from app.domain import survey_drafts
from app.domain.survey_drafts import EditRefused, SimpleCondition
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, pick_translation, problem_words
from app.models import AuthoredSurvey, Framework
from app.services import audit, survey_authoring

OWN_SCALE = "__own__"  # the scale's words are written in the question's form
KEEP_CONDITION = "__keep__"  # the question's condition is more than menus can show: keep it


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
    elif form.validate_on_submit() and _changed_meanwhile(existing):
        # Someone saved this question while it was open here: theirs stays until this is sent again.
        form.text.errors = [_("Someone else saved this question while you were editing it. Your words are kept "
                              "here: check them against the survey's page, and save again to replace theirs.")]
        return _render_question(authored, form, existing, page_key), 409
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
            record("survey_edited", authored, part="question_saved" if existing else "question_added",
                    question=question["key"])
            _save_fixed_answers(authored, question)
            db.session.commit()
            flash(_("Question saved."), "info")
            return redirect(url_for("coordinate.edit_survey", authored_id=authored.id,
                                    _anchor=f"q-{question['key']}")), 303
        for name, messages in field_errors.items():
            form[name].errors = list(form[name].errors) + messages
    return _render_question(authored, form, existing, page_key), 400 if request.method == "POST" else 200


def _changed_meanwhile(existing: dict | None) -> bool:
    """Whether the question differs from the one the form was opened with."""
    opened = request.form.get("opened")
    return existing is not None and opened is not None and opened != survey_drafts.fingerprint(existing)


def _render_question(authored, form, existing, page_key):
    return render_template(
        "coordinate/question_form.html", authored=authored, community=authored.community, form=form,
        question=existing, page_key=page_key, source=authored.source_language,
        opened=survey_drafts.fingerprint(existing) if existing else None,
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
    form.scale.choices = options([("", _("Strongly disagree … Strongly agree")), *((n, n.replace("_", " ")) for n in named),
                                  (OWN_SCALE, _("Words of your own (below)"))])
    sources = survey_drafts.condition_sources(draft, existing["key"] if existing else None, page_key)
    keep = [(KEEP_CONDITION, _("as now (a combined condition)"))] if existing and existing.get("show_if") and \
        survey_drafts.simple_condition(existing["show_if"]) is None else []
    form.condition_question.choices = options([("", _("always")), *keep, *(
        (q["key"], _("when “%(question)s” …", question=short(q["text"].get(source, q["key"])))) for q in sources)])
    form.condition_option.choices = {"": [("", _("(not a list question)"))]} | {
        short(q["text"].get(source, q["key"])): [(f"{q['key']}:{o['key']}", o["label"].get(source, o["key"]))
                                                  for o in q["options"]]
        for q in sources if q["type"] in ("single_choice", "multiple_choice") and q["options"]}


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
    if existing.get("scale") and not form.scale.data:
        form.scale.data = OWN_SCALE
        form.scale_lines.data = "\n".join(point.get(source, "") for point in existing["scale"])
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
    if kind == "agreement" and form.scale.data == OWN_SCALE:
        question["scale"], scale_error = _own_scale(form.scale_lines.data, (existing or {}).get("scale"), source)
        if scale_error:
            errors["scale_lines"] = [scale_error]
    elif kind == "agreement" and form.scale.data:
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


def _own_scale(lines: str | None, saved: list[dict] | None, source: str) -> tuple[list[dict] | None, str | None]:
    """The scale's points from their words, one per line; a point whose words are unchanged
    keeps its translations."""
    words = [line.strip() for line in (lines or "").splitlines() if line.strip()]
    if not 2 <= len(words) <= 7:
        return None, _("Write from 2 to 7 points, one per line.")
    saved = saved or []
    return [dict(saved[n]) if n < len(saved) and saved[n].get(source) == word else {source: word[:200]}
            for n, word in enumerate(words)], None


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
            problem_words(problem))
    return errors


@bp.post("/surveys/<int:authored_id>/questions/<key>/<any(up, down, remove):action>")
@login_required
def question_action(authored_id: int, key: str, action: str):
    authored = require_authored(authored_id)
    ConfirmForm().validate_on_submit() or abort(400)
    if action == "remove":
        refused = apply_edit(authored, lambda draft: survey_drafts.remove_question(draft, key),
                             part="question_remove", question=key)
        if not refused:
            flash(_("Question removed."), "info")
    else:
        refused = apply_edit(authored, lambda draft: survey_drafts.move_question(draft, key, STEPS[action]),
                             part=f"question_{action}", question=key)
    anchor = "" if action == "remove" and not refused else f"q-{key}"
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id, _anchor=anchor)), 303
