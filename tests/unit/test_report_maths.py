"""Report figures from sufficient statistics, checked against the raw answers they summarise."""

from __future__ import annotations

import math
import random
import statistics
from decimal import Decimal

import pytest

from app.domain.report_maths import (
    beyond_chance,
    Z_975,
    Difference,
    Moments,
    Need,
    NeedStats,
    Quadrant,
    Score,
    change,
    coverage,
    criterion_score,
    difference,
    locus_for_focus,
    need_figures,
    post_stratification_weights,
    post_stratified_mean,
    rank_needs,
    rescale,
    shares,
    t_975,
)

SEEDS = [1, 2, 3, 42, 2024]

# t 97.5 % quantiles from the inverse incomplete beta function, beyond the built-in table.
T_975_REFERENCE = {31: 2.039513446, 40: 2.021075390, 60: 2.000297822, 120: 1.979930405}


# -- seeded answers and what the database would compute from them -----------------------------


def agreement_answers(seed: int, points: int, items: int = 3) -> list[list[int | None]]:
    """Per respondent, answers to `items` agreement items; None is "don't know"."""
    rng = random.Random(seed)
    return [
        [None if rng.random() < 0.15 else rng.randint(1, points) for _ in range(items)]
        for _ in range(rng.randint(2, 300))
    ]


def need_answers(seed: int) -> list[tuple[int | None, int | None]]:
    """Per respondent, an (importance, current) pair; either half may be "don't know"."""
    rng = random.Random(seed)
    return [
        (None if rng.random() < 0.1 else rng.randint(1, 5), None if rng.random() < 0.1 else rng.randint(1, 5))
        for _ in range(rng.randint(3, 300))
    ]


def sums(values: list[float]) -> Moments:
    """COUNT, SUM and SUM of squares, as the GROUP BY query returns them."""
    return Moments(len(values), sum(values), sum(v * v for v in values))


def complete_pairs(pairs: list[tuple[int | None, int | None]]) -> list[tuple[int, int]]:
    return [(i, c) for i, c in pairs if i is not None and c is not None]


def need_stats(pairs: list[tuple[int, int]]) -> NeedStats:
    return NeedStats(
        n=len(pairs),
        sum_importance=sum(i for i, _ in pairs),
        sum_importance_sq=sum(i * i for i, _ in pairs),
        sum_current=sum(c for _, c in pairs),
        sum_current_sq=sum(c * c for _, c in pairs),
        sum_gap=sum(i - c for i, c in pairs),
        sum_gap_sq=sum((i - c) ** 2 for i, c in pairs),
    )


def respondent_scores(answers: list[list[int | None]], points: int) -> list[float]:
    """Each respondent's mean answered item, rescaled to 0..100 (respondents with none left out)."""
    scores = []
    for row in answers:
        given = [a for a in row if a is not None]
        if given:
            scores.append((statistics.mean(given) - 1) / (points - 1) * 100)
    return scores


def expected_interval(values: list[float], t: float) -> tuple[float, float]:
    half = t * statistics.stdev(values) / math.sqrt(len(values))
    return (statistics.mean(values) - half, statistics.mean(values) + half)


# -- t quantiles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "known"),
    [(1, 12.706), (5, 2.571), (10, 2.228), (30, 2.042), (100, 1.984), (1000, 1.962)],
)
def test_t_975_matches_published_table_values(df, known):
    assert t_975(df) == pytest.approx(known, abs=5e-4)


@pytest.mark.parametrize(("df", "reference"), sorted(T_975_REFERENCE.items()))
def test_t_975_beyond_the_table_is_accurate_to_1e_7(df, reference):
    assert t_975(df) == pytest.approx(reference, abs=1e-7)


def test_t_975_decreases_with_df_towards_the_normal_quantile():
    values = [t_975(df) for df in range(1, 2001)]
    assert all(a > b for a, b in zip(values, values[1:]))
    assert values[-1] > Z_975
    assert t_975(10**6) == pytest.approx(Z_975, abs=1e-5)


def test_t_975_refuses_fewer_than_one_degree_of_freedom():
    with pytest.raises(ValueError):
        t_975(0)


# -- moments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_moments_from_database_sums_give_the_mean_and_sd_of_the_raw_answers(seed):
    answers = [a for row in agreement_answers(seed, points=5) for a in row if a is not None]
    moments = sums(answers)
    assert moments.n == len(answers)
    assert moments.mean == pytest.approx(statistics.mean(answers))
    assert moments.sd == pytest.approx(statistics.stdev(answers))


