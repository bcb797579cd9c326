"""The draft of a community's survey: the file validator's rules on it, edits that refuse to
break it, conditions from menus, and what makes a new version wording-only."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from app.domain import survey_drafts as drafts
from app.domain import survey_texts
from app.domain.survey_drafts import EditRefused, SimpleCondition
from app.domain.survey_files import read_bank

ROOT = Path(__file__).parents[2]
BANK = read_bank(ROOT / "surveys")
CRITERIA = BANK.catalogue.criterion_keys
MINI = read_bank(ROOT / "tests" / "fixtures" / "bank")


def mini() -> dict:
    return drafts.draft_of(MINI.surveys[0][1])


@pytest.mark.parametrize("path, definition", BANK.surveys, ids=[p.name for p, _ in BANK.surveys])
def test_a_bank_survey_as_a_draft_passes_the_same_rules_and_keeps_its_fingerprint(path, definition):
    check = drafts.check_draft(drafts.draft_of(definition), CRITERIA)
    assert check.problems == ()
    assert check.definition.fingerprint() == definition.fingerprint()


def test_each_problem_names_its_question_and_field_without_line_numbers():
    draft = mini()
    draft["pages"][1]["questions"][2]["options"] = draft["pages"][1]["questions"][2]["options"][:1]
    draft["pages"][1]["questions"][0]["criterion"] = "nonsense"
    check = drafts.check_draft(draft, MINI.catalogue.criterion_keys)
    found = {(p.question_position, p.field) for p in check.problems}
    assert ((1, 2), "options") in found and ((1, 0), "criterion") in found
    assert check.definition is None
    assert not [p for p in check.problems if " line " in p.message]


def test_texts_may_be_missing_beyond_the_source_language_but_not_in_it():
    draft = mini()
    draft["pages"][0]["questions"][0]["text"].pop("he")
    assert drafts.check_draft(draft, None).problems == ()
    assert survey_texts.complete_languages(draft) == ["en"]
    assert survey_texts.missing_texts(draft, "he") == ["questions.age_band.text"]
    draft["pages"][0]["questions"][0]["text"].pop("en")
    assert [p.field for p in drafts.check_draft(draft, None).problems] == ["text"]


def test_a_question_others_depend_on_cannot_be_removed_or_moved_below_them():
    draft = mini()
    with pytest.raises(EditRefused) as refused:
        drafts.remove_question(draft, "took_part")
    assert refused.value.code == "needed_by_conditions" and refused.value.details["questions"] == ["barriers"]
    with pytest.raises(EditRefused) as refused:
        drafts.move_question(draft, "took_part", +1)
    assert refused.value.code == "condition_on_later"
    with pytest.raises(EditRefused) as refused:
        drafts.move_question(draft, "barriers", -1)  # above the question it looks at
    assert refused.value.details == {"question": "barriers", "on": ["took_part"]}


def test_a_condition_on_itself_is_refused_however_often_it_is_saved():
    draft = mini()
    took_part = copy.deepcopy(draft["pages"][1]["questions"][1])
    took_part["show_if"] = "took_part == 'yes'"
    for _attempt in range(3):
        with pytest.raises(EditRefused) as refused:
            drafts.save_question(draft, "needs", took_part, replacing="took_part")
        assert refused.value.code == "condition_on_itself"
    assert draft["pages"][1]["questions"][1].get("show_if") is None


def test_renaming_a_question_renames_it_in_the_conditions_that_use_it():
    draft = mini()
    took_part = {**draft["pages"][1]["questions"][1], "key": "took_part_last_year"}
    changed = drafts.save_question(draft, "needs", took_part, replacing="took_part")
    assert changed["pages"][1]["questions"][2]["show_if"] == "took_part_last_year == 'no'"


def test_questions_move_across_pages_at_their_ends():
    draft = mini()
    moved = drafts.move_question(draft, "need_language", -1)
    assert [q["key"] for q in moved["pages"][0]["questions"]][-1] == "need_language"
    assert drafts.move_question(draft, "age_band", -1) is draft  # already first


@pytest.mark.parametrize("expression", ["took_part == 'yes'", "'time' in barriers", "hours >= 3",
                                        "'cost' not in barriers", "heard_of_offer != 2"])
def test_a_simple_condition_goes_to_the_menus_and_back(expression):
    condition = drafts.simple_condition(expression)
    assert condition is not None and condition.expression() == expression


def test_a_combined_condition_is_not_shown_as_menus():
    assert drafts.simple_condition("a == 'x' and b == 'y'") is None
    assert drafts.simple_condition("not a == 'x'") is None


def test_a_typed_value_for_a_condition_must_be_an_answer_the_question_can_have():
    choice = {"type": "single_choice", "options": [{"key": "yes"}, {"key": "no"}]}
    assert drafts.condition_value(choice, "yes") == "yes" and drafts.condition_value(choice, "maybe") is None
    assert drafts.condition_value({"type": "number"}, "2,5") == 2.5
    assert drafts.condition_value({"type": "number"}, "three") is None
    assert SimpleCondition("note", "==", "it's").expression() == 'note == "it\'s"'


def test_wording_only_versions_ask_the_same_things():
    before = MINI.surveys[0][1]
    draft = drafts.draft_of(before)
    draft["pages"][1]["questions"][1]["text"]["en"] = "Did you take part in anything last year?"
    draft["pages"][1]["questions"][1]["options"][0]["label"]["he"] = "כן!"
    assert drafts.wording_only(before, drafts.check_draft(draft, None).definition)
    draft["pages"][1]["questions"][1]["options"].append({"key": "maybe", "label": {"en": "Maybe"}})
    assert not drafts.wording_only(before, drafts.check_draft(draft, None).definition)


@pytest.mark.parametrize("words, key", [("65 and over", "option_65_and_over"), ("שאלה", "option"),
                                        ("Which library?", "which_library")])
def test_keys_made_from_words_are_valid_keys(words, key):
    assert drafts.new_key(words, set(), "option") == key


def test_the_source_language_comes_first_and_other_texts_go_with_their_language():
    draft = drafts.with_languages(mini(), ["he"])
    assert draft["languages"] == ["he"] and set(draft["title"]) == {"he"}


def test_changed_source_words_mark_their_translations_outdated_until_a_translator_sets_them():
    before = mini()
    after = copy.deepcopy(before)
    after["pages"][1]["questions"][1]["text"]["en"] = "Did you take part in anything?"
    marked = survey_texts.with_outdated(before, after)
    assert survey_texts.outdated_texts(marked, "he") == ["questions.took_part.text"]
    assert marked["pages"][1]["questions"][1]["text"]["he"] == before["pages"][1]["questions"][1]["text"]["he"]
    # Unchanged words mark nothing; setting the Hebrew (even to the same words) clears the mark.
    assert survey_texts.with_outdated(marked, copy.deepcopy(marked))["outdated"] == marked["outdated"]
    kept = survey_texts.set_text(marked, "questions.took_part.text", "he", "השתתפת?")
    assert survey_texts.outdated_texts(kept, "he") == []
    assert survey_texts.with_outdated(marked, kept)["outdated"] == {}
