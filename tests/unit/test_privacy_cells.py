"""Small-group suppression: which groups a report hides, and that hiding cannot be undone."""

from __future__ import annotations

import random

import pytest

from app.domain.privacy.cells import ATTRIBUTED, DEFAULT_K, MIN_K, check_k, is_publishable, suppress


def derivable_groups(counts: dict[str, int], hidden: frozenset[str], k: int) -> bool:
    """Whether total minus the shown groups gives away one hidden group or a small hidden sum."""
    hidden_total = sum(counts[g] for g in hidden)
    return bool(hidden) and (len(hidden) < 2 or hidden_total < k)


def test_min_k_is_3_and_default_k_is_5():
    assert (MIN_K, DEFAULT_K) == (3, 5)


@pytest.mark.parametrize("k", [3, 5, 10])
def test_check_k_returns_an_acceptable_k(k):
    assert check_k(k) == k


@pytest.mark.parametrize("k", [2, 0, -5, 2.5, "5", True])
def test_check_k_refuses_k_below_3_or_not_a_whole_number(k):
    with pytest.raises(ValueError):
        check_k(k)


def test_a_named_panel_s_attributed_figures_hide_nothing():
    assert check_k(ATTRIBUTED) == 1 and is_publishable(1, ATTRIBUTED)


@pytest.mark.parametrize(("n", "k", "expected"), [(0, 5, True), (1, 5, False), (4, 5, False), (5, 5, True),
                                                   (3, 3, True), (2, 3, False), (100, 5, True)])  # fmt: skip
def test_is_publishable_for_empty_groups_and_groups_of_at_least_k(n, k, expected):
    assert is_publishable(n, k) is expected


def test_is_publishable_refuses_a_negative_count_or_a_small_k():
    with pytest.raises(ValueError):
        is_publishable(-1, 5)
    with pytest.raises(ValueError):
        is_publishable(10, 2)


def test_suppress_hides_nothing_when_every_group_has_at_least_k():
    assert suppress({"a": 5, "b": 12, "c": 40}, k=5) == frozenset()


def test_suppress_hides_one_small_group_and_the_next_smallest_when_the_total_is_published():
    counts = {"a": 2, "b": 9, "c": 6, "d": 40}
    assert suppress(counts, k=5) == {"a", "c"}


def test_suppress_hides_only_the_small_group_when_the_total_is_not_published():
    counts = {"a": 2, "b": 9, "c": 6, "d": 40}
    assert suppress(counts, k=5, total_published=False) == {"a"}


def test_suppress_adds_groups_while_two_small_groups_sum_to_less_than_k():
    counts = {"a": 1, "b": 2, "c": 10, "d": 20}
    assert suppress(counts, k=5) == {"a", "b", "c"}


def test_suppress_keeps_two_small_groups_whose_sum_reaches_k():
    counts = {"a": 2, "b": 3, "c": 10, "d": 20}
    assert suppress(counts, k=5) == {"a", "b"}


def test_suppress_adds_complements_until_the_hidden_sum_reaches_k():
    counts = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 8, "f": 30}
    assert suppress(counts, k=10) == {"a", "b", "c", "d", "e"}


def test_suppress_hides_every_group_when_all_groups_are_small():
    counts = {"a": 1, "b": 2, "c": 1}
    assert suppress(counts, k=5) == {"a", "b", "c"}


def test_suppress_hides_a_single_small_group_with_nothing_to_pair_it_with():
    assert suppress({"only": 2}, k=5) == {"only"}
    assert suppress({"only": 7}, k=5) == frozenset()


def test_suppress_never_hides_or_pairs_with_empty_groups():
    counts = {"empty": 0, "also_empty": 0, "small": 2, "medium": 7, "large": 9}
    assert suppress(counts, k=5) == {"small", "medium"}


def test_suppress_does_not_hide_empty_groups_even_when_the_rest_is_small():
    assert suppress({"empty": 0, "small": 1}, k=5) == {"small"}


def test_suppress_breaks_ties_among_complements_by_name():
    counts = {"small": 1, "z": 6, "m": 6, "b": 6}
    assert suppress(counts, k=5) == {"small", "b"}


def test_suppress_of_no_groups_is_empty():
    assert suppress({}, k=5) == frozenset()


def test_suppress_uses_the_default_k_of_5():
    assert suppress({"a": 4, "b": 5}, total_published=False) == {"a"}


def test_suppress_refuses_a_small_k_or_a_negative_count():
    with pytest.raises(ValueError):
        suppress({"a": 1}, k=2)
    with pytest.raises(ValueError):
        suppress({"a": -1, "b": 5}, k=5)


def test_suppress_leaves_nothing_derivable_from_the_total_for_random_groups():
    for seed in range(500):
        rng = random.Random(seed)
        k = rng.choice([3, 5, 10])
        sizes = [0, rng.randint(1, k), rng.randint(1, 4 * k)]
        counts = {f"g{i}": rng.choice(sizes) for i in range(rng.randint(1, 8))}
        hidden = suppress(counts, k)
        assert {g for g, n in counts.items() if 0 < n < k} <= hidden, seed
        assert all(counts[g] > 0 for g in hidden), seed
        if hidden != {g for g, n in counts.items() if n > 0}:  # groups were left: the rule was met
            assert not derivable_groups(counts, hidden, k), seed


def test_suppress_without_a_published_total_hides_exactly_the_small_groups():
    for seed in range(100):
        rng = random.Random(seed)
        counts = {f"g{i}": rng.randint(0, 12) for i in range(rng.randint(1, 8))}
        assert suppress(counts, 5, total_published=False) == {g for g, n in counts.items() if 0 < n < 5}


def test_suppress_treats_already_hidden_groups_as_hidden_and_protects_them():
    counts = {"a": 20, "b": 9, "c": 40}
    # "a" is hidden for the whole report; alone it would be total minus b minus c.
    assert suppress(counts, k=5, already_hidden={"a"}) == {"a", "b"}


def test_suppress_ignores_already_hidden_names_that_are_not_in_the_table():
    assert suppress({"a": 20, "b": 9}, k=5, already_hidden={"zz"}) == frozenset()


def test_suppress_takes_a_preferred_group_as_the_complement_before_smaller_ones():
    counts = {"tiny": 2, "small": 8, "large": 40, "losing_anyway": 20}
    assert suppress(counts, 5) == {"tiny", "small"}
    assert suppress(counts, 5, prefer=["losing_anyway"]) == {"tiny", "losing_anyway"}
    assert suppress(counts, 5, prefer=["tiny"]) == {"tiny", "small"}  # already hidden: no help
