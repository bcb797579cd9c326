"""Report figures checked against statistics computed here, from the seeded answers, by hand.

Nothing in this file calls app.domain.report_maths: means and standard deviations come from
the statistics module, critical values of t from a printed table, so a mistake in the report
code cannot be repeated in the expectation.
"""

from __future__ import annotations

import json
import math
import statistics

import pytest
from sqlalchemy import func, select

from app.domain.report import EVERYONE
from app.extensions import db
from app.domain import codes
from app.models import Answer, Question, ReportBuild, ReportSnapshot, Response, ResponseStatus, utcnow
from app.services import report_build, responding
from tests.report_data import GROUP_SIZES, HIDDEN, HIDDEN_WORD, POPULATIONS, seed_round

# Student's t, two-sided 95 %, as printed in statistics textbooks (3 decimals).
T_TABLE = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
    10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101,
    19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052,
    28: 2.048, 29: 2.045, 30: 2.042, 31: 2.040, 32: 2.037, 33: 2.035, 34: 2.032, 35: 2.030, 36: 2.028,
    37: 2.026, 38: 2.024, 39: 2.023, 40: 2.021, 41: 2.020, 42: 2.018, 43: 2.017, 44: 2.015, 45: 2.014,
    46: 2.013, 47: 2.012, 48: 2.011, 49: 2.010, 50: 2.009,
}  # fmt: skip


def interval(values: list[float]) -> tuple[float, float]:
    mean = statistics.mean(values)
    half = T_TABLE[len(values) - 1] * statistics.stdev(values) / math.sqrt(len(values))
    return mean - half, mean + half


def close(a: float, b: float, tolerance: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)


@pytest.fixture(params=["counted_at_once", "counted_in_three_builds"])
def seeded(app, request):
    """The seeded round's report: built once, or built three times while the responses come in
    (each build adding only the newly completed ones to the kept tallies). Every hand-computed
    expectation below must hold for both."""
    data = seed_round()
    if request.param == "counted_in_three_builds":
        snapshot = build_while_responses_arrive(data.round.id, waves=3)
    else:
        snapshot = report_build.build_and_store(data.round.id, utcnow())
    db.session.commit()
    return data, snapshot.payload


def build_while_responses_arrive(round_id: int, waves: int) -> ReportSnapshot:
    """Hold back the complete responses, then let them in wave by wave, building after each."""
    complete = db.session.scalars(select(Response).where(
        Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE).order_by(Response.id)).all()
    for response in complete:
        response.status = ResponseStatus.IN_PROGRESS
    for wave in range(waves):
        for response in complete[wave::waves]:
            response.status = ResponseStatus.COMPLETE
        db.session.commit()
        snapshot = report_build.build_and_store(round_id, utcnow())
        db.session.commit()
        assert snapshot.response_count == sum(r.status is ResponseStatus.COMPLETE for r in complete)
    return snapshot


def section(payload, key):
    return next((s for s in payload["sections"] if s["key"] == key), None)


def test_only_complete_responses_count_and_the_snapshot_says_how_many(seeded):
    data, payload = seeded
    snapshot = db.session.query(ReportSnapshot).one()
    assert snapshot.response_count == sum(GROUP_SIZES.values()) == payload["respondents"]
    assert section(payload, EVERYONE)["respondents"] == 51


@pytest.mark.parametrize("group", ["youth", "seniors", None])
def test_need_gap_mwds_and_gap_interval_match_a_hand_computation(seeded, group):
    data, payload = seeded
    pairs = [r.answers["need_language"] for r in data.of(group)]
    both = [(i, c) for i, c in pairs if i is not None and c is not None]
    gaps = [i - c for i, c in both]
    mean_importance = statistics.mean(i for i, _ in both)
    (need,) = section(payload, group or EVERYONE)["needs"]
    assert need["n"] == len(both)
    assert close(need["gap"], statistics.mean(gaps))
    assert close(need["importance"], mean_importance)
    assert close(need["current"], statistics.mean(c for _, c in both))
    # Borich: the mean over respondents of each gap times the item's mean importance.
    assert close(need["mwds"], statistics.mean(g * mean_importance for g in gaps))
    low, high = interval(gaps)
    assert abs(need["gap_low"] - low) < 2e-3 and abs(need["gap_high"] - high) < 2e-3
    assert close(need["gap_se"], statistics.stdev(gaps) / math.sqrt(len(gaps)))


