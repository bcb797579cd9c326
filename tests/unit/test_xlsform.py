"""XLSForm import and export (app.domain.xlsform) and the safe .xlsx reading under it."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font
from pyxform.xls2xform import convert

from app.domain.conditions import parse_condition
from app.domain.survey_files import read_bank
from app.domain.survey_format import SurveyDefinition, parse_survey
from app.domain.survey_yaml import survey_yaml
from app.domain.xlsform import (
    language_code,
    language_header,
    read_xlsform,
    show_if_to_relevant,
    snake_case,
    write_xlsform,
)
from app.domain.xlsx_reading import OLE2_SIGNATURE, XlsxLimits, XlsxRefused, read_xlsx

ROOT = Path(__file__).parents[2]
PILOT = (Path(__file__).parent / "fixtures" / "pilot.yaml").read_text(encoding="utf-8")
BANK = read_bank(ROOT / "surveys")

SURVEY_HEADER = [
    "type", "name", "label::English (en)", "label::Hebrew (he)", "label::Arabic (ar)",
    "hint::English (en)", "hint::Hebrew (he)", "required", "relevant", "constraint",
    "appearance", "calculation", "choice_filter", "$kuid",
]
CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::Hebrew (he)", "label::Arabic (ar)"]
SETTINGS = [["form_id", "form_title", "default_language"], ["CitizenPilot", "Citizen pilot", "English (en)"]]


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook as Kobo users make them, written with openpyxl."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    book.close()
    return buffer.getvalue()


def row(type_: str, name: str | None = None, en: str | None = None, he: str | None = None,
        ar: str | None = None, **columns: Any) -> list[Any]:
    """One survey row under SURVEY_HEADER; other columns by name (hint_en, required, ...)."""
    cells = {"type": type_, "name": name, "label::English (en)": en, "label::Hebrew (he)": he,
             "label::Arabic (ar)": ar}
    cells |= {"hint::English (en)": columns.pop("hint_en", None),
              "hint::Hebrew (he)": columns.pop("hint_he", None)}
    cells |= columns
    return [cells.get(header) for header in SURVEY_HEADER]


KOBO_SURVEY = [
    SURVEY_HEADER,
    row("start", "start"),                                                             # 2
    row("end", "end"),                                                                 # 3
    row("today", "today"),                                                             # 4
    row("deviceid", "deviceid"),                                                       # 5
    row("note", "welcome", "Welcome! It takes 3 minutes.", "ברוכים הבאים!", "مرحبا!"),  # 6
    row("begin_group", "about", "About you", "עליך", "عنك"),                          # 7
    row("select_one age", "AgeBand", "How old are you?", "מה הגיל שלך?", "كم عمرك؟",
        required="yes", appearance="minimal"),                                         # 8
    row("integer", "household", "How many people live with you?", "כמה אנשים גרים איתך?",
        None, constraint=". >= 1 and . <= 20", required="TRUE()",
        hint_en="Count yourself too.", hint_he="כולל אותך."),                          # 9
    row("end_group"),                                                                  # 10
    row("begin group", "Taking part", "Taking part", "השתתפות", "المشاركة"),           # 11
    row("select_one yn", "took_part", "Did you take part?", "השתתפת?", "هل شاركت؟",
        required=True),                                                                # 12
    row("select_multiple times or_other", "times", "When can you come?", "מתי?", "متى؟",
        relevant="${took_part} = 'yes'"),                                              # 13
    row("text", "why_not", "Why not?", "למה לא?", None,
        relevant="${took_part} != 'yes'", appearance="multiline"),                     # 14
    row("decimal", "hours", "Hours a week?", "שעות בשבוע?", None,
        relevant="selected(${times}, 'evening') and ${household} > 2"),               # 15
    row("select_one yn", "evening_only", "Only evenings?", "רק בערב?", None,
        relevant="not(selected(${times}, 'morning')) or (${AgeBand} = '16-25' and ${household} <= 2)",
        constraint=". != 'x'"),                                                        # 16
    row("note", "thanks_note", "Thank you", "תודה"),                                   # 17
    row("calculate", "score", calculation="${household} * 2"),                        # 18
    row("end group"),                                                                  # 19
    row("text", "comments", "Anything else?"),                                         # 20
    row("audit", "audit"),                                                             # 21
]
KOBO_CHOICES = [
    CHOICES_HEADER,
    ["age", "16-25", "16 to 25", "16 עד 25", "من 16 إلى 25"],
    ["age", "26_plus", "26 or older", "26 ומעלה", "26 فأكثر"],
    ["yn", "yes", "Yes", "כן", "نعم"],
    ["yn", "no", "No", "לא", "لا"],
    ["times", "morning", "Mornings", "בוקר", "صباحا"],
    ["times", "evening", "Evenings", "ערב", None],
    ["times", "weekend", "Weekends", "סוף שבוע", None],
]


def kobo_form(survey: list[list[Any]] | None = None, choices: list[list[Any]] | None = None,
              settings: list[list[Any]] | None = None) -> bytes:
    return xlsx({"survey": survey or KOBO_SURVEY, "choices": choices or KOBO_CHOICES,
                 "settings": settings or SETTINGS})


def questions(survey: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["key"]: q for page in survey["pages"] for q in page["questions"]}


def problems_of(data: bytes) -> list[tuple[str, int, str]]:
    result = read_xlsform(data)
    assert result.survey is None
    return [(p.sheet, p.row, p.code) for p in result.problems]


# --- Import ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported() -> dict[str, Any]:
    result = read_xlsform(kobo_form())
    assert result.problems == []
    assert result.survey is not None
    return result.survey


def test_a_kobo_form_becomes_a_survey_the_model_accepts(imported):
    definition = SurveyDefinition.from_dict(imported)
    assert definition.key == "citizen_pilot"
    assert definition.languages == ("en", "he", "ar")
    assert definition.audience == "citizens"
    assert definition.title == {"en": "Citizen pilot"}
    assert definition.intro == {"en": "Welcome! It takes 3 minutes.", "he": "ברוכים הבאים!", "ar": "مرحبا!"}
    assert definition.minutes == 1  # 8 questions at about 10 seconds
    # Only missing translations stand between the import and a valid survey file.
    _, problems = parse_survey(survey_yaml(imported), "imported.yaml", None)
    assert problems and all("missing translation" in p.message for p in problems)


def test_groups_become_pages_and_loose_rows_a_page_of_their_own(imported):
    assert [(p["key"], p["title"]) for p in imported["pages"]] == [
        ("about", {"en": "About you", "he": "עליך", "ar": "عنك"}),
        ("taking_part", {"en": "Taking part", "he": "השתתפות", "ar": "المشاركة"}),
        ("page_3", {"en": "Citizen pilot"}),
    ]
    assert [[q["key"] for q in p["questions"]] for p in imported["pages"]] == [
        ["age_band", "household"], ["took_part", "times", "why_not", "hours", "evening_only"],
        ["comments"],
    ]


def test_types_and_their_settings(imported):
    q = questions(imported)
    assert q["age_band"]["type"] == "single_choice" and q["age_band"]["required"] is True
    assert [o["key"] for o in q["age_band"]["options"]] == ["option_16_25", "option_26_plus"]
    assert q["age_band"]["options"][0]["label"] == {"en": "16 to 25", "he": "16 עד 25", "ar": "من 16 إلى 25"}
    assert q["household"] | {"text": None} == q["household"] | {
        "type": "number", "integer": True, "min": 1, "max": 20, "required": True, "text": None,
        "help": {"en": "Count yourself too.", "he": "כולל אותך."},
    }
    assert q["took_part"]["required"] is True  # an Excel TRUE cell
    assert q["times"]["type"] == "multiple_choice" and q["times"]["other"] is True
    assert q["why_not"] | {"long": True, "max_length": 2000} == q["why_not"]
    assert q["hours"]["type"] == "number" and q["hours"]["integer"] is False
    assert q["comments"]["type"] == "text" and q["comments"]["long"] is False


def test_partial_translations_stay_missing(imported):
    q = questions(imported)
    assert q["comments"]["text"] == {"en": "Anything else?"}
    assert q["times"]["options"][1]["label"] == {"en": "Evenings", "he": "ערב"}


def test_relevant_becomes_show_if(imported):
    q = questions(imported)
    assert q["times"]["show_if"] == "took_part == 'yes'"
    assert q["why_not"]["show_if"] == "took_part != 'yes'"
    assert q["hours"]["show_if"] == "'evening' in times and household > 2"
    assert q["evening_only"]["show_if"] == (
        "'morning' not in times or age_band == 'option_16_25' and household <= 2"
    )


def test_a_group_relevant_applies_to_every_question_in_it():
    survey = [
        SURVEY_HEADER,
        row("select_one yn", "took_part", "Did you?"),
        row("begin_group", "more", "More", relevant="${took_part} = 'yes'"),
        row("begin_group", "inner", "Inner", relevant="${took_part} != 'no'"),
        row("text", "what", "What?"),
        row("end_group"),
        row("text", "how", "How?", relevant="${what} = 'x'"),
        row("end_group"),
    ]
    result = read_xlsform(kobo_form(survey))
    assert result.problems == []
    q = questions(result.survey)
    assert q["what"]["show_if"] == "took_part == 'yes' and took_part != 'no'"
    assert q["how"]["show_if"] == "took_part == 'yes' and what == 'x'"


@pytest.mark.parametrize("relevant, show_if", [
    ("${took_part} = 'yes'", "took_part == 'yes'"),
    ('${took_part}="no"', "took_part == 'no'"),
    ("'yes' = ${took_part}", "took_part == 'yes'"),
    ("selected(${took_part}, 'yes')", "took_part == 'yes'"),
    ("selected( ${times} , 'evening' )", "'evening' in times"),
    ("not(selected(${times}, 'evening'))", "'evening' not in times"),
    ("${age} >= 18", "age >= 18"),
    ("18 < ${age}", "age > 18"),
    ("${age} = '18'", "age == 18"),
    ("${age} > -1.5", "age > -1.5"),
    ("${comment} = 'It''s'", None),  # XPath has no escapes: not a literal it can read
    ("${comment} = \"It's\"", "comment == \"It's\""),
    ("(${age} > 1 or ${age} < -1) and ${took_part} = 'yes'",
     "(age > 1 or age < -1) and took_part == 'yes'"),
    ("not(${age} > 1 and ${took_part} = 'yes')", "not (age > 1 and took_part == 'yes')"),
])
def test_relevant_expressions(relevant: str, show_if: str | None):
    result = read_xlsform(kobo_form(relevant_form(relevant)))
    if show_if is None:
        assert [(p.row, p.code) for p in result.problems] == [(6, "unmappable_relevant")]
        return
    assert result.problems == []
    shown = questions(result.survey)["follow_up"]["show_if"]
    assert shown == show_if
    parse_condition(shown)


def relevant_form(relevant: str) -> list[list[Any]]:
    return [
        SURVEY_HEADER,
        row("select_one yn", "took_part", "Did you?"),
        row("select_multiple times", "times", "When?"),
        row("integer", "age", "Age?"),
        row("text", "comment", "Comment?"),
        row("text", "follow_up", "And?", relevant=relevant),  # row 6
        row("text", "later", "Later?"),
        row("calculate", "score", calculation="1"),
    ]


@pytest.mark.parametrize("relevant, reason", [
    ("${age} + 1 > 3", "syntax"),
    ("today() > '2020-01-01'", "function"),
    ("count-selected(${times}) > 1", "function"),
    ("${later} = 'x'", "later_question"),
    ("${nowhere} = 'x'", "unknown_question"),
    ("${score} > 2", "not_a_question"),
    ("${took_part} = 'maybe'", "unknown_choice"),
    ("${times} = 'evening'", "comparison"),
    ("${took_part} > 'yes'", "comparison"),
    ("${comment} != ''", "answered_test"),
    ("${age} = ${age}", "two_questions"),
    ("selected(${age}, '1')", "unknown_choice"),
    ("${took_part} = 'yes' and", "syntax"),
    ("(${took_part} = 'yes'", "syntax"),
])
def test_relevant_that_cannot_be_mapped(relevant: str, reason: str):
    result = read_xlsform(kobo_form(relevant_form(relevant)))
    assert result.survey is None
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.code) == ("survey", 6, "unmappable_relevant")
    assert problem.detail["reason"] == reason and problem.detail["relevant"] == relevant


def test_each_row_that_cannot_be_mapped_is_reported_on_its_row():
    survey = [
        SURVEY_HEADER,
        row("select_one yn", "took_part", "Did you?"),                                   # 2
        row("begin repeat", "children", "Children"),                                     # 3
        row("text", "child_name", "Name?"),                                              # 4
        row("end repeat"),                                                               # 5
        row("range", "how_much", "How much?"),                                           # 6
        row("select_one_from_file towns.csv", "town", "Town?"),                          # 7
        row("geopoint", "where", "Where?"),                                              # 8
        row("date", "when", "When?"),                                                    # 9
        row("text", "computed", "Computed", calculation="1 + 1"),                        # 10
        row("select_one yn", "filtered", "Filtered", choice_filter="name = 'yes'"),       # 11
        row("select_one yn or_other", "yn_other", "Yes, no or other?"),                  # 12
        row("selct_one yn", "typo", "Typo?"),                                            # 13
        row("select_one nolist", "no_list", "No list?"),                                 # 14
        row("text", "dynamic", "Dynamic?", required="${took_part} = 'yes'"),             # 15
        row("text", "Took_Part", "Again?"),                                              # 16
        row("text", "שם", "Hebrew name?"),                                               # 17
        row("text", "no_label", None, "רק עברית"),                                       # 18
        row("text", "piped", "Hello ${took_part}"),                                      # 19
        row("text", None, "No name"),                                                    # 20
        [None, "orphan", "Orphan cell"],                                                 # 21
        row("end_group"),                                                                # 22
        row("begin_group", "open", "Never closed"),                                      # 23
        row("text", "inside", "Inside"),                                                 # 24
    ]
    assert problems_of(kobo_form(survey)) == [
        ("survey", 3, "unmappable_type"),
        ("survey", 6, "unmappable_type"),
        ("survey", 7, "unmappable_type"),
        ("survey", 8, "unmappable_type"),
        ("survey", 9, "unmappable_type"),
        ("survey", 10, "unmappable_calculation"),
        ("survey", 11, "unmappable_choice_filter"),
        ("survey", 12, "unmappable_or_other"),
        ("survey", 13, "unknown_type"),
        ("survey", 14, "unknown_list"),
        ("survey", 15, "unmappable_required"),
        ("survey", 16, "duplicate_name"),
        ("survey", 17, "unusable_name"),
        ("survey", 18, "missing_label"),
        ("survey", 19, "unmappable_reference"),
        ("survey", 20, "missing_name"),
        ("survey", 21, "missing_type"),
        ("survey", 22, "unbalanced_group"),
        ("survey", 23, "unbalanced_group"),
    ]


def test_problems_name_what_is_wrong():
    survey = [SURVEY_HEADER, row("begin_repeat", "kids", "Kids"), row("end_repeat"),
              row("range", "r", "R"), row("text", "x", "X")]
    result = read_xlsform(kobo_form(survey))
    assert [p.detail for p in result.problems] == [{"type": "begin repeat"}, {"type": "range"}]


def test_problems_on_the_choices_sheet_name_its_rows():
    choices = KOBO_CHOICES + [["age", "16_25", "Again 16 to 25"], ["age", "old", None, "זקן"]]
    survey = [SURVEY_HEADER, row("select_one age", "age", "Age?")]
    assert problems_of(kobo_form(survey, choices)) == [
        ("choices", 9, "duplicate_name"), ("choices", 10, "missing_label"),
    ]


def test_a_choice_question_needs_two_choices():
    choices = [CHOICES_HEADER, ["one", "only", "Only"]]
    survey = [SURVEY_HEADER, row("select_one one", "single", "Single?")]
    assert problems_of(kobo_form(survey, choices)) == [("survey", 2, "too_few_choices")]


def test_what_the_survey_validator_finds_is_reported_on_its_row():
    survey = SURVEY_HEADER + ["role"]
    rows = [survey, row("text", "ok", "OK?") + [None],
            row("select_one age", "quote_me", "May we quote you?") + ["consent"]]
    result = read_xlsform(xlsx({"survey": rows, "choices": KOBO_CHOICES}))
    assert [(p.row, p.code) for p in result.problems] == [(3, "invalid_survey")]
    assert "consent question" in result.problems[0].detail["message"]


def test_a_form_with_nothing_to_ask():
    survey = [SURVEY_HEADER, row("start", "start"), row("note", "hello", "Hello")]
    assert problems_of(kobo_form(survey)) == [("survey", 0, "no_questions")]


def test_a_survey_sheet_without_type_or_name_column():
    assert problems_of(xlsx({"survey": [["name", "label"], ["x", "X"]]})) == [
        ("survey", 1, "missing_column"),
    ]


@pytest.mark.parametrize("header, code", [
    ("English (en)", "en"), ("Hebrew (he)", "he"), ("he", "he"), ("English", "en"),
    ("hebrew", "he"), ("עברית", "he"), ("العربية", "ar"), ("Español (es)", "es"),
    ("Portuguese (pt-BR)", "pt-BR"), ("Klingon", None), ("", None),
])
def test_language_columns(header: str, code: str | None):
    assert language_code(header) == code


def test_language_headers_read_back():
    for code in ("en", "he", "ar", "nl", "es", "it", "el", "hu", "xx"):
        assert language_code(language_header(code)) == code


def test_untagged_labels_are_in_the_default_language():
    survey = [["type", "name", "label", "label::English"], ["text", "q", "שאלה", "Question"]]
    settings = [["default_language"], ["he"]]
    result = read_xlsform(xlsx({"survey": survey, "settings": settings}))
    assert result.survey["languages"] == ["he", "en"]
    assert questions(result.survey)["q"]["text"] == {"he": "שאלה", "en": "Question"}
    # Without settings, the importer says which language plain columns are in.
    result = read_xlsform(xlsx({"survey": survey[:1] + [["text", "q", "سؤال", "Question"]]}),
                          untagged_language="ar")
    assert result.survey["languages"] == ["ar", "en"]
    assert result.survey["key"] == "imported_survey"


def test_an_unknown_language_column_is_a_header_problem():
    survey = [["type", "name", "label::English (en)", "label::Klingon"], ["text", "q", "Q", "Q"]]
    result = read_xlsform(xlsx({"survey": survey}))
    assert [(p.row, p.code, p.detail) for p in result.problems] == [
        (1, "unknown_language", {"column": "D", "header": "label::Klingon"}),
    ]


@pytest.mark.parametrize("name, key", [
    ("AgeBand", "age_band"), ("Taking part", "taking_part"), ("q1_a", "q1_a"),
    ("Q1.a", "q1_a"), ("1st", "q_1st"), ("__x__", "x"), ("Ünïcödé", "unicode"),
    ("class", "class_question"), ("שם", None), ("", None),
])
def test_names_are_made_snake_case(name: str, key: str | None):
    assert snake_case(name) == key


# --- Limits and refused files ---------------------------------------------------------------


def small_form(rows: int = 3, label: str = "Question") -> bytes:
    survey = [["type", "name", "label"]] + [["text", f"q{n}", label] for n in range(rows)]
    return xlsx({"survey": survey})


def refusal(data: bytes, **limits: int) -> XlsxRefused:
    with pytest.raises(XlsxRefused) as caught:
        read_xlsform(data, limits=XlsxLimits(**limits))
    return caught.value


def test_too_many_rows_names_the_first_row_beyond_the_limit():
    error = refusal(small_form(rows=12), rows=10)
    assert (error.code, error.detail) == ("too_many_rows", {"sheet": "survey", "row": 11, "limit": 10})
    assert read_xlsform(small_form(rows=9), limits=XlsxLimits(rows=10)).problems == []


def test_trailing_empty_rows_and_columns_do_not_count():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "q", "Q"])
    # Cells that were formatted but hold nothing, as Excel leaves them: beyond both limits.
    sheet.cell(row=2, column=30).font = Font(bold=True)
    sheet.cell(row=50, column=2).font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    book.close()
    assert read_xlsx(buffer.getvalue(), ["survey"], XlsxLimits(rows=10, columns=5)) == {
        "survey": [["type", "name", "label"], ["text", "q", "Q"]],
    }


def test_too_many_columns():
    data = xlsx({"survey": [["type", "name", "label", "a", "b", "c", "d"], ["text", "q", "Q"]]})
    error = refusal(data, columns=5)
    assert (error.code, error.detail["row"], error.detail["column"]) == ("too_many_columns", 1, "F")


def test_a_cell_too_long():
    survey = [["type", "name", "label"], ["text", "a", "short"], ["text", "b", "x" * 60]]
    error = refusal(xlsx({"survey": survey}), cell_chars=50)
    assert error.code == "cell_too_long"
    assert error.detail == {"sheet": "survey", "row": 3, "column": "C", "length": 60, "limit": 50}


def test_too_many_sheets_a_too_large_file_and_too_many_members():
    data = xlsx({"survey": [["type"]], "a": [], "b": []})
    assert refusal(data, sheets=2).code == "too_many_sheets"
    assert refusal(data, file_bytes=100).code == "too_large"
    assert refusal(data, members=3).code == "too_many_members"


def test_a_missing_survey_sheet():
    error = refusal(xlsx({"questions": [["type", "name"]]}))
    assert (error.code, error.detail) == ("missing_sheet", {"sheet": "survey"})


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": bytes(30_000_000)})
    assert len(bomb) < 100_000
    error = refusal(bomb)
    assert error.code == "zip_bomb" and error.detail["member"] == "xl/worksheets/sheet1.xml"
    assert error.detail["ratio"] > 200
    # The total counts too, however well spread over members.
    assert refusal(small_form(), uncompressed_bytes=1000).code == "zip_bomb"


@pytest.mark.parametrize("data, kind", [
    (b"type,name,label\ntext,q,Q\n", "not_zip"),
    (OLE2_SIGNATURE + bytes(600), "xls_or_encrypted"),
    (zip_of({"word/document.xml": b"<doc/>"}), "other_zip"),
    (zip_of({"[Content_Types].xml": b"not xml at all"}), "broken"),
])
def test_files_that_are_not_xlsx(data: bytes, kind: str):
    error = refusal(data)
    assert (error.code, error.detail["format"]) == ("not_xlsx", kind)
    assert str(error).startswith("not_xlsx")


def test_entities_in_the_xml_are_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><sst>&lol2;</sst>')
    with zipfile.ZipFile(io.BytesIO(small_form())) as original:
        members = {info.filename: original.read(info) for info in original.infolist()}
    members["xl/workbook.xml"] = laughs
    assert refusal(zip_of(members)).code == "unsafe_xml"


# --- Export ---------------------------------------------------------------------------------


def bank_surveys() -> list[dict[str, Any]]:
    assert BANK.problems == [] and BANK.surveys
    return [definition.to_dict() for _, definition in BANK.surveys]


def pilot() -> dict[str, Any]:
    definition, problems = parse_survey(PILOT, "pilot.yaml", None)
    assert problems == []
    return definition.to_dict()


@pytest.fixture(scope="module", params=[s["key"] for s in bank_surveys()] + ["pilot"])
def exported(request) -> tuple[dict[str, Any], bytes]:
    survey = pilot() if request.param == "pilot" else next(
        s for s in bank_surveys() if s["key"] == request.param
    )
    return survey, write_xlsform(survey)


def test_every_export_passes_pyxform(exported):
    survey, data = exported
    warnings: list[str] = []
    result = convert(xlsform=data, warnings=warnings, validate=False)
    assert f'<data id="{survey["key"]}"' in result.xform
    # The only warning pyxform may give: "other" of a multiple choice is not translated.
    assert all("or_other" in warning for warning in warnings)


def test_importing_an_export_gives_the_same_survey_back(exported):
    survey, data = exported
    result = read_xlsform(data)
    assert result.problems == []
    back = result.survey
    SurveyDefinition.from_dict(back)
    for field in ("key", "audience", "languages", "title", "intro", "minutes", "scales"):
        assert back[field] == survey[field], field
    assert [p["key"] for p in back["pages"]] == [p["key"] for p in survey["pages"]]
    assert [p["title"] for p in back["pages"]] == [p["title"] for p in survey["pages"]]
    assert questions(back) == expected_back(survey)


def expected_back(survey: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What an import of the export should give: the same questions, except that each
    importance_current pair comes back as two single choices (export is one-way for them)."""
    expected: dict[str, dict[str, Any]] = {}
    for question in questions(survey).values():
        if question["type"] != "importance_current":
            expected[question["key"]] = question | {"line": 0}
            continue
        for part in ("importance", "current"):
            options = [{"key": f"option_{n}", "label": {}} for n in range(1, 6)]
            key = f"{question['key']}_{part}"
            expected[key] = question | {"key": key, "type": "single_choice", "line": 0,
                                        "options": options + [{"key": "dont_know", "label": {}}]}
    for question in expected.values():
        if question["show_if"] is not None:
            question["show_if"] = Equivalent(question["show_if"], questions(survey))
        if question["type"] == "single_choice" and question["key"] not in questions(survey):
            question["options"] = OptionKeys([o["key"] for o in question["options"]])
    return expected


