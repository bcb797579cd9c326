"""The surveys CommonGround ships: they validate, cover what they promise, fit their time, and
every text is written in the script of its language."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from app.domain.survey_files import read_bank
from app.domain.survey_length import estimated_minutes
from app.domain.translation_coverage import catalogue_texts, survey_texts

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_LANGUAGES = ("en", "he", "ar", "nl", "es", "it", "el", "hu")
COMMON_CRITERIA = {
    "balances", "change", "diversity", "dynamics", "inclusion", "infrastructures", "innovation", "learning",
    "needs", "opportunities", "outreach", "participation", "partnerships", "penetration", "policy_making",
    "reflection", "sharing", "talent", "transparency", "value_codes", "visibility",
}


@pytest.fixture(scope="module")
def bank():
    bank = read_bank(ROOT / "surveys")
    assert bank.problems == [], "\n".join(map(str, bank.problems))
    return bank


@pytest.fixture(scope="module")
def surveys(bank):
    return {survey.key: survey for _, survey in bank.surveys}


def items(survey):
    return [q for q in survey.questions if q.role == "item"]


def criteria_counts(survey) -> Counter:
    return Counter(q.criterion for q in items(survey) if q.criterion)


def test_the_bank_ships_the_four_surveys_in_all_eight_languages(bank, surveys):
    assert set(surveys) == {"citizen_needs", "partner_organisations", "community_health_check",
                            "unesco_self_assessment"}
    assert set(bank.catalogue.languages) == set(SHIPPED_LANGUAGES)
    for survey in surveys.values():
        assert set(survey.languages) == set(SHIPPED_LANGUAGES), survey.key


def test_the_catalogue_has_the_21_common_criteria_and_the_unesco_features(bank):
    frameworks = {f.key: f for f in bank.catalogue.frameworks}
    assert {c.key for c in frameworks["common"].criteria} == COMMON_CRITERIA
    assert len(frameworks["unesco"].criteria) >= 9  # six building blocks and the fundamental conditions
    for criterion in frameworks["common"].criteria:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", criterion.description["en"].strip()) if s]
        assert len(sentences) == 2, f"{criterion.key}: {criterion.description['en']}"


def test_the_partner_survey_asks_about_every_common_criterion_at_least_twice(surveys):
    counts = criteria_counts(surveys["partner_organisations"])
    assert {c: n for c, n in counts.items() if c in COMMON_CRITERIA and n < 2} == {}
    assert COMMON_CRITERIA <= set(counts)
    assert surveys["partner_organisations"].audience == "organisations"


def test_the_citizen_survey_covers_its_criteria_needs_and_barriers_in_a_phone_sized_time(surveys):
    citizens = surveys["citizen_needs"]
    assert citizens.audience == "citizens"
    assert {"needs", "opportunities", "learning", "outreach", "participation", "inclusion", "visibility",
            "transparency", "diversity"} <= set(criteria_counts(citizens))
    pairs = [q for q in citizens.questions if q.type == "importance_current"]
    assert len(pairs) >= 8
    barriers = citizens.question("barriers")
    assert barriers.type == "multiple_choice" and len(barriers.options) >= 8 and barriers.other
    assert citizens.question("help_most").type == "text"
    assert citizens.question("may_quote").role == "consent"
    roles = [q.role for q in citizens.questions]
    assert roles[:roles.count("group")] == ["group"] * roles.count("group")  # who you are comes first
    assert citizens.question("neighbourhood").options_from == "neighbourhoods"
    # The length budget: at most 12 minutes on a phone, and an honest promise on the welcome page.
    estimate = estimated_minutes(citizens)
    assert estimate <= 12 and citizens.minutes <= 12
    assert citizens.minutes >= 0.85 * estimate, f"the survey says {citizens.minutes} min, it takes {estimate:.1f}"
    assert len(items(citizens)) <= 30


def test_the_health_check_rates_each_typical_threat_against_a_criterion(surveys):
    check = surveys["community_health_check"]
    threats = [q for q in items(check) if q.type == "agreement"]
    assert len(threats) >= 16
    assert all(q.criterion in COMMON_CRITERIA for q in threats)
    assert all(q.scale for q in threats)  # its own risk scale


def test_the_unesco_self_assessment_rates_every_feature_on_five_levels(bank, surveys):
    unesco = surveys["unesco_self_assessment"]
    features = {c.key for f in bank.catalogue.frameworks if f.key == "unesco" for c in f.criteria}
    counts = criteria_counts(unesco)
    assert {c: counts[c] for c in features if counts[c] < 2} == {}
    assert all(len(q.scale) == 5 for q in items(unesco) if q.type == "agreement")


def test_every_other_survey_fits_its_declared_time(surveys):
    for survey in surveys.values():
        estimate = estimated_minutes(survey)
        assert 0.8 * estimate <= survey.minutes <= 1.5 * estimate + 2, (survey.key, survey.minutes, estimate)


SCRIPTS = {"he": "HEBREW", "ar": "ARABIC", "el": "GREEK"}
FOREIGN = {"HEBREW", "ARABIC", "GREEK", "CYRILLIC"}


def scripts_in(text: str) -> set[str]:
    found = set()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.add(next((s for s in FOREIGN | {"LATIN"} if name.startswith(s)), "OTHER"))
    return found


def test_every_text_is_written_in_its_language_s_script(bank, surveys):
    texts = [*catalogue_texts(bank.catalogue), *(t for s in surveys.values() for t in survey_texts(s))]
    wrong = []
    for text in texts:
        for language, value in text.items():
            own = SCRIPTS.get(language, "LATIN")
            stray = scripts_in(value) & FOREIGN - {own}
            if stray:
                wrong.append(f"{language}: {value!r} has {', '.join(sorted(stray))} letters")
            if own != "LATIN" and own not in scripts_in(value):
                wrong.append(f"{language}: {value!r} has no {own} letters")
    assert wrong == []
