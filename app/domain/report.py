"""A round's needs report, assembled from the database's sufficient statistics.

The service (app/services/report_build.py) runs a few GROUP BY queries and hands this module
what they return: answer cells counted per group, per-respondent criterion score moments, and
free-text term counts. build_report() turns them into the report's figures (typed, in
app.domain.report_model, which also writes them as the stored payload and reads them back),
the figures that pages, charts and exports read.

Privacy is applied here, once, before anything is stored: a figure that rests on fewer than k
respondents, or that would let one be derived by subtraction, never enters the payload. So no
page, chart, export or API can leak it, because none of them ever sees it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.domain.report_maths import (
    Difference,
    Moments,
    NeedStats,
    beyond_chance,
    coverage,
    criterion_score,
    difference,
    locus_for_focus,
    need_figures,
    post_stratification_weights,
    rank_needs,
)
from app.domain.privacy.cells import is_publishable, suppress
from app.domain.privacy.families import Figure, figure_families, hidden_in_family
from app.domain.privacy.releases import Withheld, figure_id
from app.domain.report_model import (
    EVERYONE,
    SCORED_TYPES,
    Comparison,
    CountFigures,
    GroupLine,
    ItemFigures,
    ItemInfo,
    MeanFigures,
    Need,
    ReportFigures,
    ScaleFigures,
    Score,
    Section,
    Quote,
    Weighted,
    Words,
    WrittenAnswers,
)
from app.domain.text_terms import MIN_TERM_ANSWERS, TermCounter

UNASSIGNED = "_unassigned"  # respondents who came through a link without a group
QUOTES_PER_QUESTION = 5
TERMS_PER_LANGUAGE = 10


@dataclass(frozen=True)
class ItemMeta:
    """What the report needs to know of one question of the round's survey version."""

    key: str
    type: str
    role: str = "item"
    criterion: str | None = None
    points: int | None = None  # scale length of agreement and importance/current questions
    options: tuple[str, ...] = ()
    signature: str = ""  # equal signatures: the same question, so rounds may be compared


@dataclass(frozen=True)
class GroupMeta:
    key: str
    kind: str  # "citizens" or "stakeholders"
    population: int | None = None
    target: int | None = None


@dataclass(frozen=True)
class Cell:
    """How many respondents of one group gave one exact answer cell.

    For numbers, whose values are too many to count one by one, value is None and `total`,
    `total_sq` carry the sums (count is then the number of answers).
    """

    group: str
    item: str
    count: int
    option: str = ""
    value: float | None = None
    value2: float | None = None
    total: float | None = None
    total_sq: float | None = None


@dataclass
class GroupText:
    """Free text of one group: term counts per question, and quotes respondents allowed."""

    terms: dict[str, TermCounter] = field(default_factory=dict)  # question key -> counter
    quotes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> [(lang, text)]


@dataclass(frozen=True)
class ReportInputs:
    items: Sequence[ItemMeta]
    groups: Sequence[GroupMeta]  # in display order; UNASSIGNED is added when it has respondents
    respondents: Mapping[str, int]  # complete responses per group key
    cells: Iterable[Cell]
    criterion_moments: Mapping[tuple[str, str], Moments]  # (group, criterion) -> per-respondent scores
    choice_respondents: Mapping[tuple[str, str], int]  # (group, multiple-choice item) -> respondents
    text: Mapping[str, GroupText]
    k: int


