"""Building a round's report snapshot: GROUP BY queries in, one stored payload out.

The database does the counting (app.domain.report explains what it turns the counts into), so
a build's memory depends on the number of groups, questions and answer values, not on the
number of responses. Free text is the exception that cannot be summed in SQL: it is streamed
through term counters, which keep the vocabulary, never the texts.

Builds of one round never overlap: acquire() takes a lock row with a conditional UPDATE, and
store() replaces the snapshot in the same transaction that releases the lock.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from app.domain.report import (
    UNASSIGNED,
    Cell,
    GroupMeta,
    GroupText,
    ItemMeta,
    ReportInputs,
    build_report,
)
from app.domain.report_maths import Moments
from app.domain.survey_format import Question as QuestionDefinition
from app.domain.text_terms import TermCounter
from app.extensions import db
from app.models import (
    Answer,
    Group,
    ReportBuild,
    ReportSnapshot,
    Response,
    ResponseStatus,
    Round,
    RoundStatus,
)

STALE_LOCK = timedelta(minutes=15)  # a build older than this was left by a worker that died
QUOTES_KEPT = 5
BUILT_IN_SCALE_POINTS = 5


# -- the lock ---------------------------------------------------------------------------------


def request_build(round_id: int, now: datetime) -> None:
    """Note that a newer report is wanted (the page then says one is on its way)."""
    _ensure_build_row(round_id)
    db.session.execute(update(ReportBuild).where(ReportBuild.round_id == round_id).values(requested_at=now))


def acquire(round_id: int, now: datetime) -> str | None:
    """Take the round's build lock; its token, or None when another build is running."""
    _ensure_build_row(round_id)
    token = secrets.token_hex(16)
    taken = db.session.execute(
        update(ReportBuild)
        .where(
            ReportBuild.round_id == round_id,
            or_(ReportBuild.started_at.is_(None), ReportBuild.started_at < now - STALE_LOCK),
        )
        .values(started_at=now, lock_token=token)
        .execution_options(synchronize_session=False)
    )
    return token if taken.rowcount == 1 else None


def release(round_id: int, token: str, now: datetime, error: str | None = None) -> bool:
    """Let go of the lock (only the holder can); record a failure. True if it was still ours."""
    values: dict[str, Any] = {"started_at": None, "lock_token": None, "finished_at": now}
    if error is not None:
        values |= {"failures": ReportBuild.failures + 1, "last_error": error[:300]}
    else:
        values |= {"failures": 0, "last_error": None}
    released = db.session.execute(
        update(ReportBuild)
        .where(ReportBuild.round_id == round_id, ReportBuild.lock_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return released.rowcount == 1


def wanted_again(round_id: int, started: datetime) -> bool:
    """Whether someone asked for a build after the one that started at `started`."""
    requested = db.session.scalar(select(ReportBuild.requested_at).where(ReportBuild.round_id == round_id))
    return requested is not None and requested > started


def _ensure_build_row(round_id: int) -> None:
    if db.session.get(ReportBuild, round_id) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(ReportBuild(round_id=round_id))
    except IntegrityError:
        pass  # another worker created it a moment ago: just as good


# -- status for the pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class BuildStatus:
    built_at: datetime | None
    response_count: int | None
    under_way: bool  # a build is running or has been asked for since the last one
    failed: bool


def build_status(round_id: int) -> BuildStatus:
    snapshot = db.session.execute(
        select(ReportSnapshot.built_at, ReportSnapshot.response_count).where(ReportSnapshot.round_id == round_id)
    ).first()
    build = db.session.get(ReportBuild, round_id)
    built_at = snapshot.built_at if snapshot else None
    under_way = build is not None and (
        build.started_at is not None
        or (build.requested_at is not None and (built_at is None or build.requested_at > built_at))
    )
    return BuildStatus(built_at, snapshot.response_count if snapshot else None, under_way,
                       failed=build is not None and build.failures > 0)


def rounds_needing_refresh() -> list[int]:
    """Open rounds whose responses changed since their report was built (or never built)."""
    latest = (
        select(Response.round_id, func.count().label("n"), func.max(Response.submitted_at).label("last"))
        .where(Response.status == ResponseStatus.COMPLETE)
        .group_by(Response.round_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Round.id)
        .join(latest, latest.c.round_id == Round.id)
        .outerjoin(ReportSnapshot, ReportSnapshot.round_id == Round.id)
        .where(
            Round.status == RoundStatus.OPEN,
            or_(
                ReportSnapshot.id.is_(None),
                ReportSnapshot.response_count != latest.c.n,
                latest.c.last > ReportSnapshot.built_at,
            ),
        )
    )
    return [round_id for (round_id,) in rows]


# -- building ---------------------------------------------------------------------------------


def build_and_store(round_id: int, now: datetime) -> ReportSnapshot:
    """Compute the round's report from its complete responses and replace its snapshot."""
    survey_round = db.session.get(Round, round_id)
    if survey_round is None:
        raise LookupError(f"there is no round {round_id}")
    give_the_build_memory()
    inputs, respondents = collect_inputs(survey_round)
    payload = build_report(inputs) | {
        "round_id": survey_round.id,
        "survey": {"key": survey_round.survey.key, "version": survey_round.survey.version},
        "built_at": now.isoformat(),
    }
    return store(round_id, payload, respondents, now)


def give_the_build_memory() -> None:
    """Let PostgreSQL sort and hash the build's GROUP BYs in memory rather than on disk: the
    default work_mem (4 MB) spills a round of 20,000 respondents to temporary files. Only for
    this transaction (SET LOCAL), and only the build's: pages keep the server's setting."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{int(current_app.config['REPORT_WORK_MEM_MB'])}MB'"))


def store(round_id: int, payload: dict[str, Any], respondents: int, now: datetime) -> ReportSnapshot:
    """Write the new snapshot over the old one; the caller's commit makes it visible at once."""
    snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == round_id))
    if snapshot is None:
        snapshot = ReportSnapshot(round_id=round_id)
        db.session.add(snapshot)
    snapshot.payload = payload
    snapshot.built_at = now
    snapshot.response_count = respondents
    db.session.flush()
    return snapshot


