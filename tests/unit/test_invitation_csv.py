"""Reading an invitation list: what a spreadsheet saves, row by row, with every problem named."""

from __future__ import annotations

import codecs

import pytest

from app.domain.invitation_csv import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    Existing,
    GroupChoice,
    Issue,
    parse_invitation_list,
    sniff_delimiter,
)

LANGUAGES = ("en", "he", "nl")
GROUPS = (
    GroupChoice("youth", ("Young people", "צעירים", "Jongeren")),
    GroupChoice("seniors", ("Older residents", "Ouderen")),
)


def parse(text: str | bytes, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_invitation_list(data, languages=kwargs.pop("languages", LANGUAGES),
                                 groups=kwargs.pop("groups", GROUPS), **kwargs)


def issues(findings) -> list[tuple[int | None, str | None, Issue]]:
    return [(f.row, f.column, f.issue) for f in findings]


def test_good_rows_come_out_normalised_with_their_spreadsheet_row_numbers():
    result = parse("email,language,group\n Noa@Example.ORG ,HE,youth\ndaan@example.nl,nl-BE,\n")

    assert result.problems == [] and result.notices == []
    assert [(r.row, r.email, r.language, r.group_key) for r in result.rows] == [
        (2, "noa@example.org", "he", "youth"),
        (3, "daan@example.nl", "nl", None),
    ]


def test_a_bom_semicolons_header_case_and_column_order_are_all_understood():
    data = codecs.BOM_UTF8 + "Group;EMAIL;Language\r\nJongeren;a@example.org;nl\r\n".encode()
    result = parse(data)

    assert result.problems == []
    assert [(r.email, r.language, r.group_key) for r in result.rows] == [("a@example.org", "nl", "youth")]


def test_utf16_tab_separated_text_from_excel_is_understood():
    data = "email\tlanguage\na@example.org\ten\n".encode("utf-16")
    assert [r.email for r in parse(data).rows] == ["a@example.org"]


def test_a_group_is_found_by_key_or_by_its_name_in_any_language_ignoring_case_and_spaces():
    result = parse("email,language,group\n"
                   "a@example.org,en,YOUTH\nb@example.org,en,  older   RESIDENTS \nc@example.org,he,צעירים\n")
    assert [r.group_key for r in result.rows] == ["youth", "seniors", "youth"]


def test_every_problem_of_a_bad_row_is_reported_with_row_and_column_and_good_rows_still_count():
    text = (
        "email,language,group\n"
        "good@example.org,en,youth\n"
        "not-an-address,fr,dancers\n"
        "\n"
        ",nl,\n"
        "also.good@example.org,he,\n"
        "x@example.org,,\n"
    )
    result = parse(text)

    assert [r.email for r in result.rows] == ["good@example.org", "also.good@example.org"]
    assert issues(result.problems) == [
        (3, "email", Issue.EMAIL_INVALID),
        (3, "language", Issue.LANGUAGE_UNKNOWN),
        (3, "group", Issue.GROUP_UNKNOWN),
        (5, "email", Issue.EMAIL_MISSING),  # the empty line 4 is skipped but still counted
        (7, "language", Issue.LANGUAGE_MISSING),
    ]
    unknown_language = result.problems[1]
    assert unknown_language.params == {"value": "fr", "choices": "en, he, nl"}
    assert result.problems[2].params == {"value": "dancers", "choices": "Young people, Older residents"}
    assert result.rows_with_problems == 3 and not result.rejected_whole


def test_a_name_two_groups_share_is_ambiguous():
    groups = (GroupChoice("youth", ("Newcomers",)), GroupChoice("adults", ("Newcomers",)))
    result = parse("email,language,group\na@example.org,en,newcomers\n", groups=groups)
    assert issues(result.problems) == [(2, "group", Issue.GROUP_AMBIGUOUS)]
    assert result.problems[0].params["choices"] == "Newcomers (adults), Newcomers (youth)"  # alike: keys tell them apart
    labelled = (GroupChoice("youth", ("Newcomers",), "New in town"), GroupChoice("adults", ("Newcomers",), "Adults"))
    result = parse("email,language,group\na@example.org,en,newcomers\n", groups=labelled)
    assert result.problems[0].params["choices"] == "Adults, New in town"  # as the page names them


def test_group_names_match_whatever_dash_underscore_or_spacing_the_file_uses():
    groups = (GroupChoice("youth", ("Young people 16–25", "צעירים 16–25"), "Young people 16–25"),
              GroupChoice("people_with_disabilities", ("People with disabilities",), "People with disabilities"))
    result = parse("email,language,group\n"
                   "a@example.org,en,Young people 16-25\n"       # a hyphen for the en dash
                   "b@example.org,en,young people 16 - 25\n"
                   "c@example.org,he,צעירים 16-25\n"              # the Hebrew name
                   "d@example.org,en,People_with_Disabilities\n"
                   "e@example.org,en,people-with-disabilities\n"
                   "f@example.org,en,Young people\n", groups=groups)
    assert [r.group_key for r in result.rows] == ["youth", "youth", "youth", "people_with_disabilities",
                                                  "people_with_disabilities"]
    assert issues(result.problems) == [(7, "group", Issue.GROUP_UNKNOWN)]
    assert result.problems[0].params["choices"] == "Young people 16–25, People with disabilities"  # no internal keys


def test_the_same_address_twice_becomes_one_row_with_the_later_language_and_group():
    result = parse("email,language,group\nA@example.org,en,youth\nb@example.org,en,\n a@EXAMPLE.org ,he,seniors\n")

    assert [(r.email, r.language, r.group_key, r.row) for r in result.rows] == [
        ("b@example.org", "en", None, 3),
        ("a@example.org", "he", "seniors", 4),
    ]
    assert issues(result.notices) == [(4, "email", Issue.MERGED_DUPLICATE)]
    assert result.notices[0].params == {"first_row": 2}


def test_addresses_already_invited_are_updated_or_left_as_they_are():
    existing = {
        "changed@example.org": Existing("en", None),
        "same@example.org": Existing("nl", "youth"),
        "answered@example.org": Existing("en", None, answered=True),
    }
    text = ("email,language,group\nchanged@example.org,he,youth\nsame@example.org,nl,youth\n"
            "answered@example.org,he,\nnew@example.org,en,\n")
    result = parse(text, existing=existing)

    assert [(r.email, r.update) for r in result.rows] == [("changed@example.org", True), ("new@example.org", False)]
    assert issues(result.notices) == [
        (2, "email", Issue.ALREADY_INVITED_UPDATED),
        (3, "email", Issue.ALREADY_INVITED_UNCHANGED),
        (4, "email", Issue.ALREADY_ANSWERED_KEPT),
    ]


def test_extra_columns_are_ignored_and_missing_cells_are_empty():
    result = parse("name,email,language,note\nNoa,noa@example.org,he\n")
    assert [(r.email, r.language, r.group_key) for r in result.rows] == [("noa@example.org", "he", None)]


def test_quoted_cells_may_hold_the_delimiter_and_line_breaks():
    result = parse('email,language,group\n"a@example.org",en,"Older residents"\n"x,y",en,"two\nlines"\nb@example.org,en,\n')
    assert [r.row for r in result.rows] == [2, 4]  # the quoted line break stays inside row 3
    assert issues(result.problems)[:1] == [(3, "email", Issue.EMAIL_INVALID)]


@pytest.mark.parametrize("text, issue, params", [
    ("language,group\nen,youth\n", Issue.MISSING_COLUMN, {"column": "email"}),
    ("a@example.org,en\nb@example.org,en\n", Issue.MISSING_COLUMN, {"column": "email"}),
    ("email,language,Email\n", Issue.DUPLICATE_COLUMN, {"column": "email"}),
    ("\n \n", Issue.FILE_EMPTY, {}),
    ("email,language\n", None, {}),  # a header alone is no problem: there is nothing to import
])
def test_a_file_without_the_right_header_is_rejected_whole(text, issue, params):
    result = parse(text)
    assert result.rows == []
    if issue is None:
        assert result.problems == []
    else:
        assert [(p.issue, dict(p.params)) for p in result.problems] == [(issue, params)]
        assert result.rejected_whole


def test_a_file_that_is_not_utf8_is_rejected_whole_with_a_clear_issue():
    result = parse("email,language\nzoë@example.org,nl\n".encode("latin-1"))
    assert issues(result.problems) == [(None, None, Issue.NOT_UTF8)] and result.rows == []


def test_a_file_with_a_nul_byte_is_not_csv():
    result = parse(b"email,language\na@example.org,en\n\x00\n")
    assert [p.issue for p in result.problems] == [Issue.NOT_CSV] and result.rows == []


@pytest.mark.parametrize("start", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_a_spreadsheet_file_not_saved_as_csv_is_named_as_such(start):
    result = parse(start + b"\x00\x01rest of the workbook")
    assert [p.issue for p in result.problems] == [Issue.SPREADSHEET_FILE] and result.rejected_whole


def test_a_cell_larger_than_csv_allows_is_not_csv_and_names_its_row():
    result = parse("email,language\na@example.org,en\n\"" + "x" * 200_000 + "\",en\n")
    assert [(p.issue, dict(p.params)) for p in result.problems] == [(Issue.NOT_CSV, {"row": 3})]


def test_too_large_a_file_is_rejected_before_it_is_read():
    result = parse(b"email,language\n" + b" " * MAX_FILE_BYTES)
    assert [(p.issue, dict(p.params)) for p in result.problems] == [(Issue.FILE_TOO_LARGE, {"max_mb": 2})]


def test_too_many_rows_reject_the_file_whole():
    lines = "".join(f"p{n}@example.org,en\n" for n in range(MAX_ROWS + 1))
    result = parse("email,language\n" + lines)
    assert [(p.issue, dict(p.params)) for p in result.problems] == [(Issue.TOO_MANY_ROWS, {"max_rows": MAX_ROWS})]
    assert result.rows == []


def test_as_many_rows_as_allowed_are_read():
    lines = "".join(f"p{n}@example.org,en\n" for n in range(MAX_ROWS))
    assert len(parse("email,language\n" + lines).rows) == MAX_ROWS


@pytest.mark.parametrize("header, expected", [
    ("email,language,group", ","), ("email;language;group", ";"), ("email\tlanguage", "\t"), ("email", ","),
])
def test_the_delimiter_is_the_one_the_header_uses(header, expected):
    assert sniff_delimiter(f"\n{header}\nx;y,z\n") == expected


def test_a_round_without_groups_rejects_any_group_and_says_there_is_none():
    result = parse("email,language,group\na@example.org,en,youth\nb@example.org,en,\n", groups=())
    assert issues(result.problems) == [(2, "group", Issue.GROUP_UNKNOWN)]
    assert result.problems[0].params["choices"] == ""
    assert [r.email for r in result.rows] == ["b@example.org"]


def test_a_named_panel_s_list_needs_each_rater_s_name():
    from app.domain.invitation_csv import Issue, parse_invitation_list

    missing = parse_invitation_list(b"email,language\nnoa@example.org,en\n", languages=["en"], names_required=True)
    assert [(p.issue, p.params) for p in missing.problems] == [(Issue.MISSING_COLUMN, {"column": "name"})]
    parsed = parse_invitation_list(b"email,language,name\nnoa@example.org,en,  Noa   Levi \ndaan@example.org,en,\n",
                                   languages=["en"], names_required=True)
    assert [(row.email, row.name) for row in parsed.rows] == [("noa@example.org", "Noa Levi")]
    assert [(p.row, p.issue) for p in parsed.problems] == [(3, Issue.NAME_MISSING)]
    other = parse_invitation_list(b"email,language,name\nnoa@example.org,en,Noa\n", languages=["en"])
    assert other.rows[0].name is None  # other rounds keep no names: the column is the coordinator's own
