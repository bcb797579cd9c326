"""Figures that stay private over time: the rule for successive releases of one round.

A release is what a reader other than the round's coordinators can obtain: the report pages,
charts and downloads of a round at one moment. Within one release, cells and families keep a
small group from being worked out. Across releases there is another way in: download the report
of an open round, let three people answer, download it again, and the difference between the
two is those three people's answers. Statistics offices call it the differencing risk of
successive releases.

The guarantee: for any two releases of a round, no combination of their shown figures (each
added, subtracted, or left out) rests on the answers of between 1 and k-1 people. The rule
that keeps it, figure by figure:

- What a reader can combine. For one figure (say, a question's answers), a release shows it
  for some groups, and for everyone as the total of all groups (or not). Everyone's figure less
  the shown groups' is the hidden groups' combined: a reader can weigh the hidden groups only
  all alike, and not at all where no total is shown. Over two releases, each group's people
  are those who stayed, came or went; a combination weighs each group's figure in each release,
  and rests on the people whose weights do not cancel (smallest_isolated() finds the fewest).
  A group shown in both releases, weighed alike, gives those who came or went; a group hidden
  in one release and shown, unchanged, in the next gives back what its hiding protected.
- How many people came or went. A response is counted once and never changes after it is
  sent; those counted after the earlier release came, and whoever that release counted beyond
  the rest went (withdrew) (changes_since()).
- The rule, first for who answered: a group (or everyone) with 1 to k-1 people come or gone
  since an earlier release keeps all its figures back, whichever questions those people
  answered (withholding just the figures they changed would tell which ones they answered).
  Then figure by figure: a new release withholds the fewest sections (a group's figure, or
  everyone's) with which no combination against any earlier release rests on 1 to k-1 people
  (withheld_for_release()), today's k. Withholding only ever hides more, so it can always be
  met: with nothing shown, a release adds nothing to the earlier one. Withheld figures show
  their last released value, dated (the service attaches it; it reveals nothing new).

A figure's family (app.domain.privacy.families) is withheld as one, as the within-release rules
hide it: a criterion's score less its questions' answers would otherwise give back the part
that was withheld.

The reader is assumed to know how many people each shown figure rests on (the pages say so),
and to combine figures linearly, as sums of answers: means times their counts, shares times
theirs. Bounds (a hidden figure is at least 1 person) are not protected, as in one release.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.privacy.families import Figure

EVERYONE = "all"  # the section of all respondents (as in app.domain.report)
# Who answered: each group's head count. Not a figure of anyone's answers (counts are shown),
# but the first thing a release is judged on (withheld_for_release).
RESPONDENTS: Figure = ("respondents",)
Contributors = Mapping[Figure, Mapping[str, int]]  # figure -> group -> people its figure rests on
Withheld = dict[str, frozenset[Figure]]  # section key (a group's, or EVERYONE) -> figures withheld


def figure_id(figure: Figure) -> str:
    """A figure as one string, for JSON: "item:barriers", "text:help_most:he"."""
    return ":".join(figure)


def figure_of(identifier: str) -> Figure:
    return tuple(identifier.split(":"))


@dataclass(frozen=True)
class FigureView:
    """What one release lets a reader see of one figure.

    `shown`: the groups whose figure is shown, an empty one included (that nobody answered is
    seen as such). `total`: whether everyone's figure is shown as the total over every group,
    hidden ones included (so that everyone's less the shown gives the hidden groups combined).
    Everyone's word counts and quotes are the shown groups' only: their `total` is False.
    """

    shown: frozenset[str] = frozenset()
    total: bool = False


NOTHING_SHOWN = FigureView()


@dataclass(frozen=True)
class ReleaseRecord:
    """What a release showed, and how many people each group's figures rested on: all a later
    release needs to be judged against this one."""

    number: int
    groups: frozenset[str]  # every group the release lists; one it does not list is known to be empty
    views: Mapping[Figure, FigureView]
    contributors: Contributors
    batch: int  # the report tallies' batch it was made from: responses counted up to it
    k: int  # the smallest group it was made for

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "batch": self.batch,
            "k": self.k,
            "groups": sorted(self.groups),
            "views": {figure_id(f): {"shown": sorted(v.shown), "total": v.total} for f, v in sorted(self.views.items())},
            "contributors": {figure_id(f): dict(sorted(n.items())) for f, n in sorted(self.contributors.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> ReleaseRecord:
        return cls(
            number=data["number"],
            batch=data["batch"],
            k=data["k"],
            groups=frozenset(data["groups"]),
            views={figure_of(f): FigureView(frozenset(v["shown"]), v["total"]) for f, v in data["views"].items()},
            contributors={figure_of(f): dict(n) for f, n in data["contributors"].items()},
        )


@dataclass(frozen=True)
class GroupChange:
    """The people one group's figure rests on in two releases: now, then, and how many of them
    came or went in between (None: cannot be told, taken as one)."""

    now: int
    then: int
    changed: int | None

    @property
    def came_or_went(self) -> int:
        return 1 if self.changed is None else self.changed

    @property
    def everyone_involved(self) -> int:
        """Who stayed, came or went: (now + then + changed) / 2, as now + then counts the
        stayers twice."""
        return (self.now + self.then + self.came_or_went) // 2


Changes = Mapping[Figure, Mapping[str, GroupChange]]


def changes_since(earlier: ReleaseRecord, now: Contributors, added: Contributors) -> dict[Figure, dict[str, GroupChange]]:
    """Per figure and group, the people it rests on now and in `earlier`, and who came or went.

    `now`: the people each figure rests on now; `added`: those of them counted after the earlier
    release (its batch). The rest of `now` were there then, so whoever the earlier release
    counted beyond them has gone (withdrew). A group that has more of the earlier release's
    people now than it had then cannot be explained (responses never move between groups): its
    change is unknown, and taken as one person.
    """
    changes: dict[Figure, dict[str, GroupChange]] = {}
    for figure in {*now, *earlier.contributors, *added}:
        then, current, came = earlier.contributors.get(figure, {}), now.get(figure, {}), added.get(figure, {})
        per_group = {}
        for group in {*then, *current, *came}:
            stayed = current.get(group, 0) - came.get(group, 0)
            went = then.get(group, 0) - stayed
            known = went >= 0 and stayed >= 0
            per_group[group] = GroupChange(current.get(group, 0), then.get(group, 0),
                                           came.get(group, 0) + went if known else None)
        changes[figure] = per_group
    return changes


# Weights a reader may give a figure, as far as they matter: zero, or one of a few distinct
# non-zero values (whether two weights are equal is all that decides who cancels out).
_ANY_WEIGHT = (0, 1, 2, 3)
_SHARED_WEIGHTS = ((0, 0), (1, 0), (0, 1), (1, 1), (1, 2))  # hidden groups' weight now, then


def smallest_isolated(now: FigureView, now_groups: Iterable[str], then: FigureView, then_groups: Iterable[str],
                      changes: Mapping[str, GroupChange], differences_only: bool = False) -> int | None:
    """The fewest people (at least one) that some combination of one figure's shown values in
    two releases rests on; None when no combination rests on anyone.

    A combination weighs each group's figure in each release: freely where the group is shown
    (or, not being listed, known to be empty); with the hidden groups' one shared weight where
    it is hidden under a total; not at all where it is hidden without one. A group weighed a
    now and b then rests on: no one (a = b = 0), those who came or went (a = b), those there
    now (b = 0), those there then (a = 0), or all of them (a != b). The hidden groups' shared
    weights are tried in every pattern that matters; each group then takes its cheapest
    weight, and the fewest people is that sum, or, when it is nothing, the cheapest single
    group that rests on someone.

    `differences_only`: only a group's figure now against its own figure then counts (quotes:
    each is one person's words, shown with their leave in any release; what two releases add
    is which of them are new).
    """
    listed_now, listed_then = set(now_groups), set(then_groups)
    groups = sorted({*listed_now, *listed_then, *now.shown, *then.shown, *changes})
    smallest = None
    for shared_now, shared_then in _SHARED_WEIGHTS:
        if (shared_now and not now.total) or (shared_then and not then.total):
            continue
        options = []
        for group in groups:
            weights_now = _weights(group, now, listed_now, shared_now)
            weights_then = _weights(group, then, listed_then, shared_then)
            change = changes.get(group, GroupChange(0, 0, 0))
            options.append({(_cost(a, b, change), a != 0) for a in weights_now for b in weights_then
                            if not differences_only or a == b})
        least = _fewest_using_now(options)
        if least and (smallest is None or least < smallest):
            smallest = least
    return smallest


def _fewest_using_now(options: list[set[tuple[int, bool]]]) -> int | None:
    """The smallest positive total of one option per group, among those that weigh the new
    release somewhere (an option is (people, weighs the new release)). A sum of the earlier
    release's figures alone is not the new release's doing: that release was judged when made.

    Each group may be the one that weighs the new release: it takes its cheapest such option,
    the others their cheapest of all. When that comes to no one, the cheapest positive option
    of that group, or of any other, makes the total positive."""
    cheapest = [min(people for people, _ in group) for group in options]
    everyone = sum(cheapest)
    fewest = None
    for position, group in enumerate(options):
        using_now = sorted(people for people, weighs_now in group if weighs_now)
        if not using_now:
            continue
        total = everyone - cheapest[position] + using_now[0]
        if total == 0:
            positive = [people for people in using_now if people > 0] + [
                people for other, alternatives in enumerate(options) if other != position
                for people, _ in alternatives if people > 0]
            total = min(positive, default=0)
        if total and (fewest is None or total < fewest):
            fewest = total
    return fewest


def _weights(group: str, view: FigureView, listed: set[str], shared: int) -> tuple[int, ...]:
    if group in view.shown or group not in listed:
        return _ANY_WEIGHT
    return (shared,) if view.total else (0,)


def _cost(now: int, then: int, change: GroupChange) -> int:
    if now == then == 0:
        return 0
    if now == then:
        return change.came_or_went
    if then == 0:
        return change.now
    if now == 0:
        return change.then
    return change.everyone_involved


@dataclass(frozen=True)
class Leak:
    """One figure of a new release that, with an earlier release, singles out 1 to k-1 people."""

    figure: Figure
    release: int
    people: int


def leaks(views: Mapping[Figure, FigureView], groups: frozenset[str], earlier: Sequence[tuple[ReleaseRecord, Changes]],
          k: int) -> list[Leak]:
    """Every figure of a release (its views and groups) that singles out 1 to k-1 people
    together with one of the earlier releases, today's k (an earlier release made for a smaller
    k was judged by it when made: a sum of its figures alone is not counted again)."""
    found = []
    for record, changes in earlier:
        for figure in sorted({*views, *record.views}):
            people = smallest_isolated(views.get(figure, NOTHING_SHOWN), groups, record.views.get(figure, NOTHING_SHOWN),
                                       record.groups, changes.get(figure, {}), differences_only=_compares_only(figure))
            if people is not None and people < k:
                found.append(Leak(figure, record.number, people))
    return found


def _compares_only(figure: Figure) -> bool:
    """Figures whose every value may rest on one person within a release (quotes, by their
    writers' leave): across releases, only a group's change counts (smallest_isolated)."""
    return figure[0] == "quotes"


MEND_SEARCH = 3  # withholding sets of up to this many sections are tried before all are withheld


def withheld_for_release(
    views: Mapping[Figure, FigureView],
    groups: frozenset[str],
    earlier: Sequence[tuple[ReleaseRecord, Changes]],
    families: Iterable[Sequence[Figure]],
    k: int,
) -> Withheld:
    """The sections that must withhold each figure of a new release, so that it singles out no
    one against any earlier release.

    `views`: what the new release would show of each figure (within-release rules applied);
    `families`: figures withheld together. For each figure that leaks, the smallest set of
    sections whose withholding mends it is chosen (keeping everyone's figure where a group will
    do, then withholding the groups that changed least), for the whole family, until none of
    the family's figures leaks.
    """
    families = [list(family) for family in families if RESPONDENTS not in family]
    everything = {figure for family in families for figure in family} | {RESPONDENTS}
    # Who answered first: head counts are shown, so a whole section withheld for them tells
    # nothing more. A group with 1 to k-1 people come or gone keeps all its figures back,
    # whichever questions those people answered: withholding only the figures they changed
    # would tell which they answered (a follow-up answered gives away the answer that led to it).
    public = _taken(RESPONDENTS, views, groups, earlier, k, set()) if RESPONDENTS in views else set()
    withheld: dict[str, set[Figure]] = {section: set(everything) for section in public}
    for family in families:
        taken = set(public)
        mended = False
        while not mended:
            mended = True
            for figure in family:
                more = _taken(figure, views, groups, earlier, k, taken) - taken
                if more:
                    taken |= more
                    mended = False
        for section in taken - public:
            withheld.setdefault(section, set()).update(family)
    return {section: frozenset(figures) for section, figures in withheld.items()}


def _taken(figure: Figure, views: Mapping[Figure, FigureView], groups: frozenset[str],
           earlier: Sequence[tuple[ReleaseRecord, Changes]], k: int, taken: set[str]) -> set[str]:
    """The sections that must withhold the figure, beyond `taken`, for it to be safe against
    every earlier release; `taken` itself when it is safe already."""
    view = _without(views.get(figure, NOTHING_SHOWN), taken)
    against = [(record, changes.get(figure, {}), record.views.get(figure, NOTHING_SHOWN), figure)
               for record, changes in earlier]
    if _safe(view, groups, against, k):
        return taken
    more = _mend(view, groups, against, k)
    if not more:  # with nothing shown, a release adds nothing: cannot be
        raise RuntimeError(f"nothing left to withhold, yet {figure} leaks")
    return taken | more


def _without(view: FigureView, sections: set[str]) -> FigureView:
    return FigureView(view.shown - sections, view.total and EVERYONE not in sections)


def _safe(view: FigureView, groups: frozenset[str], against, k: int) -> bool:
    for record, changes, then, figure in against:
        people = smallest_isolated(view, groups, then, record.groups, changes, differences_only=_compares_only(figure))
        if people is not None and people < k:
            return False
    return True


def _mend(view: FigureView, groups: frozenset[str], against, k: int) -> set[str]:
    """The smallest set of sections whose withholding makes the figure safe against every
    earlier release; among sets of one size, one that keeps everyone's figure, then the one
    whose groups changed least. Withholding everything is always safe."""
    changes = [changes for _, changes, _, _ in against]

    def changed(group: str) -> int:
        return sum(c[group].came_or_went for c in changes if group in c)

    sections = sorted(view.shown) + ([EVERYONE] if view.total else [])
    for size in range(1, min(MEND_SEARCH, len(sections)) + 1):
        fixes = [set(chosen) for chosen in itertools.combinations(sections, size)
                 if _safe(_without(view, set(chosen)), groups, against, k)]
        if fixes:
            return min(fixes, key=lambda chosen: (EVERYONE in chosen, sum(changed(g) for g in chosen if g != EVERYONE),
                                                  sorted(chosen)))
    return set(sections)