def build_report(inputs: ReportInputs, withheld: Withheld | None = None) -> ReportFigures:
    """The report: groups with their counts and coverage, and one section per shown group.

    `withheld`: figures a release must hold back on top of the rules within it, per section
    (app.domain.privacy.releases). They are hidden like any other, before anything is derived
    from what is shown (everyone's word counts, the comparisons, the weighted scores).
    """
    groups = _with_unassigned(inputs.groups, inputs.respondents)
    counts = {g.key: inputs.respondents.get(g.key, 0) for g in groups}
    total = sum(counts.values())
    total_shown = is_publishable(total, inputs.k)
    hidden = suppress(counts, inputs.k, total_published=total_shown)
    cells = _cells_by_group(inputs.cells)
    all_cells = _combined(cells[g.key] for g in groups)
    visible = [g.key for g in groups if g.key not in hidden]

    sections = {key: _Section(key, counts[key], cells[key], inputs, [key]) for key in visible}
    everyone = _Section(EVERYONE, total, all_cells, inputs, list(counts))
    everyone.moments = _combined_moments(inputs.criterion_moments, [g.key for g in groups])
    item_n = {key: _item_counts(cells[key], inputs.items, _choices_of(inputs, [key])) for key in counts}
    criterion_n = {key: {c: m.n for (g, c), m in inputs.criterion_moments.items() if g == key} for key in counts}
    _suppress_small_items(sections, everyone, hidden, item_n, criterion_n, inputs.k, total_shown, inputs.items)
    for key, figures in (withheld or {}).items():
        section = everyone if key == EVERYONE else sections.get(key)
        for figure in figures if section is not None else ():
            _hide(section, figure)

    shown = [everyone.figures(inputs, text_of=[sections[key] for key in visible])] if total_shown else []
    compared = _compared_with_everyone(sections, everyone, inputs.k)
    for key in visible:
        shown.append(sections[key].figures(inputs, text_of=[sections[key]], compared_with_all=compared[key]))
    return ReportFigures(
        k=inputs.k,
        respondents=total if total_shown else None,
        criteria=tuple(_criteria_in_order(inputs.items)),
        items=tuple(_item_info(item) for item in inputs.items),
        groups=tuple(_group_line(g, counts[g.key], _hidden_because(g.key, hidden, counts, inputs.k)) for g in groups),
        sections=tuple(shown),
        weighted=_weighted(sections, groups, inputs) if total_shown else None,
    )


def _hidden_because(group: str, hidden: frozenset[str], counts: Mapping[str, int], k: int) -> str | None:
    """Why a group is hidden: "few" answered, or it is the "complement" of a smaller one (one
    of 282 is hidden so that a small group cannot be worked out, not because it is small)."""
    if group not in hidden:
        return None
    return "few" if not is_publishable(counts[group], k) else "complement"


# -- sections ---------------------------------------------------------------------------------


class _Section:
    """The figures of one set of respondents (a group, or everyone) before they are written."""

    def __init__(
        self, key: str, respondents: int, cells: list[Cell], inputs: ReportInputs, groups: list[str]
    ):
        self.key = key
        self.respondents = respondents
        self.cells = cells
        self.moments = {c: m for (g, c), m in inputs.criterion_moments.items() if g == key}
        self.hidden_items: set[str] = set()
        self.hidden: set[Figure] = set()  # every figure hidden here: items, criteria, text, quotes
        self.item_n = _item_counts(cells, inputs.items, _choices_of(inputs, groups))

    def figures(
        self, inputs: ReportInputs, text_of: list[_Section], compared_with_all: dict[str, Comparison] | None = None
    ) -> Section:
        k = inputs.k
        items = {i.key: i for i in inputs.items}
        by_item: dict[str, list[Cell]] = defaultdict(list)
        for cell in self.cells:
            if cell.item not in self.hidden_items and cell.item in items:
                by_item[cell.item].append(cell)
        needs = _needs({key: by_item[key] for key, i in items.items() if i.type == "importance_current"})
        return Section(
            key=self.key,
            respondents=self.respondents,
            criteria=self._criteria(k, inputs.items),
            items={key: _item_figures(items[key], item_cells) for key, item_cells in by_item.items()
                   if items[key].type in ("agreement", "single_choice", "number")},
            needs=needs,
            choices={
                key: _choice_figures(item_cells, self.item_n.get(key, 0))
                for key, item_cells in by_item.items() if items[key].type == "multiple_choice"
            },
            text=_text_figures(inputs.text, text_of, self, inputs.items, k),
            hidden=tuple(sorted(figure_id(figure) for figure in self.hidden)),
            compared_with_all=compared_with_all,
        )

    def _criteria(self, k: int, items: Sequence[ItemMeta]) -> dict[str, Score]:
        # Only the items shown: else a hidden item's answers would be the criterion's answers
        # minus its shown items'. (A criterion with a hidden item is hidden itself, see
        # privacy.families; this keeps its answers safe should that rule ever change.)
        distributions = answer_leanings([c for c in self.cells if c.item not in self.hidden_items], items)
        scores = {}
        for criterion, moments in self.moments.items():
            score = criterion_score(moments)
            if score is not None and is_publishable(score.n, k):
                scores[criterion] = Score(score.value, score.n, score.ci_low, score.ci_high, score.se,
                                          distributions.get(criterion, dict.fromkeys(LEANINGS, 0)))
            elif score is not None:
                self.hidden.add(("criterion", criterion))
        return scores


