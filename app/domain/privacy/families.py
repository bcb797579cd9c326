"""Figures that must be hidden together, within one report.

A group's criterion score is (nearly) the mean of its answers to the criterion's questions. So
a figure cannot be hidden on its own: hide a group's score but show its questions, and the
score can be worked back; hide one question but show the score, and the score less the shown
questions gives the hidden one's answers. The figures tied this way form a family (a criterion
with its scored questions; any other question alone), and a family's figures share their
complements (cells.suppress).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from app.domain.privacy.cells import is_publishable, suppress

# ("item", question key), ("criterion", criterion key); a release also has ("text", question
# key, language) and ("quotes", question key), each a family of its own.
Figure = tuple[str, ...]


def figure_families(figures: Iterable[Figure], criterion_of: Mapping[str, str]) -> list[list[Figure]]:
    """The figures grouped by what ties them: a criterion's score with the scored items it is
    the mean of (`criterion_of`: scored question key -> its criterion); any other figure alone."""
    families: dict[object, list[Figure]] = defaultdict(list)
    for figure in sorted(figures):
        kind, key = figure[0], figure[1:2] and figure[1]
        tie = key if kind == "criterion" else criterion_of.get(key) if kind == "item" else None
        families[("criterion", tie) if tie else figure].append(figure)
    return list(families.values())


def hidden_in_family(
    counts: Mapping[Figure, Mapping[str, int]], k: int, total_shown: bool, hidden_groups: frozenset[str]
) -> dict[Figure, frozenset[str]]:
    """Per figure of one family, the groups to hide for it: its own small groups, and the
    complements of every figure of the family.

    A group's criterion score is (nearly) the mean of its items; when every member answered
    every item, exactly. So a group hidden for the score but shown for the items (or the other
    way round) could be worked back from what is shown, and then the small group its hiding
    protected would be everyone's figure minus the rest. Complements chosen for one figure are
    therefore hidden for all, until no figure needs another. The figures are taken one after
    the other, each seeing the complements chosen before it, so that they share one where one
    will do instead of each hiding a group of its own.

    And a group's score is hidden wherever one of its items is small in the group: the score
    less the item's shown answers would be the small item's (see small_in_items).
    """
    small_in_items = _small_in_items(counts, k)
    # Complements are taken first from groups that lose a figure of the family anyway.
    losing = {group for n in counts.values() for group, answers in n.items() if not is_publishable(answers, k)}
    shared = set(hidden_groups)
    settled = False
    while not settled:
        settled = True
        for figure, n in counts.items():
            own = small_in_items.get(figure, set())
            hidden = suppress(n, k, total_published=total_shown, already_hidden=shared | own, prefer=losing)
            complements = {group for group in hidden if is_publishable(n.get(group, 0), k)} - own - shared
            if complements:
                shared |= complements
                settled = False
    return {figure: suppress(n, k, total_published=total_shown,
                             already_hidden=shared | small_in_items.get(figure, set()), prefer=losing)
            for figure, n in counts.items()}


def _small_in_items(counts: Mapping[Figure, Mapping[str, int]], k: int) -> dict[Figure, set[str]]:
    """For the criterion of a family: the groups in which one of its items rests on fewer than
    k answers. Three parents answered only the item hidden for them: the criterion's count and
    sums less the shown item's distribution would be their three answers."""
    small = {group for figure, n in counts.items() if figure[0] == "item"
             for group, answers in n.items() if not is_publishable(answers, k)}
    return {figure: small for figure in counts if figure[0] == "criterion"}
