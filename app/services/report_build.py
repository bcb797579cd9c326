"""Building a round's report snapshot: GROUP BY queries in, one stored payload out.

The database does the counting (app.domain.report explains what it turns the counts into), so
a build's memory depends on the number of groups, questions and answer values, not on the
number of responses. Free text is the exception that cannot be summed in SQL: it is streamed
through term counters, which keep the vocabulary, never the texts.

Each response is counted once: the sums are kept between builds (app.domain.report_tallies),
and a build adds only the responses completed since the last one; see tallies_up_to_date().

Builds of one round never overlap: acquire() takes a lock row with a conditional UPDATE, and
store() replaces the snapshot in the same transaction that releases the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from dataclasses import replace

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
    update,
)

from app.domain.privacy.cells import ATTRIBUTED
from app.domain.privacy.releases import RESPONDENTS, Contributors, Figure
from app.domain.report import QUOTES_PER_QUESTION, UNASSIGNED, GroupMeta, ItemMeta, build_report
from app.domain.report_maths import Moments
from app.domain.report_model import ReportFigures, SurveyRef
from app.domain.report_tallies import CellKey, Quote, Tallies, basis_of
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
)
from app.services.panel_ratings import panel_of
from app.services.report_queue import ensure_build_row

BUILT_IN_SCALE_POINTS = 5


# -- building ---------------------------------------------------------------------------------


def build_and_store(round_id: int, now: datetime) -> ReportSnapshot:
    """Compute the round's report from its complete responses and replace its snapshot."""
    survey_round = db.session.get(Round, round_id)
    if survey_round is None:
        raise LookupError(f"there is no round {round_id}")
    give_the_build_memory()
    items = round_items(survey_round)
    tallies = tallies_up_to_date(survey_round, items)
    groups = round_groups(survey_round, tallies.respondents)
    figures = about(build_report(tallies.inputs(items, groups, smallest_group(survey_round))), survey_round, now)
    if survey_round.is_panel:
        figures = replace(figures, panel=panel_of(survey_round, items))
    return store(round_id, figures, tallies.respondent_count, now)


def about(figures: ReportFigures, survey_round: Round, made_at: datetime | None) -> ReportFigures:
    """The report with what it says of itself beside its figures: its round, survey version,
    and when it was made."""
    return replace(figures, round_id=survey_round.id, survey=SurveyRef(survey_round.survey.key, survey_round.survey.version),
                   built_at=made_at.isoformat() if made_at else None)


def smallest_group(survey_round: Round) -> int:
    """The k a round's report is made for: its community's, or none for a named panel, whose
    raters are told their ratings are shown with their names (privacy.cells.ATTRIBUTED)."""
    return ATTRIBUTED if survey_round.is_panel else survey_round.community.min_group_size


def give_the_build_memory() -> None:
    """Let PostgreSQL sort and hash the build's GROUP BYs in memory rather than on disk: the
    default work_mem (4 MB) spills a round of 20,000 respondents to temporary files. Only for
    this transaction (SET LOCAL), and only the build's: pages keep the server's setting."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{int(current_app.config['REPORT_WORK_MEM_MB'])}MB'"))


def store(round_id: int, figures: ReportFigures, respondents: int, now: datetime) -> ReportSnapshot:
    """Write the new snapshot over the old one; the caller's commit makes it visible at once."""
    snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == round_id))
    if snapshot is None:
        snapshot = ReportSnapshot(round_id=round_id)
        db.session.add(snapshot)
    snapshot.payload = figures.to_payload()
    snapshot.payload_format = figures.format
    snapshot.built_at = now
    snapshot.response_count = respondents
    db.session.flush()
    return snapshot


def round_items(survey_round: Round) -> list[ItemMeta]:
    definition = survey_round.definition()
    return [item_meta(q, definition.languages[0]) for q in definition.questions]


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


# -- tallies: counting each response once -----------------------------------------------------