@pytest.mark.parametrize("group", ["youth", "seniors", None])
def test_criterion_scores_are_means_of_rescaled_answers_with_t_intervals(seeded, group):
    data, payload = seeded
    figures = section(payload, group or EVERYONE)["criteria"]
    # "needs" rests on the current-state half of the pair; "participation" on the agreement item.
    for criterion, values in (
        ("needs", [r.answers["need_language"][1] for r in data.of(group)]),
        ("participation", [r.answers["heard_of_offer"] for r in data.of(group)]),
    ):
        scores = [(v - 1) / 4 * 100 for v in values if v is not None]
        figure = figures[criterion]
        assert figure["n"] == len(scores)
        assert close(figure["score"], statistics.mean(scores))
        low, high = interval(scores)
        assert abs(figure["low"] - max(0, low)) < 0.1 and abs(figure["high"] - min(100, high)) < 0.1
        assert close(figure["se"], statistics.stdev(scores) / math.sqrt(len(scores)))  # unclipped


def test_a_pair_counts_in_its_criterion_only_when_both_halves_were_given(app):
    """Two seniors did not know how important the need is but said how well it is met. Counted
    in the criterion, the criterion's count and sums less the need's would be their answers."""
    data = seed_round()
    question = db.session.scalar(select(Question.id).where(Question.key == "need_language",
                                                           Question.survey_id == data.round.survey_id))
    seniors = [r.id for r in db.session.scalars(select(Response).where(
        Response.group_id == data.groups["seniors"].id, Response.status == ResponseStatus.COMPLETE))]
    unsure = db.session.scalars(select(Answer).where(Answer.question_id == question, Answer.response_id.in_(seniors),
                                                     Answer.value2.is_not(None)).limit(2)).all()
    for answer in unsure:
        answer.value = None  # importance: "don't know"
    db.session.flush()
    payload = report_build.build_and_store(data.round.id, utcnow()).payload
    pairs = [(a.value, a.value2) for a in db.session.scalars(
        select(Answer).where(Answer.question_id == question, Answer.response_id.in_(seniors)))]
    scores = [(current - 1) / 4 * 100 for importance, current in pairs if importance is not None and current is not None]
    figure = section(payload, "seniors")["criteria"]["needs"]
    need = next(n for n in section(payload, "seniors")["needs"] if n["item"] == "need_language")
    assert figure["n"] == need["n"] == len(scores)
    assert close(figure["score"], statistics.mean(scores))
    assert figure["answers"]["dont_know"] == sum(1 for i, c in pairs if i is None or c is None)


def test_agreement_item_gives_its_distribution_and_dont_know_count(seeded):
    data, payload = seeded
    answers = [r.answers["heard_of_offer"] for r in data.of("seniors")]
    figure = section(payload, "seniors")["items"]["heard_of_offer"]
    assert figure["dont_know"] == answers.count(None)
    assert figure["distribution"] == {str(v): answers.count(v) for v in range(1, 6) if answers.count(v)}
    assert close(figure["mean"], statistics.mean(a for a in answers if a is not None))


def test_number_item_mean_comes_from_sums_not_from_a_distribution(seeded):
    data, payload = seeded
    hours = [r.answers["hours"] for r in data.of("seniors")]
    figure = section(payload, "seniors")["items"]["hours"]
    assert figure["n"] == len(hours)
    assert close(figure["mean"], statistics.mean(hours), 1e-9)


def test_multiple_choice_shares_rest_on_those_who_answered(seeded):
    data, payload = seeded
    answered = [r.answers["barriers"] for r in data.of() if "barriers" in r.answers]
    figure = section(payload, EVERYONE)["choices"]["barriers"]
    assert figure["n"] == len(answered)
    assert figure["counts"]["time"] == sum("time" in a.options for a in answered)
    assert close(figure["shares"]["cost"], sum("cost" in a.options for a in answered) / len(answered))
    assert figure["counts"]["_other"] == sum(a.other_text is not None for a in answered)


