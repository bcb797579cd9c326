import ast
import json
import re
import sys
from pathlib import Path
from textwrap import dedent, indent

import pytest

from app.domain.survey_format import (
    Catalogue,
    Criterion,
    Option,
    Problem,
    SurveyDefinition,
    parse_catalogue,
    parse_survey,
)

FIXTURES = Path(__file__).parent / "fixtures"
PILOT = (FIXTURES / "pilot.yaml").read_text(encoding="utf-8")
CRITERIA = frozenset({"balances", "belonging", "access"})

HEAD = """\
key: pilot
audience: citizens
languages: [en, he]
title: {en: Pilot, he: פיילוט}
intro: {en: Welcome, he: ברוכים הבאים}
minutes: 5
"""


def survey(questions: str, head: str = HEAD) -> str:
    """A survey with one page holding `questions` (YAML list items, written unindented)."""
    page = "pages:\n  - key: main\n    title: {en: Main, he: ראשי}\n    questions:\n"
    return dedent(head) + page + indent(dedent(questions), " " * 6)


AGE_BAND = """\
- key: age_band
  type: single_choice
  role: group
  text: {en: Age, he: גיל}
  options:
    - {key: young, label: {en: Young, he: צעיר}}
    - {key: old, label: {en: Old, he: מבוגר}}
"""


def problems_in(text: str, criterion_keys=CRITERIA) -> list[Problem]:
    definition, problems = parse_survey(text, "surveys/pilot.yaml", criterion_keys)
    assert (definition is None) == bool(problems)
    return problems


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the only line of `text` containing `marker`."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(lines) == 1, f"{marker!r} is on lines {lines}"
    return lines[0]


def assert_one_problem(text: str, marker: str, fragment: str, criterion_keys=CRITERIA) -> None:
    problems = problems_in(text, criterion_keys)
    assert len(problems) == 1, "\n".join(map(str, problems))
    (problem,) = problems
    assert problem.line == line_of(text, marker), str(problem)
    assert fragment in problem.message, str(problem)


def parse_pilot() -> SurveyDefinition:
    definition, problems = parse_survey(PILOT, "pilot.yaml", CRITERIA)
    assert problems == []
    assert definition is not None
    return definition


# --- A valid survey ----------------------------------------------------------------------------


def test_reads_a_complete_survey():
    definition = parse_pilot()
    assert definition.key == "citizen_needs_pilot"
    assert definition.audience == "citizens"
    assert definition.languages == ("en", "he")
    assert definition.title["en"] == "What do you need?"
    assert definition.intro["en"] == "A few questions about learning in your neighbourhood."
    assert definition.minutes == 5
    assert [p.key for p in definition.pages] == ["about_you", "needs"]
    assert [q.key for q in definition.questions] == [
        "age_band", "household_size", "barriers",
        "balance_need", "belonging_now", "access_ok", "wishes", "may_quote",
    ]
    assert [q.position for q in definition.questions] == list(range(8))


def test_question_fields_get_their_values_and_defaults():
    definition = parse_pilot()
    age_band = definition.question("age_band")
    assert (age_band.role, age_band.required, age_band.page_key, age_band.line) == (
        "group", True, "about_you", 23,
    )
    assert age_band.options[0] == Option("age_16_25", {"en": "16 to 25", "he": "16 עד 25"})
    barriers = definition.question("barriers")
    assert (barriers.role, barriers.required, barriers.other, barriers.max_choices) == (
        "item", False, True, 2,
    )
    assert barriers.help == {"en": "Tick at most two.", "he": "סמנו עד שתיים."}
    household = definition.question("household_size")
    assert (household.min, household.max, household.integer) == (1, 15, True)
    assert household.unit == {"en": "people", "he": "אנשים"}
    assert definition.question("wishes").long is True
    assert definition.question("wishes").max_length == 2000


def test_scales_default_to_the_built_in_agreement_scale():
    definition = parse_pilot()
    assert definition.question("access_ok").scale is None
    maturity = definition.question("belonging_now").scale
    assert maturity == definition.scales["maturity"]
    assert [point["en"] for point in maturity] == ["Very low", "Low", "Medium", "High", "Very high"]


def test_yes_and_no_stay_option_keys_not_booleans():
    assert parse_pilot().question("may_quote").option_keys == ("yes", "no")


def test_a_short_text_answer_is_limited_to_500_characters_by_default():
    text = survey(AGE_BAND + "- {key: comment, type: text, text: {en: Comment, he: הערה}}\n")
    definition, _ = parse_survey(text, "s.yaml", CRITERIA)
    assert definition.question("comment").max_length == 500


