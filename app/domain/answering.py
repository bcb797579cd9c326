"""The rules of answering a survey, free of the web: screens, visibility, parsing a posted page.

A *screen* is what one page of the answering flow shows. It is a survey page, split before any
question whose display condition looks at an earlier question of the same page: conditions are
evaluated on the server, so the answer they depend on must be saved before they are shown.

Posted form fields, per question key `k`:
  q_k                 agreement scale point, single choice option, text or number
                      (several q_k values for a multiple choice)
  q_k_importance      the two halves of an importance/current-state pair
  q_k_current
  q_k_other           the "other, namely ..." text of a multiple choice
"Don't know" on a scale is the value `dk`; as an answer it is None (a key present with None),
while a question not answered has no key at all.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.domain.answers import MultipleChoice
from app.domain.survey_format import LONG_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH, Question, SurveyDefinition

DONT_KNOW = "dk"
OTHER_MAX_LENGTH = 200
PAIR_SCALE_POINTS = 5
AGREEMENT_POINTS = 5

Answers = Mapping[str, object]
FormData = Mapping[str, Sequence[str]]  # field name -> every value posted for it


class Problem(enum.Enum):
    """Why an answer was not accepted; the web layer words it in the respondent's language."""

    REQUIRED = "required"
    REQUIRED_BOTH = "required_both"  # one half of an importance/current pair is missing
    UNKNOWN_CHOICE = "unknown_choice"
    TOO_MANY_CHOICES = "too_many_choices"
    OTHER_MISSING = "other_missing"  # "other" ticked without saying what
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Screen:
    index: int  # from 0
    page_key: str
    questions: tuple[Question, ...]


@dataclass
class PageResult:
    answers: dict[str, object] = field(default_factory=dict)  # accepted answers on this screen
    cleared: set[str] = field(default_factory=set)  # questions left empty: forget old answers
    problems: dict[str, Problem] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def screens_of(definition: SurveyDefinition, skip: frozenset[str] = frozenset()) -> tuple[Screen, ...]:
    """The screens of the flow; `skip` names questions answered in advance (a group's link)."""
    screens: list[Screen] = []
    for page in definition.pages:
        current: list[Question] = []
        for question in page.questions:
            if question.key in skip:
                continue
            depends_on_this_screen = question.condition is not None and any(
                name in {q.key for q in current} for name in question.condition.names
            )
            if depends_on_this_screen:
                screens.append(Screen(len(screens), page.key, tuple(current)))
                current = []
            current.append(question)
        if current:
            screens.append(Screen(len(screens), page.key, tuple(current)))
    return tuple(screens)


def is_visible(question: Question, answers: Answers) -> bool:
    return question.condition is None or question.condition.evaluate(answers)


def visible_questions(screen: Screen, answers: Answers) -> tuple[Question, ...]:
    return tuple(q for q in screen.questions if is_visible(q, answers))


def next_screen(screens: Sequence[Screen], after: int, answers: Answers) -> Screen | None:
    """The next screen with something to show, or None when the review comes next."""
    return next((s for s in screens[after + 1:] if visible_questions(s, answers)), None)


def previous_screen(screens: Sequence[Screen], before: int, answers: Answers) -> Screen | None:
    return next((s for s in reversed(screens[:before]) if visible_questions(s, answers)), None)


def prune_hidden(definition: SurveyDefinition, answers: Answers) -> dict[str, object]:
    """Drop answers to questions that a later change of answer has hidden."""
    kept: dict[str, object] = {}
    for question in definition.questions:
        if question.key in answers and is_visible(question, kept):
            kept[question.key] = answers[question.key]
    return kept


def first_incomplete_screen(screens: Sequence[Screen], answers: Answers) -> Screen | None:
    """The first screen with a required, visible question still unanswered."""
    for screen in screens:
        for question in visible_questions(screen, answers):
            if question.required and question.key not in answers:
                return screen
    return None


def parse_screen(questions: Sequence[Question], form: FormData, enforce_required: bool = True) -> PageResult:
    """Read and check the posted answers of the visible questions of one screen.

    With enforce_required=False (going back, changing language) empty required answers are
    accepted, so that nothing already typed is lost.
    """
    result = PageResult()
    for question in questions:
        answer, problem = _PARSERS[question.type](question, form)
        if not enforce_required and problem in (Problem.REQUIRED, Problem.REQUIRED_BOTH):
            problem = None  # keep what can be kept; the half-answered pair is not saved
        if problem is not None:
            result.problems[question.key] = problem
        elif answer is _EMPTY:
            result.cleared.add(question.key)
        else:
            result.answers[question.key] = answer
    return result


_EMPTY = object()  # nothing was posted for the question


def _first(form: FormData, name: str) -> str:
    values = form.get(name) or [""]
    # NUL characters are never meant, and PostgreSQL refuses to store them in text.
    return values[0].replace("\x00", "").strip()


