"""The translators' spreadsheet (app.domain.translation_sheet)."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.domain.survey_files import read_bank
from app.domain.survey_format import SurveyDefinition, parse_survey
from app.domain.translation_sheet import (
    MAX_TEXT_LENGTH,
    read_translation_sheet,
    translatable_texts,
    write_translation_sheet,
)
from app.domain.xlsx_reading import XlsxRefused

PILOT = (Path(__file__).parent / "fixtures" / "pilot.yaml").read_text(encoding="utf-8")
ROOT = Path(__file__).parents[2]


def pilot() -> dict[str, Any]:
    definition, problems = parse_survey(PILOT, "pilot.yaml", None)
    assert problems == []
    return definition.to_dict()


def without(survey: dict[str, Any], language: str) -> dict[str, Any]:
    """The survey with every text in `language` removed: a translation still to be made."""
    partial = copy.deepcopy(survey)

    def strip(value: Any) -> None:
        if isinstance(value, dict):
            value.pop(language, None)
            for item in value.values():
                strip(item)
        elif isinstance(value, list):
            for item in value:
                strip(item)

    strip(partial)
    partial["languages"] = [code for code in survey["languages"] if code != language]
    return partial


def sheet_rows(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        return [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def edited(data: bytes, change: Any) -> bytes:
    """The sheet after a translator's edit: change(worksheet) does it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        change(book.active)
        buffer = io.BytesIO()
        book.save(buffer)
    finally:
        book.close()
    return buffer.getvalue()


def row_of(sheet: Any, id: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == id)


# --- What is translated ---------------------------------------------------------------------


def test_every_text_a_respondent_sees_has_a_stable_id():
    texts = translatable_texts(pilot())
    ids = [t.id for t in texts]
    assert ids[:2] == ["title", "intro"]
    assert "scales.maturity.1" in ids and "pages.about_you.title" in ids
    assert "questions.age_band.text" in ids
    assert "questions.age_band.options.age_16_25.label" in ids
    assert "questions.household_size.unit" in ids
    assert len(ids) == len(set(ids))
    assert all(t.what and t.text.get("en") for t in texts)
    by_id = {t.id: t for t in texts}
    assert by_id["questions.age_band.options.age_16_25.label"].what == (
        "Option 'age_16_25' of question 'age_band'"
    )


def test_only_texts_that_are_shown():
    survey = pilot()
    survey["scales"]["unused"] = [{"en": "Low"}, {"en": "High"}]
    questions = {q["key"]: q for p in survey["pages"] for q in p["questions"]}
    questions["wishes"]["unit"] = {"en": "not shown: only number questions have units"}
    questions["age_band"]["options_from"] = "neighbourhoods"
    ids = [t.id for t in translatable_texts(survey)]
    assert not any(i.startswith("scales.unused") for i in ids)
    assert "questions.wishes.unit" not in ids
    assert "questions.age_band.options.age_16_25.label" in ids  # the survey's own options show
    assert "questions.age_band.help" not in ids  # it has none


def test_a_scale_that_is_not_a_named_one_is_translated_with_its_question():
    survey = pilot()
    question = next(q for p in survey["pages"] for q in p["questions"] if q["key"] == "belonging_now")
    question["scale"] = [{"en": "No"}, {"en": "Yes"}]
    ids = [t.id for t in translatable_texts(survey)]
    assert "questions.belonging_now.scale.2" in ids and "scales.maturity.1" not in ids


def test_the_bank_surveys_have_texts_to_translate():
    bank = read_bank(ROOT / "surveys")
    for _, definition in bank.surveys:
        texts = translatable_texts(definition.to_dict())
        assert texts and all(set(t.text) == set(definition.languages) for t in texts)


# --- The sheet ------------------------------------------------------------------------------


def test_the_sheet_has_a_row_per_text_and_a_column_per_language():
    survey = without(pilot(), "he")
    rows = sheet_rows(write_translation_sheet(survey, ["he", "ar"]))
    assert rows[0] == ["id", "what", "English (en)", "Hebrew (he)", "Arabic (ar)"]
    texts = translatable_texts(survey)
    assert [r[0] for r in rows[1:]] == [t.id for t in texts]
    assert rows[1][2:] == [survey["title"]["en"], None, None]


