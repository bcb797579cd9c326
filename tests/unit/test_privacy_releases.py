"""The rule for successive releases: no two releases of a round isolate 1 to k-1 people.

The rule's pieces are tested by hand; then a toy round (groups of people answering one
question, who come and go) is released again and again under the rule, and an attacker who
tries every combination of the shown figures of two releases (each added, subtracted or left
out) must never single out fewer than k people.
"""

from __future__ import annotations

import itertools
import random

import pytest

from app.domain.privacy.cells import is_publishable, suppress
from app.domain.privacy.releases import (
    EVERYONE,
    FigureView,
    GroupChange,
    Leak,
    ReleaseRecord,
    changes_since,
    figure_id,
    figure_of,
    leaks,
    smallest_isolated,
    withheld_for_release,
)

F = ("item", "q")


def test_figure_ids_read_back():
    for figure in [("item", "q"), ("criterion", "needs"), ("text", "help_most", "he"), ("quotes", "help")]:
        assert figure_of(figure_id(figure)) == figure


def record(number, groups, views, contributors, batch=0, k=5):
    return ReleaseRecord(number, frozenset(groups), views, contributors, batch, k)


def test_changes_count_who_came_and_who_went():
    earlier = record(1, "ab", {}, {F: {"a": 10, "b": 6}})
    # a: 3 came, 1 of the earlier 10 went (12 now, 3 of them new). b: 2 went, none came.
    changes = changes_since(earlier, now={F: {"a": 12, "b": 4}}, added={F: {"a": 3}})
    assert changes[F] == {"a": GroupChange(12, 10, 4), "b": GroupChange(4, 6, 2)}


def test_a_change_that_cannot_be_explained_is_unknown():
    earlier = record(1, "a", {}, {F: {"a": 5}})
    assert changes_since(earlier, now={F: {"a": 7}}, added={F: {"a": 1}})[F] == {"a": GroupChange(7, 5, None)}


def test_a_group_shown_in_both_releases_gives_those_who_came_or_went():
    view = FigureView(frozenset("ab"), total=True)
    changes = {"a": GroupChange(12, 10, 2), "b": GroupChange(10, 10, 0)}
    assert smallest_isolated(view, "ab", view, "ab", changes) == 2


def test_a_complement_shown_unchanged_later_gives_back_the_small_group_it_protected():
    """Then: c (3 people) hidden, with a (5) as its complement. Now a is shown, unchanged:
    everyone's then, less b's then, less a's now, is c's three."""
    then = FigureView(frozenset("b"), total=True)
    now = FigureView(frozenset("ab"), total=True)
    changes = {"a": GroupChange(5, 5, 0), "b": GroupChange(8, 8, 0), "c": GroupChange(3, 3, 0)}
    assert smallest_isolated(now, "abc", then, "abc", changes) == 3


def test_hidden_groups_without_a_total_cannot_be_combined():
    then = FigureView(frozenset("a"), total=False)
    now = FigureView(frozenset("a"), total=False)
    changes = {"a": GroupChange(10, 10, 0), "b": GroupChange(3, 2, 1)}
    assert smallest_isolated(now, "ab", then, "ab", changes) == 10  # a itself: at least k


def test_leaks_name_the_figure_and_the_earlier_release():
    views = {F: FigureView(frozenset("ab"), total=True)}
    earlier = record(1, "ab", views, {F: {"a": 10, "b": 10}})
    changes = {F: {"a": GroupChange(12, 10, 2), "b": GroupChange(15, 10, 5)}}
    assert leaks(views, frozenset("ab"), [(earlier, changes)], k=5) == [Leak(F, 1, 2)]
    changes = {F: {"a": GroupChange(10, 10, 0), "b": GroupChange(15, 10, 5)}}
    assert leaks(views, frozenset("ab"), [(earlier, changes)], k=5) == []


# -- a toy round ------------------------------------------------------------------------------


class ToyRound:
    """People in groups answering one question; a release shows each group within the cell rule."""

    def __init__(self, groups: str, k: int):
        self.groups, self.k = groups, k
        self.present: dict[int, str] = {}  # person -> group
        self.batch_of: dict[int, int] = {}
        self.batch = 0
        self.next_person = 0

    def join(self, group: str) -> None:
        self.present[self.next_person] = group
        self.next_person += 1

    def leave(self, person: int) -> None:
        del self.present[person]

    def count(self) -> None:
        """A build: every present person not yet counted gets this batch's number."""
        self.batch += 1
        for person in self.present:
            self.batch_of.setdefault(person, self.batch)

    def members(self, group: str) -> set[int]:
        return {p for p, g in self.present.items() if g == group}

    def contributors(self, since_batch: int = 0) -> dict:
        return {F: {g: sum(1 for p in self.members(g) if self.batch_of[p] > since_batch) for g in self.groups}}

    def views(self, withheld=None):
        """What a release would show: the cell rule within it, less what is withheld."""
        withheld = withheld or {}
        counts = {g: len(self.members(g)) for g in self.groups}
        total = is_publishable(sum(counts.values()), self.k)
        hidden = suppress(counts, self.k, total_published=total)
        shown = frozenset(g for g in self.groups if g not in hidden and F not in withheld.get(g, ()))
        return {F: FigureView(shown, total and F not in withheld.get(EVERYONE, ()))}