def test_question_condition_is_parsed_on_demand_and_evaluates():
    definition = parse_pilot()
    condition = definition.question("balance_need").condition
    assert condition is not None and condition.names == {"barriers", "household_size"}
    assert condition.evaluate({"household_size": 4})
    assert not condition.evaluate({})
    assert definition.question("age_band").condition is None


def test_question_lookup_raises_key_error_for_an_unknown_key():
    with pytest.raises(KeyError):
        parse_pilot().question("nope")


# --- Storage: to_dict / from_dict and the fingerprint -------------------------------------------


def test_round_trips_through_a_json_dict():
    definition = parse_pilot()
    stored = json.loads(json.dumps(definition.to_dict()))
    rebuilt = SurveyDefinition.from_dict(stored)
    assert rebuilt == definition
    assert rebuilt.to_dict() == stored
    assert [q.line for q in rebuilt.questions] == [q.line for q in definition.questions]
    assert [(q.page_key, q.position) for q in rebuilt.questions] == [
        (q.page_key, q.position) for q in definition.questions
    ]
    assert rebuilt.question("balance_need").condition == (
        definition.question("balance_need").condition
    )


def test_fingerprint_ignores_comments_blank_lines_and_layout():
    edited = PILOT.replace("key: citizen_needs_pilot", "# moved\n\nkey: citizen_needs_pilot")
    edited = edited.replace(
        "options:\n          - {key: yes, label: {en: Yes, he: כן}}",
        "options:\n\n          - key: yes\n            label:\n"
        "              en: Yes\n              he: כן",
    )
    definition, problems = parse_survey(edited, "pilot.yaml", CRITERIA)
    assert problems == []
    assert definition.question("may_quote").line != parse_pilot().question("may_quote").line
    assert definition.fingerprint() == parse_pilot().fingerprint()


def test_fingerprint_changes_when_a_text_changes():
    edited = PILOT.replace("I feel I belong here", "I feel at home here")
    definition, _ = parse_survey(edited, "pilot.yaml", CRITERIA)
    assert len(parse_pilot().fingerprint()) == 64
    assert definition.fingerprint() != parse_pilot().fingerprint()


# --- Problems: shape and ordering --------------------------------------------------------------


def test_problem_prints_as_file_line_message():
    assert str(Problem("surveys/a.yaml", 12, "oops")) == "surveys/a.yaml:12: oops"
    assert str(Problem("surveys/a.yaml", 0, "missing")) == "surveys/a.yaml: missing"


def test_reports_every_problem_in_one_pass_in_line_order():
    text = survey(
        """\
        - key: age_band
          type: single_choice
          crtierion: balances
          text: {en: Age}
          options:
            - {key: young, label: {en: Young, he: צעיר}}
        - key: age_band
          type: rating
          text: {en: Again, he: שוב}
        """,
        head=HEAD.replace("minutes: 5", "minutes: soon"),
    )
    expected = [
        (line_of(text, "minutes:"), "minutes should be a positive number"),
        (line_of(text, "crtierion"), "unknown field 'crtierion'"),
        (line_of(text, "text: {en: Age}"), "text: missing translation for he"),
        (line_of(text, "options:"), "needs at least 2 options"),
        (line_of(text, "type: rating") - 1, "duplicate question key 'age_band'"),
        (line_of(text, "type: rating"), "unknown type 'rating'"),
    ]
    problems = problems_in(text)
    assert len(problems) == len(expected), "\n".join(map(str, problems))
    for problem, (line, fragment) in zip(problems, expected):
        assert (problem.path, problem.line) == ("surveys/pilot.yaml", line)
        assert fragment in problem.message


# --- Problems: the file as a whole --------------------------------------------------------------


def test_yaml_syntax_error_is_reported_at_its_line():
    text = survey(AGE_BAND + "- key: broken\n  text: [en: x\n")
    problems = problems_in(text)
    assert len(problems) == 1
    assert "not valid YAML" in problems[0].message
    assert problems[0].line == line_of(text, "text: [en: x") + 1


def test_unquoted_question_mark_inside_braces_gets_a_hint():
    text = survey(AGE_BAND.replace("{en: Age, he: גיל}", "{en: Age?, he: גיל}"))
    assert_one_problem(text, "Age?", 'put a text containing ? : , or # in double quotes')


def test_condition_starting_with_a_quote_gets_a_hint():
    text = survey(AGE_BAND + "  show_if: 'young' in age_band\n")
    assert_one_problem(text, "show_if", "put the whole value in double quotes")


