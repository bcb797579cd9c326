"""The rules of answering, without the app: screens, visibility, reading a posted screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.answering import (
    DONT_KNOW,
    OTHER_MAX_LENGTH,
    Problem,
    first_incomplete_screen,
    form_values,
    is_visible,
    next_screen,
    parse_screen,
    previous_screen,
    prune_hidden,
    screens_of,
    visible_questions,
)
from app.domain.answers import MultipleChoice
from app.domain.survey_format import (
    LONG_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Option,
    Page,
    Question,
    SurveyDefinition,
    parse_survey,
)

MINI_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "bank" / "mini.yaml"


# --- Building definitions inline ----------------------------------------------------------------


def q(key: str, type_: str = "agreement", **fields: object) -> Question:
    """A question; its page and position are filled in by survey()."""
    return Question(key=key, type=type_, text={"en": key}, page_key="", position=0, **fields)


def options(*keys: str) -> tuple[Option, ...]:
    return tuple(Option(key, {"en": key}) for key in keys)


def survey(**pages: list[Question]) -> SurveyDefinition:
    """A definition with one page per keyword argument, in order."""
    built: list[Page] = []
    position = 0
    for page_key, questions in pages.items():
        placed = []
        for question in questions:
            placed.append(replace(question, page_key=page_key, position=position))
            position += 1
        built.append(Page(page_key, {"en": page_key}, tuple(placed)))
    return SurveyDefinition(
        key="inline", audience="citizens", languages=("en",), title={"en": "T"},
        intro={"en": "I"}, minutes=1, scales={}, pages=tuple(built),
    )


def keys(screen) -> list[str]:
    return [question.key for question in screen.questions]


@pytest.fixture(scope="module")
def mini() -> SurveyDefinition:
    definition, problems = parse_survey(MINI_PATH.read_text(encoding="utf-8"), str(MINI_PATH), None)
    assert problems == []
    assert definition is not None
    return definition


def parse_one(question: Question, form: dict[str, list[str]], enforce_required: bool = True):
    return parse_screen([question], form, enforce_required=enforce_required)


# --- Screens ------------------------------------------------------------------------------------


def test_mini_survey_page_is_split_before_the_question_conditioned_on_the_same_page(mini):
    screens = screens_of(mini)
    assert [(s.index, s.page_key, keys(s)) for s in screens] == [
        (0, "about_you", ["age_band"]),
        (1, "needs", ["need_language", "took_part"]),
        (2, "needs", ["barriers", "heard_of_offer", "hours"]),
        (3, "your_words", ["help_most", "may_quote"]),
    ]


def test_condition_on_a_question_of_an_earlier_page_does_not_split_the_page():
    definition = survey(
        first=[q("took_part", "single_choice", options=options("yes", "no"))],
        second=[q("why", "text", show_if="took_part == 'no'"), q("trust")],
    )
    assert [keys(s) for s in screens_of(definition)] == [["took_part"], ["why", "trust"]]


def test_chained_conditions_on_one_page_split_before_each_dependent_question():
    definition = survey(main=[
        q("a"),
        q("b", show_if="a >= 3"),
        q("c", show_if="b >= 3"),
    ])
    assert [keys(s) for s in screens_of(definition)] == [["a"], ["b"], ["c"]]


def test_condition_on_a_question_already_on_an_earlier_screen_of_the_page_does_not_split_again():
    definition = survey(main=[
        q("a"),
        q("b", show_if="a >= 3"),
        q("c", show_if="a <= 2"),
    ])
    assert [keys(s) for s in screens_of(definition)] == [["a"], ["b", "c"]]


def test_skipped_questions_are_left_out_do_not_split_and_leave_no_empty_screen():
    definition = survey(
        group=[q("age_band", "single_choice", options=options("young", "old"))],
        main=[
            q("district", "single_choice", options=options("north", "south")),
            q("bus", show_if="district == 'north'"),
        ],
    )
    screens = screens_of(definition, skip=frozenset({"age_band", "district"}))
    assert [(s.index, s.page_key, keys(s)) for s in screens] == [(0, "main", ["bus"])]


# --- Visibility ---------------------------------------------------------------------------------


def test_question_without_condition_is_visible_with_no_answers():
    assert is_visible(q("trust"), {})


def test_conditioned_question_is_visible_only_when_its_condition_holds(mini):
    barriers = mini.question("barriers")
    assert is_visible(barriers, {"took_part": "no"})
    assert not is_visible(barriers, {"took_part": "yes"})
    assert not is_visible(barriers, {})


def test_dont_know_answer_makes_a_condition_on_it_false():
    follow_up = q("why", "text", show_if="trust <= 2")
    assert is_visible(follow_up, {"trust": 1})
    assert not is_visible(follow_up, {"trust": None})


def test_visible_questions_of_a_screen_leave_out_hidden_ones(mini):
    screen = screens_of(mini)[2]
    assert [x.key for x in visible_questions(screen, {"took_part": "yes"})] == [
        "heard_of_offer", "hours",
    ]
    assert [x.key for x in visible_questions(screen, {"took_part": "no"})] == [
        "barriers", "heard_of_offer", "hours",
    ]


# --- Moving between screens ---------------------------------------------------------------------


@pytest.fixture
def three_screens():
    """a | b (only when a is 'no') | c."""
    return screens_of(survey(
        one=[q("a", "single_choice", options=options("yes", "no"))],
        two=[q("b", show_if="a == 'no'")],
        three=[q("c")],
    ))


def test_next_screen_is_the_following_one_when_it_shows_something(three_screens):
    assert next_screen(three_screens, 0, {"a": "no"}).index == 1


def test_next_screen_skips_a_screen_with_nothing_visible(three_screens):
    assert next_screen(three_screens, 0, {"a": "yes"}).index == 2


def test_next_screen_after_the_last_is_none_for_the_review(three_screens):
    assert next_screen(three_screens, 2, {"a": "no"}) is None


def test_next_screen_is_none_when_every_later_screen_is_hidden():
    screens = screens_of(survey(
        one=[q("a", "single_choice", options=options("yes", "no"))],
        two=[q("b", show_if="a == 'no'")],
    ))
    assert next_screen(screens, 0, {"a": "yes"}) is None


def test_previous_screen_is_the_one_before_when_it_shows_something(three_screens):
    assert previous_screen(three_screens, 2, {"a": "no"}).index == 1


def test_previous_screen_skips_a_screen_with_nothing_visible(three_screens):
    assert previous_screen(three_screens, 2, {"a": "yes"}).index == 0


def test_previous_screen_of_the_first_is_none(three_screens):
    assert previous_screen(three_screens, 0, {"a": "no"}) is None


# --- Pruning hidden answers ---------------------------------------------------------------------


def test_prune_hidden_drops_the_answer_to_a_question_hidden_by_a_changed_answer(mini):
    answers = {"took_part": "yes", "barriers": MultipleChoice(frozenset({"time"})), "hours": 3}
    assert prune_hidden(mini, answers) == {"took_part": "yes", "hours": 3}


def test_prune_hidden_keeps_answers_to_visible_questions_including_dont_know(mini):
    answers = {
        "took_part": "no",
        "barriers": MultipleChoice(frozenset({"time"})),
        "heard_of_offer": None,
        "need_language": (None, 4),
    }
    assert prune_hidden(mini, answers) == answers


def test_prune_hidden_drops_answers_whose_condition_depended_on_a_dropped_answer():
    definition = survey(main=[
        q("took_part", "single_choice", options=options("yes", "no")),
        q("barriers", "multiple_choice", options=options("time", "cost"),
          show_if="took_part == 'no'"),
        q("cost_note", "text", show_if="'cost' in barriers"),
        q("trust"),
    ])
    answers = {
        "took_part": "yes",
        "barriers": MultipleChoice(frozenset({"cost"})),
        "cost_note": "too expensive",
        "trust": 4,
    }
    assert prune_hidden(definition, answers) == {"took_part": "yes", "trust": 4}


# --- The first incomplete screen ----------------------------------------------------------------


@pytest.fixture
def required_survey() -> SurveyDefinition:
    return survey(
        one=[q("a", "single_choice", required=True, options=options("yes", "no"))],
        two=[q("b", required=True, show_if="a == 'no'"), q("optional")],
        three=[q("c", "number", required=True)],
    )


def test_first_incomplete_screen_is_the_first_with_a_required_question_unanswered(required_survey):
    screens = screens_of(required_survey)
    assert first_incomplete_screen(screens, {}).index == 0
    assert first_incomplete_screen(screens, {"a": "no"}).index == 1


def test_first_incomplete_screen_ignores_a_hidden_required_question(required_survey):
    screens = screens_of(required_survey)
    assert first_incomplete_screen(screens, {"a": "yes"}).index == 2


def test_first_incomplete_screen_counts_dont_know_as_an_answer(required_survey):
    screens = screens_of(required_survey)
    assert first_incomplete_screen(screens, {"a": "no", "b": None, "c": 2}) is None


def test_first_incomplete_screen_is_none_when_only_optional_questions_are_unanswered(
    required_survey,
):
    screens = screens_of(required_survey)
    assert first_incomplete_screen(screens, {"a": "yes", "c": 0}) is None


# --- Reading a posted screen: agreement scale ---------------------------------------------------


@pytest.mark.parametrize("point", [1, 3, 5])
def test_agreement_point_is_read_as_an_int(point):
    assert parse_one(q("trust"), {"q_trust": [str(point)]}).answers == {"trust": point}


def test_agreement_dont_know_is_an_answer_of_none_not_a_cleared_question():
    result = parse_one(q("trust"), {"q_trust": [DONT_KNOW]})
    assert result.answers == {"trust": None}
    assert result.cleared == set()
    assert result.ok


@pytest.mark.parametrize("raw", ["0", "6", "-1", "2.5", "x", "DK", "\u00b2", "\u0663"])
def test_agreement_value_off_the_scale_is_an_unknown_choice(raw):
    result = parse_one(q("trust"), {"q_trust": [raw]})
    assert result.problems == {"trust": Problem.UNKNOWN_CHOICE}
    assert result.answers == {}


def test_agreement_with_a_custom_scale_accepts_exactly_its_number_of_points():
    seven = q("maturity", scale=tuple({"en": str(n)} for n in range(1, 8)))
    assert parse_one(seven, {"q_maturity": ["7"]}).answers == {"maturity": 7}
    assert parse_one(seven, {"q_maturity": ["8"]}).problems == {"maturity": Problem.UNKNOWN_CHOICE}


def test_agreement_with_a_three_point_scale_rejects_point_four():
    three = q("maturity", scale=({"en": "low"}, {"en": "mid"}, {"en": "high"}))
    assert parse_one(three, {"q_maturity": ["4"]}).problems == {"maturity": Problem.UNKNOWN_CHOICE}


def test_empty_optional_question_is_cleared_without_a_problem():
    result = parse_one(q("trust"), {})
    assert result.cleared == {"trust"}
    assert result.answers == {}
    assert result.ok


def test_empty_required_question_is_a_problem():
    result = parse_one(q("trust", required=True), {"q_trust": [""]})
    assert result.problems == {"trust": Problem.REQUIRED}
    assert not result.ok


def test_whitespace_only_counts_as_empty():
    result = parse_one(q("trust", required=True), {"q_trust": ["   "]})
    assert result.problems == {"trust": Problem.REQUIRED}


# --- Importance / current pair ------------------------------------------------------------------


def pair_form(importance: str, current: str) -> dict[str, list[str]]:
    return {"q_need_importance": [importance], "q_need_current": [current]}


def test_pair_is_read_as_a_tuple_of_importance_and_current():
    result = parse_one(q("need", "importance_current"), pair_form("5", "2"))
    assert result.answers == {"need": (5, 2)}


def test_pair_halves_may_each_be_dont_know():
    result = parse_one(q("need", "importance_current"), pair_form(DONT_KNOW, "3"))
    assert result.answers == {"need": (None, 3)}


@pytest.mark.parametrize("required", [True, False])
def test_pair_with_one_half_missing_is_a_problem_even_when_optional(required):
    result = parse_one(q("need", "importance_current", required=required), pair_form("4", ""))
    assert result.problems == {"need": Problem.REQUIRED_BOTH}


def test_pair_with_a_half_off_the_scale_is_an_unknown_choice():
    result = parse_one(q("need", "importance_current"), pair_form("4", "6"))
    assert result.problems == {"need": Problem.UNKNOWN_CHOICE}


def test_empty_optional_pair_is_cleared():
    assert parse_one(q("need", "importance_current"), pair_form("", "")).cleared == {"need"}


def test_empty_required_pair_is_a_problem():
    result = parse_one(q("need", "importance_current", required=True), {})
    assert result.problems == {"need": Problem.REQUIRED}


# --- Single choice ------------------------------------------------------------------------------


def test_single_choice_is_read_as_the_option_key():
    question = q("took_part", "single_choice", options=options("yes", "no"))
    assert parse_one(question, {"q_took_part": ["no"]}).answers == {"took_part": "no"}


def test_single_choice_with_an_unknown_option_is_a_problem():
    question = q("took_part", "single_choice", options=options("yes", "no"))
    result = parse_one(question, {"q_took_part": ["maybe"]})
    assert result.problems == {"took_part": Problem.UNKNOWN_CHOICE}


def test_single_choice_has_no_dont_know():
    question = q("took_part", "single_choice", options=options("yes", "no"))
    result = parse_one(question, {"q_took_part": [DONT_KNOW]})
    assert result.problems == {"took_part": Problem.UNKNOWN_CHOICE}


def test_required_single_choice_left_empty_is_a_problem():
    question = q("took_part", "single_choice", required=True, options=options("yes", "no"))
    assert parse_one(question, {}).problems == {"took_part": Problem.REQUIRED}


# --- Multiple choice ----------------------------------------------------------------------------


def multiple(**fields: object) -> Question:
    return q("barriers", "multiple_choice", options=options("time", "cost", "care"), **fields)


def test_multiple_choice_is_read_as_the_set_of_ticked_options():
    result = parse_one(multiple(), {"q_barriers": ["time", "cost"]})
    assert result.answers == {"barriers": MultipleChoice(frozenset({"time", "cost"}), None)}


def test_multiple_choice_ignores_blank_values_and_repeats():
    result = parse_one(multiple(), {"q_barriers": ["time", "", "time"]})
    assert result.answers == {"barriers": MultipleChoice(frozenset({"time"}), None)}


def test_multiple_choice_other_ticked_with_text_keeps_the_text():
    result = parse_one(
        multiple(other=True), {"q_barriers": ["cost", "_other"], "q_barriers_other": [" no bus "]}
    )
    assert result.answers == {"barriers": MultipleChoice(frozenset({"cost"}), "no bus")}


def test_multiple_choice_other_alone_is_a_complete_answer():
    result = parse_one(
        multiple(other=True, required=True),
        {"q_barriers": ["_other"], "q_barriers_other": ["no bus"]},
    )
    assert result.answers == {"barriers": MultipleChoice(frozenset(), "no bus")}


def test_multiple_choice_other_ticked_without_text_is_a_problem():
    result = parse_one(multiple(other=True), {"q_barriers": ["_other"], "q_barriers_other": [""]})
    assert result.problems == {"barriers": Problem.OTHER_MISSING}


def test_multiple_choice_other_ticked_on_a_question_without_other_is_an_unknown_choice():
    result = parse_one(multiple(), {"q_barriers": ["_other"], "q_barriers_other": ["no bus"]})
    assert result.problems == {"barriers": Problem.UNKNOWN_CHOICE}


def test_multiple_choice_other_text_is_ignored_on_a_question_without_other():
    result = parse_one(multiple(), {"q_barriers": ["time"], "q_barriers_other": ["no bus"]})
    assert result.answers == {"barriers": MultipleChoice(frozenset({"time"}), None)}


def test_multiple_choice_other_text_up_to_the_limit_is_accepted():
    text = "x" * OTHER_MAX_LENGTH
    result = parse_one(multiple(other=True), {"q_barriers": ["_other"], "q_barriers_other": [text]})
    assert result.answers == {"barriers": MultipleChoice(frozenset(), text)}


def test_multiple_choice_other_text_over_the_limit_is_too_long():
    text = "x" * (OTHER_MAX_LENGTH + 1)
    result = parse_one(multiple(other=True), {"q_barriers": ["_other"], "q_barriers_other": [text]})
    assert result.problems == {"barriers": Problem.TOO_LONG}


def test_multiple_choice_with_an_unknown_option_is_a_problem():
    result = parse_one(multiple(), {"q_barriers": ["time", "weather"]})
    assert result.problems == {"barriers": Problem.UNKNOWN_CHOICE}


def test_multiple_choice_up_to_max_choices_is_accepted():
    result = parse_one(multiple(max_choices=2), {"q_barriers": ["time", "cost"]})
    assert result.answers == {"barriers": MultipleChoice(frozenset({"time", "cost"}), None)}


def test_multiple_choice_over_max_choices_is_too_many():
    result = parse_one(multiple(max_choices=2), {"q_barriers": ["time", "cost", "care"]})
    assert result.problems == {"barriers": Problem.TOO_MANY_CHOICES}


def test_multiple_choice_other_counts_towards_max_choices():
    result = parse_one(
        multiple(other=True, max_choices=2),
        {"q_barriers": ["time", "cost", "_other"], "q_barriers_other": ["no bus"]},
    )
    assert result.problems == {"barriers": Problem.TOO_MANY_CHOICES}


def test_required_multiple_choice_with_nothing_ticked_is_a_problem():
    assert parse_one(multiple(required=True), {"q_barriers": [""]}).problems == {
        "barriers": Problem.REQUIRED,
    }


def test_optional_multiple_choice_with_nothing_ticked_is_cleared():
    result = parse_one(multiple(), {})
    assert result.cleared == {"barriers"}
    assert result.ok


# --- Text ---------------------------------------------------------------------------------------


def test_text_is_read_with_surrounding_whitespace_removed():
    result = parse_one(q("comment", "text"), {"q_comment": ["  more evening classes \n"]})
    assert result.answers == {"comment": "more evening classes"}


def test_text_up_to_its_max_length_is_accepted_and_one_more_is_too_long():
    question = q("comment", "text", max_length=10)
    assert parse_one(question, {"q_comment": ["x" * 10]}).answers == {"comment": "x" * 10}
    assert parse_one(question, {"q_comment": ["x" * 11]}).problems == {"comment": Problem.TOO_LONG}


def test_text_without_max_length_uses_the_default_limit():
    question = q("comment", "text")
    assert parse_one(question, {"q_comment": ["x" * TEXT_MAX_LENGTH]}).ok
    too_long = parse_one(question, {"q_comment": ["x" * (TEXT_MAX_LENGTH + 1)]})
    assert too_long.problems == {"comment": Problem.TOO_LONG}


def test_long_text_without_max_length_uses_the_long_limit():
    question = q("comment", "text", long=True)
    assert parse_one(question, {"q_comment": ["x" * LONG_TEXT_MAX_LENGTH]}).ok
    too_long = parse_one(question, {"q_comment": ["x" * (LONG_TEXT_MAX_LENGTH + 1)]})
    assert too_long.problems == {"comment": Problem.TOO_LONG}


def test_required_text_left_empty_is_a_problem():
    result = parse_one(q("comment", "text", required=True), {"q_comment": [" "]})
    assert result.problems == {"comment": Problem.REQUIRED}


# --- Number -------------------------------------------------------------------------------------


def test_whole_number_is_read_as_an_int():
    result = parse_one(q("hours", "number"), {"q_hours": ["12"]})
    assert result.answers == {"hours": 12}
    assert type(result.answers["hours"]) is int


def test_whole_number_written_with_a_zero_decimal_is_read_as_an_int():
    result = parse_one(q("hours", "number"), {"q_hours": ["12,0"]})
    assert result.answers == {"hours": 12}
    assert type(result.answers["hours"]) is int


@pytest.mark.parametrize(("raw", "expected"), [("2,5", 2.5), ("2.5", 2.5), ("-0,25", -0.25)])
def test_decimal_number_accepts_a_comma_or_a_point(raw, expected):
    result = parse_one(q("km", "number", integer=False), {"q_km": [raw]})
    assert result.answers == {"km": expected}


def test_spaces_inside_a_number_are_ignored():
    assert parse_one(q("people", "number"), {"q_people": ["1 000"]}).answers == {"people": 1000}


def test_fraction_for_a_whole_number_question_is_not_whole():
    result = parse_one(q("hours", "number"), {"q_hours": ["2,5"]})
    assert result.problems == {"hours": Problem.NOT_WHOLE}


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "nan", "inf", "-inf", "1e999", "12 h"])
def test_text_that_is_not_a_finite_number_is_not_a_number(raw):
    result = parse_one(q("hours", "number", integer=False), {"q_hours": [raw]})
    assert result.problems == {"hours": Problem.NOT_A_NUMBER}


def test_number_equal_to_min_or_max_is_accepted():
    question = q("hours", "number", min=0, max=40)
    assert parse_one(question, {"q_hours": ["0"]}).answers == {"hours": 0}
    assert parse_one(question, {"q_hours": ["40"]}).answers == {"hours": 40}


def test_number_below_min_is_too_small():
    result = parse_one(q("hours", "number", min=0, max=40), {"q_hours": ["-1"]})
    assert result.problems == {"hours": Problem.TOO_SMALL}


def test_number_above_max_is_too_large():
    result = parse_one(q("hours", "number", min=0, max=40), {"q_hours": ["41"]})
    assert result.problems == {"hours": Problem.TOO_LARGE}


def test_decimal_number_just_above_max_is_too_large():
    result = parse_one(q("km", "number", integer=False, max=1.5), {"q_km": ["1,51"]})
    assert result.problems == {"km": Problem.TOO_LARGE}


def test_required_number_left_empty_is_a_problem():
    result = parse_one(q("hours", "number", required=True), {"q_hours": [""]})
    assert result.problems == {"hours": Problem.REQUIRED}


def test_optional_number_left_empty_is_cleared():
    assert parse_one(q("hours", "number"), {"q_hours": [""]}).cleared == {"hours"}


# --- A whole screen, and not enforcing required answers -----------------------------------------


def test_a_screen_sorts_each_question_into_answers_cleared_or_problems(mini):
    questions = screens_of(mini)[2].questions  # barriers, heard_of_offer, hours
    form = {
        "q_barriers": ["time"],
        "q_heard_of_offer": [""],
        "q_hours": ["99"],
        "q_age_band": ["age_16_25"],  # not on this screen
    }
    result = parse_screen(questions, form)
    assert result.answers == {"barriers": MultipleChoice(frozenset({"time"}), None)}
    assert result.cleared == {"heard_of_offer"}
    assert result.problems == {"hours": Problem.TOO_LARGE}
    assert not result.ok


def test_without_enforcing_required_an_empty_required_question_is_cleared_without_a_problem():
    questions = [
        q("trust", required=True),
        q("comment", "text", required=True),
        q("took_part", "single_choice", required=True, options=options("yes", "no")),
    ]
    result = parse_screen(questions, {"q_comment": ["kept"]}, enforce_required=False)
    assert result.ok
    assert result.answers == {"comment": "kept"}
    assert result.cleared == {"trust", "took_part"}


def test_without_enforcing_required_a_half_answered_pair_is_cleared_without_a_problem():
    result = parse_one(q("need", "importance_current"), pair_form("4", ""), enforce_required=False)
    assert result.ok
    assert result.answers == {}
    assert result.cleared == {"need"}


def test_without_enforcing_required_an_invalid_answer_is_still_a_problem():
    result = parse_screen(
        [q("hours", "number", required=True), q("trust", required=True)],
        {"q_hours": ["lots"]},
        enforce_required=False,
    )
    assert result.problems == {"hours": Problem.NOT_A_NUMBER}
    assert result.cleared == {"trust"}


# --- Saved answers back into the form -----------------------------------------------------------


def test_form_values_read_back_by_parse_screen_give_the_same_answers():
    questions = [
        q("trust"),
        q("need", "importance_current"),
        q("took_part", "single_choice", options=options("yes", "no")),
        q("barriers", "multiple_choice", other=True, options=options("time", "cost")),
        q("comment", "text"),
        q("hours", "number"),
        q("km", "number", integer=False),
    ]
    answers = {
        "trust": None,
        "need": (5, None),
        "took_part": "no",
        "barriers": MultipleChoice(frozenset({"cost", "time"}), "no bus"),
        "comment": "more evening classes",
        "hours": 12,
        "km": 2.5,
    }
    result = parse_screen(questions, form_values(questions, answers))
    assert result.ok
    assert result.answers == answers


def test_form_values_show_dont_know_as_dk_and_leave_out_unanswered_questions():
    questions = [q("trust"), q("need", "importance_current"), q("hours", "number")]
    values = form_values(questions, {"trust": None, "need": (None, 2)})
    assert values == {
        "q_trust": [DONT_KNOW],
        "q_need_importance": [DONT_KNOW],
        "q_need_current": ["2"],
    }


def test_nul_characters_are_removed_from_text_answers():
    from app.domain.survey_format import Question as Q

    question = Q(key="say", type="text", text={"en": "Say"}, page_key="p", position=0)
    result = parse_screen([question], {"q_say": ["evening\x00 classes"]})
    assert result.answers == {"say": "evening classes"}
