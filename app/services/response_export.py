"""The answers of a round, one row per response, streamed as CSV for coordinators' own analysis.

Rows stream from a server-side cursor ordered by response, so exporting 250,000 responses keeps
one response in memory at a time. What would single people out stays out, as in the reports:
responses of groups the report hides (fewer than k respondents, or their complement) are left
out, answers to a question the report hides for a group are left blank in its rows, free text
appears only where the respondent allowed quoting, and the time of answering is given as a
date only. Nothing identifies a respondent: rows are numbered 1, 2, 3 in the export,
not by database id.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, false, or_, select

from app.domain.answers import OTHER_OPTION
from app.domain.privacy.exposure import exported_groups, questions_shown_by_group
from app.domain.report import UNASSIGNED
from app.domain.report_model import ReportFigures
from app.domain.tabular import csv_lines as table_lines
from app.extensions import db
from app.models import Answer, Group, ReportSnapshot, Response, ResponseStatus, Round
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


def shown_group_ids(survey_round: Round, keys: dict[int, str], report: ReportFigures | None) -> set[int | None]:
    """Groups whose responses may leave: those the latest report (None before the first)
    shows and a report built now would show too (privacy.exposure.exported_groups)."""
    counts = response_counts_by_group(survey_round.id)
    key_of = {group_id: UNASSIGNED if group_id is None else keys[group_id] for group_id in counts}
    shown = exported_groups({key_of[group_id]: n for group_id, n in counts.items()},
                            survey_round.community.min_group_size, report)
    return {group_id for group_id, key in key_of.items() if key in shown}


def csv_lines(round_id: int) -> Iterator[str]:
    header, rows = shown_rows(round_id)
    return table_lines(header, rows)


def shown_rows(round_id: int) -> tuple[list[str], Iterator[list[object]]]:
    """The header and the rows every reader of the responses gets (the CSV export, the
    response browser): one per response of a group the report shows, with the cells of
    questions it hides blank and free text withheld where quoting was not allowed."""
    survey_round = db.session.get(Round, round_id)
    if survey_round is None:
        raise LookupError(f"there is no round {round_id}")
    spec = columns(survey_round)
    groups = dict(db.session.execute(select(Group.id, Group.key).where(Group.community_id == survey_round.community_id)).all())
    snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == round_id))
    report = snapshot.figures if snapshot else None
    shown = shown_group_ids(survey_round, groups, report)
    blank = _blank_columns(survey_round, spec, {g: groups.get(g, UNASSIGNED) for g in shown},
                           questions_shown_by_group(report))
    header = ["response", "group", "language", "submitted_on", *(name for name, _, _ in spec)]
    return header, _rows(round_id, spec, groups, shown, blank)


def _blank_columns(survey_round: Round, spec, keys: dict[int | None, str],
                   shown_questions: dict[str, frozenset[str]] | None) -> dict[int | None, frozenset[int]]:
    """Per shown group, the positions of the columns to leave blank (questions_shown_by_group);
    free-text answers go by the respondent's permission instead."""
    if shown_questions is None:
        return {}
    key_of_question = {q.id: q.key for q in survey_round.survey.questions}
    types = {q.key: q.type for q in survey_round.definition().questions}
    return {group_id: frozenset(position for position, (_, question_id, _) in enumerate(spec)
                                if types[key_of_question[question_id]] != "text"
                                and key_of_question[question_id] not in shown_questions.get(key, frozenset()))
            for group_id, key in keys.items()}


def _rows(round_id: int, spec, groups: dict[int, str], shown: set[int | None],
          blank: dict[int | None, frozenset[int]]) -> Iterator[list[object]]:
    """Two streams in response order, merged here: the shown responses, and their answers.

    The answers carry nothing of their response, so the many answer rows stay narrow; each
    response's answers are gathered by question, and every column takes its cell from them
    with a function chosen once for the whole export (see _extractor).
    """
    if not shown:
        return
    counted = and_(Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE,
                   or_(Response.group_id.in_([g for g in shown if g is not None]),
                       Response.group_id.is_(None) if None in shown else false()))
    responses = _streamed(
        select(Response.id, Response.group_id, Response.language, Response.submitted_at, Response.may_quote)
        .where(counted).order_by(Response.id)
    )
    answers = _streamed(
        select(Answer.response_id, Answer.question_id, Answer.option, Answer.value, Answer.value2, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(counted).order_by(Answer.response_id)
    )
    extractors = [(question_id, _extractor(what)) for _, question_id, what in spec]
    pending = next(answers, None)
    for number, (response_id, group_id, language, submitted_at, may_quote) in enumerate(responses, start=1):
        by_question: dict[int, list] = {}
        while pending is not None and pending[0] == response_id:
            by_question.setdefault(pending[1], []).append(pending)
            pending = next(answers, None)
        left_blank = blank.get(group_id, frozenset())
        cells = [extract(found, may_quote) if (found := by_question.get(question_id)) and position not in left_blank
                 else "" for position, (question_id, extract) in enumerate(extractors)]
        yield [number, groups.get(group_id, UNASSIGNED), language,
               submitted_at.date().isoformat() if submitted_at else "", *cells]


def _streamed(query, batch: int = 5000) -> Iterator[tuple]:
    """The rows of a query from a server-side cursor, a batch at a time, as plain tuples (on
    the session's connection, but past the ORM's row handling: millions of rows go by)."""
    result = db.session.connection().execute(query.execution_options(yield_per=batch))
    for part in result.partitions():
        yield from part


# An answer row: (response_id, question_id, option, value, value2, text).
_OPTION, _VALUE, _VALUE2, _TEXT = 2, 3, 4, 5


def _extractor(what: str):
    """How a column takes its cell from one response's answers to its question."""
    if what in ("value", "value2"):
        index = _VALUE if what == "value" else _VALUE2
        return lambda found, may_quote: "dont_know" if found[0][index] is None else _number(found[0][index])
    if what == "option":
        return lambda found, may_quote: found[0][_OPTION]
    if what.startswith("option:"):
        option = what.removeprefix("option:")
        return lambda found, may_quote: 1 if any(a[_OPTION] == option for a in found) else 0
    option = what.removeprefix("text:")

    def written(found, may_quote):
        text = next((a[_TEXT] for a in found if a[_OPTION] == option and a[_TEXT]), "")
        if not text:
            return ""
        return text if may_quote else WITHHELD  # made formula-safe when written

    return written


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