def _compared_with_everyone(
    sections: Mapping[str, _Section], everyone: _Section, k: int
) -> dict[str, dict[str, Comparison]]:
    """Each group against everyone, per criterion: the gap to show, and whether it is beyond
    chance. Tested against the rest of the respondents (the exact comparison), and judged
    together with every other group's tests in the report: a table of groups x criteria would
    otherwise mark a few by luck alone (report_maths.beyond_chance)."""
    gaps: dict[tuple[str, str], float] = {}
    tests: dict[tuple[str, str], Difference | None] = {}
    for key, section in sections.items():
        for criterion, mine in section.moments.items():
            overall = everyone.moments.get(criterion)
            shown = difference(mine, overall) if overall is not None and is_publishable(mine.n, k) else None
            if shown is None:
                continue
            rest = Moments(overall.n - mine.n, overall.total - mine.total, overall.total_sq - mine.total_sq)
            gaps[(key, criterion)] = shown.value
            tests[(key, criterion)] = difference(mine, rest) if rest.n >= k else None
    verdicts = dict(zip(tests, beyond_chance(list(tests.values())), strict=True))
    compared: dict[str, dict[str, Comparison]] = {key: {} for key in sections}
    for (key, criterion), gap in gaps.items():
        # None where no test was possible (the rest of the respondents too few, say, in a
        # round of one group): not "no difference", which a 0 would claim.
        verdict = verdicts[(key, criterion)] if tests[(key, criterion)] is not None else None
        compared[key][criterion] = Comparison(gap, verdict)
    return compared


LEANINGS = ("low", "middle", "high", "dont_know")


def answer_leanings(cells: Iterable[Cell], items: Sequence[ItemMeta]) -> dict[str, dict[str, int]]:
    """Per criterion, how its scale answers fall: below the middle of the scale, on it, above it,
    or "don't know".

    Scales of different lengths cannot be added point by point, but every answer can be placed
    on its own scale: on a 5-point scale 1-2 are low, 3 the middle, 4-5 high; a 4-point scale
    has no middle. An importance/current pair counts by its current-state half, as in the
    criterion score, and as "don't know" unless both halves were given.
    """
    scored = {i.key: i for i in items if i.criterion and i.type in SCORED_TYPES and i.points}
    leanings: dict[str, dict[str, int]] = {}
    for cell in cells:
        item = scored.get(cell.item)
        if item is None:
            continue
        point = cell.value
        if item.type == "importance_current":
            point = cell.value2 if cell.value is not None else None
        counts = leanings.setdefault(item.criterion, dict.fromkeys(LEANINGS, 0))  # type: ignore[arg-type]
        counts[_leaning(point, item.points)] += cell.count  # type: ignore[arg-type]
    return leanings


def _leaning(point: float | None, points: int) -> str:
    if point is None:
        return "dont_know"
    middle = (points + 1) / 2
    return "low" if point < middle else "high" if point > middle else "middle"