def test_a_key_given_twice_in_one_mapping_is_reported_at_the_second():
    text = survey(AGE_BAND.replace("  role: group\n", "  role: group\n  role: item\n"))
    assert_one_problem(text, "role: item", "'role' is given twice in the same place (first on line")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "the file is empty"), ("# only a comment\n", "the file is empty"),
     ("- a\n- b\n", "the file should describe a survey with the fields key, audience")],
)
def test_a_file_that_is_not_a_survey_mapping(text, fragment):
    (problem,) = problems_in(text)
    assert (problem.line, fragment in problem.message) == (1, True)


# --- Problems: top-level fields ----------------------------------------------------------------


def test_unknown_top_level_field_suggests_the_right_one():
    text = survey(AGE_BAND, head=HEAD + "titel: {en: Typo}\n")
    assert_one_problem(text, "titel", "unknown field 'titel' (did you mean 'title'?)")


def test_survey_key_must_be_snake_case():
    text = survey(AGE_BAND, head=HEAD.replace("key: pilot", "key: Pilot-2"))
    assert_one_problem(text, "Pilot-2", "survey key 'Pilot-2' is not snake_case")


def test_unknown_audience():
    text = survey(AGE_BAND, head=HEAD.replace("citizens", "citizen"))
    assert_one_problem(
        text, "audience", "unknown audience 'citizen' (did you mean 'citizens'?); use citizens, "
        "organisations or coordinators",
    )


@pytest.mark.parametrize("minutes", ["0", "-3", "five", "true", "[5]"])
def test_minutes_must_be_a_positive_number(minutes):
    text = survey(AGE_BAND, head=HEAD.replace("minutes: 5", f"minutes: {minutes}"))
    assert_one_problem(text, "minutes", "minutes should be a positive number")


def test_minutes_are_required():
    text = survey(AGE_BAND, head=HEAD.replace("minutes: 5\n", ""))
    assert_one_problem(text, "key: pilot", "has no minutes")


def test_fractional_minutes_are_fine():
    text = survey(AGE_BAND, head=HEAD.replace("minutes: 5", "minutes: 2.5"))
    assert problems_in(text) == []


@pytest.mark.parametrize(
    ("languages", "fragment"),
    [("[]", "languages should be a list of language codes"),
     ("en", "languages should be a list of language codes"),
     ("[en, English]", "'English' is not a language code"),
     ("[en, he, en]", "language en is listed twice")],
)
def test_languages_must_be_a_list_of_distinct_codes(languages, fragment):
    text = survey(AGE_BAND, head=HEAD.replace("[en, he]", languages))
    assert_one_problem(text, "languages:", fragment)


def test_a_survey_without_pages():
    assert_one_problem(HEAD + "pages: []\n", "pages:", "survey 'pilot' has no pages")


def test_an_empty_page():
    text = survey(AGE_BAND) + "  - key: empty\n    title: {en: E, he: ר}\n    questions:\n"
    problems = problems_in(text)
    assert [(p.line, p.message) for p in problems] == [
        (len(text.splitlines()), "page 'empty' has no questions")
    ]


def test_duplicate_page_key():
    text = survey(AGE_BAND) + "  - key: main\n    title: {en: M, he: ר}\n    questions:\n"
    text += indent(AGE_BAND.replace("age_band", "age_again"), " " * 6)
    problems = problems_in(text)
    assert [(p.line, p.message) for p in problems] == [
        (line_of(text, "key: age_again") - 3, "duplicate page key 'main': already used on line 8")
    ]


# --- Problems: translations --------------------------------------------------------------------


def test_missing_translation_names_the_language_and_the_field():
    text = survey(AGE_BAND.replace("{en: Age, he: גיל}", "{en: Age}"))
    assert_one_problem(text, "{en: Age}", "question 'age_band' text: missing translation for he")


def test_missing_translations_are_listed_together():
    text = survey(AGE_BAND, head=HEAD.replace("[en, he]", "[en, he, ar]"))
    messages = [p.message for p in problems_in(text)]
    assert "survey 'pilot' title: missing translation for ar" in messages
    text = survey(AGE_BAND.replace("{en: Age, he: גיל}", "{fr: Âge}"))
    messages = [p.message for p in problems_in(text)]
    assert "question 'age_band' text: missing translation for en, he" in messages