def collect_inputs(survey_round: Round) -> tuple[ReportInputs, int]:
    """Everything build_report() needs, queried with GROUP BY; and the number of respondents."""
    definition = survey_round.definition()
    rows = {q.key: q for q in survey_round.survey.questions}
    items = [item_meta(q, definition.languages[0]) for q in definition.questions]
    questions = {rows[i.key].id: i for i in items}
    group_keys = _group_keys(survey_round)
    respondents = _respondents(survey_round.id, group_keys)
    inputs = ReportInputs(
        items=items,
        groups=_groups(survey_round, group_keys, respondents),
        respondents=respondents,
        cells=list(_cells(survey_round.id, questions, group_keys)),
        criterion_moments=_criterion_moments(survey_round.id, questions, group_keys),
        choice_respondents=_choice_respondents(survey_round.id, questions, group_keys),
        text=_text(survey_round.id, questions, group_keys),
        k=survey_round.community.min_group_size,
    )
    return inputs, sum(respondents.values())


def item_meta(question: QuestionDefinition, source_language: str) -> ItemMeta:
    points = None
    if question.type in ("agreement", "importance_current"):
        points = len(question.scale) if question.scale else BUILT_IN_SCALE_POINTS
    wording = {
        "type": question.type,
        "text": question.text.get(source_language),
        "scale": [dict(p) for p in question.scale] if question.scale else None,
        "options": list(question.option_keys),
        "min": question.min,
        "max": question.max,
    }
    signature = hashlib.sha256(json.dumps(wording, sort_keys=True).encode()).hexdigest()[:16]
    return ItemMeta(question.key, question.type, question.role, question.criterion, points,
                    question.option_keys, signature)


def _group_keys(survey_round: Round) -> dict[int | None, str]:
    groups = db.session.scalars(select(Group).where(Group.community_id == survey_round.community_id))
    return {None: UNASSIGNED} | {g.id: g.key for g in groups}


def _groups(survey_round: Round, keys: dict[int | None, str], respondents: dict[str, int]) -> list[GroupMeta]:
    """The round's groups, and any other group of the community that has answers in it."""
    in_round = {g.id for g in survey_round.groups}
    groups = db.session.scalars(
        select(Group).where(Group.community_id == survey_round.community_id).order_by(Group.position)
    )
    return [
        GroupMeta(g.key, g.kind.value, g.population, g.target_responses)
        for g in groups
        if g.id in in_round or respondents.get(g.key)
    ]