def _suppress_small_items(
    sections: dict[str, _Section], everyone: _Section, hidden_groups: frozenset[str],
    item_n: Mapping[str, Mapping[str, int]], criterion_n: Mapping[str, Mapping[str, int]],
    k: int, total_shown: bool, items: Sequence[ItemMeta],
) -> None:
    """Hide item figures and criterion scores resting on fewer than k answers, with their
    complements.

    A question shown to few people (a follow-up, say) can be small in a group that is large.
    For each figure, the groups hidden for the whole report stay hidden, a group with fewer than
    k answers is hidden, and complements are added so that everyone's figure minus the shown
    groups gives none of them away (see privacy.families for why a criterion and its items
    share their complements). `item_n` and `criterion_n` give, per group (hidden ones too), how
    many people each figure rests on.
    """
    counts_of = {figure: {group: n.get(figure[1], 0) for group, n in by_group.items()}
                 for kind, by_group in (("item", item_n), ("criterion", criterion_n))
                 for figure in {(kind, f) for counts in by_group.values() for f in counts}}
    criterion_of = {i.key: i.criterion for i in items if i.criterion and i.type in SCORED_TYPES}
    for family in figure_families(counts_of, criterion_of):
        counts = {f: counts_of[f] for f in family}
        hidden = hidden_in_family(counts, k, total_shown, hidden_groups)
        everyone_small = {f for f, n in counts.items() if not is_publishable(sum(n.values()), k)}
        for figure in family:
            for group in hidden[figure]:
                if group in sections:
                    _hide(sections[group], figure)
            if figure in everyone_small or (figure[0] == "criterion" and everyone_small):
                _hide(everyone, figure)


def _hide(section: _Section, figure: Figure) -> None:
    """Hide a figure in a section (RESPONDENTS too: it marks a section whose every figure is
    withheld, while its head count stays shown)."""
    section.hidden.add(figure)
    if figure[0] == "item":
        section.hidden_items.add(figure[1])
    elif figure[0] == "criterion":
        section.moments.pop(figure[1], None)


def _choices_of(inputs: ReportInputs, groups: list[str]) -> dict[str, int]:
    """Respondents per multiple-choice item, over the given groups."""
    choices: dict[str, int] = defaultdict(int)
    for (group, item), n in inputs.choice_respondents.items():
        if group in groups:
            choices[item] += n
    return choices


def _item_counts(
    cells: list[Cell], items: Sequence[ItemMeta], choice_respondents: Mapping[str, int]
) -> dict[str, int]:
    """How many respondents each item's figures rest on.

    A scale's mean rests on those who gave a point (not "don't know"), a need on those who gave
    both halves, a multiple choice on those who ticked anything (one row per ticked option, so
    its count comes separately), any other item on its answers. A scale or a need nobody gave
    a point to rests on those who answered "don't know": three of them are three people, not
    an empty item.
    """
    types = {i.key: i.type for i in items}
    counts: dict[str, int] = defaultdict(int)
    unsure: dict[str, int] = defaultdict(int)
    for cell in cells:
        kind = types.get(cell.item)
        if kind == "multiple_choice":
            continue
        if (kind == "importance_current" and (cell.value is None or cell.value2 is None)) or (
                kind == "agreement" and cell.value is None):
            unsure[cell.item] += cell.count
            continue
        counts[cell.item] += cell.count
    for item, n in unsure.items():
        if not counts.get(item):
            counts[item] = n
    counts.update(choice_respondents)
    return counts


def _item_figures(item: ItemMeta, cells: list[Cell]) -> ItemFigures:
    if item.type == "single_choice":
        # In the question's own order (answers such as never / sometimes / often are ordered);
        # an option no longer in the question (or "other") after the others.
        position = {option: i for i, option in enumerate(item.options)}
        ordered = sorted(cells, key=lambda c: (position.get(c.option, len(position)), c.option))
        counts = {c.option: c.count for c in ordered}
        n = sum(counts.values())
        return CountFigures(n, counts, {o: c / n for o, c in counts.items()} if n else {})
    if item.type == "number":
        moments = Moments(sum(c.count for c in cells), sum(c.total or 0 for c in cells),
                          sum(c.total_sq or 0 for c in cells))
        return _mean_figures(moments)
    answered = [c for c in cells if c.value is not None]
    moments = Moments(sum(c.count for c in answered), sum(c.value * c.count for c in answered),  # type: ignore[operator]
                      sum(c.value**2 * c.count for c in answered))  # type: ignore[operator]
    distribution: dict[str, int] = defaultdict(int)
    for cell in answered:
        distribution[str(int(cell.value))] += cell.count  # type: ignore[arg-type]
    mean = _mean_figures(moments)
    leanings = answer_leanings(cells, [item]).get(item.criterion) if item.points and item.criterion else None
    return ScaleFigures(mean.n, mean.mean, mean.low, mean.high,
                        dont_know=sum(c.count for c in cells if c.value is None),
                        distribution=dict(sorted(distribution.items(), key=lambda kv: int(kv[0]))),
                        points=item.points or None, answers=leanings)


