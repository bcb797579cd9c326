from app.domain.answers import OTHER_OPTION, AnswerCell, MultipleChoice, decode, encode


def test_scale_answer_is_one_cell_and_dont_know_is_null():
    assert encode("agreement", 4) == [AnswerCell(value=4.0)]
    assert encode("agreement", None) == [AnswerCell(value=None)]


def test_importance_current_pair_keeps_each_half_separately():
    assert encode("importance_current", (5, None)) == [AnswerCell(value=5.0, value2=None)]


def test_multiple_choice_is_one_cell_per_option_plus_other_text():
    cells = encode("multiple_choice", MultipleChoice(frozenset({"time", "cost"}), "no bus"))
    assert cells == [
        AnswerCell(option="cost"),
        AnswerCell(option="time"),
        AnswerCell(option=OTHER_OPTION, text="no bus"),
    ]


def test_every_type_round_trips_through_its_cells():
    examples = {
        "agreement": 2,
        "importance_current": (4, 1),
        "single_choice": "yes",
        "multiple_choice": MultipleChoice(frozenset({"a", "b"}), "c"),
        "text": "more evening classes",
        "number": 3,
    }
    for question_type, value in examples.items():
        assert decode(question_type, encode(question_type, value)) == value, question_type


def test_condition_membership_works_on_a_multiple_choice_answer():
    assert "time" in MultipleChoice(frozenset({"time"}))
    assert "cost" not in MultipleChoice(frozenset({"time"}))