@pytest.mark.parametrize("seed", SEEDS)
def test_moments_of_equals_moments_from_sums(seed):
    values = [random.Random(seed).uniform(0, 100) for _ in range(50)]
    by_of, by_sums = Moments.of(values), sums(values)
    assert by_of.n == by_sums.n
    assert by_of.total == pytest.approx(by_sums.total)
    assert by_of.total_sq == pytest.approx(by_sums.total_sq)


def test_ci95_is_mean_plus_minus_t_times_standard_error():
    values = [float(v) for v in random.Random(7).choices(range(1, 6), k=11)]
    low, high = Moments.of(values).ci95()
    expected_low, expected_high = expected_interval(values, t=2.228138852)  # df = 10
    assert low == pytest.approx(expected_low)
    assert high == pytest.approx(expected_high)


@pytest.mark.parametrize("seed", SEEDS)
def test_combine_equals_the_moments_of_both_sets_together(seed):
    rng = random.Random(seed)
    a = [rng.randint(1, 5) for _ in range(rng.randint(0, 40))]
    b = [rng.randint(1, 5) for _ in range(rng.randint(0, 40))]
    combined = Moments.combine(Moments.of(a), Moments.of(b))
    assert combined == Moments.of(a + b)


def test_empty_moments_have_no_mean_sd_or_interval():
    empty = Moments.of([])
    assert (empty.n, empty.mean, empty.sd, empty.ci95()) == (0, None, None, None)


def test_one_value_has_a_mean_but_no_sd_or_interval():
    single = Moments.of([4])
    assert (single.mean, single.sd, single.ci95()) == (4.0, None, None)


def test_identical_values_have_zero_sd_despite_rounding():
    moments = Moments.of([0.1] * 10)
    assert moments.sd == pytest.approx(0.0, abs=1e-7)
    low, high = moments.ci95()
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)


def test_moments_accept_decimal_sums_from_postgresql():
    moments = Moments(3, Decimal("6"), Decimal("14"))
    assert (moments.total, moments.total_sq) == (6.0, 14.0)
    assert moments.sd == pytest.approx(statistics.stdev([1, 2, 3]))


def test_moments_refuse_a_negative_count():
    with pytest.raises(ValueError):
        Moments(-1, 0, 0)


# -- rescaling and criterion scores -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "points", "expected"),
    [
        (1, 5, 0.0),
        (5, 5, 100.0),
        (3, 5, 50.0),
        (2, 5, 25.0),
        (1, 7, 0.0),
        (4, 7, 50.0),
        (7, 7, 100.0),
        (2, 2, 100.0),
    ],
)
def test_rescale_maps_one_to_points_onto_0_to_100(value, points, expected):
    assert rescale(value, points) == pytest.approx(expected)


@pytest.mark.parametrize(("value", "points"), [(0, 5), (6, 5), (1, 1)])
def test_rescale_refuses_values_off_the_scale_and_scales_under_two_points(value, points):
    with pytest.raises(ValueError):
        rescale(value, points)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("points", [5, 7])
def test_criterion_score_matches_the_raw_per_respondent_scores(seed, points):
    scores = respondent_scores(agreement_answers(seed, points), points)
    score = criterion_score(sums(scores))
    expected_low, expected_high = expected_interval(scores, t_975(len(scores) - 1))
    assert score.n == len(scores)
    assert score.value == pytest.approx(statistics.mean(scores))
    assert score.ci_low == pytest.approx(max(0.0, expected_low))
    assert score.ci_high == pytest.approx(min(100.0, expected_high))


def test_criterion_score_interval_is_clipped_to_0_100():
    score = criterion_score(Moments.of([0.0, 100.0, 100.0]))
    assert (score.ci_low, score.ci_high) == (0.0, 100.0)


def test_criterion_score_of_one_respondent_has_no_interval():
    assert criterion_score(Moments.of([75.0])) == Score(75.0, 1, None, None)


def test_criterion_score_without_respondents_is_none():
    assert criterion_score(Moments.of([])) is None