def _mean_figures(moments: Moments) -> MeanFigures:
    interval = moments.ci95()
    return MeanFigures(moments.n, moments.mean, interval[0] if interval else None, interval[1] if interval else None)


def _needs(cells_by_item: Mapping[str, list[Cell]]) -> tuple[Need, ...]:
    """Importance/current pairs as needs, ranked by MWDS, each with its locus-for-focus quadrant."""
    figures = {}
    for key, cells in cells_by_item.items():
        both = [c for c in cells if c.value is not None and c.value2 is not None]
        stats = NeedStats(
            n=sum(c.count for c in both),
            sum_importance=math.fsum(c.value * c.count for c in both),  # type: ignore[operator]
            sum_importance_sq=math.fsum(c.value**2 * c.count for c in both),  # type: ignore[operator]
            sum_current=math.fsum(c.value2 * c.count for c in both),  # type: ignore[operator]
            sum_current_sq=math.fsum(c.value2**2 * c.count for c in both),  # type: ignore[operator]
            sum_gap=math.fsum((c.value - c.value2) * c.count for c in both),  # type: ignore[operator]
            sum_gap_sq=math.fsum((c.value - c.value2) ** 2 * c.count for c in both),  # type: ignore[operator]
        )
        need = need_figures(stats)
        if need is not None:
            figures[key] = need
    quadrants = locus_for_focus(figures)
    return tuple(
        Need(item=key, rank=rank, n=need.n, importance=need.mean_importance, current=need.mean_current,
             gap=need.mean_gap, gap_low=need.gap_ci95[0] if need.gap_ci95 else None,
             gap_high=need.gap_ci95[1] if need.gap_ci95 else None, gap_se=need.gap_se,
             mwds=need.mwds, quadrant=quadrants[key].value)
        for rank, (key, need) in enumerate(rank_needs(figures), start=1)
    )


def _choice_figures(cells: list[Cell], base: int) -> CountFigures:
    """Counts and shares of a multiple choice; the base is who ticked anything at all."""
    counts = {c.option: c.count for c in cells if c.option != "_other"}
    counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    other = sum(c.count for c in cells if c.option == "_other")
    if other:
        counts["_other"] = other
    return CountFigures(base, counts, {o: c / base for o, c in counts.items()} if base else {})


def _text_figures(
    text: Mapping[str, GroupText], groups: list[_Section], section: _Section, items: Sequence[ItemMeta], k: int
) -> dict[str, WrittenAnswers]:
    """Per question: answers and frequent terms per language, and the quotes allowed.

    Only the given (shown) groups' text counts: text from a hidden group is never shown, not
    even folded into everyone's terms; nor is text a group or `section` withholds, nor a
    group's text for a question hidden in it (its "something else" words, say). Nor is a
    group's text in a language fewer than k of them wrote in: its words would be a few
    people's words, and everyone's counts leave it out too, or it would be everyone's minus the
    rest. Quotes are shown as their writers allowed.
    """
    criteria = {i.key: i.criterion for i in items}
    result: dict[str, WrittenAnswers] = {}
    for question in sorted({q for g in groups if g.key in text for q in text[g.key].terms}
                           | {q for g in groups if g.key in text for q in text[g.key].quotes}):
        if question in section.hidden_items:
            continue
        counter = TermCounter()
        quotes: list[tuple[str, str]] = []
        for group in groups:
            own_text = text.get(group.key)
            if own_text is None or question in group.hidden_items:
                # A group whose question is hidden (small there, or a complement) shows none
                # of its words, so they stay out of everyone's too: else everyone's words
                # would be more than the shown groups' own, and the rest could be worked out.
                continue
            own = own_text.terms.get(question)
            if own is not None:
                # Each group's words used once stay out of everyone's counts too: everyone's
                # count less the groups' shown counts would be the group's one answer.
                languages = [lang for lang in own.languages() if own.answers(lang) >= k
                             and not {("text", question, lang)} & (group.hidden | section.hidden)]
                counter.merge(own, languages=languages, min_count=MIN_TERM_ANSWERS)
            if not {("quotes", question)} & (group.hidden | section.hidden):
                quotes.extend(q for q in own_text.quotes.get(question, []) if q not in quotes)
        if not counter.languages() and not quotes:
            continue
        result[question] = WrittenAnswers(
            criterion=criteria.get(question),
            languages={lang: Words(counter.answers(lang), tuple((term, n) for term, n in counter.top(lang, TERMS_PER_LANGUAGE)))
                       for lang in counter.languages()},
            quotes=tuple(Quote(lang, quote) for lang, quote in quotes[:QUOTES_PER_QUESTION]),
        )
    return result


