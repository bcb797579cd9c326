"""How long a survey takes on a phone, estimated from its questions.

The figures are what a careful reader needs per question type on a small screen, with a
little reading time per page; they are deliberately on the slow side, since the people whose
needs matter most may read slowly or in their second language.
"""

from __future__ import annotations

from app.domain.survey_format import Question, SurveyDefinition

SECONDS_PER_TYPE = {
    "agreement": 10,
    "importance_current": 18,  # two scales
    "single_choice": 10,
    "multiple_choice": 20,
    "number": 10,
    "text": 45,
}
SECONDS_PER_OPTION = 1.5  # reading a long list of options takes longer
LONG_TEXT_EXTRA = 30
SECONDS_PER_PAGE = 8  # the page title, moving on, the page loading on a slow connection


def question_seconds(question: Question) -> float:
    seconds = SECONDS_PER_TYPE[question.type]
    if question.type in ("single_choice", "multiple_choice"):
        seconds += SECONDS_PER_OPTION * max(0, len(question.options) - 3)
    if question.type == "text" and question.long:
        seconds += LONG_TEXT_EXTRA
    return seconds


def estimated_minutes(definition: SurveyDefinition, skipped: frozenset[str] = frozenset()) -> float:
    """Minutes for someone who is shown every question (follow-ups included) but `skipped`."""
    questions = [q for q in definition.questions if q.key not in skipped]
    seconds = sum(question_seconds(q) for q in questions) + SECONDS_PER_PAGE * len(definition.pages)
    return seconds / 60
