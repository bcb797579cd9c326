import pytest

from app.domain.answers import MultipleChoice
from app.domain.conditions import (
    Comparison,
    ConditionError,
    Literal,
    LiteralList,
    Name,
    parse_condition,
)

ANSWERS = {
    "took_part": "no",
    "age_band": "age_16_25",
    "situation": "working",
    "barriers": frozenset({"barrier_childcare", "barrier_cost"}),
    "household_size": 4,
    "trust": 2,
    "comment": "more evening classes",
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("took_part == 'no'", True),
        ("took_part == 'yes'", False),
        ("took_part != 'yes'", True),
        ("household_size >= 3", True),
        ("household_size > 4", False),
        ("household_size <= 4", True),
        ("household_size < 4", False),
        ("household_size == 4.0", True),
        ("trust > -1", True),
        ("age_band in ['age_16_25', 'age_26_40']", True),
        ("age_band in ('age_26_40',)", False),
        ("age_band not in ['age_26_40']", True),
        ("'barrier_childcare' in barriers", True),
        ("'barrier_time' in barriers", False),
        ("'barrier_time' not in barriers", True),
        ("comment == 'more evening classes'", True),
        ("age_band == 'age_16_25' and not situation == 'retired'", True),
        ("age_band == 'age_26_40' or household_size >= 3", True),
        ("age_band == 'age_26_40' or (household_size >= 3 and trust >= 4)", False),
        ("not (took_part == 'no' and trust == 2)", False),
        ("3 <= household_size", True),
        ("trust == household_size", False),
    ],
)
def test_evaluates_against_answers(expr, expected):
    assert parse_condition(expr).evaluate(ANSWERS) is expected


@pytest.mark.parametrize(
    "expr",
    [
        "took_part == 'no'",
        "took_part != 'no'",
        "took_part != 'yes'",
        "household_size < 3",
        "household_size >= 3",
        "took_part in ['yes', 'no']",
        "took_part not in ['yes']",
        "'barrier_cost' in barriers",
        "'barrier_cost' not in barriers",
        "took_part == household_size",
    ],
)
@pytest.mark.parametrize("no_answer", [{}, {"took_part": None, "household_size": None,
                                            "barriers": None}])
def test_every_comparison_with_no_answer_is_false(expr, no_answer):
    assert parse_condition(expr).evaluate(no_answer) is False


@pytest.mark.parametrize("empty", [frozenset(), set(), MultipleChoice(frozenset())])
def test_an_empty_multiple_choice_is_no_answer(empty):
    answers = {"barriers": empty}
    assert parse_condition("'barrier_cost' in barriers").evaluate(answers) is False
    assert parse_condition("'barrier_cost' not in barriers").evaluate(answers) is False


def test_an_empty_text_is_no_answer():
    assert parse_condition("comment != 'x'").evaluate({"comment": ""}) is False


def test_not_of_a_comparison_with_no_answer_is_true():
    assert parse_condition("not took_part == 'no'").evaluate({}) is True


def test_membership_works_on_the_answer_types_the_app_uses():
    condition = parse_condition("'barrier_time' in barriers")
    assert condition.evaluate({"barriers": {"barrier_time"}})
    assert condition.evaluate({"barriers": MultipleChoice(frozenset({"barrier_time"}), "bus")})
    assert not condition.evaluate({"barriers": MultipleChoice(frozenset({"barrier_cost"}))})


def test_in_on_a_single_choice_answer_never_tests_for_a_substring():
    assert parse_condition("'age' in age_band").evaluate({"age_band": "age_16_25"}) is False


def test_ordering_a_text_answer_against_a_number_is_false_not_an_error():
    assert parse_condition("comment > 3").evaluate({"comment": "abc"}) is False


def test_names_and_compared_literals_are_listed_for_the_validator():
    condition = parse_condition(
        "age_band in ['age_16_25', 'age_26_40'] and 'barrier_cost' in barriers or trust >= 4"
    )
    assert condition.names == frozenset({"age_band", "barriers", "trust"})
    assert condition.compared_literals() == (
        ("age_band", "age_16_25"),
        ("age_band", "age_26_40"),
        ("barriers", "barrier_cost"),
        ("trust", 4),
    )
    assert condition.comparisons[1] == Comparison("in", Literal("barrier_cost"), Name("barriers"))


def test_keeps_the_source_text_and_compares_by_content():
    condition = parse_condition("  trust >= -2 ")
    assert condition.source == "  trust >= -2 "
    assert condition.tree == Comparison(">=", Name("trust"), Literal(-2))
    assert condition == parse_condition("  trust >= -2 ")
    assert parse_condition("x in [1, 'a']").tree.right == LiteralList((1, "a"))


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os')",
        "__import__('os').system('ls') == 0",
        "took_part.upper() == 'NO'",
        "took_part.__class__ == 'x'",
        "open('/etc/passwd') == 'x'",
        "barriers[0] == 'x'",
        "(lambda: 1)() == 1",
        "(lambda: 1) == 1",
        "household_size + 1 > 3",
        "'a' if took_part else 'b'",
        "[x for x in barriers] == []",
        "(y := 3) == 3",
        "f'{took_part}' == 'no'",
        "took_part in {'yes', 'no'}",
        "took_part == {'a': 1}",
    ],
)
def test_rejects_anything_that_could_run_code(expr):
    with pytest.raises(ConditionError, match="not allowed"):
        parse_condition(expr)


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("took_part = 'no'", "not valid"),
        ("took_part == 'no' and", "not valid"),
        ("took_part == 'no'\nimport os", "not valid"),
        (r"took_part == '\d'", "invalid escape sequence"),
        ("took_part", "not a comparison"),
        ("not took_part", "not a comparison"),
        ("1 < household_size < 5", "chains comparisons"),
        ("took_part is 'no'", "use == or !="),
        ("took_part == True", "values are text in quotes or numbers"),
        ("took_part == None", "values are text in quotes or numbers"),
        ("took_part == b'no'", "values are text in quotes or numbers"),
        ("age_band in [situation]", "values are text in quotes or numbers"),
        ("age_band in [['a']]", "values are text in quotes or numbers"),
        ("household_size > -'a'", "values are text in quotes or numbers"),
        ("['a'] == age_band", "a list can only come after 'in'"),
        ("age_band == ['a']", "a list can only come after 'in'"),
        ("age_band in 'a'", "needs a list of values or a multiple choice question"),
        ("'a' == 'a'", "one side must be a question key"),
        ("not " * 5000 + "a == 1", "nested too deeply"),
        ("-" * 5000 + "1 == a", "nested too deeply"),
    ],
)
def test_rejects_what_is_not_a_simple_comparison(expr, fragment):
    with pytest.raises(ConditionError, match=fragment):
        parse_condition(expr)


def test_condition_error_is_a_value_error_with_a_readable_message():
    with pytest.raises(ValueError) as caught:
        parse_condition("1 < x < 5")
    assert str(caught.value).startswith("'1 < x < 5' chains comparisons")
