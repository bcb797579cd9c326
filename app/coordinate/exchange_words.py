"""What a coordinator reads when a spreadsheet (an XLSForm, a translation sheet) is refused:
the codes of app.domain.xlsx_reading, app.domain.xlsform and app.domain.translation_sheet in
the page's language, each row's problem with its sheet and row number as Excel shows them."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.domain.xlsx_reading import RowProblem, XlsxRefused
from app.i18n import problem_words
from app import wording


def refusal_message(refused: XlsxRefused) -> str:
    detail = refused.detail
    return {
        "not_xlsx": _("This is not an .xlsx workbook. Save it from your spreadsheet program as Excel (.xlsx), "
                      "without a password."),
        "too_large": _("The file is too large: at most %(megabytes)s MB.",
                       megabytes=round(detail.get("limit", 0) / 1024 / 1024) or 1),
        "too_many_members": _("The workbook has too many parts to be a survey form."),
        "zip_bomb": _("The workbook unpacks to far more than it weighs, so it was not opened."),
        "unsafe_xml": _("The workbook contains XML constructs that are refused for safety."),
        "too_many_sheets": _("The workbook has too many sheets."),
        "missing_sheet": _("The workbook has no sheet named “%(sheet)s”.", sheet=detail.get("sheet", "")),
        "too_many_rows": _("Sheet “%(sheet)s” has too many rows (at most %(limit)s).",
                           sheet=detail.get("sheet", ""), limit=detail.get("limit", "")),
        "too_many_columns": _("Sheet “%(sheet)s” has too many columns.", sheet=detail.get("sheet", "")),
        "cell_too_long": _("Sheet “%(sheet)s”, row %(row)s: a cell is too long.",
                           sheet=detail.get("sheet", ""), row=detail.get("row", "")),
    }.get(refused.code, _("This file cannot be read."))


def row_problem_message(problem: RowProblem) -> str:
    """"Sheet survey, row 12: …" — what is wrong with one row, and what to do."""
    detail = problem.detail
    what = {
        "missing_column": _("the column “%(column)s” is missing", column=detail.get("column", "")),
        "duplicate_column": _("a column is given twice"),
        "unknown_language": _("the language of a column cannot be recognised: write it as label::English (en)"),
        "missing_type": _("the row has no type"),
        "unknown_type": _("the type “%(type)s” is not an XLSForm type", type=detail.get("type", "")),
        "unmappable_type": _("questions of type “%(type)s” cannot be asked in CommonGround", type=detail.get("type", "")),
        "missing_name": _("the row has no name"),
        "unusable_name": _("the name “%(name)s” cannot be used: use letters, digits and _", name=detail.get("name", "")),
        "duplicate_name": _("the name “%(name)s” is used twice", name=detail.get("name", "")),
        "missing_label": _("the row has no label in %(language)s", language=detail.get("language", "")),
        "unmappable_reference": _("a label or hint that shows an earlier answer (${…}) cannot be imported"),
        "unknown_list": _("the choice list “%(list)s” is not on the choices sheet", list=detail.get("list", "")),
        "too_few_choices": _("the choice list “%(list)s” needs at least two choices", list=detail.get("list", "")),
        "unmappable_or_other": _("“or_other” can only be imported with select_multiple"),
        "unmappable_choice_filter": _("choice filters cannot be imported"),
        "unmappable_calculation": _("calculations cannot be imported"),
        "unmappable_required": _("“required” can only be yes or no here"),
        "unmappable_relevant": _("the relevant expression “%(relevant)s” cannot be turned into a display condition: "
                                 "use comparisons of earlier questions with values, selected(), and, or, not",
                                 relevant=detail.get("relevant", "")),
        "unknown_role": _("the role “%(role)s” is not known", role=detail.get("role", "")),
        "unbalanced_group": _("begin group and end group do not match"),
        "no_questions": _("the form has no questions"),
        "invalid_survey": problem_words(detail["problem"]) if "problem" in detail else str(detail.get("message", "")),
        "unknown_id": _("this text is not in the survey (any more)"),
        "duplicate_id": _("this text is given twice"),
        "missing_id": _("the row has no id"),
        "source_changed": _("the source text changed since the sheet was downloaded: download it again"),
        "too_long": _("the text is longer than 2000 characters"),
    }.get(problem.code, problem.code)
    if problem.row == 0:
        return _("Sheet “%(sheet)s”: %(problem)s.", sheet=problem.sheet, problem=what)
    return _("Sheet “%(sheet)s”, row %(row)s: %(problem)s.", sheet=problem.sheet, row=problem.row, problem=what)


def builtin_scale_words(languages) -> dict[str, list[dict[str, str]]]:
    """The built-in scales' words in each language, for an XLSForm export (where they become
    choice lists): {"agreement": [{"en": "Strongly disagree", "he": ...}, ...], ...,
    "dont_know": [{"en": "I don't know", ...}]}."""
    scales = {"agreement": wording.AGREEMENT_SCALE, "importance": wording.IMPORTANCE_SCALE,
              "current_state": wording.CURRENT_STATE_SCALE, "dont_know": (wording.DONT_KNOW,)}
    words: dict[str, list[dict[str, str]]] = {name: [{} for _point in points] for name, points in scales.items()}
    for language in languages:
        with force_locale(language):
            for name, points in scales.items():
                for index, point in enumerate(points):
                    words[name][index][language] = str(point)
    return words