def test_a_round_trip_fills_in_the_translation():
    original = pilot()
    survey = without(original, "he")
    data = write_translation_sheet(survey, ["he"])
    hebrew = {t.id: t.text["he"] for t in translatable_texts(original)}

    def translate(sheet: Any) -> None:
        for number in range(2, sheet.max_row + 1):
            sheet.cell(number, 4).value = hebrew[sheet.cell(number, 1).value]

    updated, problems = read_translation_sheet(edited(data, translate), survey, ["he"])
    assert problems == []
    assert updated == original | {"languages": ["en", "he"]}
    assert SurveyDefinition.from_dict(updated).fingerprint() == SurveyDefinition.from_dict(original).fingerprint()


def test_a_named_scale_is_translated_everywhere_it_is_used():
    original = pilot()
    survey = without(original, "he")
    data = write_translation_sheet(survey, ["he"])
    updated, problems = read_translation_sheet(
        edited(data, lambda s: s.cell(row_of(s, "scales.maturity.1"), 4, "נמוך מאוד")), survey, ["he"]
    )
    assert problems == []
    assert updated["scales"]["maturity"][0]["he"] == "נמוך מאוד"
    question = next(q for p in updated["pages"] for q in p["questions"] if q["key"] == "belonging_now")
    assert question["scale"][0]["he"] == "נמוך מאוד"


def test_an_untouched_sheet_changes_nothing():
    survey = pilot()
    updated, problems = read_translation_sheet(write_translation_sheet(survey, ["he"]), survey, ["he"])
    assert (updated, problems) == (survey, [])


def test_empty_cells_leave_texts_as_they_are():
    survey = pilot()
    del survey["intro"]["he"]
    data = write_translation_sheet(survey, ["he", "ar"])

    def clear_title(sheet: Any) -> None:
        sheet.cell(row_of(sheet, "title"), 4).value = None

    updated, problems = read_translation_sheet(edited(data, clear_title), survey, ["he", "ar"])
    assert problems == []
    assert "he" not in updated["intro"]  # still missing: not an error
    assert updated["title"]["he"] == survey["title"]["he"]  # an empty cell removes nothing
    assert updated["languages"] == ["en", "he"]  # no Arabic text given, so no Arabic yet


def test_a_new_language_joins_the_survey_once_it_has_a_text():
    survey = pilot()
    data = write_translation_sheet(survey, ["ar"])
    updated, problems = read_translation_sheet(
        edited(data, lambda s: s.cell(row_of(s, "title"), 4, "استبيان")), survey, ["he", "ar"]
    )
    assert problems == []
    assert updated["languages"] == ["en", "he", "ar"] and updated["title"]["ar"] == "استبيان"
    assert survey["languages"] == ["en", "he"]  # the survey given is left alone


# --- Problems -------------------------------------------------------------------------------


def problems_after(change: Any, languages: tuple[str, ...] = ("he",)) -> list[tuple[int, str, dict[str, Any]]]:
    survey = pilot()
    data = edited(write_translation_sheet(survey, ["he"]), change)
    updated, problems = read_translation_sheet(data, survey, list(languages))
    assert updated is None
    return [(p.row, p.code, p.detail) for p in problems]


def test_an_unknown_id():
    def rename(sheet: Any) -> None:
        sheet.cell(3, 1).value = "questions.nowhere.text"

    assert problems_after(rename) == [(3, "unknown_id", {"id": "questions.nowhere.text"})]


def test_a_row_without_id_and_a_repeated_id():
    def damage(sheet: Any) -> None:
        sheet.cell(3, 1).value = None
        sheet.cell(5, 1).value = "title"

    assert problems_after(damage) == [
        (3, "missing_id", {}), (5, "duplicate_id", {"id": "title", "first_row": 2}),
    ]


def test_a_source_text_that_changed_since_the_download():
    def reword(sheet: Any) -> None:
        sheet.cell(row_of(sheet, "questions.age_band.text"), 3).value = "How old are you, roughly?"
        sheet.cell(row_of(sheet, "questions.age_band.text"), 4).value = "בערך בן כמה?"

    row = row_of_in_pilot("questions.age_band.text")
    assert problems_after(reword) == [
        (row, "source_changed", {"id": "questions.age_band.text", "language": "en"}),
    ]


def row_of_in_pilot(id: str) -> int:
    return [t.id for t in translatable_texts(pilot())].index(id) + 2