def test_overall_scores_weighted_to_population_use_the_shown_groups_with_a_population(seeded):
    data, payload = seeded

    def score(group):
        values = [r.answers["need_language"][1] for r in data.of(group)]
        return statistics.mean((v - 1) / 4 * 100 for v in values if v is not None)

    expected = (POPULATIONS["youth"] * score("youth") + POPULATIONS["seniors"] * score("seniors")) / (
        POPULATIONS["youth"] + POPULATIONS["seniors"]
    )
    assert close(payload["weighted"]["criteria"]["needs"], expected)
    assert payload["weighted"]["groups"] == ["youth", "seniors"]


def test_coverage_is_responses_over_population(seeded):
    _, payload = seeded
    youth = next(g for g in payload["groups"] if g["key"] == "youth")
    assert youth["respondents"] == 12 and close(youth["coverage"], 12 / 1000)


def test_a_group_below_k_and_its_complement_are_hidden_everywhere_in_the_payload(seeded):
    _, payload = seeded
    hidden = {g["key"] for g in payload["groups"] if g["suppressed"]}
    assert hidden == set(HIDDEN)
    assert {s["key"] for s in payload["sections"]} == {EVERYONE, "youth", "seniors"}
    for entry in payload["groups"]:
        if entry["suppressed"]:
            assert entry["respondents"] is None and entry["coverage"] is None
    # Hidden groups' own words are not even folded into everyone's terms or quotes.
    assert HIDDEN_WORD not in json.dumps(payload, ensure_ascii=False)


def test_an_item_answered_by_fewer_than_k_in_a_shown_group_is_hidden_with_a_complement(seeded):
    data, payload = seeded
    assert "barriers" not in section(payload, "youth")["choices"]  # 2 people answered it there
    everyone_n = section(payload, EVERYONE)["choices"]["barriers"]["n"]
    shown = {s["key"]: s["choices"]["barriers"]["n"] for s in payload["sections"]
             if s["key"] != EVERYONE and "barriers" in s["choices"]}
    # Everyone minus the groups shown must not single out a small number of people.
    assert everyone_n - sum(shown.values()) >= payload["k"]


def test_quotes_come_only_from_people_who_allowed_them(seeded):
    data, payload = seeded
    quotes = section(payload, "youth")["text"]["help_most"]["quotes"]
    allowed = {r.answers["help_most"] for r in data.of("youth") if r.may_quote}
    assert quotes and all(q["text"] in allowed for q in quotes)


def test_frequent_terms_are_counted_once_per_answer_per_language(seeded):
    data, payload = seeded
    english = [r.answers["help_most"].lower().split() for r in data.of("youth") if r.language == "en"]
    terms = dict(map(tuple, section(payload, "youth")["text"]["help_most"]["languages"]["en"]["terms"]))
    assert terms.get("courses") == sum("courses" in words for words in english)


def test_building_twice_from_the_same_answers_gives_the_same_figures(seeded):
    data, payload = seeded
    again = report_build.build_and_store(data.round.id, utcnow()).payload
    assert {k: v for k, v in again.items() if k != "built_at"} == {
        k: v for k, v in payload.items() if k != "built_at"
    }
    assert db.session.query(ReportSnapshot).count() == 1


# -- counting each response once: the tallies kept between builds ----------------------------


def payload_without_time(snapshot: ReportSnapshot) -> dict:
    return {k: v for k, v in snapshot.payload.items() if k != "built_at"}