def release(toy: ToyRound, earlier: list[tuple[ReleaseRecord, set]]):
    """The next release under the rule: its record, and who each shown observable rests on."""
    toy.count()
    judged = [(rec, changes_since(rec, toy.contributors(), toy.contributors(rec.batch))) for rec, _ in earlier]
    groups = frozenset(toy.groups)
    withheld = withheld_for_release(toy.views(), groups, judged, [[F]], toy.k)
    views = toy.views(withheld)
    assert leaks(views, groups, judged, toy.k) == []
    rec = record(len(earlier) + 1, groups, views, toy.contributors(), toy.batch, toy.k)
    observed = [frozenset(toy.members(g)) for g in sorted(views[F].shown)]
    if views[F].total:
        observed.append(frozenset(toy.present))
    return rec, observed, withheld


def attacker_isolates(first: list[frozenset], second: list[frozenset], k: int) -> int | None:
    """The attacker: every sum of the two releases' observables, each taken +1, -1 or not at
    all; the fewest people (1 to k-1) one of them rests on, or None. (Sums of the first alone
    are within one release, which the toy round's cell rule keeps at k or more.)"""
    observables = [(s, 1) for s in first] + [(s, 1) for s in second]
    worst = None
    for signs in itertools.product((-1, 0, 1), repeat=len(observables)):
        weight: dict[int, int] = {}
        for (people, _), sign in zip(observables, signs, strict=True):
            for person in people:
                weight[person] = weight.get(person, 0) + sign
        support = sum(1 for w in weight.values() if w)
        if 0 < support < k and (worst is None or support < worst):
            worst = support
    return worst


@pytest.mark.parametrize("seed", range(40))
def test_no_two_releases_of_a_toy_round_single_anyone_out(seed):
    rng = random.Random(seed)
    k = rng.choice([3, 4, 5])
    toy = ToyRound("abc", k)
    for _ in range(rng.randint(k, 4 * k)):
        toy.join(rng.choice("abc"))
    released: list[tuple[ReleaseRecord, list[frozenset]]] = []
    for _ in range(5):
        rec, observed, _ = release(toy, released)
        for _earlier, seen in released:
            assert attacker_isolates(seen, observed, k) is None
        released.append((rec, observed))
        for _ in range(rng.randint(0, k + 2)):  # a few people come and go before the next release
            if toy.present and rng.random() < 0.3:
                toy.leave(rng.choice(sorted(toy.present)))
            else:
                toy.join(rng.choice("abc"))


def test_three_new_answers_are_held_back_until_enough_others_change():
    """The stakeholder's attack: download, let three people answer, download again."""
    toy = ToyRound("ab", k=5)
    for group in "aaaaaabbbbbb":
        toy.join(group)
    first, first_seen, _ = release(toy, [])
    for _ in range(3):
        toy.join("a")
    second, second_seen, withheld = release(toy, [(first, first_seen)])
    assert withheld == {"a": frozenset({F}), EVERYONE: frozenset({F})}  # b did not change: no complement
    assert attacker_isolates(first_seen, second_seen, 5) is None
    for _ in range(2):
        toy.join("a")
    _, third_seen, withheld = release(toy, [(first, first_seen), (second, second_seen)])
    assert withheld == {}  # five new people of a: all shown again
    assert attacker_isolates(first_seen, third_seen, 5) is None


def test_a_withdrawal_counts_as_a_change():
    toy = ToyRound("ab", k=5)
    for group in "aaaaaabbbbbb":
        toy.join(group)
    first, seen, _ = release(toy, [])
    toy.leave(min(toy.members("a")))
    _, _, withheld = release(toy, [(first, seen)])
    assert F in withheld["a"] and F in withheld[EVERYONE]


def test_a_group_that_changed_enough_is_taken_as_the_complement_instead_of_everyone():
    toy = ToyRound("abc", k=5)
    for group in "aaaaaabbbbbbcccccc":
        toy.join(group)
    first, seen, _ = release(toy, [])
    toy.join("a")
    for _ in range(6):
        toy.join("b")
    _, observed, withheld = release(toy, [(first, seen)])
    assert withheld == {"a": frozenset({F}), "b": frozenset({F})}  # everyone's stays, c stays
    assert attacker_isolates(seen, observed, 5) is None


