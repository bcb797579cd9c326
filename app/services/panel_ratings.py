"""A named panel's raters and their answers, read for the panel's report.

Only for rounds of kind named panel, whose raters were invited by name and told that their
answers are shown with it: the name comes from their invitation (kept after the address is
erased). The figures are made in app.domain.panel.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from app.domain.answers import AnswerCell, MultipleChoice, decode
from app.domain.panel import Rater, ScaleItem, panel_figures
from app.domain.report import ItemMeta
from app.domain.report_model import Panel, multiple_choice_answer
from app.extensions import db
from app.models import Answer, Group, Invitation, Question, Response, ResponseStatus, Round


def panel_of(survey_round: Round, items: list[ItemMeta]) -> Panel:
    """The report's panel for a named panel's round (app.domain.panel.panel_figures)."""
    scale_items = [ScaleItem(i.key, i.type, i.criterion, i.points) for i in items if i.role == "item"]
    return panel_figures(raters(survey_round, items), scale_items)


def raters(survey_round: Round, items: list[ItemMeta]) -> list[Rater]:
    """Every rater who sent their answers, by the name they were invited with."""
    responses = db.session.execute(
        select(Response.id, Invitation.name, Group.key)
        .join(Invitation, Invitation.access_link_id == Response.access_link_id)
        .outerjoin(Group, Group.id == Response.group_id)
        .where(Response.round_id == survey_round.id, Response.status == ResponseStatus.COMPLETE)
    ).all()
    types = {i.key: i.type for i in items}
    keys = {question.id: question.key for question in db.session.scalars(
        select(Question).where(Question.survey_id == survey_round.survey_id))}
    cells: dict[int, dict[str, list[AnswerCell]]] = defaultdict(lambda: defaultdict(list))
    for response_id, question_id, option, value, value2, text in db.session.execute(
        select(Answer.response_id, Answer.question_id, Answer.option, Answer.value, Answer.value2, Answer.text)
        .where(Answer.response_id.in_([row.id for row in responses]))
    ):
        cells[response_id][keys[question_id]].append(AnswerCell(option, value, value2, text))
    found = []
    for response_id, name, group in responses:
        answers = {key: _json(decode(types[key], given)) for key, given in cells[response_id].items() if key in types}
        found.append(Rater(name or "?", group, answers))
    return found


def _json(answer: Any) -> Any:
    if isinstance(answer, MultipleChoice):
        return multiple_choice_answer(sorted(answer.options), answer.other_text)
    return answer