def _required(question: Question) -> tuple[object, Problem | None]:
    return _EMPTY, Problem.REQUIRED if question.required else None


def _scale_point(raw: str, points: int) -> tuple[int | None, bool]:
    """(value, valid): `dk` is a valid None."""
    if raw == DONT_KNOW:
        return None, True
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= points:  # "²".isdigit() too
        return int(raw), True
    return None, False


def _parse_agreement(question: Question, form: FormData) -> tuple[object, Problem | None]:
    raw = _first(form, f"q_{question.key}")
    if not raw:
        return _required(question)
    points = len(question.scale) if question.scale else AGREEMENT_POINTS
    value, valid = _scale_point(raw, points)
    if not valid:
        return None, Problem.UNKNOWN_CHOICE
    return value, None


def _parse_pair(question: Question, form: FormData) -> tuple[object, Problem | None]:
    halves = [_first(form, f"q_{question.key}_{half}") for half in ("importance", "current")]
    if not any(halves):
        return _required(question)
    if not all(halves):
        return _EMPTY, Problem.REQUIRED_BOTH
    parsed = [_scale_point(raw, PAIR_SCALE_POINTS) for raw in halves]
    if not all(valid for _, valid in parsed):
        return None, Problem.UNKNOWN_CHOICE
    return (parsed[0][0], parsed[1][0]), None


def _parse_single(question: Question, form: FormData) -> tuple[object, Problem | None]:
    raw = _first(form, f"q_{question.key}")
    if not raw:
        return _required(question)
    if raw not in question.option_keys:
        return None, Problem.UNKNOWN_CHOICE
    return raw, None


def _parse_multiple(question: Question, form: FormData) -> tuple[object, Problem | None]:
    ticked = {value for value in form.get(f"q_{question.key}", []) if value}
    other_ticked = "_other" in ticked
    ticked.discard("_other")
    other_text = _first(form, f"q_{question.key}_other") if question.other else ""
    if ticked - set(question.option_keys) or (other_ticked and not question.other):
        return None, Problem.UNKNOWN_CHOICE
    if len(other_text) > OTHER_MAX_LENGTH:
        return None, Problem.TOO_LONG
    if other_ticked and not other_text:
        return None, Problem.OTHER_MISSING
    count = len(ticked) + (1 if other_text else 0)
    if count == 0:
        return _required(question)
    if question.max_choices and count > question.max_choices:
        return None, Problem.TOO_MANY_CHOICES
    return MultipleChoice(frozenset(ticked), other_text or None), None


def _parse_text(question: Question, form: FormData) -> tuple[object, Problem | None]:
    raw = _first(form, f"q_{question.key}")
    if not raw:
        return _required(question)
    limit = question.max_length or (LONG_TEXT_MAX_LENGTH if question.long else TEXT_MAX_LENGTH)
    if len(raw) > limit:
        return None, Problem.TOO_LONG
    return raw, None


def _parse_number(question: Question, form: FormData) -> tuple[object, Problem | None]:
    raw = _first(form, f"q_{question.key}").replace(",", ".").replace(" ", "")
    if not raw:
        return _required(question)
    try:
        number = float(raw)
    except ValueError:
        return None, Problem.NOT_A_NUMBER
    if not math.isfinite(number):
        return None, Problem.NOT_A_NUMBER
    if question.integer and not number.is_integer():
        return None, Problem.NOT_WHOLE
    if question.min is not None and number < question.min:
        return None, Problem.TOO_SMALL
    if question.max is not None and number > question.max:
        return None, Problem.TOO_LARGE
    return (int(number) if question.integer else number), None


_PARSERS = {
    "agreement": _parse_agreement,
    "importance_current": _parse_pair,
    "single_choice": _parse_single,
    "multiple_choice": _parse_multiple,
    "text": _parse_text,
    "number": _parse_number,
}


def form_values(questions: Sequence[Question], answers: Answers) -> dict[str, list[str]]:
    """Saved answers as the form fields that show them (the inverse of parse_screen)."""
    values: dict[str, list[str]] = {}
    for question in questions:
        if question.key not in answers:
            continue
        answer = answers[question.key]
        name = f"q_{question.key}"
        if question.type == "importance_current":
            importance, current = answer  # type: ignore[misc]
            values[f"{name}_importance"] = [_scale_field(importance)]
            values[f"{name}_current"] = [_scale_field(current)]
        elif question.type == "agreement":
            values[name] = [_scale_field(answer)]
        elif isinstance(answer, MultipleChoice):
            values[name] = sorted(answer.options) + (["_other"] if answer.other_text else [])
            if answer.other_text:
                values[f"{name}_other"] = [answer.other_text]
        else:
            values[name] = [str(answer)]
    return values


def _scale_field(value: object) -> str:
    return DONT_KNOW if value is None else str(value)