# -- needs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_need_figures_match_the_raw_answers(seed):
    pairs = complete_pairs(need_answers(seed))
    importance = [i for i, _ in pairs]
    current = [c for _, c in pairs]
    gaps = [i - c for i, c in pairs]
    need = need_figures(need_stats(pairs))
    assert need.n == len(pairs)
    assert need.mean_importance == pytest.approx(statistics.mean(importance))
    assert need.mean_current == pytest.approx(statistics.mean(current))
    assert need.mean_gap == pytest.approx(statistics.mean(gaps))
    expected_low, expected_high = expected_interval(gaps, t_975(len(gaps) - 1))
    assert need.gap_ci95 == pytest.approx((expected_low, expected_high))


@pytest.mark.parametrize("seed", SEEDS)
def test_mwds_is_the_mean_of_gaps_weighted_by_mean_importance(seed):
    pairs = complete_pairs(need_answers(seed))
    mean_importance = statistics.mean(i for i, _ in pairs)
    weighted = [(i - c) * mean_importance for i, c in pairs]
    assert need_figures(need_stats(pairs)).mwds == pytest.approx(statistics.mean(weighted))


def test_need_figures_leave_out_respondents_who_gave_only_one_half():
    pairs = [(5, 1), (4, 2), (None, 3), (2, None), (None, None)]
    need = need_figures(need_stats(complete_pairs(pairs)))
    assert (need.n, need.mean_importance, need.mean_current) == (2, 4.5, 1.5)


def test_need_figures_without_respondents_are_none():
    assert need_figures(need_stats([])) is None


def test_need_stats_refuse_gap_sum_over_other_respondents():
    with pytest.raises(ValueError, match="same respondents"):
        NeedStats(2, sum_importance=9, sum_importance_sq=41, sum_current=3, sum_current_sq=5,
                  sum_gap=4, sum_gap_sq=10)  # fmt: skip


def need(importance: float, gap: float) -> Need:
    return Need(20, importance, importance - gap, gap, None, importance * gap)


def test_rank_needs_orders_by_mwds_descending():
    needs = {"a": need(3, 0.5), "b": need(4, 2), "c": need(5, 1)}
    assert [name for name, _ in rank_needs(needs)] == ["b", "c", "a"]


def test_rank_needs_breaks_mwds_ties_by_larger_importance_then_name():
    needs = {"low_importance": need(2, 2), "z_high": need(4, 1), "a_high": need(4, 1)}
    assert [name for name, _ in rank_needs(needs)] == ["a_high", "z_high", "low_importance"]


def test_rank_needs_returns_each_need_with_its_name():
    needs = {"a": need(3, 1), "b": need(4, 2)}
    assert dict(rank_needs(needs)) == needs


def test_locus_for_focus_places_needs_in_the_four_quadrants():
    needs = {"hh": need(5, 2), "lh": need(2, 2), "hl": need(5, 0), "ll": need(2, 0)}
    assert locus_for_focus(needs) == {
        "hh": Quadrant.HIGH_PRIORITY,
        "lh": Quadrant.WATCH,
        "hl": Quadrant.MAINTAIN,
        "ll": Quadrant.LOW,
    }


def test_locus_for_focus_counts_a_value_equal_to_the_mean_as_high():
    needs = {"mean": need(3, 1), "above": need(4, 2), "below": need(2, 0)}
    assert locus_for_focus(needs)["mean"] == Quadrant.HIGH_PRIORITY


def test_locus_for_focus_puts_identical_needs_all_in_high_priority():
    needs = {name: need(0.1, 0.7) for name in "abc"}
    assert set(locus_for_focus(needs).values()) == {Quadrant.HIGH_PRIORITY}


def test_locus_for_focus_of_no_needs_is_empty():
    assert locus_for_focus({}) == {}


# -- shares and coverage ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_shares_are_ticks_per_respondent_and_may_add_up_to_more_than_one(seed):
    rng = random.Random(seed)
    options = ["bus", "bike", "car", "walk"]
    ticked = [set(rng.sample(options, rng.randint(1, 3))) for _ in range(rng.randint(5, 100))]
    counts = {option: sum(option in t for t in ticked) for option in options}
    result = shares(counts, len(ticked))
    for option in options:
        assert result[option] == pytest.approx(statistics.mean(option in t for t in ticked))
    assert sum(result.values()) > 1


def test_shares_without_respondents_are_empty():
    assert shares({"bus": 0}, 0) == {}


@pytest.mark.parametrize(("counts", "respondents"), [({"bus": 3}, 2), ({"bus": -1}, 2), ({}, -1)])
def test_shares_refuse_impossible_counts(counts, respondents):
    with pytest.raises(ValueError):
        shares(counts, respondents)


def test_coverage_is_responses_per_member_of_the_population():
    assert coverage(30, 120) == 0.25