def all_isolated(first: list[frozenset], second: list[frozenset]) -> set[int]:
    """Every number of people some combination of the observables (weights -1, 0, 1) rests on,
    among those that weigh the second (the new) release somewhere."""
    observables = [*first, *second]
    found = set()
    for signs in itertools.product((-1, 0, 1), repeat=len(observables)):
        if not any(signs[len(first):]):
            continue
        weight: dict[int, int] = {}
        for people, sign in zip(observables, signs, strict=True):
            for person in people:
                weight[person] = weight.get(person, 0) + sign
        found.add(sum(1 for w in weight.values() if w))
    return found - {0}


@pytest.mark.parametrize("seed", range(60))
def test_the_fewest_people_found_is_never_more_than_an_attacker_finds(seed):
    """Two releases with any views (not only those the rule allows): whatever an attacker who
    adds and subtracts the shown figures isolates, smallest_isolated finds as few or fewer."""
    rng = random.Random(seed)
    groups = "abc"
    then_people = {g: set(range(i * 20, i * 20 + rng.randint(0, 6))) for i, g in enumerate(groups)}
    now_people = {}
    for i, g in enumerate(groups):
        stayed = {p for p in then_people[g] if rng.random() < 0.7}
        now_people[g] = stayed | set(range(i * 20 + 10, i * 20 + 10 + rng.randint(0, 4)))

    def view() -> FigureView:
        return FigureView(frozenset(g for g in groups if rng.random() < 0.5), total=rng.random() < 0.6)

    now, then = view(), view()

    def observed(v: FigureView, people: dict) -> list[frozenset]:
        seen = [frozenset(people[g]) for g in sorted(v.shown)]
        return seen + ([frozenset().union(*people.values())] if v.total else [])

    changes = {g: GroupChange(len(now_people[g]), len(then_people[g]), len(now_people[g] ^ then_people[g]))
               for g in groups}
    ours = smallest_isolated(now, groups, then, groups, changes)
    attacked = all_isolated(observed(then, then_people), observed(now, now_people))
    if attacked:
        assert ours is not None and ours <= min(attacked)
    else:
        assert ours is None


def test_quotes_count_only_a_group_against_itself():
    """Each quote is one person's words, shown by their leave in any release: one release alone
    may rest on one person; what two add is which quotes are new."""
    view = FigureView(frozenset("ab"), total=False)
    unchanged = {"a": GroupChange(1, 1, 0), "b": GroupChange(2, 2, 0)}
    assert smallest_isolated(view, "ab", view, "ab", unchanged, differences_only=True) is None
    one_new = {"a": GroupChange(2, 1, 1), "b": GroupChange(2, 2, 0)}
    assert smallest_isolated(view, "ab", view, "ab", one_new, differences_only=True) == 1


def test_after_k_is_raised_newcomers_are_held_to_today_s_k():
    """k went up from 3 to 5 after a release. Three people join a group: a change of 3 was
    enough under the old k, not under today's."""
    figure = ("item", "q")
    views = {figure: FigureView(frozenset("ab"), total=True)}
    earlier = ReleaseRecord(1, frozenset("ab"), views, {figure: {"a": 6, "b": 10}}, batch=1, k=3)
    three_new = {figure: {"a": GroupChange(6, 6, 0), "b": GroupChange(13, 10, 3)}}
    assert leaks(views, frozenset("ab"), [(earlier, three_new)], k=5) == [Leak(figure, 1, 3)]
    assert leaks(views, frozenset("ab"), [(earlier, three_new)], k=3) == []


def test_what_an_earlier_release_showed_alone_is_not_the_new_release_s_doing():
    """That release was judged when it was made (here for k = 3, a group of 4 shown): a new
    release that shows nothing of the figure adds nothing, whatever today's k."""
    figure = ("item", "q")
    then = {figure: FigureView(frozenset("ab"), total=True)}
    earlier = ReleaseRecord(1, frozenset("ab"), then, {figure: {"a": 4, "b": 10}}, batch=1, k=3)
    unchanged = {figure: {"a": GroupChange(4, 4, 0), "b": GroupChange(10, 10, 0)}}
    nothing = {figure: FigureView(frozenset(), total=False)}
    assert leaks(nothing, frozenset("ab"), [(earlier, unchanged)], k=5) == []


def test_a_family_is_withheld_together():
    item, criterion = ("item", "agree"), ("criterion", "needs")
    view = FigureView(frozenset("ab"), total=True)
    views = {item: view, criterion: view}
    earlier = ReleaseRecord(1, frozenset("ab"), views, {item: {"a": 9, "b": 9}, criterion: {"a": 9, "b": 9}}, 1, 5)
    changes = {item: {"a": GroupChange(11, 9, 2), "b": GroupChange(14, 9, 5)},
               criterion: {"a": GroupChange(9, 9, 0), "b": GroupChange(14, 9, 5)}}
    withheld = withheld_for_release(views, frozenset("ab"), [(earlier, changes)], [[criterion, item]], k=5)
    assert withheld == {"a": frozenset({item, criterion}), "b": frozenset({item, criterion})}