def test_translation_in_an_undeclared_language():
    text = survey(AGE_BAND.replace("{en: Age, he: גיל}", "{en: Age, he: גיל, fr: Âge}"))
    assert_one_problem(
        text, "fr: Âge",
        "question 'age_band' text: translation in fr, which is not one of the survey's "
        "languages (en, he)",
    )


def test_translation_on_its_own_line_is_reported_there():
    text = survey(AGE_BAND.replace("{en: Age, he: גיל}", "\n    en: Age\n    he: ''\n"))
    assert_one_problem(text, "he: ''", "question 'age_band' text: the he text is empty")


def test_text_must_be_given_per_language():
    text = survey(AGE_BAND.replace("{en: Age, he: גיל}", "How old are you"))
    assert_one_problem(text, "How old", "text should give the text per language, for example")


def test_option_label_translations_are_checked():
    text = survey(AGE_BAND.replace("{en: Old, he: מבוגר}", "{en: Old}"))
    assert_one_problem(
        text, "key: old", "option 'old' of question 'age_band' label: missing translation for he"
    )


def test_a_question_needs_a_text():
    text = survey(AGE_BAND.replace("  text: {en: Age, he: גיל}\n", ""))
    assert_one_problem(text, "key: age_band", "question 'age_band' has no text")


# --- Problems: questions -----------------------------------------------------------------------


def test_unknown_question_field_suggests_the_right_one():
    text = survey(AGE_BAND.replace("role: group", "role: group\n  crtierion: balances"))
    assert_one_problem(
        text, "crtierion", "question 'age_band' has an unknown field 'crtierion' (did you mean "
        "'criterion'?)",
    )


def test_field_of_another_type():
    text = survey(AGE_BAND.replace("role: group", "role: group\n  long: true"))
    assert_one_problem(text, "long: true", "question 'age_band': long does not apply to "
                       "single_choice questions")


def test_unknown_type():
    text = survey(AGE_BAND.replace("type: single_choice", "type: singel_choice"))
    assert_one_problem(text, "singel_choice", "unknown type 'singel_choice' (did you mean "
                       "'single_choice'?)")


def test_missing_type():
    text = survey(AGE_BAND.replace("  type: single_choice\n", ""))
    assert_one_problem(text, "key: age_band", "question 'age_band' has no type")


def test_unknown_role():
    text = survey(AGE_BAND.replace("role: group", "role: grup"))
    assert_one_problem(text, "role: grup", "unknown role 'grup' (did you mean 'group'?)")


def test_question_without_a_key():
    text = survey(AGE_BAND.replace("- key: age_band\n  type", "- type"))
    assert_one_problem(text, "- type", "this question has no key")


@pytest.mark.parametrize("key", ["AgeBand", "age-band", "2age", "age__band", "_age"])
def test_question_key_must_be_snake_case(key):
    text = survey(AGE_BAND.replace("key: age_band", f"key: {key}"))
    assert_one_problem(text, f"key: {key}", f"question key '{key}' is not snake_case")


def test_question_key_must_not_be_a_condition_word():
    text = survey(AGE_BAND.replace("key: age_band", "key: not"))
    assert_one_problem(text, "key: not", "'not' cannot be a question key")


def test_duplicate_question_key_across_pages_names_the_first_line():
    text = survey(AGE_BAND) + "  - key: second\n    title: {en: S, he: ש}\n    questions:\n"
    text += indent(AGE_BAND, " " * 6)
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if "key: age_band" in line]
    (problem,) = problems_in(text)
    assert problem.line == second
    assert problem.message == f"duplicate question key 'age_band': already used on line {first}"


def test_required_must_be_true_or_false():
    text = survey(AGE_BAND.replace("role: group", "role: group\n  required: yes"))
    assert_one_problem(text, "required", "question 'age_band': required should be true or false")


def test_required_defaults_to_false_for_items_and_can_be_set():
    trust = TRUST + "  required: true\n"
    text = survey(AGE_BAND.replace("role: group", "required: false") + trust)
    definition, _ = parse_survey(text, "s.yaml", CRITERIA)
    assert [q.required for q in definition.questions] == [False, True]


# --- Problems: criteria ------------------------------------------------------------------------

TRUST = """\
- key: trust
  type: agreement
  criterion: belonging
  text: {en: Trust, he: אמון}
"""


def test_unknown_criterion_suggests_a_known_one():
    text = survey(TRUST.replace("criterion: belonging", "criterion: belongings"))
    assert_one_problem(
        text, "belongings", "question 'trust' names the unknown criterion 'belongings' (did you "
        "mean 'belonging'?)",
    )


