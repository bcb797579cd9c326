"""Report build and export at scale, against a plain GROUP BY over the same answers.

A synthetic 60-question survey (20 importance/current pairs, 28 agreement items, 4 single and
4 multiple choices, 2 numbers, 2 free texts, over the 21 common criteria) is answered by
BENCH_REPORT_RESPONSES people (20,000 by default) in 8 groups, written with COPY. Then:
- the floor: one plain SQL GROUP BY (group x question: count, average) over those answers;
- the build of the report snapshot (every query, the maths, the JSON write), its time and its
  peak Python memory (tracemalloc), at N and again at 2N responses: memory should stay flat.
  The build runs here as in the Celery worker, with the objects loaded at start kept out of
  the garbage collector's scans (app.celery_app.settle_long_lived_objects).
  Two builds are measured: counting every response from scratch (the first build of a round
  never built while open, or the recount after the kept tallies were lost), and the build
  that adds 1 % new responses to the kept tallies (the periodic build while a round is open,
  and the one when it closes);
- a respondent withdrawing, taken out of the kept tallies (so no recount follows);
- the streamed responses CSV export of BENCH_EXPORT_RESPONSES (250,000) to /dev/null.
The answers are random, made by PostgreSQL itself (see add_responses).
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import func, select, text

from app.celery_app import settle_long_lived_objects
from app.extensions import db
from app.domain import codes
from app.models import (Answer, Community, CommunityKind, Group, GroupKind, ReportBuild, Response, Round, RoundStatus,
                        Survey, utcnow)
from app.services import report_build, responding, response_export
from app.services.survey_bank import load_bank
from bench.harness import Figure

ROOT = Path(__file__).resolve().parent.parent
REPORT_RESPONSES = int(os.environ.get("BENCH_REPORT_RESPONSES", "20000"))
EXPORT_RESPONSES = int(os.environ.get("BENCH_EXPORT_RESPONSES", "250000"))
CRITERIA = ["balances", "change", "diversity", "dynamics", "inclusion", "infrastructures", "innovation",
            "learning", "needs", "opportunities", "outreach", "participation", "partnerships",
            "penetration", "policy_making", "reflection", "sharing", "talent", "transparency",
            "value_codes", "visibility"]
WORDS = ("evening courses language library childcare cheaper closer digital help job training park "
         "neighbours together music sport").split()


def survey_yaml() -> str:
    lines = ["key: bench_sixty", "audience: citizens", "languages: [en]", "title: {en: Bench survey}",
             "intro: {en: Sixty questions.}", "minutes: 12", "pages:"]
    kinds = (["importance_current"] * 20 + ["agreement"] * 28 + ["single_choice"] * 4
             + ["multiple_choice"] * 4 + ["number"] * 2 + ["text"] * 2)
    for number, kind in enumerate(kinds):
        if number % 10 == 0:
            lines += [f"  - key: page_{number // 10}", f"    title: {{en: Page {number // 10}}}", "    questions:"]
        lines += [f"      - key: q{number:02d}", f"        type: {kind}",
                  f"        criterion: {CRITERIA[number % len(CRITERIA)]}",
                  f"        text: {{en: Question {number}}}"]
        if kind in ("single_choice", "multiple_choice"):
            lines.append("        options:")
            for option in "abcd":
                lines += [f"          - key: {option}", f"            label: {{en: Option {option}}}"]
        if kind == "number":
            lines += ["        min: 0", "        max: 100"]
    return "\n".join(lines) + "\n"


def load_bench_survey(directory: Path) -> Survey:
    shutil.copy(ROOT / "surveys" / "criteria.yaml", directory / "criteria.yaml")
    (directory / "bench_sixty.yaml").write_text(survey_yaml(), encoding="utf-8")
    result = load_bank(directory)
    return next(s for s in result.new_versions + result.unchanged if s.key == "bench_sixty")


def make_round(survey: Survey, slug: str) -> Round:
    community = Community(slug=slug, name=slug, kind=CommunityKind.CITY, languages=["en"])
    groups = [Group(key=f"group_{i}", name=f"Group {i}", kind=GroupKind.CITIZENS, population=5000 * (i + 1),
                    position=i) for i in range(8)]
    community.groups.extend(groups)
    survey_round = Round(community=community, survey=survey, title="Bench", languages=["en"],
                         status=RoundStatus.OPEN, groups=groups)
    db.session.add(survey_round)
    db.session.commit()
    return survey_round


def add_responses(survey_round: Round, count: int, seed: int) -> None:
    """Write `count` complete responses with every question answered.

    PostgreSQL makes the rows itself (generate_series and a seeded random()), so a quarter of a
    million respondents take a minute to store, not an hour of Python writing rows.
    """
    group_ids = [g.id for g in survey_round.groups]
    by_type: dict[str, list[int]] = {}
    for question in survey_round.survey.questions:
        by_type.setdefault(question.type, []).append(question.id)
    first_id = (db.session.scalar(select(func.max(text("id"))).select_from(text("responses"))) or 0) + 1
    db.session.execute(text("SELECT setseed(:seed)"), {"seed": seed / 1000})
    db.session.execute(text(
        "INSERT INTO responses (id, round_id, group_id, language, status, current_page, may_quote, "
        "resume_code_hash, is_simulated, started_at, updated_at, submitted_at) "
        "SELECT :first + g, :round_id, (CAST(:groups AS integer[]))[1 + floor(random() * :group_count)::int], "
        "'en', 'complete', NULL, random() < 0.5, 'bench' || lpad((:first + g)::text, 59, '0'), true, "
        "now(), now(), now() FROM generate_series(0, :count - 1) AS g"
    ), {"first": first_id, "round_id": survey_round.id, "groups": group_ids, "group_count": len(group_ids),
        "count": count})
    for kind, question_ids in by_type.items():
        db.session.execute(text(ANSWER_ROWS[kind]), {"first": first_id, "round_id": survey_round.id,
                                                     "questions": question_ids, "words": list(WORDS)})
    db.session.execute(text("SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                            "(SELECT max(id) FROM responses))"))
    db.session.commit()
    db.session.execute(text("ANALYZE responses"))
    db.session.execute(text("ANALYZE answers"))
    db.session.commit()


_FROM = "FROM responses r CROSS JOIN unnest(CAST(:questions AS integer[])) AS q(id)"
_TICKS = " CROSS JOIN unnest(ARRAY['a', 'b', 'c', 'd']) AS o(option)"
_NEW = "WHERE r.round_id = :round_id AND r.id >= :first"
_POINT = "1 + floor(random() * 5)"
_POINT_OR_DONT_KNOW = f"CASE WHEN random() < 1.0 / 6 THEN NULL ELSE {_POINT} END"
_WORD = "(CAST(:words AS text[]))[1 + floor(random() * cardinality(CAST(:words AS text[])))::int]"
_INSERT = "INSERT INTO answers (response_id, question_id, option, value, value2, text) SELECT r.id, q.id, "
ANSWER_ROWS = {
    "importance_current": f"{_INSERT} '', {_POINT}, {_POINT_OR_DONT_KNOW}, NULL {_FROM} {_NEW}",
    "agreement": f"{_INSERT} '', {_POINT_OR_DONT_KNOW}, NULL, NULL {_FROM} {_NEW}",
    "single_choice": f"{_INSERT} (ARRAY['a', 'b', 'c', 'd'])[1 + floor(random() * 4)::int], NULL, NULL, NULL "
                     f"{_FROM} {_NEW}",
    # Each option ticked by about half of the people: one row per ticked option.
    "multiple_choice": f"{_INSERT} o.option, NULL, NULL, NULL {_FROM}{_TICKS} {_NEW} AND random() < 0.5",
    "number": f"{_INSERT} '', round((random() * 100)::numeric, 1), NULL, NULL {_FROM} {_NEW}",
    "text": f"{_INSERT} '', NULL, NULL, concat_ws(' ', {_WORD}, {_WORD}, {_WORD}, {_WORD}) {_FROM} {_NEW}",
}


def floor_query(round_id: int) -> None:
    report_build.give_the_build_memory()  # the same memory as the build, so the ratio is fair
    db.session.execute(text(
        "SELECT r.group_id, a.question_id, count(*), avg(a.value) FROM answers a "
        "JOIN responses r ON r.id = a.response_id "
        "WHERE r.round_id = :round_id AND r.status = 'complete' GROUP BY r.group_id, a.question_id"
    ), {"round_id": round_id}).all()


def best_seconds(action: Callable[[], object], repeat: int = 3, prepare: Callable[[], object] = lambda: None) -> float:
    """The best of `repeat` timed runs, after one untimed run (both sides are measured warm);
    prepare() runs, untimed, before each."""
    prepare()
    action()
    db.session.commit()
    samples = []
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        action()
        db.session.commit()
        samples.append(time.perf_counter() - start)
    return min(samples)


def peak_mib(action: Callable[[], object], prepare: Callable[[], object] = lambda: None) -> float:
    prepare()
    gc.collect()
    tracemalloc.start()
    try:
        action()
        db.session.commit()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / 2**20


def report_figures(work_dir: Path) -> list[Figure]:
    survey = load_bench_survey(work_dir)
    survey_round = make_round(survey, "bench-report")
    add_responses(survey_round, REPORT_RESPONSES, seed=1)
    answers = db.session.scalar(text("SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response_id "
                                     "WHERE r.round_id = :id"), {"id": survey_round.id})
    print(f"# report: {REPORT_RESPONSES} responses, {answers} answers, 60 questions, 8 groups; "
          f"each incremental build adds {NEW_SHARE:.0%} new responses first")
    new_seeds = itertools.count(100)  # each wave of new responses answers differently
    settle_long_lived_objects()  # what the worker that builds reports does once it has started
    figures = _build_figures(survey_round, "", new_seeds)
    figures.append(_withdrawal_figure(survey_round, floor=figures[0]))
    add_responses(survey_round, REPORT_RESPONSES, seed=2)  # twice as many
    doubled = _build_figures(survey_round, "_2x", new_seeds, memory_floors=(figures[2], figures[4]))
    return figures + doubled


NEW_SHARE = 0.01


def _build_figures(survey_round: Round, suffix: str, new_seeds: Iterator[int],
                   memory_floors: tuple[Figure, Figure] | None = None):
    """The floor; the build from scratch; the incremental build; and their peak memory."""
    round_id = survey_round.id
    responses = db.session.scalar(select(func.count()).select_from(Response).where(Response.round_id == round_id))

    def build() -> None:
        report_build.build_and_store(round_id, utcnow())

    def forget_the_tallies() -> None:
        report_build.forget_tallies(round_id)
        db.session.commit()

    def new_responses_arrive() -> None:
        add_responses(survey_round, max(1, int(responses * NEW_SHARE)), seed=next(new_seeds))

    floor = Figure(f"report_groupby_floor{suffix}", best_seconds(lambda: floor_query(round_id)) * 1000, "ms")
    full = Figure(f"report_build{suffix}", best_seconds(build, prepare=forget_the_tallies) * 1000, "ms", floor)
    full_memory = peak_mib(build, prepare=forget_the_tallies)
    incremental = Figure(f"report_build_incremental{suffix}", best_seconds(build, prepare=new_responses_arrive) * 1000,
                         "ms", floor)
    incremental_memory = peak_mib(build, prepare=new_responses_arrive)
    full_floor, incremental_floor = memory_floors or (None, None)
    return [
        floor,
        full,
        Figure(f"report_build{suffix}_peak_memory", full_memory, "MiB", full_floor),
        incremental,
        Figure(f"report_build_incremental{suffix}_peak_memory", incremental_memory, "MiB", incremental_floor),
    ]


def _withdrawal_figure(survey_round: Round, floor: Figure) -> Figure:
    """A respondent withdrawing with their receipt code, taken out of the kept tallies (the
    worst case: one whose answer is among the quotes, so the question's quotes are looked up
    again). The next build then only adds; it does not count every response again."""
    def quoted_respondent_withdraws() -> None:
        kept = db.session.get(ReportBuild, survey_round.id).tallies
        latest = max(answer_id for _, _, quotes in kept["quotes"] for answer_id, _, _ in quotes)
        response = db.session.scalar(select(Response).join(Answer).where(Answer.id == latest))
        code = codes.new_code()
        response.receipt_code_hash = responding.hashed(code)
        db.session.commit()
        start = time.perf_counter()
        responding.withdraw(code)
        db.session.commit()
        samples.append(time.perf_counter() - start)

    samples: list[float] = []
    for _ in range(3):
        quoted_respondent_withdraws()
    return Figure("report_withdrawal", min(samples) * 1000, "ms", floor)


def export_figures(work_dir: Path) -> list[Figure]:
    survey = db.session.scalar(select(Survey).where(Survey.key == "bench_sixty"))
    survey_round = make_round(survey, "bench-export")
    add_responses(survey_round, EXPORT_RESPONSES, seed=3)
    print(f"# export: {EXPORT_RESPONSES} responses of the same survey")

    def export() -> None:
        with open(os.devnull, "w", encoding="utf-8") as sink:
            for line in response_export.csv_lines(survey_round.id):
                sink.write(line)

    start = time.perf_counter()
    export()
    seconds = time.perf_counter() - start
    return [Figure("responses_csv_export", seconds * 1000, "ms"),
            Figure("responses_csv_export_peak_memory", peak_mib(export), "MiB")]