def assert_same_figures(a, b, path="payload") -> None:
    """Equal payloads, floats equal to rounding: sums added in another order differ in the last bits."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float) and close(a, b), f"{path}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys {set(a) ^ set(b)}"
        for key in a:
            assert_same_figures(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths {len(a)} != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_figures(x, y, f"{path}[{index}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def recounted(round_id: int) -> dict:
    """The report of the same responses counted from scratch (the kept tallies dropped)."""
    report_build.forget_tallies(round_id)
    return payload_without_time(report_build.build_and_store(round_id, utcnow()))


def test_each_build_counts_only_the_responses_completed_since_the_last(app):
    data = seed_round()
    round_id = data.round.id
    first = build_while_responses_arrive(round_id, waves=2)
    batches = db.session.execute(select(Response.tally_batch, func.count()).where(
        Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE).group_by(Response.tally_batch))
    assert dict(batches.all()) == {1: 26, 2: 25}  # 51 complete responses, in two waves
    assert db.session.scalar(select(func.count()).where(
        Response.status == ResponseStatus.IN_PROGRESS, Response.tally_batch.is_not(None))) == 0
    incremental = payload_without_time(first)
    assert_same_figures(incremental, recounted(round_id))


def test_a_response_deleted_other_than_by_withdrawal_is_recounted_out_at_the_next_build(app):
    data = seed_round()
    round_id = data.round.id
    report_build.build_and_store(round_id, utcnow())
    db.session.commit()
    leaving = db.session.scalars(select(Response).where(
        Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE,
        Response.group_id == data.groups["seniors"].id)).first()
    db.session.delete(leaving)
    db.session.commit()
    after = report_build.build_and_store(round_id, utcnow())
    db.session.commit()
    assert after.response_count == sum(GROUP_SIZES.values()) - 1
    seniors = next(g for g in after.payload["groups"] if g["key"] == "seniors")
    assert seniors["respondents"] == GROUP_SIZES["seniors"] - 1
    assert_same_figures(payload_without_time(after), recounted(round_id))


def withdraw(response: Response) -> None:
    """Withdraw the response the way its respondent does, with the receipt code."""
    code = codes.new_code()
    response.receipt_code_hash = responding.hashed(code)
    db.session.flush()
    assert responding.withdraw(code) == response.round_id
    db.session.commit()


def quoted_response(round_id: int, group_id: int) -> Response:
    """A complete response of the group whose free text is among the kept quotes."""
    kept = db.session.get(ReportBuild, round_id).tallies
    quoted = {answer_id for _, _, quotes in kept["quotes"] for answer_id, _, _ in quotes}
    return db.session.scalars(
        select(Response).join(Answer).where(Response.group_id == group_id, Answer.id.in_(quoted))
        .order_by(Answer.id.desc())).first()


@pytest.mark.parametrize("leaving", ["a senior quoted in the report", "a newcomer (a hidden group)"])
def test_a_withdrawal_takes_the_person_out_of_the_kept_tallies_as_a_recount_would(app, monkeypatch, leaving):
    data = seed_round()
    round_id = data.round.id
    report_build.build_and_store(round_id, utcnow())
    db.session.commit()
    group = data.groups["seniors" if "senior" in leaving else "newcomers"]
    withdraw(quoted_response(round_id, group.id))
    taken_away = db.session.get(ReportBuild, round_id).tallies

    counted_again = []
    monkeypatch.setattr(report_build, "_batch_tallies", lambda *args: counted_again.append(args))
    after = report_build.build_and_store(round_id, utcnow())  # nothing new: nothing to count
    db.session.commit()
    assert counted_again == []
    assert after.response_count == sum(GROUP_SIZES.values()) - 1
    monkeypatch.undo()
    assert_same_figures(payload_without_time(after), recounted(round_id))
    db.session.commit()
    assert_same_figures(taken_away, db.session.get(ReportBuild, round_id).tallies, "tallies")


def test_a_build_that_fails_counts_nothing_and_keeps_no_tallies(app, monkeypatch):
    data = seed_round()
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("the maths fell over")

    monkeypatch.setattr(report_build, "build_report", broken)
    with pytest.raises(RuntimeError):
        report_build.build_and_store(data.round.id, utcnow())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(Response.tally_batch.is_not(None))) == 0
    build = db.session.get(ReportBuild, data.round.id)
    assert build is None or build.tallies is None