def test_unknown_criteria_are_not_checked_without_a_catalogue():
    text = survey(TRUST.replace("criterion: belonging", "criterion: anything"))
    assert problems_in(text, criterion_keys=None) == []


@pytest.mark.parametrize("question_type", ["agreement", "importance_current"])
def test_scale_item_questions_need_a_criterion(question_type):
    text = survey(TRUST.replace("  criterion: belonging\n", "").replace("agreement", question_type))
    assert_one_problem(
        text, "key: trust", f"question 'trust' has no criterion: every {question_type} item"
    )


def test_other_item_questions_may_name_a_criterion():
    text = survey(AGE_BAND.replace("role: group", "criterion: access"))
    assert problems_in(text) == []


def test_group_questions_serve_no_criterion():
    text = survey(AGE_BAND.replace("role: group", "role: group\n  criterion: access"))
    assert_one_problem(text, "criterion", "question 'age_band' is a group question, which serves "
                       "no criterion")


# --- Problems: choices, consent, numbers, texts and scales -------------------------------------


def test_choice_needs_at_least_two_options():
    text = survey(AGE_BAND.replace("    - {key: old, label: {en: Old, he: מבוגר}}\n", ""))
    assert_one_problem(text, "options:", "question 'age_band' needs at least 2 options, it has 1")


def test_choice_without_options():
    text = survey(AGE_BAND.split("  options:")[0])
    assert_one_problem(text, "key: age_band", "needs at least 2 options, it has 0")


def test_duplicate_option_key():
    text = survey(AGE_BAND + "    - {key: young, label: {en: Young again, he: צעיר}}\n")
    assert_one_problem(
        text, "Young again", "duplicate option key 'young' in question 'age_band': already "
        f"used on line {line_of(text, '{key: young, label: {en: Young,')}",
    )


def test_option_key_must_be_snake_case():
    text = survey(AGE_BAND.replace("key: old", "key: Old"))
    assert_one_problem(text, "key: Old", "option key 'Old' is not snake_case")


CONSENT = """\
- key: may_quote
  type: single_choice
  role: consent
  text: {en: Quote?, he: ציטוט?}
  options:
    - {key: yes, label: {en: Yes, he: כן}}
    - {key: no, label: {en: No, he: לא}}
"""


def test_consent_question_with_yes_and_no_is_fine():
    assert problems_in(survey(CONSENT.replace("Quote?", "Quote").replace("ציטוט?", "ציטוט"))) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [("key: no,", "key: maybe,"), ("type: single_choice", "type: multiple_choice"),
     ("    - {key: no, label: {en: No, he: לא}}\n",
      "    - {key: no, label: {en: No, he: לא}}\n    - {key: later, label: {en: L, he: ל}}\n")],
)
def test_consent_must_be_a_yes_no_single_choice(old, new):
    text = survey(CONSENT.replace("Quote?", "Quote").replace("ציטוט?", "ציטוט").replace(old, new))
    assert_one_problem(
        text, "key: may_quote", "consent question, so it must be a single_choice with exactly the "
        "options yes and no",
    )


def test_multiple_choice_max_cannot_exceed_its_options():
    text = survey(AGE_BAND.replace("single_choice", "multiple_choice").replace(
        "role: group", "max: 3"))
    assert_one_problem(text, "max: 3", "question 'age_band': max is 3, more than its 2 options")


def test_multiple_choice_max_must_be_a_positive_whole_number():
    text = survey(AGE_BAND.replace("single_choice", "multiple_choice").replace(
        "role: group", "max: 0"))
    assert_one_problem(text, "max: 0", "max should be a whole number of at least 1")


HOUSEHOLD = """\
- key: household_size
  type: number
  min: 1
  max: 15
  text: {en: People, he: אנשים}
"""


def test_number_min_above_max():
    text = survey(HOUSEHOLD.replace("min: 1", "min: 20"))
    assert_one_problem(text, "min: 20", "question 'household_size': min (20) is more than max (15)")


def test_number_bounds_must_be_numbers():
    text = survey(HOUSEHOLD.replace("max: 15", "max: many"))
    assert_one_problem(text, "max: many", "question 'household_size': max should be a number")


def test_text_max_length_must_be_a_positive_whole_number():
    text = survey("- {key: note, type: text, max_length: -5, text: {en: Note, he: הערה}}\n")
    assert_one_problem(text, "max_length", "max_length should be a whole number of at least 1")


SCALES = """\
scales:
  maturity:
    - {en: Low, he: נמוך}
    - {en: High, he: גבוה}
"""


