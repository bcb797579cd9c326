"""Actions against needs: what a valid action needs, how its status may change, what is shown."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.actions import (
    DESCRIPTION_MAX,
    NEXT_STATUSES,
    STATUSES,
    TITLE_MAX,
    ActionChoices,
    ActionDraft,
    needs_of,
    problems_of,
    problems_of_update,
    scored_criteria,
    shown_progress,
    statuses_from,
    tidy,
)
from app.domain.survey_format import SurveyDefinition

CHOICES = ActionChoices(
    needs=frozenset({"need_language", "need_digital"}), criteria=frozenset({"needs", "outreach"}),
    groups=frozenset({"youth", "newcomers"}), languages=("en", "he", "ar"), default_language="en")
TODAY = date(2026, 12, 7)


def draft(**fields) -> ActionDraft:
    values = {"title": {"en": "Free language courses"}, "description": {}, "needs": ["need_language"],
              "criteria": [], "groups": [], "status": "planned", "dropped_reason": {}, "progress": 0}
    return ActionDraft(**{**values, **fields})


def codes(action: ActionDraft, previous_status: str | None = None) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in problems_of(tidy(action, CHOICES.languages), CHOICES, previous_status)}


def test_an_action_with_a_title_in_the_main_language_and_a_need_is_valid():
    assert codes(draft()) == set()
    assert codes(draft(needs=[], criteria=["outreach"], groups=["youth"], status="done", progress=100)) == set()


def test_the_title_is_needed_in_the_main_language_whatever_the_others_say():
    assert codes(draft(title={"he": "קורסים"})) == {("title", "missing")}
    assert codes(draft(title={"en": "   "})) == {("title", "missing")}
    problem = problems_of(tidy(draft(title={}), CHOICES.languages), CHOICES)[0]
    assert problem.language == "en"


def test_an_action_answers_at_least_one_need_or_criterion():
    assert codes(draft(needs=[], criteria=[])) == {("needs", "nothing_answered")}


@pytest.mark.parametrize(("field", "value"), [
    ("needs", ["need_housing"]), ("criteria", ["beauty"]), ("groups", ["martians"])])
def test_only_the_rounds_own_needs_criteria_and_groups_may_be_named(field, value):
    assert (field, "unknown") in codes(draft(**{field: value}))


def test_keys_the_saved_action_names_stay_choosable_when_it_is_edited():
    saved = draft(needs=["need_retired"])
    assert problems_of(saved, CHOICES.with_kept(saved), "planned") == []


def test_a_dropped_action_says_why_in_the_main_language():
    assert codes(draft(status="dropped")) == {("dropped_reason", "missing")}
    assert codes(draft(status="dropped", dropped_reason={"he": "אין תקציב"})) == {("dropped_reason", "missing")}
    assert codes(draft(status="dropped", dropped_reason={"en": "No budget this year"})) == set()


def test_a_reason_is_kept_only_for_a_dropped_action():
    tidied = tidy(draft(status="under_way", dropped_reason={"en": "typed by mistake"}), CHOICES.languages)
    assert tidied.dropped_reason == {}


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_progress_is_a_percentage(progress):
    assert codes(draft(progress=progress)) == {("progress", "out_of_range")}


@pytest.mark.parametrize("progress", [0, 55, 100])
def test_progress_from_0_to_100_is_accepted(progress):
    assert codes(draft(progress=progress)) == set()


def test_done_is_shown_100_percent_done_and_other_statuses_show_what_was_typed():
    assert shown_progress("done", 30) == 100
    assert shown_progress("under_way", 30) == 30
    assert shown_progress("dropped", 70) == 70


def test_a_new_action_may_start_in_any_status():
    assert statuses_from(None) == STATUSES


@pytest.mark.parametrize(("previous", "new"), [
    ("planned", "under_way"), ("under_way", "done"), ("done", "under_way"), ("planned", "dropped"),
    ("dropped", "planned"), ("under_way", "planned"), ("done", "done")])
def test_allowed_status_changes(previous, new):
    assert ("status", "not_allowed") not in codes(draft(status=new, dropped_reason={"en": "why"}), previous)


@pytest.mark.parametrize(("previous", "new"), [("done", "dropped"), ("done", "planned"), ("dropped", "done")])
def test_refused_status_changes(previous, new):
    assert ("status", "not_allowed") in codes(draft(status=new, dropped_reason={"en": "why"}), previous)


def test_every_status_has_its_next_statuses_and_none_is_unknown():
    assert set(NEXT_STATUSES) == set(STATUSES)
    assert all(set(after) <= set(STATUSES) for after in NEXT_STATUSES.values())
    assert codes(draft(status="finished")) == {("status", "unknown")}


def test_texts_are_limited_per_language_and_other_languages_are_left_out():
    long_title = draft(title={"en": "x" * (TITLE_MAX + 1)}, description={"he": "y" * (DESCRIPTION_MAX + 1)})
    assert codes(long_title) == {("title", "too_long"), ("description", "too_long")}
    tidied = tidy(draft(title={"en": " Courses ", "xx": "Unknown language", "he": ""}), CHOICES.languages)
    assert tidied.title == {"en": "Courses"}


def test_each_key_is_kept_once_in_the_order_chosen():
    tidied = tidy(draft(needs=["need_digital", "need_language", "need_digital"]), CHOICES.languages)
    assert tidied.needs == ["need_digital", "need_language"]


def test_an_update_has_a_date_that_has_come_and_a_text_in_the_main_language():
    assert problems_of_update(TODAY, {"en": "Started with 14 people"}, "en", TODAY) == []
    assert {(p.field, p.code) for p in problems_of_update(date(2026, 12, 8), {"he": "התחיל"}, "en", TODAY)} == {
        ("on", "in_future"), ("text", "missing")}


def test_the_rounds_needs_are_its_importance_current_items_and_its_criteria_those_its_scales_feed():
    definition = SurveyDefinition.from_dict(_survey([
        {"key": "age", "type": "single_choice", "role": "group", "criterion": None},
        {"key": "need_language", "type": "importance_current", "role": "item", "criterion": "needs"},
        {"key": "hours", "type": "number", "role": "item", "criterion": "participation"},
        {"key": "offer_known", "type": "agreement", "role": "item", "criterion": "outreach"},
        {"key": "need_digital", "type": "importance_current", "role": "item", "criterion": "needs"},
    ]))
    assert needs_of(definition) == ["need_language", "need_digital"]
    assert scored_criteria(definition) == ["needs", "outreach"]


def _survey(questions: list[dict]) -> dict:
    """A survey dict (SurveyDefinition.to_dict's shape) with these questions on one page."""
    base = {"text": {"en": "?"}, "required": False, "help": None, "show_if": None, "options": [], "other": False,
            "max_choices": None, "long": False, "max_length": None, "min": None, "max": None, "integer": True,
            "unit": None, "scale": None}
    return {"key": "s", "audience": "citizens", "languages": ["en"], "title": {"en": "S"}, "intro": {"en": "I"},
            "minutes": 3, "scales": {},
            "pages": [{"key": "p", "title": {"en": "P"}, "questions": [{**base, **q} for q in questions]}]}

