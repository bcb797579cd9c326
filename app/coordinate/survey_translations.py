"""Translating a community's survey: a page per language with the source text beside each box,
and the translators' spreadsheet (one column per language) going out and coming back."""

from __future__ import annotations


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.coordinate import bp, exchange_words
from app.coordinate.forms import ConfirmForm
from app.coordinate.survey_forms import (
    TranslationUploadForm,
)
from app.coordinate.surveys import (
    XLSX_TYPE,
    attachment,
    record,
    require_authored,
    survey_page,
    uploaded,
)
from app.domain import survey_drafts, survey_texts, translation_sheet
from app.domain.xlsx_reading import XlsxRefused
from app.extensions import db
from app.models import AuthoredSurvey
from app.services import survey_authoring


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
    texts = survey_texts.translatable_texts(draft)
    if request.method == "POST":
        ConfirmForm().validate_on_submit() or abort(400)
        changed, too_long = draft, []
        outdated = set(survey_texts.outdated_texts(draft, language))
        for number, text in enumerate(texts):
            typed = request.form.get(f"t_{number}")
            if typed is None or request.form.get(f"p_{number}") != text.id:
                continue  # the survey changed since the page was opened: that row is left alone
            if len(typed) > survey_drafts.TEXT_MAX:
                too_long.append(number)
                continue
            confirmed = text.id in outdated and request.form.get(f"c_{number}") == "y"
            if typed.strip() != (text.text.get(language) or "") or confirmed:
                changed = survey_texts.set_text(changed, text.id, language, typed)
        if too_long:
            return _translation_page(authored, language, status=400, too_long=set(too_long))
        survey_authoring.save_draft(authored, changed)
        record("survey_translated", authored, language=language)
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("coordinate.translate_survey", authored_id=authored.id, language=language)), 303
    return _translation_page(authored, language)


def _translation_page(authored: AuthoredSurvey, language: str, status: int = 200, too_long=frozenset()):
    draft, source = authored.draft, authored.source_language
    texts = survey_texts.translatable_texts(draft)
    outdated = set(survey_texts.outdated_texts(draft, language))
    rows = [
        {"number": n, "id": text.id, "what": _text_label(draft, text.id), "source": text.text.get(source, ""),
         "value": request.form.get(f"t_{n}", text.text.get(language, "")), "too_long": n in too_long,
         "outdated": text.id in outdated}
        for n, text in enumerate(texts)
    ]
    done = sum(1 for text in texts if (text.text.get(language) or "").strip())
    return render_template("coordinate/translate.html", authored=authored, community=authored.community,
                           language=language, source=source, rows=rows, done=done, total=len(texts),
                           outdated=len(outdated), only_missing=request.args.get("only") == "missing",
                           confirm=ConfirmForm()), status


def _text_label(draft: dict, text_id: str) -> str:
    """Which text a row of the translation page is, in words ("Question 3, answer 2")."""
    parts = text_id.split(".")
    if parts[0] == "title":
        return _("Title")
    if parts[0] == "intro":
        return _("Welcome text")
    if parts[0] == "scales":
        return _("Scale “%(name)s”, point %(point)s", name=parts[1], point=parts[2])
    if parts[0] == "pages":
        number = next(n for n, page in enumerate(draft["pages"], start=1) if page["key"] == parts[1])
        return _("Page %(number)s, title", number=number)
    questions = [q for page in draft["pages"] for q in page["questions"]]
    number, question = next((n, q) for n, q in enumerate(questions, start=1) if q["key"] == parts[1])
    part = parts[2]
    if part == "text":
        return _("Question %(number)s", number=number)
    if part == "help":
        return _("Question %(number)s, hint", number=number)
    if part == "unit":
        return _("Question %(number)s, unit", number=number)
    if part == "options":
        answer = next(n for n, o in enumerate(question["options"], start=1) if o["key"] == parts[3])
        return _("Question %(number)s, answer %(answer)s", number=number, answer=answer)
    return _("Question %(number)s, scale point %(point)s", number=number, point=parts[3])


@bp.get("/surveys/<int:authored_id>/translations.xlsx")
@login_required
def translation_sheet_download(authored_id: int):
    """Every text respondents read, one row each, one column per language."""
    authored = require_authored(authored_id)
    record("survey_exported", authored, format="translations")
    db.session.commit()
    return attachment(translation_sheet.write_translation_sheet(authored.draft, authored.draft["languages"]),
                      XLSX_TYPE, f"{authored.key}-translations.xlsx")


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
                uploaded(form.file.data), authored.draft, authored.draft["languages"])
        except XlsxRefused as refused:
            problems = [exchange_words.refusal_message(refused)]
        else:
            problems = [exchange_words.row_problem_message(p) for p in row_problems]
            if changed is not None and not problems:
                survey_authoring.save_draft(authored, changed)
                record("survey_translated", authored, language="spreadsheet")
                db.session.commit()
                flash(_("The translations are saved."), "info")
                return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303
    else:
        problems = [error for errors in form.errors.values() for error in errors]
    return survey_page(authored, status=400, sheet_problems=problems)
