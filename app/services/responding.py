"""Answering a round: start, save a screen, submit, resume, withdraw. Flushes; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import current_app
from sqlalchemy import delete, insert, select

from app.domain import answering, codes
from app.domain.answers import AnswerCell, decode, encode
from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.models import AccessLink, Answer, LinkKind, Question, Response, ResponseStatus, Survey, utcnow
from app.services import report_build

_QUESTION_IDS: dict[tuple, dict[str, int]] = {}


def hashed(code: str) -> str:
    return codes.hash_code(code, current_app.config["CODE_HASH_KEY"].encode())


def question_ids(survey: Survey) -> dict[str, int]:
    """Question key -> id for a survey version. Versions never change, so this is kept, under
    the row's id and when it was loaded (a database made anew may reuse the ids)."""
    cache_key = (survey.id, survey.fingerprint, survey.loaded_at)
    ids = _QUESTION_IDS.get(cache_key)
    if ids is None:
        ids = dict(db.session.execute(
            select(Question.key, Question.id).where(Question.survey_id == survey.id)).all())
        _QUESTION_IDS[cache_key] = ids
    return ids


@dataclass
class Respondent:
    """One response in progress, with what the flow needs to know about it."""

    response: Response
    link: AccessLink
    definition: SurveyDefinition
    answers: dict[str, object]

    @property
    def fixed_answers(self) -> dict[str, str]:
        return dict(self.link.group.fixed_answers) if self.link.group else {}

    @cached_property
    def screens(self) -> tuple[answering.Screen, ...]:
        return answering.screens_of(self.definition, skip=frozenset(self.fixed_answers))

    def visible_screens(self) -> list[answering.Screen]:
        return [s for s in self.screens if answering.visible_questions(s, self.answers)]


def start(link: AccessLink, language: str) -> tuple[Response, str]:
    """A new response; returns it with its resume code (shown to the respondent, never stored)."""
    resume_code = codes.new_code()
    group = link.group
    response = Response(
        round_id=link.round_id, group_id=link.group_id, access_link_id=link.id,
        language=language, resume_code_hash=hashed(resume_code),
    )
    db.session.add(response)
    db.session.flush()
    if group and group.fixed_answers:
        definition = link.round.definition()
        fixed = {key: value for key, value in group.fixed_answers.items()
                 if key in {q.key for q in definition.questions}}
        write_answers(response, link.round.survey, definition, fixed, replace=set())
    return response, resume_code


def find_by_resume_code(round_id: int, typed: str) -> Response | None:
    if not codes.looks_like_a_code(typed):
        return None
    return db.session.scalar(select(Response).where(
        Response.round_id == round_id, Response.resume_code_hash == hashed(typed)))


def saved_answers(response: Response, definition: SurveyDefinition) -> dict[str, object]:
    rows = db.session.execute(
        select(Question.key, Answer.option, Answer.value, Answer.value2, Answer.text)
        .join(Question, Answer.question_id == Question.id)
        .where(Answer.response_id == response.id)
    )
    cells: dict[str, list[AnswerCell]] = {}
    for key, option, value, value2, text in rows:
        cells.setdefault(key, []).append(AnswerCell(option, value, value2, text))
    types = {q.key: q.type for q in definition.questions}
    return {key: decode(types[key], found) for key, found in cells.items() if key in types}


def save_screen(respondent: Respondent, result: answering.PageResult, screen_key: str) -> None:
    response = respondent.response
    write_answers(response, respondent.link.round.survey,
                  respondent.definition, result.answers, replace=set(result.cleared))
    respondent.answers.update(result.answers)
    for key in result.cleared:
        respondent.answers.pop(key, None)
    response.current_page = screen_key
    response.updated_at = utcnow()


def write_answers(response: Response, survey: Survey, definition: SurveyDefinition,
                  answers: dict[str, object], replace: set[str]) -> None:
    """Replace the stored answers to these questions (and forget those in `replace`)."""
    ids = question_ids(survey)
    touched = [ids[key] for key in set(answers) | replace]
    if touched:
        db.session.execute(delete(Answer).where(
            Answer.response_id == response.id, Answer.question_id.in_(touched)))
    types = {q.key: q.type for q in definition.questions}
    rows = [
        {"response_id": response.id, "question_id": ids[key], "option": cell.option,
         "value": cell.value, "value2": cell.value2, "text": cell.text}
        for key, answer in answers.items()
        for cell in encode(types[key], answer)
    ]
    if rows:
        db.session.execute(insert(Answer), rows)


def receipt_of(response: Response) -> str:
    """The response's receipt code: worked out from its own secret (the keyed hash of its
    resume code) with the key, so every submit of one response, even five at once, gives the
    same code, and the thanks page can show it again without keeping it anywhere."""
    return codes.derived_code(current_app.config["CODE_HASH_KEY"].encode(), "receipt", response.resume_code_hash)


def submit(respondent: Respondent) -> str | None:
    """Complete the response; returns the receipt code, or None if it was already complete
    (a double tap or a reload submits once)."""
    response = respondent.response
    if response.status is ResponseStatus.COMPLETE:
        return None
    kept = answering.prune_hidden(respondent.definition, respondent.answers)
    hidden = set(respondent.answers) - set(kept)
    if hidden:
        write_answers(response, respondent.link.round.survey, respondent.definition, {}, hidden)
    receipt = receipt_of(response)
    consent_keys = [q.key for q in respondent.definition.questions if q.role == "consent"]
    response.may_quote = any(kept.get(key) == "yes" for key in consent_keys)
    response.status = ResponseStatus.COMPLETE
    response.submitted_at = utcnow()
    response.receipt_code_hash = hashed(receipt)
    if respondent.link.kind is LinkKind.INVITATION:
        respondent.link.used_at = response.submitted_at
    db.session.flush()
    return receipt


def withdraw(typed_receipt: str) -> int | None:
    """Delete a completed response and its answers; the id of its round, or None if there
    was no such response."""
    if not codes.looks_like_a_code(typed_receipt):
        return None
    response = db.session.scalar(select(Response).where(
        Response.receipt_code_hash == hashed(typed_receipt)))
    if response is None:
        return None
    return withdraw_response(response)


def withdraw_response(response: Response) -> int:
    """Delete a response and its answers, taking it out of its round's kept tallies; its
    round's id."""
    round_id = response.round_id
    report_build.uncount(response)  # before its answers go: they say what to take away
    db.session.execute(delete(Answer).where(Answer.response_id == response.id))
    db.session.delete(response)
    db.session.flush()
    return round_id