def test_spaces_and_line_ends_around_the_source_do_not_count_as_a_change():
    def pad(sheet: Any) -> None:
        cell = sheet.cell(row_of(sheet, "title"), 3)
        cell.value = f"  {cell.value}\r\n"

    survey = pilot()
    data = edited(write_translation_sheet(survey, ["he"]), pad)
    assert read_translation_sheet(data, survey, ["he"])[1] == []


def test_a_text_too_long():
    def lengthen(sheet: Any) -> None:
        sheet.cell(row_of(sheet, "intro"), 4).value = "א" * (MAX_TEXT_LENGTH + 1)

    assert problems_after(lengthen) == [(3, "too_long", {
        "id": "intro", "language": "he", "length": MAX_TEXT_LENGTH + 1, "limit": MAX_TEXT_LENGTH,
    })]


def test_a_column_for_a_language_not_asked_for():
    def add_column(sheet: Any) -> None:
        sheet.cell(1, 5).value = "French (fr)"
        sheet.cell(1, 6).value = "Klingon"

    assert problems_after(add_column) == [
        (1, "unknown_language", {"column": "E", "header": "French (fr)"}),
        (1, "unknown_language", {"column": "F", "header": "Klingon"}),
    ]
    assert problems_after(lambda s: s.cell(1, 5, "hebrew")) == [
        (1, "duplicate_column", {"column": "E", "header": "hebrew"}),
    ]


def test_missing_id_or_source_columns():
    def drop(sheet: Any) -> None:
        sheet.cell(1, 1).value = "key"
        sheet.cell(1, 3).value = "notes"

    assert problems_after(drop) == [
        (1, "unknown_language", {"column": "A", "header": "key"}),
        (1, "unknown_language", {"column": "C", "header": "notes"}),
        (1, "missing_column", {"column": "id"}),
        (1, "missing_column", {"column": "English (en)"}),
    ]


def test_nothing_is_applied_when_any_row_has_a_problem():
    def mixed(sheet: Any) -> None:
        sheet.cell(row_of(sheet, "title"), 4).value = "כותרת חדשה"
        sheet.cell(row_of(sheet, "intro"), 1).value = "nonsense"

    survey = pilot()
    before = copy.deepcopy(survey)
    data = edited(write_translation_sheet(survey, ["he"]), mixed)
    assert read_translation_sheet(data, survey, ["he"])[0] is None
    assert survey == before


def test_a_file_that_is_not_a_spreadsheet_is_refused():
    with pytest.raises(XlsxRefused) as caught:
        read_translation_sheet(b"id,what,en\n", pilot(), ["he"])
    assert caught.value.code == "not_xlsx"


def test_a_renamed_sheet_is_still_read():
    survey = pilot()
    data = edited(write_translation_sheet(survey, ["he"]), lambda s: setattr(s, "title", "Blad1"))
    assert read_translation_sheet(data, survey, ["he"]) == (survey, [])


# --- Formula-looking text -------------------------------------------------------------------


def test_formula_looking_text_stays_text():
    survey = pilot()
    survey["title"] = {"en": "=1+2", "he": "@שלום"}
    survey["intro"] = {"en": "-5 degrees", "he": "+972"}
    data = write_translation_sheet(survey, ["he"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        cells = {c.value: c for row in book.active.iter_rows() for c in row if c.value}
        for text in ("=1+2", "@שלום", "-5 degrees", "+972"):
            assert cells[text].data_type == "s" and cells[text].quotePrefix
        assert all(c.data_type != "f" for c in cells.values())
    finally:
        book.close()
    # The source column matches, so the sheet reads back without a problem and unchanged.
    assert read_translation_sheet(data, survey, ["he"]) == (survey, [])


def test_a_translation_that_looks_like_a_formula_is_taken_as_text():
    def type_text(sheet: Any) -> None:
        cell = sheet.cell(row_of(sheet, "title"), 4)
        cell.value = "=SUM(A1:A9)"
        cell.data_type = "s"  # what a spreadsheet keeps when the translator types '=SUM...

    survey = pilot()
    data = edited(write_translation_sheet(survey, ["he"]), type_text)
    updated, problems = read_translation_sheet(data, survey, ["he"])
    assert problems == [] and updated["title"]["he"] == "=SUM(A1:A9)"