# -- the whole report -------------------------------------------------------------------------


def _weighted(sections: Mapping[str, _Section], groups: Sequence[GroupMeta],
              inputs: ReportInputs) -> Weighted | None:
    """Everyone's criterion scores weighted to the groups' populations (post-stratification).

    Only shown groups with a known population count, and only where the group's score is
    shown; each figure says which groups it covers ("covers"), as a hidden group is left out.
    """
    populations = {g.key: g.population for g in groups if g.key in sections}
    order = [g.key for g in groups]
    scores: dict[str, float] = {}
    covers: dict[str, list[str]] = {}
    for criterion in _criteria_in_order(inputs.items):
        means = {key: _score_mean(s, criterion, inputs.k) for key, s in sections.items()}
        weights = post_stratification_weights(means, populations)
        if len(weights) >= 2:
            scores[criterion] = math.fsum(w * means[g] for g, w in weights.items())  # type: ignore[operator]
            covers[criterion] = sorted(weights, key=order.index)
    if not scores:
        return None
    used = {group for keys in covers.values() for group in keys}
    return Weighted(scores, {c: tuple(keys) for c, keys in covers.items()}, tuple(key for key in order if key in used))


def _score_mean(section: _Section, criterion: str, k: int) -> float | None:
    moments = section.moments.get(criterion)
    return moments.mean if moments is not None and is_publishable(moments.n, k) else None


def _with_unassigned(groups: Sequence[GroupMeta], respondents: Mapping[str, int]) -> list[GroupMeta]:
    result = list(groups)
    if respondents.get(UNASSIGNED):
        result.append(GroupMeta(UNASSIGNED, "citizens"))
    return result


def _cells_by_group(cells: Iterable[Cell]) -> defaultdict[str, list[Cell]]:
    by_group: defaultdict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_group[cell.group].append(cell)
    return by_group


def _combined(cell_lists: Iterable[list[Cell]]) -> list[Cell]:
    """Everyone's cells: the groups' counts and sums added up (sufficient statistics add)."""
    totals: dict[tuple, list[float]] = {}
    for cells in cell_lists:
        for c in cells:
            key = (c.item, c.option, c.value, c.value2)
            entry = totals.setdefault(key, [0, 0.0, 0.0])
            entry[0] += c.count
            entry[1] += c.total or 0.0
            entry[2] += c.total_sq or 0.0
    return [Cell(EVERYONE, item, int(n), option, value, value2, total, total_sq)
            for (item, option, value, value2), (n, total, total_sq) in totals.items()]


def _combined_moments(moments: Mapping[tuple[str, str], Moments], groups: list[str]) -> dict[str, Moments]:
    combined: dict[str, Moments] = {}
    for (group, criterion), m in moments.items():
        if group in groups:
            combined[criterion] = Moments.combine(combined.get(criterion, Moments(0)), m)
    return combined


def _criteria_in_order(items: Sequence[ItemMeta]) -> list[str]:
    return list(dict.fromkeys(i.criterion for i in items if i.criterion and i.type in SCORED_TYPES))


def _item_info(item: ItemMeta) -> ItemInfo:
    return ItemInfo(item.key, item.type, item.role, item.criterion, item.points, tuple(item.options), item.signature)


def _group_line(group: GroupMeta, respondents: int, hidden_because: str | None) -> GroupLine:
    """A group's line in the report: its count and coverage, unless the group is hidden."""
    hidden = hidden_because is not None
    return GroupLine(group.key, group.kind, group.population, group.target, hidden_because,
                     respondents=None if hidden else respondents,
                     coverage=None if hidden else coverage(respondents, group.population))