class Equivalent:
    """Equal to any condition that gives the same result for every combination of answers
    (q in ['a', 'b'] comes back as q == 'a' or q == 'b')."""

    def __init__(self, source: str, questions_by_key: dict[str, dict[str, Any]]) -> None:
        self.source, self.questions = source, questions_by_key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return False
        mine, theirs = parse_condition(self.source), parse_condition(other)
        names = sorted(mine.names | theirs.names)
        choices = [self.answers(self.questions[name]) for name in names]
        return all(
            mine.evaluate(dict(zip(names, combo))) == theirs.evaluate(dict(zip(names, combo)))
            for combo in itertools.product(*choices)
        )

    @staticmethod
    def answers(question: dict[str, Any]) -> list[Any]:
        keys = [o["key"] for o in question["options"]]
        if question["type"] == "multiple_choice":
            return [set(), *({k} for k in keys), set(keys)]
        if question["type"] == "single_choice":
            return [None, *keys]
        if question["type"] == "text":
            return [None, "", "x"]
        return [None, *range(-1, 7)]

    def __repr__(self) -> str:
        return f"Equivalent({self.source!r})"


class OptionKeys:
    """Equal to a list of options with these keys, whatever their labels."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def __eq__(self, other: object) -> bool:
        return isinstance(other, list) and [o["key"] for o in other] == self.keys

    def __repr__(self) -> str:
        return f"OptionKeys({self.keys})"


def exported_sheets(data: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}
    finally:
        book.close()


def test_the_export_is_laid_out_as_xlsforms_are():
    sheets = exported_sheets(write_xlsform(pilot()))
    assert list(sheets) == ["survey", "choices", "settings"]
    survey = sheets["survey"]
    assert survey[0][:6] == ["type", "name", "label::English (en)", "label::Hebrew (he)",
                             "hint::English (en)", "hint::Hebrew (he)"]
    types = [r[0] for r in survey[1:]]
    assert types[:3] == ["note", "begin_group", "select_one options_age_band"]
    assert "select_one importance_scale" in types and "select_one current_state_scale" in types
    assert "select_one scale_maturity" in types and "select_one agreement_scale" in types
    assert types.count("begin_group") == types.count("end_group") == 2
    assert sheets["settings"][0][:3] == ["form_id", "form_title", "default_language"]
    assert sheets["settings"][1][:3] == ["citizen_needs_pilot", pilot()["title"]["en"], "English (en)"]


@pytest.mark.parametrize("show_if, relevant", [
    ("took_part == 'yes'", "${took_part} = 'yes'"),
    ("took_part != 'no'", "${took_part} != 'no'"),
    ("'evening' in times", "selected(${times}, 'evening')"),
    ("'evening' not in times", "not(selected(${times}, 'evening'))"),
    ("age >= 18", "${age} >= 18"),
    ("18 <= age", "${age} >= 18"),
    ("age > -2.5", "${age} > -2.5"),
    ("band in ['a', 'b']", "${band} = 'a' or ${band} = 'b'"),
    ("band not in ['a', 'b'] and age > 1", "(${band} != 'a' and ${band} != 'b') and ${age} > 1"),
    ("band in ['a', 'b'] and not situation == 'retired'",
     "(${band} = 'a' or ${band} = 'b') and not(${situation} = 'retired')"),
    ("(a == 'x' or b == 'y') and c > 2", "(${a} = 'x' or ${b} = 'y') and ${c} > 2"),
    ("comment == \"it's\"", "${comment} = \"it's\""),
    ("comment == 'say \"it\\'s\"'", "${comment} = concat('say \"it', \"'\", 's\"')"),
])
def test_show_if_becomes_relevant(show_if: str, relevant: str):
    assert show_if_to_relevant(show_if) == relevant


def test_formula_looking_text_is_written_as_text():
    survey = pilot()
    first = survey["pages"][0]["questions"][0]
    first["text"] = {"en": "=HYPERLINK(\"http://evil\")", "he": "+972 עברית"}
    first["options"][0]["label"] = {"en": "-5 or less", "he": "@home"}
    data = write_xlsform(survey)
    book = openpyxl.load_workbook(io.BytesIO(data))
    try:
        cells = [c for r in book["survey"].iter_rows() for c in r] + [
            c for r in book["choices"].iter_rows() for c in r
        ]
        assert all(c.data_type != "f" for c in cells)
        by_value = {c.value: c for c in cells}
        for text in ("=HYPERLINK(\"http://evil\")", "+972 עברית", "-5 or less", "@home"):
            assert by_value[text].data_type == "s" and by_value[text].quotePrefix
    finally:
        book.close()
    back = questions(read_xlsform(data).survey)[first["key"]]
    assert back["text"] == first["text"] and back["options"][0]["label"] == first["options"][0]["label"]


def test_the_built_in_scales_take_the_words_they_are_given():
    words = {"agreement": [{"he": f"הסכמה {n}"} for n in range(1, 6)], "dont_know": [{"he": "לא יודע"}]}
    sheets = exported_sheets(write_xlsform(pilot(), words))
    agreement = [r for r in sheets["choices"] if r[0] == "agreement_scale"]
    assert [r[1] for r in agreement] == ["1", "2", "3", "4", "5", "dont_know"]
    assert [r[2:4] for r in agreement][:1] == [["Strongly disagree", "הסכמה 1"]]
    assert agreement[-1][2:4] == ["I don't know", "לא יודע"]


def test_a_partial_survey_exports_with_empty_cells():
    survey = pilot()
    del survey["pages"][0]["questions"][0]["text"]["he"]
    data = write_xlsform(survey)
    convert(xlsform=data, warnings=[], validate=False)
    assert questions(read_xlsform(data).survey)["age_band"]["text"] == {"en": survey["pages"][0]["questions"][0]["text"]["en"]}