def tallies_up_to_date(survey_round: Round, items: list[ItemMeta]) -> Tallies:
    """The round's tallies, with every response completed since the last build added.

    Each build claims the complete responses not yet counted (it stamps them with its batch
    number), tallies only those, and adds them to the tallies kept from the builds before; a
    response completed while the build runs waits for the next one. Complete responses never
    change, and a withdrawn one is taken out of the kept tallies (uncount). When the kept
    tallies are unfit all the same (see _kept_tallies), every stamped response is counted
    again (a recount; the stamps stay).
    The caller's transaction keeps the stamps and the tallies together, or neither.
    """
    ensure_build_row(survey_round.id)
    state = db.session.get(ReportBuild, survey_round.id)
    basis = basis_of(items)
    keys = group_keys(survey_round)
    kept = _kept_tallies(state, basis, survey_round.id, keys)
    batch = state.tally_batches + 1
    claimed = _claim(survey_round.id, batch)
    added = Tallies(basis)
    if claimed or kept is None:
        # A recount takes every stamped response, this batch's and the earlier ones'.
        recount = kept is None
        stamped = Response.tally_batch.is_not(None) if recount else Response.tally_batch == batch
        added = _counted(survey_round, items, keys, basis, stamped)
    tallies = added if kept is None else kept + added
    state.tally_batches = batch
    state.tallies = tallies.to_json()
    return tallies


def tallies_now(survey_round: Round, items: list[ItemMeta]) -> Tallies:
    """The tallies of every complete response of the round, those no build has counted yet
    included, without counting them in (nothing is stamped or stored): what a build now would
    count, for a preview."""
    state = db.session.get(ReportBuild, survey_round.id)
    basis = basis_of(items)
    keys = group_keys(survey_round)
    kept = _kept_tallies(state, basis, survey_round.id, keys) if state is not None else None
    complete = and_(Response.status == ResponseStatus.COMPLETE)
    if kept is None:
        return _counted(survey_round, items, keys, basis, complete)
    return kept + _counted(survey_round, items, keys, basis, and_(complete, Response.tally_batch.is_(None)))


def uncount(response: Response) -> None:
    """Take a response that is leaving (withdrawn) out of its round's kept tallies, so that
    the next build adds to them instead of counting every response again.

    Its own tallies are counted (a batch of one) and subtracted; a question whose kept quotes
    lose one of its answers gets its latest quotes again from the others. Call it before the
    response is deleted, in the same transaction. When the kept tallies do not match the
    counted responses (responses deleted some other way; or a build that read the tallies
    before this withdrawal and stored them after), they are left alone: the next build sees
    the mismatch and counts again, which is always right.
    """
    if response.tally_batch is None:
        return  # no build has counted it
    survey_round = db.session.get(Round, response.round_id)
    state = db.session.get(ReportBuild, survey_round.id, with_for_update=True)
    items = round_items(survey_round)
    keys = group_keys(survey_round)
    kept = _kept_tallies(state, basis_of(items), survey_round.id, keys) if state is not None else None
    if kept is None:
        return
    own = _counted(survey_round, items, keys, kept.basis, Response.id == response.id)
    rest = kept.without(own)
    lost = rest.quotes_lost(kept)
    if lost:
        others = _counted(survey_round, items, keys, kept.basis,
                          and_(Response.tally_batch.is_not(None), Response.id != response.id), quotes_only=True)
        rest.quotes |= {key: others.quotes[key] for key in lost if key in others.quotes}
    state.tallies = rest.to_json()


def _kept_tallies(state: ReportBuild, basis: str, round_id: int, keys: dict[int | None, str]) -> Tallies | None:
    """The round's kept tallies if they can be added to: made under these items, in this
    format, and counting exactly the stamped responses per group (not so after responses were
    deleted other than by withdrawal, or a build and a withdrawal crossed)."""
    kept = Tallies.from_json(state.tallies, basis)
    if kept is None or kept.respondents != _counted_respondents(round_id, keys):
        return None
    return kept


def forget_tallies(round_id: int) -> None:
    """Drop the round's kept tallies: its next build counts every response again."""
    db.session.execute(update(ReportBuild).where(ReportBuild.round_id == round_id).values(tallies=None))