def test_unknown_scale_names_the_defined_ones():
    text = survey(TRUST + "  scale: maturty\n", head=HEAD + SCALES)
    assert_one_problem(text, "maturty", "question 'trust' uses the unknown scale 'maturty'; the "
                       "survey defines maturity")


def test_unknown_scale_when_none_are_defined():
    text = survey(TRUST + "  scale: maturity\n")
    assert_one_problem(text, "scale: maturity", "define it under scales:")


def test_a_scale_needs_two_points():
    text = survey(TRUST, head=HEAD + "scales:\n  tiny:\n    - {en: Only, he: רק}\n")
    assert_one_problem(text, "tiny", "scale 'tiny' should be a list of at least 2 labels")


def test_scale_point_translations_are_checked():
    text = survey(TRUST, head=HEAD + SCALES.replace("{en: High, he: גבוה}", "{en: High}"))
    assert_one_problem(text, "{en: High}", "scale 'maturity' point 2: missing translation for he")


# --- Problems: conditions ----------------------------------------------------------------------

BARRIERS = """\
- key: barriers
  type: multiple_choice
  text: {en: Barriers, he: חסמים}
  options:
    - {key: barrier_cost, label: {en: Cost, he: עלות}}
    - {key: barrier_time, label: {en: Time, he: זמן}}
"""
EARLIER = AGE_BAND + BARRIERS + HOUSEHOLD


def conditional(condition: str, question: str = TRUST) -> str:
    return survey(EARLIER + question + f'  show_if: "{condition}"\n')


@pytest.mark.parametrize(
    "condition",
    [
        "age_band == 'young'",
        "age_band != 'old' and household_size > 2",
        "age_band in ['young', 'old']",
        "'barrier_cost' in barriers",
        "'barrier_cost' not in barriers or not household_size == 1",
        "household_size >= 2.5",
    ],
)
def test_valid_conditions(condition):
    assert problems_in(conditional(condition)) == []


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("age_band = 'young'", "question 'trust' show_if: the condition is not valid"),
        ("age_band.lower() == 'young'", "is not allowed in a condition"),
        ("age_bnd == 'young'", "unknown question 'age_bnd' (did you mean 'age_band'?)"),
        ("trust >= 3", "refers to the question itself"),
        ("age_band == 'yung'", "'yung' is not an option of 'age_band' (its options are young, "
                               "old)"),
        ("age_band in ['young', 'middle']", "'middle' is not an option of 'age_band'"),
        ("'barrier_bus' in barriers", "'barrier_bus' is not an option of 'barriers'"),
        ("age_band == 2", "'age_band' is a choice question: compare it with one of its options "
                          "(young, old), not the number 2"),
        ("age_band >= 'old'", "'>=' compares by order, but the options of 'age_band' have no "
                              "order"),
        ("barriers == 'barrier_cost'", "'barriers' is a multiple choice question: test it with "
                                       "'option' in barriers"),
        ("barriers in ['barrier_cost']", "'barriers' is a multiple choice question"),
        ("'young' in age_band", "only a multiple choice question can come after 'in', and "
                                "'age_band' is a single_choice question"),
        ("household_size == 'many'", "'household_size' is answered with a number: compare it "
                                     "with a number, not 'many'"),
    ],
)
def test_invalid_conditions_are_reported_at_the_show_if_line(condition, fragment):
    text = conditional(condition)
    assert_one_problem(text, "show_if", fragment)
    assert problems_in(text)[0].message.startswith("question 'trust' show_if")


def test_condition_on_a_later_question():
    text = survey(AGE_BAND + TRUST + '  show_if: "household_size > 2"\n' + HOUSEHOLD)
    assert_one_problem(
        text, "show_if", "refers to 'household_size', which comes later in the survey; use "
        "earlier ones only",
    )


def test_condition_on_an_importance_current_question():
    need = TRUST.replace("key: trust", "key: need").replace("agreement", "importance_current")
    text = survey(need + TRUST + '  show_if: "need >= 4"\n')
    assert_one_problem(text, "show_if", "'need' has two answers (importance and current state)")


def test_condition_comparing_a_text_question_with_a_number():
    note = "- {key: note, type: text, text: {en: Note, he: הערה}}\n"
    text = survey(note + TRUST + '  show_if: "note == 3"\n')
    assert_one_problem(text, "show_if", "'note' is a text question: compare it with text in quotes")


