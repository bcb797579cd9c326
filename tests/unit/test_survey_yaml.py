"""Survey dicts written back as survey files (app.domain.survey_yaml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from app.domain.survey_files import read_bank
from app.domain.survey_format import SurveyDefinition, parse_survey
from app.domain.survey_yaml import survey_yaml
from app.domain.yaml_lines import load_yaml

ROOT = Path(__file__).parents[2]
BANK = read_bank(ROOT / "surveys")
PILOT = (Path(__file__).parent / "fixtures" / "pilot.yaml").read_text(encoding="utf-8")
CRITERIA = BANK.catalogue.criterion_keys if BANK.catalogue else None


def reparsed(survey: dict[str, Any], criterion_keys: Any = None) -> SurveyDefinition:
    definition, problems = parse_survey(survey_yaml(survey), "written.yaml", criterion_keys)
    assert problems == []
    assert definition is not None
    return definition


def pilot() -> dict[str, Any]:
    definition, problems = parse_survey(PILOT, "pilot.yaml", None)
    assert problems == [] and definition is not None
    return definition.to_dict()


def question(survey: dict[str, Any], key: str) -> dict[str, Any]:
    return next(q for p in survey["pages"] for q in p["questions"] if q["key"] == key)


@pytest.mark.parametrize("path, definition", BANK.surveys, ids=[p.name for p, _ in BANK.surveys])
def test_every_bank_survey_reads_back_with_the_same_fingerprint(path: Path, definition: SurveyDefinition):
    assert BANK.problems == []
    assert reparsed(definition.to_dict(), CRITERIA).fingerprint() == definition.fingerprint()


def test_the_pilot_reads_back_with_the_same_fingerprint():
    definition, _ = parse_survey(PILOT, "pilot.yaml", None)
    again, problems = parse_survey(survey_yaml(pilot()), "written.yaml", None)
    assert problems == [] and again.fingerprint() == definition.fingerprint()


def test_the_file_reads_like_the_bank_files():
    text = survey_yaml(pilot())
    lines = text.splitlines()
    assert lines[1:5] == ["key: citizen_needs_pilot", "audience: citizens", "languages: [en, he]",
                          f"minutes: {pilot()['minutes']}"]
    assert "title:" in lines and "pages:" in lines
    assert "  - key: about_you" in lines and "      - key: age_band" in lines
    assert "        type: single_choice" in lines
    assert "          - key: age_16_25" in lines and "            label:" in lines
    assert any(line.startswith("              he: ") for line in lines)
    assert "\\u" not in text  # Hebrew as it is
    assert "      - key: household_size\n        type: number" in text


def test_only_fields_that_differ_from_the_defaults_are_written():
    text = survey_yaml(pilot())
    for default in ("role: item", "long: false", "integer: true", "other: false", ": null",
                    "options: []", "line:", "max_choices", "options_from"):
        assert default not in text, default
    # A group question is required by default, so only `required: false` would be written.
    assert "required: true" not in text


def test_fields_are_written_in_the_bank_files_order():
    survey = pilot()
    q = question(survey, "barriers")
    q |= {"role": "group", "required": False, "other": True, "max_choices": 2, "show_if": "household_size >= 3",
          "help": {"en": "Tick all", "he": "סמנו"}}
    data = load_yaml(survey_yaml(survey)).data
    written = next(q for p in data["pages"] for q in p["questions"] if q["key"] == "barriers")
    assert list(written) == ["key", "type", "role", "required", "other", "max", "show_if", "text",
                             "help", "options"]
    assert written["max"] == 2 and written["required"] is False


def test_number_and_text_settings_are_written_when_not_the_default():
    survey = pilot()
    number = question(survey, "household_size")
    number |= {"integer": False, "min": 0.5, "max": 12}
    text = question(survey, "wishes")
    text |= {"long": True, "max_length": 1000}
    again = reparsed(survey)
    assert again.question("household_size").integer is False
    assert (again.question("household_size").min, again.question("household_size").max) == (0.5, 12)
    assert again.question("wishes").long and again.question("wishes").max_length == 1000


def test_scales_are_written_by_name():
    survey = pilot()
    text = survey_yaml(survey)
    assert "        scale: maturity\n" in text
    assert text.count("Very low") == 1  # the points once, under scales:


def test_a_scale_that_is_no_named_scale_gets_a_name_of_its_own():
    survey = pilot()
    question(survey, "access_ok")["scale"] = [{"en": "No", "he": "לא"}, {"en": "Yes", "he": "כן"}]
    again = reparsed(survey)
    assert again.scales["access_ok_scale"] == ({"en": "No", "he": "לא"}, {"en": "Yes", "he": "כן"})
    assert again.question("access_ok").scale == again.scales["access_ok_scale"]


@pytest.mark.parametrize("text", [
    "yes", "no", "true", "null", "3", "- insufficient", "+++ very good", "a: b", "#hashtag",
    "it's", 'say "hi"', "'quoted'", "[brackets]", "{braces}", "two\nlines", " leading space",
    "trailing space ", "%percent", "@at", "`tick`", "a # comment", "* star", "& amp", "! bang",
    "?", "עברית: שאלה?", "\u200fRLM",
])
def test_any_text_reads_back_as_it_was(text: str):
    survey = pilot()
    question(survey, "wishes")["text"] = {"en": text, "he": text}
    question(survey, "may_quote")["options"][0]["label"]["en"] = text
    again = reparsed(survey)
    assert again.question("wishes").text == {"en": text, "he": text}
    assert again.question("may_quote").options[0].label["en"] == text


def test_conditions_that_start_with_a_quote_are_quoted():
    survey = pilot()
    question(survey, "balance_need")["show_if"] = "'barrier_childcare' in barriers"
    assert reparsed(survey).question("balance_need").show_if == "'barrier_childcare' in barriers"


def test_partial_translations_are_written_as_they_are():
    survey = copy.deepcopy(pilot())
    del survey["intro"]["he"]
    definition, problems = parse_survey(survey_yaml(survey), "partial.yaml", None)
    assert [p.message for p in problems] == ["survey 'citizen_needs_pilot' intro: missing translation for he"]


def test_the_options_a_community_keeps_and_consent_questions():
    survey = pilot()
    question(survey, "age_band")["options_from"] = "neighbourhoods"
    text = survey_yaml(survey)
    assert "        options_from: neighbourhoods\n" in text
    assert "          - key: 'yes'\n" in text
    assert reparsed(survey).question("age_band").options_from == "neighbourhoods"
