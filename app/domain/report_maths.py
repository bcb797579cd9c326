"""The figures of a needs report, from the sufficient statistics the database computes.

The database does the heavy lifting with GROUP BY (per group x item: count, sum, sum of
squares; per option: count), so a report never has to load individual answers. This module
turns those few numbers into what a report shows: means with 95 % intervals, 0-100 criterion
scores, needs ranked by the Borich mean weighted discrepancy score, the locus for focus,
option shares, coverage, post-stratified means and differences between two sets of respondents.

Pure standard library on purpose: the same code runs in a Celery job, a test or a notebook.
Everything takes and returns frozen dataclasses or plain mappings; nothing here knows about
groups, rounds or the database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

Z_975 = 1.959963984540054  # standard normal 97.5 % quantile: the two-sided 95 % value

# Student's t 97.5 % quantiles (two-sided 95 %) for 1..30 degrees of freedom, to 9 decimals.
_T_975_TABLE = (
    12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
    2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
    2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
    2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
    2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
    2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
)  # fmt: skip


def t_975(df: int) -> float:
    """The two-sided 95 % critical value of Student's t with `df` degrees of freedom.

    Small samples are the rule in neighbourhood groups, so the normal 1.96 would give intervals
    that are too narrow; t is what makes an interval from 4 answers honest.

    df 1..30: exact values (9 decimals). df > 30: the Cornish-Fisher expansion of t around the
    normal quantile (Abramowitz & Stegun 26.7.5, four terms in 1/df); checked against the
    inverse of the incomplete beta function, its error is below 3e-8 at df = 31 and shrinks
    quickly (below 1e-10 from df = 100), far finer than any published figure.
    """
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, not {df}")
    if df <= len(_T_975_TABLE):
        return _T_975_TABLE[df - 1]
    return _cornish_fisher_t(Z_975, df)


def _cornish_fisher_t(z: float, df: int) -> float:
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


Interval = tuple[float, float]


ROUNDING_RESIDUE = 1e-12  # relative to a sum of squares: what float sums cannot tell from 0


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squares of some values: enough for mean, SD and interval.

    Totals are stored as float, so a PostgreSQL SUM (a Decimal) can be passed as it comes.
    The variance is computed as (sum of squares - sum^2 / n) / (n - 1); for answers on 1..7 or
    0..100 scales and any realistic n this loses nothing that matters. What is left of the
    subtraction below the sums' own rounding (a millionth of a millionth of the sum of squares)
    is read as 0: identical values such as 33.33... added up batch by batch between builds
    leave such a residue, and its square root would be a spread of 1e-7 where there is none,
    so that a report built batch by batch would differ from one built at once.
    """

    n: int
    total: float = 0.0
    total_sq: float = 0.0

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError(f"a count cannot be negative: {self.n}")
        object.__setattr__(self, "total", float(self.total))
        object.__setattr__(self, "total_sq", float(self.total_sq))

    @classmethod
    def of(cls, values: Iterable[float]) -> Moments:
        numbers = [float(v) for v in values]
        return cls(len(numbers), math.fsum(numbers), math.fsum(v * v for v in numbers))

    @staticmethod
    def combine(a: Moments, b: Moments) -> Moments:
        """The moments of both sets of values together (sufficient statistics simply add)."""
        return Moments(a.n + b.n, a.total + b.total, a.total_sq + b.total_sq)

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n - 1 in the denominator); None below two values."""
        if self.n < 2:
            return None
        squared_deviations = self.total_sq - self.total * self.total / self.n
        if squared_deviations <= ROUNDING_RESIDUE * self.total_sq:
            return 0.0
        return squared_deviations / (self.n - 1)

    @property
    def sd(self) -> float | None:
        variance = self.variance
        return None if variance is None else math.sqrt(variance)

    @property
    def standard_error(self) -> float | None:
        """Of the mean: how far it would wander between samples; None below two values."""
        sd = self.sd
        return None if sd is None else sd / math.sqrt(self.n)

    def ci95(self) -> Interval | None:
        """The 95 % interval of the mean (Student's t, n - 1 df); None below two values."""
        if self.n < 2:
            return None
        assert self.mean is not None and self.sd is not None
        half_width = t_975(self.n - 1) * self.sd / math.sqrt(self.n)
        return (self.mean - half_width, self.mean + half_width)


# -- criterion scores ---------------------------------------------------------------------------


def rescale(value: float, points: int) -> float:
    """A value on a 1..points scale onto 0..100, so scales of different length compare."""
    if points < 2:
        raise ValueError(f"a scale has at least 2 points, not {points}")
    if not 1 <= value <= points:
        raise ValueError(f"{value} is outside the scale 1..{points}")
    return (value - 1) / (points - 1) * 100


@dataclass(frozen=True)
class Score:
    """A criterion score on 0..100 with its 95 % interval (None below two respondents)."""

    value: float
    n: int
    ci_low: float | None
    ci_high: float | None
    se: float | None = None  # unclipped, to compare this score with another (see change)


def criterion_score(moments: Moments) -> Score | None:
    """The score from the moments of per-respondent scores (each already rescaled to 0..100).

    The interval is clipped to 0..100: a score cannot leave the scale, even when a small,
    spread-out sample makes the t interval wider than that. None when nobody answered.
    """
    if moments.mean is None:
        return None
    interval = moments.ci95()
    if interval is None:
        return Score(moments.mean, moments.n, None, None)
    low, high = interval
    return Score(moments.mean, moments.n, _clip(low, 0.0, 100.0), _clip(high, 0.0, 100.0), moments.standard_error)


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


# -- needs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedStats:
    """Sufficient statistics of one importance/current-state item.

    n counts the respondents who gave both halves; every sum is over exactly those respondents
    (gap = importance - current). A sum of gaps that does not equal the difference of the sums
    means the sums were taken over different respondents, which is refused.
    """

    n: int
    sum_importance: float
    sum_importance_sq: float
    sum_current: float
    sum_current_sq: float
    sum_gap: float
    sum_gap_sq: float

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError(f"a count cannot be negative: {self.n}")
        expected_gap = float(self.sum_importance) - float(self.sum_current)
        if not math.isclose(float(self.sum_gap), expected_gap, rel_tol=1e-9, abs_tol=1e-6):
            raise ValueError(
                f"sum of gaps {self.sum_gap} is not sum of importance minus sum of current "
                f"({expected_gap}): the sums must cover the same respondents"
            )

    @property
    def importance(self) -> Moments:
        return Moments(self.n, self.sum_importance, self.sum_importance_sq)

    @property
    def current(self) -> Moments:
        return Moments(self.n, self.sum_current, self.sum_current_sq)

    @property
    def gap(self) -> Moments:
        return Moments(self.n, self.sum_gap, self.sum_gap_sq)


@dataclass(frozen=True)
class Need:
    n: int
    mean_importance: float
    mean_current: float
    mean_gap: float
    gap_ci95: Interval | None
    mwds: float
    gap_se: float | None = None


def need_figures(stats: NeedStats) -> Need | None:
    """Means, the gap's 95 % interval and the mean weighted discrepancy score of one need.

    MWDS (Borich 1980) weights each respondent's gap (importance - current) by the mean
    importance of the item among the same respondents, then averages: a large gap on something
    people care about ranks above the same gap on something they do not. Since the weight is
    the same for everyone, MWDS = mean gap x mean importance. None when nobody gave both halves.
    """
    if stats.n == 0:
        return None
    mean_importance = stats.importance.mean
    mean_current = stats.current.mean
    mean_gap = stats.gap.mean
    assert mean_importance is not None and mean_current is not None and mean_gap is not None
    return Need(
        n=stats.n,
        mean_importance=mean_importance,
        mean_current=mean_current,
        mean_gap=mean_gap,
        gap_ci95=stats.gap.ci95(),
        mwds=mean_gap * mean_importance,
        gap_se=stats.gap.standard_error,
    )


def rank_needs(needs: Mapping[str, Need]) -> list[tuple[str, Need]]:
    """Needs, most pressing first: MWDS descending, then mean importance descending, then name."""
    return sorted(needs.items(), key=lambda item: (-item[1].mwds, -item[1].mean_importance, item[0]))


class Quadrant(StrEnum):
    HIGH_PRIORITY = "high_priority"  # high importance, high gap
    WATCH = "watch"  # low importance, high gap
    MAINTAIN = "maintain"  # high importance, low gap
    LOW = "low"  # low importance, low gap


def locus_for_focus(needs: Mapping[str, Need]) -> dict[str, Quadrant]:
    """Each need's quadrant: mean importance (x) against mean gap (y), split at their means.

    The split is at the unweighted mean of the given needs' means, so a quadrant says where a
    need stands relative to the others in the same report, not on an absolute scale. A value
    equal to the mean (within rounding) counts as high, so identical needs share a quadrant.
    """
    if not needs:
        return {}
    importance_split = _mean(need.mean_importance for need in needs.values())
    gap_split = _mean(need.mean_gap for need in needs.values())
    return {
        name: _quadrant(
            _at_least(need.mean_importance, importance_split), _at_least(need.mean_gap, gap_split)
        )
        for name, need in needs.items()
    }


def _quadrant(high_importance: bool, high_gap: bool) -> Quadrant:
    if high_gap:
        return Quadrant.HIGH_PRIORITY if high_importance else Quadrant.WATCH
    return Quadrant.MAINTAIN if high_importance else Quadrant.LOW


def _mean(values: Iterable[float]) -> float:
    numbers = list(values)
    return math.fsum(numbers) / len(numbers)


def _at_least(value: float, split: float) -> bool:
    return value >= split or math.isclose(value, split, rel_tol=1e-12, abs_tol=1e-12)


# -- choices, coverage, weighting -------------------------------------------------------------


def shares(counts: Mapping[str, int], respondents: int) -> dict[str, float]:
    """The share of respondents who ticked each option (0..1).

    Respondents may tick several options of a multiple choice, so the shares may add up to
    more than 1. Empty when there are no respondents: a share of nobody is not 0 %.
    """
    if respondents < 0:
        raise ValueError(f"a count cannot be negative: {respondents}")
    for option, count in counts.items():
        if not 0 <= count <= respondents:
            raise ValueError(f"option {option!r} ticked {count} times by {respondents} respondents")
    if respondents == 0:
        return {}
    return {option: count / respondents for option, count in counts.items()}


def coverage(responses: int, population: int | None) -> float | None:
    """Responses per member of the population, None when the population is unknown (or 0).

    It may exceed 1: population figures are estimates, and people outside them may answer.
    """
    if responses < 0 or (population is not None and population < 0):
        raise ValueError("counts cannot be negative")
    if not population:
        return None
    return responses / population


def post_stratification_weights(
    group_means: Mapping[str, float | None], populations: Mapping[str, int | None]
) -> dict[str, float]:
    """Each group's share of the population, over the groups with both a mean and a population.

    A group without a mean (no answers, or suppressed) or without a known population (or with
    population 0) is left out, and the remaining shares are scaled to add up to 1.
    """
    usable = {
        group: population
        for group, population in populations.items()
        if population and group_means.get(group) is not None
    }
    if any(population < 0 for population in usable.values()):
        raise ValueError("a population cannot be negative")
    total = sum(usable.values())
    return {group: population / total for group, population in usable.items()} if total else {}


def post_stratified_mean(
    group_means: Mapping[str, float | None], populations: Mapping[str, int | None]
) -> float | None:
    """The overall mean as if each group had answered in proportion to its population.

    Corrects for groups that answered more eagerly than others. Only groups with both a mean
    and a population count (see post_stratification_weights): groups without a population are
    left out of the weighted figure altogether, so it describes the groups that have one.
    None when no group has both.
    """
    weights = post_stratification_weights(group_means, populations)
    if not weights:
        return None
    return math.fsum(weight * group_means[group] for group, weight in weights.items())  # type: ignore[operator]


# -- differences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """a - b and its standard error (None when either side has fewer than two values)."""

    value: float
    se: float | None

    @property
    def ci_low(self) -> float | None:
        """The 95 % interval of the difference (normal), or None without an error."""
        return None if self.se is None else self.value - Z_975 * self.se

    @property
    def ci_high(self) -> float | None:
        return None if self.se is None else self.value + Z_975 * self.se

    @property
    def p_value(self) -> float | None:
        """Two-sided: how often the luck of who answered alone would make a difference at
        least this large (normal). None without an error."""
        if self.se is None:
            return None
        if self.se == 0:  # everyone on each side answered alike
            return 0.0 if self.value else 1.0
        return 2 * NormalDist().cdf(-abs(self.value) / self.se)


FALSE_DISCOVERY_RATE = 0.05


def beyond_chance(differences: Sequence[Difference | None], rate: float = FALSE_DISCOVERY_RATE) -> list[bool]:
    """Which of differences shown together are beyond chance, allowing for how many there are.

    Tested one by one at 95 %, one difference in twenty would pass by luck alone: a page of 21
    criteria that did not move would still name one. The Benjamini-Hochberg procedure keeps
    the expected share of lucky ones among those named at `rate` (sort the p-values; name the
    first r, r the largest rank with p <= r / m x rate). With a single difference it is the
    plain 95 % test: its interval leaves out zero. Differences without an error (None, or too
    few people) are not tested and not counted in m.
    """
    tested = sorted((d.p_value, position) for position, d in enumerate(differences)
                    if d is not None and d.p_value is not None)
    m = len(tested)
    named = max((rank for rank, (p, _) in enumerate(tested, start=1) if p <= rank / m * rate), default=0)
    chosen = {position for _, position in tested[:named]}
    return [position in chosen for position in range(len(differences))]


def difference(a: Moments, b: Moments) -> Difference | None:
    """The difference of two means with Welch's standard error and a normal 95 % interval.

    Welch's error (sqrt(var_a / n_a + var_b / n_b)) does not assume equal spread in both sets,
    which differs between, say, citizens and organisations. It assumes the two sets are
    independent: for a group against everyone (the group included) the interval is wider than
    needed, so it errs on the cautious side; group against the rest is the exact comparison.
    None when either side is empty.
    """
    if a.mean is None or b.mean is None:
        return None
    return change(a.mean, a.standard_error, b.mean, b.standard_error)


def change(a: float, se_a: float | None, b: float, se_b: float | None) -> Difference:
    """a - b for two estimates from independent sets of people (two rounds, or citizens and
    organisations), each with its standard error: the same normal 95 % interval as
    `difference`, sqrt(se_a^2 + se_b^2) being Welch's error. Without both errors, no interval.

    Two rounds of one community may share some respondents (answers are anonymous, so nobody
    can tell); their answers then move together and the true interval is narrower: treating
    the rounds as independent errs on the cautious side.
    """
    value = a - b
    if se_a is None or se_b is None:
        return Difference(value, None)
    return Difference(value, math.hypot(se_a, se_b))