def test_coverage_may_exceed_one():
    assert coverage(150, 100) == 1.5


@pytest.mark.parametrize("population", [None, 0])
def test_coverage_without_a_population_is_none(population):
    assert coverage(30, population) is None


# -- post-stratification ----------------------------------------------------------------------


def test_post_stratified_mean_weights_group_means_by_population():
    means = {"north": 60.0, "south": 40.0}
    populations = {"north": 1000, "south": 3000}
    assert post_stratified_mean(means, populations) == pytest.approx(0.25 * 60 + 0.75 * 40)
    assert post_stratification_weights(means, populations) == pytest.approx({"north": 0.25, "south": 0.75})


@pytest.mark.parametrize("seed", SEEDS)
def test_post_stratified_mean_equals_the_respondent_mean_weighted_by_population_per_respondent(seed):
    rng = random.Random(seed)
    groups = {g: [rng.randint(1, 5) for _ in range(rng.randint(1, 20))] for g in ["a", "b", "c"]}
    populations = {g: rng.randint(100, 5000) for g in groups}
    values = [v for g in groups for v in groups[g]]
    weights = [populations[g] / len(groups[g]) for g in groups for _ in groups[g]]
    means = {g: statistics.mean(vs) for g, vs in groups.items()}
    assert post_stratified_mean(means, populations) == pytest.approx(statistics.fmean(values, weights))
    assert sum(post_stratification_weights(means, populations).values()) == pytest.approx(1.0)


def test_post_stratified_mean_leaves_out_groups_without_population_or_mean():
    means = {"north": 60.0, "south": 40.0, "east": 90.0, "west": None}
    populations = {"north": 1000, "south": 1000, "west": 5000, "harbour": 2000}
    assert post_stratified_mean(means, populations) == pytest.approx(50.0)
    assert set(post_stratification_weights(means, populations)) == {"north", "south"}


def test_post_stratified_mean_without_any_usable_group_is_none():
    assert post_stratified_mean({"north": 60.0}, {"south": 1000}) is None
    assert post_stratified_mean({"north": 60.0}, {"north": 0}) is None
    assert post_stratification_weights({}, {}) == {}


# -- differences ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_difference_uses_welch_standard_error_and_normal_interval(seed):
    rng = random.Random(seed)
    a = [rng.randint(1, 5) for _ in range(rng.randint(2, 80))]
    b = [rng.randint(2, 5) for _ in range(rng.randint(2, 80))]
    value = statistics.mean(a) - statistics.mean(b)
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    result = difference(sums(a), sums(b))
    assert result.value == pytest.approx(value)
    assert result.ci_low == pytest.approx(value - 1.959964 * se)
    assert result.ci_high == pytest.approx(value + 1.959964 * se)


def test_difference_is_a_minus_b():
    assert difference(Moments.of([4, 5]), Moments.of([1, 2])).value == 3.0


def test_difference_with_a_single_value_on_one_side_has_no_interval():
    assert difference(Moments.of([4]), Moments.of([1, 2])) == Difference(2.5, None)


def test_difference_with_an_empty_side_is_none():
    assert difference(Moments.of([]), Moments.of([1, 2])) is None


def test_the_standard_error_of_a_mean_is_its_sd_over_root_n():
    values = [10.0, 35.0, 50.0, 50.0, 90.0]
    assert sums(values).standard_error == pytest.approx(statistics.stdev(values) / math.sqrt(5))
    assert Moments.of([40.0]).standard_error is None
    assert criterion_score(sums(values)).se == pytest.approx(statistics.stdev(values) / math.sqrt(5))


def test_a_change_between_two_rounds_is_judged_from_both_standard_errors():
    rng = random.Random(11)
    before = [rng.uniform(0, 100) for _ in range(60)]
    after = [min(100.0, v + rng.uniform(0, 30)) for v in before[:45]]
    se_before, se_after = (statistics.stdev(x) / math.sqrt(len(x)) for x in (before, after))
    result = change(statistics.mean(after), se_after, statistics.mean(before), se_before)
    half = 1.959964 * math.sqrt(se_after**2 + se_before**2)
    assert result.value == pytest.approx(statistics.mean(after) - statistics.mean(before))
    assert (result.ci_low, result.ci_high) == pytest.approx((result.value - half, result.value + half))
    # The same as the difference of the two sets' moments: one way of reckoning.
    same = difference(sums(after), sums(before))
    assert (same.value, same.ci_low, same.ci_high) == pytest.approx((result.value, result.ci_low, result.ci_high))


