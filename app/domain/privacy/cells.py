"""Which groups' figures a report must hide, so that no small group can be singled out.

In a neighbourhood, "the 2 respondents aged 16 to 25 in Northside" are people others can
recognise; their mean answer would be their answers. So a figure is shown only for groups of at
least k respondents (k-anonymity style cell suppression), and hiding a small group must not be
undone by arithmetic on what is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MIN_K = 3  # below 3, a respondent in a group of 2 knows the other's answer from the mean
DEFAULT_K = 5
# A named panel's figures: its raters are told their answers are shown with their names, so
# nothing is hidden (k = 1: a figure of one rater is shown). Never a community's setting.
ATTRIBUTED = 1


def check_k(k: int) -> int:
    """k itself, if it is an acceptable minimum group size (at least MIN_K; or ATTRIBUTED)."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise ValueError(f"k must be a whole number, not {k!r}")
    if k < MIN_K and k != ATTRIBUTED:
        raise ValueError(f"k must be at least {MIN_K}, not {k}")
    return k


def is_publishable(n: int, k: int = DEFAULT_K) -> bool:
    """Whether a group of n respondents may be shown on its own: empty (n = 0) or n >= k.

    An empty group is empty, not secret: saying nobody answered reveals no one.
    """
    check_k(k)
    if n < 0:
        raise ValueError(f"a count cannot be negative: {n}")
    return n == 0 or n >= k


def suppress(
    counts: Mapping[str, int],
    k: int = DEFAULT_K,
    total_published: bool = True,
    already_hidden: Iterable[str] = (),
    prefer: Iterable[str] = (),
) -> frozenset[str]:
    """The groups whose figures must be hidden, given each group's number of respondents.

    The rule, for one set of groups that together make up the published total:

    1. Primary suppression: every group with 0 < n < k is hidden. Groups with n = 0 are never
       hidden (nor picked in step 2): they are empty, not secret.
    2. Complementary suppression, only when the overall total is published: the total minus the
       shown groups gives the combined count of the hidden ones. So while any group is hidden
       and either only one group is hidden (its count would be derived exactly) or the hidden
       groups' combined count is below k (a small combined cell would be derived), also hide
       the smallest shown group with n > 0 (ties: the name first in sort order). Repeat.

    The result: no hidden group, nor the hidden groups together, can be derived from the shown
    figures and the total. When the groups run out first (say every group is small, or there
    is one group only), all non-empty groups are hidden, and the total itself is then the
    combined count of fewer than k respondents: the caller must also withhold the total when
    `not is_publishable(total, k)`.

    This protects against exact derivation in one table of groups with one total; it does not
    hide bounds (a hidden group has at least 1 respondent). Use the groups' respondent counts
    and hide the same groups for every item, so that items with different numbers of answers
    do not hide different complements that together give a group away.

    `already_hidden` names groups hidden for another reason (say, for the whole report, when
    this table is one item's answers): they count as hidden from the start, so the complement
    is chosen with them in mind. Groups in `prefer` (hidden for a figure tied to this one, say)
    are taken as complements before any other, smallest first: hiding them costs less.
    """
    check_k(k)
    if any(n < 0 for n in counts.values()):
        raise ValueError("a count cannot be negative")
    hidden = {group for group, n in counts.items() if not is_publishable(n, k)}
    hidden.update(group for group in already_hidden if group in counts)
    if total_published:
        while hidden and _derivable(hidden, counts, k):
            preferred = set(prefer)
            candidates = sorted((group not in preferred, n, group) for group, n in counts.items()
                                if n > 0 and group not in hidden)
            if not candidates:
                break
            hidden.add(candidates[0][2])
    return frozenset(hidden)


def _derivable(hidden: set[str], counts: Mapping[str, int], k: int) -> bool:
    """Whether the total minus the shown groups would give away a hidden group or a small cell.

    A lone hidden group is always a primary one (0 < n < k), so the sum test alone would catch it;
    the count test states the intent, and keeps it if the primary rule ever changes.
    """
    return len(hidden) < 2 or sum(counts[group] for group in hidden) < k
