"""Tallies kept between report builds: adding two sets of responses' tallies (no database).

The tallies here are made by hand from a few listed respondents, the way the database would
count them, so that "tallies of A + tallies of B" can be checked against "tallies of A and B".
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from app.domain.report import EVERYONE, GroupMeta, ItemMeta
from app.domain.report import build_report as build_figures
from app.domain.report_maths import Moments
from app.domain.report_tallies import Quote, Tallies, basis_of, latest_quotes
from app.domain.text_terms import TermCounter

def build_report(*args, **kwargs) -> dict:
    """The report as it is stored (its payload)."""
    return build_figures(*args, **kwargs).to_payload()


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


def without_quotes(tallies: Tallies) -> dict:
    return {key: value for key, value in tallies.to_json().items() if key != "quotes"}


def test_taking_away_the_tallies_of_people_who_left_gives_the_tallies_of_those_who_stayed():
    staying, leaving = respondents(40, seed=8, first_id=1), respondents(25, seed=9, first_id=41)
    rest = (tallied(staying) + tallied(leaving)).without(tallied(leaving))
    assert without_quotes(rest) == without_quotes(tallied(staying))
    assert build_report(rest.inputs(ITEMS, GROUPS, 5))["respondents"] == 40


def test_everyone_leaving_leaves_nothing_behind():
    people = respondents(12, seed=10, first_id=1)
    assert (tallied(people).without(tallied(people))).to_json() == Tallies(BASIS).to_json()


def test_the_quotes_of_people_who_left_go_and_their_questions_are_named_to_fill_up():
    staying, leaving = respondents(40, seed=11, first_id=1), respondents(25, seed=12, first_id=41)
    both = tallied(staying) + tallied(leaving)
    rest = both.without(tallied(leaving))
    leaving_ids = {person["id"] for person in leaving}
    assert all(q.answer_id not in leaving_ids for quotes in rest.quotes.values() for q in quotes)
    lost = rest.quotes_lost(both)
    assert lost  # the latest quotes were the late people's
    assert all(key in both.quotes and len(rest.quotes.get(key, [])) < len(both.quotes[key]) for key in lost)


def test_taking_away_people_who_were_never_counted_is_refused():
    few, others = respondents(3, seed=13, first_id=1), respondents(30, seed=14, first_id=10)
    with pytest.raises(ValueError):
        tallied(few).without(tallied(others))


def test_a_term_counter_gives_back_the_words_of_answers_taken_away():
    counter, leaving = TermCounter(), TermCounter()
    for text in ["evening courses", "evening library"]:
        counter.add(text, "en")
    counter.add("avondcursus taal", "nl")
    for text in ["evening library"]:
        leaving.add(text, "en")
    leaving.add("avondcursus taal", "nl")
    counter.remove(leaving)
    expected = TermCounter()
    expected.add("evening courses", "en")
    assert counter.to_json() == expected.to_json()
    assert counter.languages() == ["en"]