def _complete(round_id: int):
    return and_(Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE)


def _respondents(round_id: int, keys: dict[int | None, str]) -> dict[str, int]:
    rows = db.session.execute(
        select(Response.group_id, func.count()).where(_complete(round_id)).group_by(Response.group_id)
    )
    return {keys[group_id]: n for group_id, n in rows}


def _cells(round_id: int, questions: dict[int, ItemMeta], keys: dict[int | None, str]) -> Iterator[Cell]:
    """One row per group x question x exact answer: distributions, sums and needs in one scan."""
    counted = [qid for qid, item in questions.items() if item.type != "text"]
    numbers = [qid for qid, item in questions.items() if item.type == "number"]
    value_key = case((Answer.question_id.in_(numbers), None), else_=Answer.value) if numbers else Answer.value
    query = (
        select(
            Response.group_id, Answer.question_id, Answer.option, value_key, Answer.value2,
            func.count(), func.sum(Answer.value), func.sum(Answer.value * Answer.value),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(_complete(round_id), Answer.question_id.in_(counted))
        .group_by(Response.group_id, Answer.question_id, Answer.option, value_key, Answer.value2)
    )
    for group_id, question_id, option, value, value2, count, total, total_sq in db.session.execute(query):
        yield Cell(keys[group_id], questions[question_id].key, count, option, value, value2,
                   None if total is None else float(total), None if total_sq is None else float(total_sq))


def _criterion_moments(
    round_id: int, questions: dict[int, ItemMeta], keys: dict[int | None, str]
) -> dict[tuple[str, str], Moments]:
    """Per group and criterion: count, sum and sum of squares of per-respondent scores.

    A respondent's criterion score is the mean of their answers to its items, each rescaled to
    0..100 (an importance/current pair counts by its current-state half: how well the need is
    met). The inner GROUP BY makes those scores, the outer one their moments per group.
    """
    scored = {qid: item for qid, item in questions.items()
              if item.criterion and item.type in ("agreement", "importance_current")}
    if not scored:
        return {}
    criteria = sorted({item.criterion for item in scored.values()})  # type: ignore[type-var]
    pairs = [qid for qid, item in scored.items() if item.type == "importance_current"]
    criterion_of = case({qid: criteria.index(item.criterion) for qid, item in scored.items()},  # type: ignore[arg-type]
                        value=Answer.question_id)
    points_of = case({qid: item.points for qid, item in scored.items()}, value=Answer.question_id)
    point = case((Answer.question_id.in_(pairs), Answer.value2), else_=Answer.value) if pairs else Answer.value
    # The inner query reads answers alone (the round's complete responses as a semi-join), so
    # the big GROUP BY has no join to carry; the group comes in after, one row per respondent.
    complete = select(Response.id).where(_complete(round_id))
    per_respondent = (
        select(
            Answer.response_id.label("response_id"),
            criterion_of.label("criterion"),
            func.avg((point - 1) * 100.0 / (points_of - 1)).label("score"),
        )
        .where(Answer.response_id.in_(complete), Answer.question_id.in_(list(scored)), point.is_not(None))
        .group_by(Answer.response_id, criterion_of)
        .subquery()
    )
    score = per_respondent.c.score
    rows = db.session.execute(
        select(Response.group_id, per_respondent.c.criterion,
               func.count(), func.sum(score), func.sum(score * score))
        .join(Response, Response.id == per_respondent.c.response_id)
        .group_by(Response.group_id, per_respondent.c.criterion)
    )
    return {(keys[g], criteria[c]): Moments(n, float(total), float(total_sq)) for g, c, n, total, total_sq in rows}


def _choice_respondents(
    round_id: int, questions: dict[int, ItemMeta], keys: dict[int | None, str]
) -> dict[tuple[str, str], int]:
    choices = [qid for qid, item in questions.items() if item.type == "multiple_choice"]
    if not choices:
        return {}
    rows = db.session.execute(
        select(Response.group_id, Answer.question_id, func.count(func.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(_complete(round_id), Answer.question_id.in_(choices))
        .group_by(Response.group_id, Answer.question_id)
    )
    return {(keys[g], questions[q].key): n for g, q, n in rows}


def _text(round_id: int, questions: dict[int, ItemMeta], keys: dict[int | None, str]) -> dict[str, GroupText]:
    """Free text counted in the database: answers per language, how many answers use each
    word, and the latest few quotes respondents allowed. No text is read one answer at a time."""
    texts = [qid for qid, item in questions.items() if item.type in ("text", "multiple_choice")]
    if not texts:
        return {}
    result: dict[str, GroupText] = defaultdict(GroupText)

    def counter(group_id: int | None, question_id: int) -> TermCounter:
        return result[keys[group_id]].terms.setdefault(questions[question_id].key, TermCounter())

    for group_id, question_id, language, answers in db.session.execute(_answers_per_language(round_id, texts)):
        counter(group_id, question_id).add_answers(language, answers)
    for group_id, question_id, language, token, answers in _token_counts(round_id, texts):
        counter(group_id, question_id).add_token(token, language, answers)
    for group_id, question_id, language, quote in db.session.execute(_latest_quotes(round_id, texts)):
        result[keys[group_id]].quotes.setdefault(questions[question_id].key, []).append((language, quote))
    return dict(result)


def _written(round_id: int, texts: list[int]):
    return and_(_complete(round_id), Answer.question_id.in_(texts), Answer.text.is_not(None), Answer.text != "")


def _answers_per_language(round_id: int, texts: list[int]):
    return (
        select(Response.group_id, Answer.question_id, Response.language, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(_written(round_id, texts))
        .group_by(Response.group_id, Answer.question_id, Response.language)
    )


def _token_counts(round_id: int, texts: list[int]) -> Iterator[tuple[int | None, int, str, str, int]]:
    """(group, question, language, word as written, answers using it).

    PostgreSQL splits and counts the words itself. SQLite, the small embedded default, has no
    function for it: there the words are split here, answer by answer, to the same result.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        words = (
            select(Response.group_id, Answer.question_id, Response.language, Answer.id.label("answer_id"),
                   func.regexp_split_to_table(func.lower(Answer.text), r"\s+").label("token"))
            .join(Response, Response.id == Answer.response_id)
            .where(_written(round_id, texts))
            .subquery()
        )
        yield from db.session.execute(
            select(words.c.group_id, words.c.question_id, words.c.language, words.c.token,
                   func.count(func.distinct(words.c.answer_id)))
            .where(words.c.token != "")
            .group_by(words.c.group_id, words.c.question_id, words.c.language, words.c.token)
        )
        return
    counts: Counter[tuple[int | None, int, str, str]] = Counter()
    rows = db.session.execute(
        select(Response.group_id, Answer.question_id, Response.language, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(_written(round_id, texts))
        .execution_options(yield_per=2000)
    )
    for group_id, question_id, language, written in rows:
        counts.update((group_id, question_id, language, token) for token in set(written.lower().split()))
    for (group_id, question_id, language, token), answers in counts.items():
        yield group_id, question_id, language, token, answers


def _latest_quotes(round_id: int, texts: list[int]):
    """Per group and question, the QUOTES_KEPT latest distinct answers whose authors allowed quoting."""
    distinct_quotes = (
        select(Response.group_id, Answer.question_id, Response.language, Answer.text,
               func.max(Answer.id).label("latest"))
        .join(Response, Response.id == Answer.response_id)
        .where(_written(round_id, texts), Response.may_quote.is_(True))
        .group_by(Response.group_id, Answer.question_id, Response.language, Answer.text)
        .subquery()
    )
    ranked = select(
        distinct_quotes,
        func.row_number().over(partition_by=(distinct_quotes.c.group_id, distinct_quotes.c.question_id),
                               order_by=distinct_quotes.c.latest.desc()).label("rank"),
    ).subquery()
    return (
        select(ranked.c.group_id, ranked.c.question_id, ranked.c.language, ranked.c.text)
        .where(ranked.c.rank <= QUOTES_KEPT)
        .order_by(ranked.c.group_id, ranked.c.question_id, ranked.c.rank)
    )