def test_a_single_difference_is_beyond_chance_only_when_its_interval_leaves_out_zero():
    assert beyond_chance([Difference(5.0, 2.0)]) == [True]  # interval 1.08 to 8.92
    assert beyond_chance([Difference(-5.0, 2.0)]) == [True]
    assert beyond_chance([Difference(5.0, 2.6)]) == [False]  # interval -0.10 to 10.10
    assert beyond_chance([Difference(5.0, None)]) == [False]  # too few people to tell
    assert beyond_chance([change(60.0, None, 40.0, 2.0)]) == [False]  # an old snapshot without its error
    assert beyond_chance([None]) == [False] and beyond_chance([]) == []


def test_the_p_value_is_the_two_sided_normal_tail_of_the_difference():
    assert Difference(1.959964, 1.0).p_value == pytest.approx(0.05, abs=1e-6)
    assert Difference(-3.0, 1.5).p_value == pytest.approx(2 * (1 - statistics.NormalDist().cdf(2.0)))
    assert Difference(0.0, 0.0).p_value == 1.0 and Difference(4.0, 0.0).p_value == 0.0  # everyone alike
    assert Difference(4.0, None).p_value is None


def test_differences_shown_together_are_judged_by_the_benjamini_hochberg_procedure():
    # Errors of 1 make each p-value 2 (1 - Phi(|value|)); the step-up rule is worked by hand.
    values = [3.0, 2.2, 2.1, 0.5, 2.0, None]
    differences = [None if v is None else Difference(v, 1.0) for v in values]
    p = {v: 2 * (1 - statistics.NormalDist().cdf(v)) for v in values if v is not None}
    # p: 3.0 -> 0.0027, 2.2 -> 0.0278, 2.1 -> 0.0357, 2.0 -> 0.0455, 0.5 -> 0.617; m = 5 tested.
    ranked = sorted(p.values())
    assert [ranked[r] <= (r + 1) / 5 * 0.05 for r in range(5)] == [True, False, False, False, False]
    assert beyond_chance(differences) == [True, False, False, False, False, False]
    # Each of the middle three would pass alone at 95 %: that is the luck the procedure allows for.
    assert all(beyond_chance([Difference(v, 1.0)]) == [True] for v in (2.2, 2.1, 2.0))


def test_benjamini_hochberg_names_every_difference_up_to_the_largest_rank_that_passes():
    # The 3rd smallest p passes (0.0294 <= 3/4 x 0.05) though the 2nd does not (0.0278 > 2/4 x 0.05):
    # the step-up rule names all three, not only the first.
    differences = [Difference(v, 1.0) for v in (3.5, 2.2, 2.179, 0.1)]
    p = sorted(d.p_value for d in differences)
    assert p[1] > 2 / 4 * 0.05 and p[2] <= 3 / 4 * 0.05 and p[3] > 0.05
    assert beyond_chance(differences) == [True, True, True, False]


def test_with_many_differences_by_luck_alone_the_procedure_names_few():
    rng = random.Random(5)
    # 21 criteria, nothing really moved: each difference is pure noise around zero.
    runs = [beyond_chance([Difference(rng.gauss(0.0, 1.0), 1.0) for _ in range(21)]) for _ in range(400)]
    one_by_one = sum(abs(rng.gauss(0.0, 1.0)) > 1.959964 for _ in range(21 * 400))
    named = sum(sum(run) for run in runs)
    assert one_by_one > 300  # about 5 % of 8,400 tests, one per page
    assert sum(any(run) for run in runs) <= 0.08 * 400  # under no real change, a page names any in ~5 % of runs
    assert named < one_by_one / 5




@pytest.mark.parametrize("score", [100 / 3, 200 / 3])
def test_identical_values_added_batch_by_batch_have_no_spread_at_all(score):
    """Kept tallies add batches; the spread must be the same as of all values counted at once."""
    batches = Moments.combine(Moments.of([score] * 4), Moments.of([score] * 3))
    assert batches.variance == 0.0 and batches.standard_error == 0.0
    assert batches.ci95() == (batches.mean, batches.mean)


def test_a_real_spread_however_small_against_the_values_is_kept():
    moments = Moments.of([50.0, 50.01, 49.99] * 5)
    assert moments.sd == pytest.approx(statistics.stdev([50.0, 50.01, 49.99] * 5), rel=1e-6)
