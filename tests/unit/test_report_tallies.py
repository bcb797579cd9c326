"""Tallies kept between report builds: adding two sets of responses' tallies (no database).

The tallies here are made by hand from a few listed respondents, the way the database would
count them, so that "tallies of A + tallies of B" can be checked against "tallies of A and B".
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from app.domain.report import EVERYONE, GroupMeta, ItemMeta, build_report
from app.domain.report_maths import Moments
from app.domain.report_tallies import Quote, Tallies, basis_of, latest_quotes
from app.domain.text_terms import TermCounter

ITEMS = [
    ItemMeta("pair", "importance_current", criterion="needs", points=5),
    ItemMeta("agree", "agreement", criterion="participation", points=5),
    ItemMeta("help", "text"),
]
BASIS = basis_of(ITEMS)
GROUPS = [GroupMeta("a", "citizens", 400), GroupMeta("b", "citizens", 600)]
WORDS = ["evening", "courses", "childcare", "library", "cheaper"]


def respondents(count: int, seed: int, first_id: int) -> list[dict]:
    rng = random.Random(seed)
    return [{"id": first_id + n, "group": rng.choice("ab"), "language": rng.choice(["en", "nl"]),
             "pair": (float(rng.randint(1, 5)), float(rng.randint(1, 5))), "agree": float(rng.randint(1, 5)),
             "help": " ".join(rng.sample(WORDS, 2)), "may_quote": rng.random() < 0.5} for n in range(count)]


def tallied(people: list[dict]) -> Tallies:
    """What the database's GROUP BYs give for these people, counted here one by one."""
    tallies = Tallies(BASIS)
    cells: Counter = Counter()
    scores: dict[tuple[str, str], list[float]] = {}
    for person in people:
        group = person["group"]
        tallies.respondents[group] = tallies.respondents.get(group, 0) + 1
        importance, current = person["pair"]
        cells[(group, "pair", "", importance, current)] += 1
        cells[(group, "agree", "", person["agree"], None)] += 1
        scores.setdefault((group, "needs"), []).append((current - 1) * 25)
        scores.setdefault((group, "participation"), []).append((person["agree"] - 1) * 25)
        tallies.terms.setdefault((group, "help"), TermCounter()).add(person["help"], person["language"])
        if person["may_quote"]:
            tallies.quotes.setdefault((group, "help"), []).append(
                Quote(person["id"], person["language"], person["help"]))
    for (group, item, option, value, value2), n in cells.items():
        total = value * n
        tallies.cells[(group, item, option, value, value2)] = (n, total, value * value * n)
    tallies.criterion_moments = {key: Moments.of(values) for key, values in scores.items()}
    tallies.quotes = {key: latest_quotes(quotes) for key, quotes in tallies.quotes.items()}
    return tallies


def test_the_tallies_of_two_sets_of_responses_added_are_the_tallies_of_both():
    early, late = respondents(40, seed=1, first_id=1), respondents(25, seed=2, first_id=41)
    assert (tallied(early) + tallied(late)).to_json() == tallied(early + late).to_json()


def test_the_report_of_added_tallies_is_the_report_of_all_responses_counted_at_once():
    early, late = respondents(40, seed=3, first_id=1), respondents(25, seed=4, first_id=41)
    added = build_report((tallied(early) + tallied(late)).inputs(ITEMS, GROUPS, k=5))
    at_once = build_report(tallied(early + late).inputs(ITEMS, GROUPS, k=5))
    assert added == at_once
    everyone = next(s for s in added["sections"] if s["key"] == EVERYONE)
    assert everyone["respondents"] == 65


def test_adding_nothing_changes_nothing():
    people = respondents(30, seed=5, first_id=1)
    assert (tallied(people) + Tallies(BASIS)).to_json() == tallied(people).to_json()
    assert (Tallies(BASIS) + tallied(people)).to_json() == tallied(people).to_json()


def test_tallies_survive_their_json_form():
    tallies = tallied(respondents(30, seed=6, first_id=1))
    stored = json.loads(json.dumps(tallies.to_json()))  # as the database column gives it back
    again = Tallies.from_json(stored, BASIS)
    assert again is not None and again.to_json() == tallies.to_json()
    assert build_report(again.inputs(ITEMS, GROUPS, 5)) == build_report(tallies.inputs(ITEMS, GROUPS, 5))


def test_tallies_made_under_other_items_or_another_format_are_not_reused():
    stored = tallied(respondents(10, seed=7, first_id=1)).to_json()
    reworded = [ItemMeta("pair", "importance_current", criterion="needs", points=7), *ITEMS[1:]]
    assert Tallies.from_json(stored, basis_of(reworded)) is None
    assert Tallies.from_json(stored | {"format": 0}, BASIS) is None
    assert Tallies.from_json(None, BASIS) is None
    with pytest.raises(ValueError):
        Tallies(BASIS) + Tallies(basis_of(reworded))


def test_the_latest_distinct_quotes_are_kept_latest_first():
    quotes = [Quote(n, "en", f"answer {n % 4}") for n in range(1, 13)]
    kept = latest_quotes(quotes + [Quote(3, "nl", "answer 3")])
    assert [(q.answer_id, q.text) for q in kept] == [(12, "answer 0"), (11, "answer 3"), (10, "answer 2"),
                                                      (9, "answer 1"), (3, "answer 3")]


def test_a_term_counter_survives_its_json_form_with_its_spellings():
    counter = TermCounter()
    for text in ["Evening courses", "evening Courses", "courses courses"]:
        counter.add(text, "en")
    again = TermCounter.from_json(json.loads(json.dumps(counter.to_json())))
    assert again.top("en") == counter.top("en") == [("courses", 3), ("evening", 2)]
    assert again.answers("en") == 3
