"""A survey in and out of CommonGround: an XLSForm imported as a draft (or nothing, with each row
that cannot be mapped named), and any survey exported as an XLSForm or as a survey-bank file."""

from __future__ import annotations


from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import require_managed
from app.coordinate import bp, exchange_words
from app.coordinate.survey_forms import (
    ImportForm,
)
from app.coordinate.surveys import (
    XLSX_TYPE,
    attachment,
    record,
    require_authored,
    surveys_page,
    uploaded,
    version_for,
)
from app.domain import survey_drafts, xlsform
from app.domain.survey_yaml import survey_yaml
from app.domain.xlsx_reading import XlsxRefused
from app.extensions import db
from app.i18n import problem_words
from app.models import Community
from app.services import audit, survey_authoring


# -- XLSForm, YAML and the translators' spreadsheet ----------------------------------------------

@bp.post("/communities/<int:community_id>/surveys/import")
@login_required
def import_survey(community_id: int):
    """An XLSForm becomes a new draft, or nothing at all when any row cannot be mapped."""
    community = require_managed(db.session.get(Community, community_id))
    form = ImportForm()
    if not form.validate_on_submit():
        return surveys_page(community, import_form=form, status=400)
    try:
        result = xlsform.read_xlsform(uploaded(form.file.data), untagged_language=community.default_language)
    except XlsxRefused as refused:
        form.file.errors = [exchange_words.refusal_message(refused)]
        return surveys_page(community, import_form=form, status=400)
    problems = [exchange_words.row_problem_message(p) for p in result.problems]
    if result.survey is not None and not problems:
        check = survey_drafts.check_draft(result.survey, survey_authoring.criterion_keys())
        problems = [problem_words(problem) for problem in check.problems]
    if problems or result.survey is None:
        return surveys_page(community, import_form=form, status=400, import_problems=problems)
    filename = (form.file.data.filename or "")[:120]
    authored = survey_authoring.create_imported(community, result.survey, filename)
    record("survey_imported", authored, file=filename)
    db.session.commit()
    flash(_("The form is imported as a draft. Check it, then publish it."), "info")
    return redirect(url_for("coordinate.edit_survey", authored_id=authored.id)), 303


@bp.get("/surveys/<int:authored_id>/export/<any(xlsform, yaml):kind>")
@login_required
def export_draft(authored_id: int, kind: str):
    """The draft as it is now, as an XLSForm (for KoboToolbox or ODK) or as a survey file (to
    contribute it to the bank)."""
    authored = require_authored(authored_id)
    record("survey_exported", authored, format=kind, version=None)
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


def _download(survey: dict, kind: str, name: str):
    if kind == "yaml":
        body, mimetype, suffix = survey_yaml(survey).encode("utf-8"), "application/yaml", "yaml"
    else:
        body = xlsform.write_xlsform(survey, exchange_words.builtin_scale_words(survey["languages"]))
        mimetype, suffix = XLSX_TYPE, "xlsx"
    return attachment(body, mimetype, f"{name}.{suffix}")