def test_condition_on_an_agreement_question_compares_numbers():
    later = TRUST.replace("key: trust", "key: later")
    assert problems_in(survey(TRUST + later + '  show_if: "trust >= 4"\n')) == []
    text = survey(TRUST + later + "  show_if: \"trust == 'agree'\"\n")
    assert_one_problem(text, "show_if", "'trust' is answered with a number: compare it with")


def test_show_if_must_be_text():
    text = survey(TRUST + "  show_if: 3\n")
    assert_one_problem(text, "show_if", "show_if should be a condition such as")


# --- The criteria catalogue --------------------------------------------------------------------

CATALOGUE = (FIXTURES / "criteria.yaml").read_text(encoding="utf-8")


def catalogue_problems(text: str) -> list[Problem]:
    catalogue, problems = parse_catalogue(text, "surveys/criteria.yaml")
    assert (catalogue is None) == bool(problems)
    return problems


def assert_one_catalogue_problem(text: str, marker: str, fragment: str) -> None:
    problems = catalogue_problems(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert problems[0].line == line_of(text, marker), str(problems[0])
    assert fragment in problems[0].message, str(problems[0])


def test_reads_the_catalogue():
    catalogue, problems = parse_catalogue(CATALOGUE, "criteria.yaml")
    assert problems == []
    assert isinstance(catalogue, Catalogue)
    assert catalogue.languages == ("en",)
    assert [f.key for f in catalogue.frameworks] == ["common", "city"]
    assert catalogue.criterion_keys == CRITERIA
    common = catalogue.frameworks[0]
    assert common.description == {"en": "Criteria every learning community shares."}
    assert catalogue.frameworks[1].description is None
    assert common.criteria[1] == Criterion(
        key="belonging", framework_key="common", name={"en": "Belonging"}, description=None,
        position=1,
    )


def test_criterion_keys_are_unique_across_frameworks():
    text = CATALOGUE.replace("key: access", "key: balances")
    (problem,) = catalogue_problems(text)
    assert problem.line == line_of(text, "name: {en: Access}") - 1
    assert problem.message == (
        f"duplicate criterion key 'balances': already used on line "
        f"{line_of(CATALOGUE, 'key: balances')}"
    )


def test_catalogue_texts_need_every_catalogue_language():
    text = CATALOGUE.replace("languages: [en]", "languages: [en, he]")
    problems = catalogue_problems(text)
    assert len(problems) == 7  # 2 framework names, 3 criterion names, 2 descriptions
    assert str(problems[0]) == (
        f"surveys/criteria.yaml:{line_of(text, 'name: {en: Common')}: framework 'common' name: "
        "missing translation for he"
    )


def test_catalogue_unknown_field():
    text = CATALOGUE.replace("name: {en: Belonging}", "name: {en: Belonging}\n        nmae: x")
    assert_one_catalogue_problem(text, "nmae", "criterion 'belonging' has an unknown field 'nmae' "
                                 "(did you mean 'name'?)")


def test_a_framework_needs_criteria():
    text = CATALOGUE.split("      - key: access")[0]
    (problem,) = catalogue_problems(text)
    assert (problem.line, problem.message) == (
        len(text.splitlines()),  # the last line: "    criteria:"
        "framework 'city' has no criteria",
    )


def test_a_catalogue_needs_frameworks_and_languages():
    problems = catalogue_problems("frameworks: []\n")
    assert [(p.line, p.message) for p in problems] == [
        (1, "the catalogue has no languages: list their codes, for example [en, he]"),
        (1, "the catalogue has no frameworks"),
    ]


def test_a_text_that_yaml_reads_as_a_number_is_reported():
    text = survey(AGE_BAND.replace("{en: Old, he: מבוגר}", "{en: 12:30, he: מבוגר}"))
    assert_one_problem(text, "12:30", "option 'old' of question 'age_band' label: the en text "
                       "should be text, not 750")


@pytest.mark.parametrize("wrong", ["[1, 2]", "{a: 1}", "null", "-1.5"])
def test_a_wrong_value_in_any_field_is_a_problem_never_a_crash(wrong):
    lines, tried = PILOT.splitlines(), set()
    for number, line in enumerate(lines):
        field = re.match(r"\s*(- )?(\w+):", line)
        if field and field.group(2) not in tried:  # each field once, to stay fast
            tried.add(field.group(2))
            broken = lines[:number] + [f"{field.group()} {wrong}"] + lines[number + 1:]
            parse_survey("\n".join(broken), "pilot.yaml", CRITERIA)  # must not raise


# --- The domain layer stays pure ---------------------------------------------------------------


@pytest.mark.parametrize("module", ["conditions", "survey_format", "survey_files", "yaml_lines"])
def test_domain_modules_import_only_the_standard_library_yaml_and_the_domain(module):
    source = (Path(__file__).parents[2] / "app" / "domain" / f"{module}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    allowed = set(sys.stdlib_module_names) | {"yaml"}
    assert {name for name in imported if not name.startswith("app.domain.")
            and name.split(".")[0] not in allowed} == set()


NEIGHBOURHOOD = """\
- key: neighbourhood
  type: single_choice
  role: group
  options_from: neighbourhoods
  text: {en: Where do you live, he: איפה המגורים}
  options:
    - {key: elsewhere, label: {en: Somewhere else, he: במקום אחר}}
"""


def test_a_choice_can_take_its_options_from_the_community_and_keep_its_own_after_them():
    from app.domain.survey_format import resolve_option_sources

    definition, problems = parse_survey(survey(NEIGHBOURHOOD), "surveys/pilot.yaml", CRITERIA)
    assert problems == []
    question = definition.question("neighbourhood")
    assert question.options_from == "neighbourhoods" and question.option_keys == ("elsewhere",)
    docks = Option("docks", {"en": "The Docks"})
    resolved = resolve_option_sources(definition, {"neighbourhoods": (docks,)})
    assert resolved.question("neighbourhood").option_keys == ("docks", "elsewhere")
    assert definition.question("neighbourhood").option_keys == ("elsewhere",)  # the survey itself is unchanged
    assert SurveyDefinition.from_dict(definition.to_dict()) == definition
    # A community that keeps no list of neighbourhoods is not asked where people live.
    assert "neighbourhood" not in [q.key for q in resolve_option_sources(definition, {}).questions]


def test_a_survey_without_community_options_keeps_its_fingerprint_format():
    definition, _ = parse_survey(survey(AGE_BAND), "surveys/pilot.yaml", CRITERIA)
    assert "options_from" not in json.dumps(definition.to_dict())


def test_options_from_names_a_known_list_and_conditions_use_only_the_survey_s_own_options():
    assert_one_problem(survey(NEIGHBOURHOOD.replace("options_from: neighbourhoods", "options_from: streets")),
                       "options_from:", "options_from can be")
    follow_up = NEIGHBOURHOOD + """\
- key: how_long
  type: number
  text: {en: Years there, he: כמה שנים}
  show_if: neighbourhood == 'docks'
"""
    assert_one_problem(survey(follow_up), "show_if:", "takes its options from the community")
    allowed = follow_up.replace("neighbourhood == 'docks'", "neighbourhood != 'elsewhere'")
    assert problems_in(survey(allowed)) == []


# --- A two-sided scale (seed 003, tables 6 and 7: +++ very good ... - insufficient) ----------

TWO_SIDED = """\
scales:
  core_points:
    - {en: "− insufficient", he: "− לא מספיק"}
    - {en: "−/+ poor", he: "−/+ חלש"}
    - {en: "+ average", he: "+ ממוצע"}
    - {en: "++ good", he: "++ טוב"}
    - {en: "+++ very good", he: "+++ טוב מאוד"}
"""


def test_a_two_sided_scale_of_pluses_and_minuses_is_declared_lowest_first_and_scored_by_place():
    from app.domain.report import ItemMeta, answer_leanings, Cell
    from app.domain.report_maths import rescale

    text = survey("""\
        - key: funding
          type: agreement
          scale: core_points
          criterion: balances
          text: {en: Funding, he: מימון}
        """, head=HEAD + TWO_SIDED)
    definition, problems = parse_survey(text, "surveys/pilot.yaml", CRITERIA)
    assert problems == []
    question = definition.question("funding")
    assert [point["en"] for point in question.scale] == ["− insufficient", "−/+ poor", "+ average", "++ good",
                                                        "+++ very good"]
    # Scored by place on the scale, 0 to 100: "−" is 0, "+" (average) the middle, "+++" 100.
    assert [rescale(point, len(question.scale)) for point in (1, 3, 5)] == [0.0, 50.0, 100.0]
    item = ItemMeta("funding", "agreement", criterion="balances", points=5)
    cells = [Cell("a", "funding", 2, value=1.0), Cell("a", "funding", 1, value=2.0),
             Cell("a", "funding", 3, value=3.0), Cell("a", "funding", 4, value=5.0)]
    assert answer_leanings(cells, [item]) == {"balances": {"low": 3, "middle": 3, "high": 4, "dont_know": 0}}
