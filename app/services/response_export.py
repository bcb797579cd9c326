"""The answers of a round, one row per response, streamed as CSV for coordinators' own analysis.

Rows stream from a server-side cursor ordered by response, so exporting 250,000 responses keeps
one response in memory at a time. What would single people out stays out, as in the reports:
responses of groups the report hides (fewer than k respondents, or their complement) are left
out, free text appears only where the respondent allowed quoting, and the time of answering is
given as a date only. Nothing identifies a respondent: rows are numbered 1, 2, 3 in the export,
not by database id.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import and_, select

from app.domain.answers import OTHER_OPTION
from app.domain.report import UNASSIGNED
from app.domain.suppression import is_publishable, suppress
from app.domain.tabular import csv_lines as table_lines
from app.extensions import db
from app.models import Answer, Group, Response, ResponseStatus, Round
from app.services.outreach import response_counts_by_group

WITHHELD = "[not shared]"


def columns(survey_round: Round) -> list[tuple[str, int | None, str]]:
    """(column name, question id, what goes in it) in survey order."""
    result: list[tuple[str, int | None, str]] = []
    ids = {q.key: q.id for q in survey_round.survey.questions}
    for question in survey_round.definition().questions:
        qid = ids[question.key]
        if question.type == "importance_current":
            result += [(f"{question.key}_importance", qid, "value"), (f"{question.key}_current", qid, "value2")]
        elif question.type == "multiple_choice":
            result += [(f"{question.key}_{option}", qid, f"option:{option}") for option in question.option_keys]
            if question.other:
                result.append((f"{question.key}_other", qid, f"text:{OTHER_OPTION}"))
        elif question.type == "single_choice":
            result.append((question.key, qid, "option"))
        elif question.type == "text":
            result.append((question.key, qid, "text:"))
        else:
            result.append((question.key, qid, "value"))
    return result


def shown_group_ids(survey_round: Round) -> set[int | None]:
    """Groups whose responses may leave: those the report would show."""
    counts = response_counts_by_group(survey_round.id)
    k = survey_round.community.min_group_size
    if not is_publishable(sum(counts.values()), k):
        return set()
    keyed = {UNASSIGNED if g is None else str(g): n for g, n in counts.items()}
    hidden = suppress(keyed, k)
    return {None if key == UNASSIGNED else int(key) for key in keyed if key not in hidden}


def csv_lines(round_id: int) -> Iterator[str]:
    survey_round = db.session.get(Round, round_id)
    if survey_round is None:
        raise LookupError(f"there is no round {round_id}")
    spec = columns(survey_round)
    groups = dict(db.session.execute(select(Group.id, Group.key).where(Group.community_id == survey_round.community_id)).all())
    shown = shown_group_ids(survey_round)
    header = ["response", "group", "language", "submitted_on", *(name for name, _, _ in spec)]
    return table_lines(header, _rows(round_id, spec, groups, shown))


def _rows(round_id: int, spec, groups: dict[int, str], shown: set[int | None]) -> Iterator[list[object]]:
    rows = db.session.execute(
        select(Answer.response_id, Response.group_id, Response.language, Response.submitted_at, Response.may_quote,
               Answer.question_id, Answer.option, Answer.value, Answer.value2, Answer.text)
        .join(Response, and_(Response.id == Answer.response_id))
        .where(Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE)
        .order_by(Answer.response_id)
        .execution_options(yield_per=5000)
    )
    number = 0
    for _, answers in groupby(rows, key=lambda row: row.response_id):
        answers = list(answers)
        first = answers[0]
        if first.group_id not in shown:
            continue
        number += 1
        cells = _cells(spec, answers, first.may_quote)
        yield [number, groups.get(first.group_id, UNASSIGNED), first.language,
               first.submitted_at.date().isoformat() if first.submitted_at else "", *cells]


def _cells(spec, answers, may_quote: bool) -> list[object]:
    by_question: dict[int, list] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    cells: list[object] = []
    for _, question_id, what in spec:
        found = by_question.get(question_id, [])
        cells.append(_cell(what, found, may_quote))
    return cells


def _cell(what: str, found: list, may_quote: bool) -> object:
    if not found:
        return ""
    if what == "value" or what == "value2":
        value = getattr(found[0], what)
        return "dont_know" if value is None else _number(value)
    if what == "option":
        return found[0].option
    if what.startswith("option:"):
        return 1 if any(a.option == what.removeprefix("option:") for a in found) else 0
    option = what.removeprefix("text:")
    text = next((a.text for a in found if a.option == option and a.text), "")
    if not text:
        return ""
    if not may_quote:
        return WITHHELD
    return text  # made formula-safe when written


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
