"""Simulated respondents for demos and benchmarks: plausible, varied between groups,
and deterministic for a given random generator."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.domain.answers import MultipleChoice
from app.domain.survey_format import Question, SurveyDefinition


@dataclass(frozen=True)
class RespondentProfile:
    """How members of one group tend to answer.

    `needs_gap` shifts the current state of particular importance/current questions down
    (a need this group finds poorly met); `satisfaction` shifts every rating up or down.
    """

    fixed: Mapping[str, object] = field(default_factory=dict)
    importance: float = 0.0
    satisfaction: float = 0.0
    needs_gap: Mapping[str, float] = field(default_factory=dict)
    option_weights: Mapping[str, float] = field(default_factory=dict)
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dont_know_rate: float = 0.05
    skip_rate: float = 0.1


def simulate_respondent(
    definition: SurveyDefinition, profile: RespondentProfile, language: str, rng: random.Random
) -> dict[str, object]:
    """Answers keyed by question key; questions hidden by their condition are left out."""
    answers: dict[str, object] = {}
    for question in definition.questions:
        if question.condition is not None and not question.condition.evaluate(answers):
            continue
        if question.key in profile.fixed:
            answers[question.key] = profile.fixed[question.key]
            continue
        if not question.required and rng.random() < profile.skip_rate:
            continue
        answer = _simulate(question, profile, language, rng)
        if answer is not None:
            answers[question.key] = answer
    return answers


def _simulate(
    question: Question, profile: RespondentProfile, language: str, rng: random.Random
) -> object | None:
    if question.type == "agreement":
        points = len(question.scale) if question.scale else 5
        return _rating(rng, points, (points + 1) / 2 + 0.3 + profile.satisfaction, profile)
    if question.type == "importance_current":
        importance = _rating(rng, 5, 3.8 + profile.importance, profile)
        current = _rating(
            rng, 5, 3.1 + profile.satisfaction - profile.needs_gap.get(question.key, 0.0), profile
        )
        return (importance, current)
    if question.type == "single_choice":
        return _weighted_option(question, profile, rng)
    if question.type == "multiple_choice":
        return _ticked_options(question, profile, rng)
    if question.type == "text":
        # People write in the language they answer in: with no sentence in it, nothing is written.
        pool = profile.texts.get(language, ())
        return rng.choice(pool) if pool and rng.random() < 0.6 else None
    if question.type == "number":
        low = int(question.min if question.min is not None else 0)
        high = int(question.max if question.max is not None else low + 10)
        return rng.randint(low, high)
    raise ValueError(f"unknown question type {question.type!r}")


def _rating(rng: random.Random, points: int, mean: float, profile: RespondentProfile) -> int | None:
    if rng.random() < profile.dont_know_rate:
        return None
    return min(points, max(1, round(rng.gauss(mean, 0.9))))


def _weighted_option(question: Question, profile: RespondentProfile, rng: random.Random) -> str:
    keys = [o.key for o in question.options]
    weights = [profile.option_weights.get(f"{question.key}.{k}", 1.0) for k in keys]
    return rng.choices(keys, weights=weights)[0]


def _ticked_options(
    question: Question, profile: RespondentProfile, rng: random.Random
) -> MultipleChoice | None:
    ticked = {
        o.key
        for o in question.options
        if rng.random() < 0.2 * profile.option_weights.get(f"{question.key}.{o.key}", 1.0)
    }
    if question.max_choices:
        ticked = set(sorted(ticked)[: question.max_choices])
    return MultipleChoice(frozenset(ticked)) if ticked else None