def _claim(round_id: int, batch: int) -> int:
    """Stamp the complete responses no build has counted yet with this build's batch number."""
    claimed = db.session.execute(
        update(Response)
        .where(Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE,
               Response.tally_batch.is_(None))
        .values(tally_batch=batch, updated_at=Response.updated_at)  # counting is not an edit
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount


# The batch being counted: its responses' ids and what the queries need of them, copied into a
# temporary table. The GROUP BYs then join answers to it alone, as cheap a join as the plain
# floor query's; and the planner knows its size (ANALYZE). Filtering responses on the batch
# number instead would leave PostgreSQL guessing from statistics taken before the stamps,
# which see no such batch: it then plans one index lookup per response, fine for 200 new
# responses and ten times too slow for a recount of 20,000.
_BATCH = Table(
    "report_batch", MetaData(),
    Column("response_id", BigInteger, primary_key=True),
    Column("group_id", Integer),
    Column("language", String(8)),
    Column("may_quote", Boolean),
    prefixes=["TEMPORARY"],
)
BATCH = _BATCH.c


def _fill_batch_table(round_id: int, stamped) -> None:
    """Copy the round's responses that match `stamped` into the batch table, and count them."""
    # A read that ends in a rollback (a preview) can leave the table behind on SQLite, whose
    # driver runs the CREATE outside the transaction it then rolls back, DROP included.
    _BATCH.drop(db.session.connection(), checkfirst=True)
    _BATCH.create(db.session.connection())
    db.session.execute(insert(_BATCH).from_select(
        ["response_id", "group_id", "language", "may_quote"],
        select(Response.id, Response.group_id, Response.language, Response.may_quote)
        .where(Response.round_id == round_id, stamped)))
    db.session.execute(text(f"ANALYZE {_BATCH.name}"))


def _counted(survey_round: Round, items: list[ItemMeta], keys: dict[int | None, str], basis: str, which,
             quotes_only: bool = False) -> Tallies:
    """The tallies of the round's responses that match `which`."""
    _fill_batch_table(survey_round.id, which)
    tallies = _batch_tallies(survey_round, items, keys, basis, quotes_only)
    # Not in a `finally`: after a failed query PostgreSQL refuses the DROP too, which would
    # hide the real error. The failed build's rollback drops the table anyway.
    _BATCH.drop(db.session.connection())
    return tallies


def _counted_respondents(round_id: int, keys: dict[int | None, str]) -> dict[str, int]:
    rows = db.session.execute(
        select(Response.group_id, func.count())
        .where(Response.round_id == round_id, Response.tally_batch.is_not(None))
        .group_by(Response.group_id)
    )
    return {keys.get(group_id, UNASSIGNED): n for group_id, n in rows}


def _batch_tallies(
    survey_round: Round, items: list[ItemMeta], keys: dict[int | None, str], basis: str, quotes_only: bool
) -> Tallies:
    """The tallies of the batch's responses, every figure a GROUP BY in the database; or only
    their latest quotes."""
    rows = {q.key: q.id for q in survey_round.survey.questions}
    questions = {rows[item.key]: item for item in items}
    if quotes_only:
        tallies = Tallies(basis)
        _add_quotes(tallies, questions, keys)
        return tallies
    tallies = Tallies(
        basis,
        respondents=_respondents(keys),
        cells=dict(_cells(questions, keys)),
        criterion_moments=_criterion_moments(questions, keys),
        choice_respondents=_choice_respondents(questions, keys),
    )
    _add_text(tallies, questions, keys)
    return tallies


def group_keys(survey_round: Round) -> dict[int | None, str]:
    groups = db.session.scalars(select(Group).where(Group.community_id == survey_round.community_id))
    return {None: UNASSIGNED} | {g.id: g.key for g in groups}


def round_groups(survey_round: Round, respondents: dict[str, int]) -> list[GroupMeta]:
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


def _respondents(keys: dict[int | None, str]) -> dict[str, int]:
    rows = db.session.execute(select(BATCH.group_id, func.count()).group_by(BATCH.group_id))
    return {keys[group_id]: n for group_id, n in rows}


def _cells(
    questions: dict[int, ItemMeta], keys: dict[int | None, str]
) -> Iterator[tuple[CellKey, tuple[int, float | None, float | None]]]:
    """One row per group x question x exact answer: distributions, sums and needs in one scan."""
    counted = [qid for qid, item in questions.items() if item.type != "text"]
    numbers = [qid for qid, item in questions.items() if item.type == "number"]
    value_key = case((Answer.question_id.in_(numbers), None), else_=Answer.value) if numbers else Answer.value
    query = (
        select(
            BATCH.group_id, Answer.question_id, Answer.option, value_key, Answer.value2,
            func.count(), func.sum(Answer.value), func.sum(Answer.value * Answer.value),
        )
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .where(Answer.question_id.in_(counted))
        .group_by(BATCH.group_id, Answer.question_id, Answer.option, value_key, Answer.value2)
    )
    for group_id, question_id, option, value, value2, count, total, total_sq in db.session.execute(query):
        key = (keys[group_id], questions[question_id].key, option, _number(value), _number(value2))
        yield key, (count, _number(total), _number(total_sq))


def _number(value) -> float | None:
    return None if value is None else float(value)


def _criterion_moments(
    questions: dict[int, ItemMeta], keys: dict[int | None, str]
) -> dict[tuple[str, str], Moments]:
    """Per group and criterion: count, sum and sum of squares of per-respondent scores.

    A respondent's criterion score is the mean of their answers to its items, each rescaled to
    0..100 (an importance/current pair counts by its current-state half: how well the need is
    met; only when both halves were given, as in the needs, or the criterion's count and score
    less the need's would be the few who did not know how important it is). The inner GROUP BY
    makes those scores, the outer one their moments per group.
    """
    scored = {qid: item for qid, item in questions.items()
              if item.criterion and item.type in ("agreement", "importance_current")}
    if not scored:
        return {}
    criteria = sorted({item.criterion for item in scored.values()})  # type: ignore[type-var]
    # How each scored question counts, as a small table to join: a hash join on it is far
    # cheaper than CASE expressions with one branch per question, evaluated on every answer.
    scoring = union_all(*(
        select(literal(qid).label("question_id"), literal(criteria.index(item.criterion)).label("criterion"),
               literal(item.points).label("points"), literal(int(item.type == "importance_current")).label("paired"))
        for qid, item in scored.items()
    )).subquery("scoring")
    point = case((scoring.c.paired == 0, Answer.value), (Answer.value.is_not(None), Answer.value2))
    per_respondent = (
        select(
            BATCH.group_id,
            scoring.c.criterion,
            func.avg((point - 1) * 100.0 / (scoring.c.points - 1)).label("score"),
        )
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .join(scoring, scoring.c.question_id == Answer.question_id)
        # The join to `scoring` already keeps only these questions; saying so to the index
        # too lets PostgreSQL fetch a small batch's answers by (response, question) instead
        # of reading every answer of the database to hash-join them (137 ms -> 10 ms for
        # 200 new responses beside 20,000 counted ones).
        .where(Answer.question_id.in_(list(scored)), point.is_not(None))
        .group_by(Answer.response_id, BATCH.group_id, scoring.c.criterion)
        .subquery()
    )
    score = per_respondent.c.score
    rows = db.session.execute(
        select(per_respondent.c.group_id, per_respondent.c.criterion,
               func.count(), func.sum(score), func.sum(score * score))
        .group_by(per_respondent.c.group_id, per_respondent.c.criterion)
    )
    return {(keys[g], criteria[c]): Moments(n, float(total), float(total_sq)) for g, c, n, total, total_sq in rows}


def _choice_respondents(
    questions: dict[int, ItemMeta], keys: dict[int | None, str]
) -> dict[tuple[str, str], int]:
    choices = [qid for qid, item in questions.items() if item.type == "multiple_choice"]
    if not choices:
        return {}
    rows = db.session.execute(
        select(BATCH.group_id, Answer.question_id, func.count(func.distinct(Answer.response_id)))
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .where(Answer.question_id.in_(choices))
        .group_by(BATCH.group_id, Answer.question_id)
    )
    return {(keys[g], questions[q].key): n for g, q, n in rows}


# -- who each figure rests on, for the release rule -------------------------------------------


def contributors(survey_round: Round, items: list[ItemMeta], keys: dict[int | None, str], which) -> Contributors:
    """Per figure and group, how many of the round's responses matching `which` the figure
    rests on: the people whose answers change it (app.domain.privacy.releases); RESPONDENTS:
    how many responses the group has.

    A scale question rests on everyone who answered it, "don't know" included (their count is
    shown); a need on those who gave both halves (the need's figures use nothing else); a
    criterion on everyone who answered one of its scored questions (its answers' leanings count
    "don't know"); a multiple choice on who ticked anything; written words on who wrote in that
    language; quotes on who wrote and allowed quoting.
    """
    _fill_batch_table(survey_round.id, which)
    rows = {q.key: q.id for q in survey_round.survey.questions}
    questions = {rows[item.key]: item for item in items}
    found: dict[Figure, dict[str, int]] = {}

    def add(figure: Figure, group_id: int | None, n: int) -> None:
        if n:
            found.setdefault(figure, {})[keys[group_id]] = int(n)

    for group_id, n in db.session.execute(select(BATCH.group_id, func.count()).group_by(BATCH.group_id)):
        add(RESPONDENTS, group_id, n)
    counted = [qid for qid, item in questions.items() if item.type != "text"]
    both = case((and_(Answer.value.is_not(None), Answer.value2.is_not(None)), Answer.response_id))
    for group_id, question_id, anyone, paired in db.session.execute(
        select(BATCH.group_id, Answer.question_id, func.count(func.distinct(Answer.response_id)),
               func.count(func.distinct(both)))
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .where(Answer.question_id.in_(counted))
        .group_by(BATCH.group_id, Answer.question_id)
    ):
        item = questions[question_id]
        add(("item", item.key), group_id, paired if item.type == "importance_current" else anyone)
    scored = {qid: item.criterion for qid, item in questions.items()
              if item.criterion and item.type in ("agreement", "importance_current")}
    if scored:
        criteria = sorted(set(scored.values()))  # type: ignore[arg-type]
        criterion_of = union_all(*(
            select(literal(qid).label("question_id"), literal(criteria.index(c)).label("criterion"))
            for qid, c in scored.items()
        )).subquery("criterion_of")
        for group_id, criterion, n in db.session.execute(
            select(BATCH.group_id, criterion_of.c.criterion, func.count(func.distinct(Answer.response_id)))
            .join(_BATCH, BATCH.response_id == Answer.response_id)
            .join(criterion_of, criterion_of.c.question_id == Answer.question_id)
            .where(Answer.question_id.in_(list(scored)))
            .group_by(BATCH.group_id, criterion_of.c.criterion)
        ):
            add(("criterion", criteria[criterion]), group_id, n)
    written = _written(questions)
    if written is not None:
        quoting = case((BATCH.may_quote.is_(True), Answer.response_id))
        for group_id, question_id, language, writers, quoters in db.session.execute(
            select(BATCH.group_id, Answer.question_id, BATCH.language, func.count(func.distinct(Answer.response_id)),
                   func.count(func.distinct(quoting)))
            .join(_BATCH, BATCH.response_id == Answer.response_id)
            .where(written)
            .group_by(BATCH.group_id, Answer.question_id, BATCH.language)
        ):
            key = questions[question_id].key
            add(("text", key, language), group_id, writers)
            found.setdefault(("quotes", key), {})
            found[("quotes", key)][keys[group_id]] = found[("quotes", key)].get(keys[group_id], 0) + int(quoters)
    _BATCH.drop(db.session.connection())
    return {figure: {group: n for group, n in per_group.items() if n} for figure, per_group in found.items()}


def _add_text(tallies: Tallies, questions: dict[int, ItemMeta], keys: dict[int | None, str]) -> None:
    """Free text counted in the database: answers per language, how many answers use each
    word, and the latest few quotes respondents allowed. No text is read one answer at a time."""
    written = _written(questions)
    if written is None:
        return

    def counter(group_id: int | None, question_id: int) -> TermCounter:
        return tallies.terms.setdefault((keys[group_id], questions[question_id].key), TermCounter())

    for group_id, question_id, language, answers in db.session.execute(_answers_per_language(written)):
        counter(group_id, question_id).add_answers(language, answers)
    for group_id, question_id, language, token, answers in _token_counts(written):
        counter(group_id, question_id).add_token(token, language, answers)
    _add_quotes(tallies, questions, keys)


def _add_quotes(tallies: Tallies, questions: dict[int, ItemMeta], keys: dict[int | None, str]) -> None:
    written = _written(questions)
    if written is None:
        return
    for group_id, question_id, answer_id, language, quote in db.session.execute(_latest_quotes(written)):
        key = (keys[group_id], questions[question_id].key)
        tallies.quotes.setdefault(key, []).append(Quote(answer_id, language, quote))


def _written(questions: dict[int, ItemMeta]):
    """The condition for a written answer (free text, or a multiple choice's own words)."""
    texts = [qid for qid, item in questions.items() if item.type in ("text", "multiple_choice")]
    if not texts:
        return None
    return and_(Answer.question_id.in_(texts), Answer.text.is_not(None), Answer.text != "")


def _answers_per_language(written):
    return (
        select(BATCH.group_id, Answer.question_id, BATCH.language, func.count())
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .where(written)
        .group_by(BATCH.group_id, Answer.question_id, BATCH.language)
    )


def _token_counts(written) -> Iterator[tuple[int | None, int, str, str, int]]:
    """(group, question, language, word as written, answers using it).

    PostgreSQL splits and counts the words itself. SQLite, the small embedded default, has no
    function for it: there the words are split here, answer by answer, to the same result.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        words = (
            select(BATCH.group_id, Answer.question_id, BATCH.language, Answer.id.label("answer_id"),
                   func.regexp_split_to_table(func.lower(Answer.text), r"\s+").label("token"))
            .join(_BATCH, BATCH.response_id == Answer.response_id)
            .where(written)
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
        select(BATCH.group_id, Answer.question_id, BATCH.language, Answer.text)
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .where(written)
        .execution_options(yield_per=2000)
    )
    for group_id, question_id, language, written in rows:
        counts.update((group_id, question_id, language, token) for token in set(written.lower().split()))
    for (group_id, question_id, language, token), answers in counts.items():
        yield group_id, question_id, language, token, answers


def _latest_quotes(written):
    """Per group and question, the QUOTES_PER_QUESTION latest distinct answers whose authors
    allowed quoting (with their answer ids: the kept tallies' quotes and these are merged)."""
    distinct_quotes = (
        select(BATCH.group_id, Answer.question_id, BATCH.language, Answer.text,
               func.max(Answer.id).label("latest"))
        .join(_BATCH, BATCH.response_id == Answer.response_id)
        .where(written, BATCH.may_quote.is_(True))
        .group_by(BATCH.group_id, Answer.question_id, BATCH.language, Answer.text)
        .subquery()
    )
    ranked = select(
        distinct_quotes,
        func.row_number().over(partition_by=(distinct_quotes.c.group_id, distinct_quotes.c.question_id),
                               order_by=distinct_quotes.c.latest.desc()).label("rank"),
    ).subquery()
    return (
        select(ranked.c.group_id, ranked.c.question_id, ranked.c.latest, ranked.c.language, ranked.c.text)
        .where(ranked.c.rank <= QUOTES_PER_QUESTION)
        .order_by(ranked.c.group_id, ranked.c.question_id, ranked.c.rank)
    )
