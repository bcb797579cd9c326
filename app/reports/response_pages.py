"""The response browser's words: each shown response's answers as a coordinator reads them.

The rows come from app.services.response_browser (the export's rows, privacy and all); here
each question's cells become one answer in the page's language: the scale's words, the
options' labels, the text where quoting was allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from app.i18n import say
from app.models import Round
from app import wording
from app.services.response_browser import BrowsedResponse
from app.services.response_export import WITHHELD


@dataclass(frozen=True)
class ReadAnswer:
    question: Markup
    answer: str | Markup
    withheld: bool = False  # free text the respondent did not allow to be quoted


def readable(survey_round: Round, response: BrowsedResponse) -> list[ReadAnswer]:
    """The response's answers in survey order; questions left unanswered (or blank because the
    report hides them for the group) are left out."""
    fallback = [survey_round.community.default_language, *survey_round.survey.languages]
    answers = []
    for question in survey_round.definition().questions:
        answer = _answer(question, response.cells, fallback)
        if answer is not None:
            answers.append(ReadAnswer(say(question.text, fallback), *answer))
    return answers


def _scale_word(value: object, labels) -> str:
    if value in ("", None):
        return ""
    if value == "dont_know":
        return str(wording.DONT_KNOW)
    number = int(float(value))  # type: ignore[arg-type]
    return str(labels[number - 1]) if 1 <= number <= len(labels) else str(value)


def _answer(question, cells: dict[str, object], fallback) -> tuple[str | Markup, bool] | None:
    key = question.key
    if question.type == "importance_current":
        importance = _scale_word(cells.get(f"{key}_importance"), wording.IMPORTANCE_SCALE)
        current = _scale_word(cells.get(f"{key}_current"), wording.CURRENT_STATE_SCALE)
        if not importance and not current:
            return None
        return _("How important: %(importance)s. How well it works now: %(current)s.",
                 importance=importance or "–", current=current or "–"), False
    if question.type == "agreement":
        labels = [say(point, fallback) for point in question.scale] if question.scale else wording.AGREEMENT_SCALE
        word = _scale_word(cells.get(key), labels)
        return (word, False) if word else None
    if question.type == "single_choice":
        chosen = next((say(o.label, fallback) for o in question.options if o.key == cells.get(key)), None)
        return (chosen, False) if chosen else None
    if question.type == "multiple_choice":
        chosen = [str(say(o.label, fallback)) for o in question.options if cells.get(f"{key}_{o.key}") == 1]
        other = cells.get(f"{key}_other")  # the export's column of the "other" text
        if other == WITHHELD:
            chosen.append(_("something else (not shared)"))
        elif other:
            chosen.append(_("something else: %(text)s", text=other))
        return ("; ".join(chosen), False) if chosen else None
    value = cells.get(key)
    if value in ("", None):
        return None
    if value == WITHHELD:
        return _("Not shown: this person did not allow their words to be quoted."), True
    return str(value), False
