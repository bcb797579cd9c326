"""Report assembly from counted cells: sections, suppression, comparisons (no database)."""

from __future__ import annotations

import math
import random
import statistics

from app.domain.report import (
    EVERYONE,
    UNASSIGNED,
    Cell,
    GroupMeta,
    GroupText,
    ItemMeta,
    ReportInputs,
)
from app.domain.report import build_report as build_figures
from app.domain.report_maths import Moments
from app.domain.text_terms import TermCounter

ITEMS = [
    ItemMeta("pair", "importance_current", criterion="needs", points=5),
    ItemMeta("agree", "agreement", criterion="participation", points=5),
    ItemMeta("barriers", "multiple_choice", criterion="inclusion", options=("time", "cost")),
]


def build_report(*args, **kwargs) -> dict:
    """The report as it is stored: these tests read the payload every reader gets."""
    return build_figures(*args, **kwargs).to_payload()


def inputs(respondents: dict[str, int], cells: list[Cell] = (), moments=None, choices=None, k: int = 5,
           populations: dict[str, int] | None = None) -> ReportInputs:
    groups = [GroupMeta(key, "citizens", (populations or {}).get(key)) for key in respondents if key != UNASSIGNED]
    return ReportInputs(items=ITEMS, groups=groups, respondents=respondents, cells=list(cells),
                        criterion_moments=moments or {}, choice_respondents=choices or {}, text={}, k=k)


def agreement_cells(group: str, values: dict[int, int]) -> list[Cell]:
    return [Cell(group, "agree", count, value=float(v)) for v, count in values.items()]


def sections(payload) -> dict[str, dict]:
    return {s["key"]: s for s in payload["sections"]}


def test_every_group_of_at_least_k_gets_a_section_and_everyone_adds_them_up():
    cells = agreement_cells("a", {1: 3, 5: 3}) + agreement_cells("b", {3: 10})
    payload = build_report(inputs({"a": 6, "b": 10}, cells))
    shown = sections(payload)
    assert set(shown) == {EVERYONE, "a", "b"}
    assert shown["a"]["items"]["agree"]["mean"] == 3.0
    assert shown[EVERYONE]["items"]["agree"]["n"] == 16
    assert shown[EVERYONE]["items"]["agree"]["distribution"] == {"1": 3, "3": 10, "5": 3}


def test_when_everyone_together_is_below_k_nothing_at_all_is_shown():
    payload = build_report(inputs({"a": 2, "b": 2}, agreement_cells("a", {4: 2}) + agreement_cells("b", {2: 2})))
    assert payload["sections"] == [] and payload["respondents"] is None
    assert all(g["suppressed"] and g["respondents"] is None for g in payload["groups"])


def test_respondents_without_a_group_are_a_group_of_their_own_and_protected_like_any():
    payload = build_report(inputs({"a": 20, "b": 9, UNASSIGNED: 2}))
    hidden = {g["key"] for g in payload["groups"] if g["suppressed"]}
    assert hidden == {UNASSIGNED, "b"}  # 2 people, and b so that 2 cannot be derived from the total


def test_a_small_dont_know_share_does_not_hide_the_item_but_few_real_answers_do():
    cells = [Cell("a", "agree", 4, value=None)] + agreement_cells("a", {4: 12})
    cells += [Cell("b", "agree", 8, value=None)] + agreement_cells("b", {2: 2})
    cells += agreement_cells("c", {3: 10})
    payload = build_report(inputs({"a": 16, "b": 10, "c": 10}, cells))
    shown = sections(payload)
    assert shown["a"]["items"]["agree"]["dont_know"] == 4 and shown["a"]["items"]["agree"]["n"] == 12
    assert "agree" not in shown["b"]["items"]  # a mean of 2 answers
    # ... and the smallest shown group is hidden for this item too, or b = everyone - a - c.
    assert "agree" not in shown["c"]["items"]


def test_criterion_scores_below_k_are_hidden_with_a_complement():
    moments = {("a", "needs"): Moments.of([50.0] * 3), ("b", "needs"): Moments.of([25.0, 75.0] * 5),
               ("c", "needs"): Moments.of([100.0] * 6)}
    shown = sections(build_report(inputs({"a": 10, "b": 10, "c": 10}, moments=moments)))
    assert "needs" not in shown["a"]["criteria"]
    assert "needs" not in shown["c"]["criteria"]  # the smallest shown: else a = everyone - b - c
    assert shown["b"]["criteria"]["needs"]["score"] == 50.0
    assert shown[EVERYONE]["criteria"]["needs"]["n"] == 19


def test_needs_are_ranked_by_mwds_and_given_a_quadrant():
    cells = [Cell("a", "pair", 6, value=5.0, value2=1.0), Cell("a", "pair", 4, value=3.0, value2=3.0)]
    (need,) = sections(build_report(inputs({"a": 10}, cells)))["a"]["needs"]
    assert need["n"] == 10 and need["gap"] == 2.4 and need["importance"] == 4.2
    assert abs(need["mwds"] - 2.4 * 4.2) < 1e-12
    assert need["rank"] == 1 and need["quadrant"] == "high_priority"


def test_a_group_differs_from_everyone_significantly_only_beyond_chance():
    low = Moments.of([10.0, 20.0, 15.0, 12.0, 18.0] * 4)
    high = Moments.of([80.0, 90.0, 85.0, 88.0, 82.0] * 4)
    similar = Moments.of([81.0, 89.0, 86.0, 87.0, 83.0] * 4)
    moments = {("low", "needs"): low, ("high", "needs"): high, ("similar", "needs"): similar}
    shown = sections(build_report(inputs({"low": 20, "high": 20, "similar": 20}, moments=moments)))
    assert shown["low"]["compared_with_all"]["needs"]["significant"]
    assert shown["low"]["compared_with_all"]["needs"]["difference"] < 0
    assert shown["high"]["compared_with_all"]["needs"]["difference"] > 0


def test_groups_against_the_rest_are_judged_together_across_every_group_and_criterion():
    """Each group's criterion scores against the other groups' (Welch, normal), then the
    Benjamini-Hochberg step-up rule over all of them at once, worked out here by hand."""
    rng = random.Random(3)
    criteria = [f"c{i}" for i in range(7)]
    groups = ["north", "south", "east", "west"]
    scores = {(g, c): [rng.gauss(50.0 + (12.0 if (g, c) == ("east", "c2") else 0.0), 15.0) for _ in range(40)]
              for g in groups for c in criteria}
    moments = {key: Moments.of(values) for key, values in scores.items()}
    shown = sections(build_report(inputs(dict.fromkeys(groups, 40), moments=moments)))

    p_values = {}
    for g, c in scores:
        mine = scores[(g, c)]
        rest = [v for other in groups if other != g for v in scores[(other, c)]]
        error = math.hypot(statistics.stdev(mine) / math.sqrt(len(mine)), statistics.stdev(rest) / math.sqrt(len(rest)))
        z = (statistics.mean(mine) - statistics.mean(rest)) / error
        p_values[(g, c)] = 2 * (1 - statistics.NormalDist().cdf(abs(z)))
    ranked = sorted(p_values, key=p_values.get)
    m = len(ranked)
    passing = [r for r, key in enumerate(ranked, start=1) if p_values[key] <= r / m * 0.05]
    expected = set(ranked[:max(passing, default=0)])

    judged = {(g, c) for g in groups for c, cmp in shown[g]["compared_with_all"].items() if cmp["significant"]}
    assert judged == expected
    alone = {key for key, p in p_values.items() if p <= 0.05}
    assert ("east", "c2") in expected  # made so above
    assert expected < alone  # some that would pass one by one are luck among 28 tests


def test_choice_shares_use_the_people_who_answered_and_keep_other_last():
    cells = [Cell("a", "barriers", 6, option="time"), Cell("a", "barriers", 8, option="cost"),
             Cell("a", "barriers", 2, option="_other", )]
    figure = sections(build_report(inputs({"a": 20}, cells, choices={("a", "barriers"): 10})))["a"]["choices"]["barriers"]
    assert figure["n"] == 10
    assert list(figure["counts"]) == ["cost", "time", "_other"]
    assert figure["shares"]["cost"] == 0.8


def test_single_choice_answers_keep_the_order_of_the_question():
    frequency = ItemMeta("frequency", "single_choice", options=("never", "sometimes", "often"))
    cells = [Cell("a", "frequency", 9, option="often"), Cell("a", "frequency", 2, option="retired_option"),
             Cell("a", "frequency", 4, option="never"), Cell("a", "frequency", 7, option="sometimes")]
    report = build_report(ReportInputs(items=[frequency], groups=[GroupMeta("a", "citizens", None)],
                                       respondents={"a": 22}, cells=cells, criterion_moments={},
                                       choice_respondents={}, text={}, k=5))
    figure = sections(report)["a"]["items"]["frequency"]
    assert list(figure["counts"]) == ["never", "sometimes", "often", "retired_option"]
    assert figure["n"] == 22 and figure["shares"]["often"] == 9 / 22


def test_weighted_scores_need_two_groups_with_a_population():
    moments = {("a", "needs"): Moments.of([20.0] * 10), ("b", "needs"): Moments.of([80.0] * 10)}
    payload = build_report(inputs({"a": 10, "b": 10}, moments=moments, populations={"a": 3000, "b": 1000}))
    assert payload["weighted"]["criteria"]["needs"] == 0.75 * 20 + 0.25 * 80
    unweighted = sections(payload)[EVERYONE]["criteria"]["needs"]["score"]
    assert unweighted == 50.0


def test_a_criterion_says_how_its_answers_lean_on_scales_of_any_length():
    items = [ItemMeta("agree5", "agreement", criterion="needs", points=5),
             ItemMeta("agree4", "agreement", criterion="needs", points=4),
             ItemMeta("pair", "importance_current", criterion="needs", points=5)]
    cells = [Cell("a", "agree5", 2, value=1.0), Cell("a", "agree5", 3, value=3.0), Cell("a", "agree5", 4, value=5.0),
             Cell("a", "agree4", 5, value=2.0), Cell("a", "agree4", 6, value=3.0),
             Cell("a", "agree5", 1, value=None),
             # importance 5 would be "high"; the pair counts by how well the need is met now (2: low)
             Cell("a", "pair", 7, value=5.0, value2=2.0), Cell("a", "pair", 1, value=4.0, value2=None)]
    moments = {("a", "needs"): Moments.of([50.0] * 12)}
    report_inputs = ReportInputs(items=items, groups=[GroupMeta("a", "citizens")], respondents={"a": 12},
                                 cells=cells, criterion_moments=moments, choice_respondents={}, text={}, k=5)
    figure = sections(build_report(report_inputs))["a"]["criteria"]["needs"]
    assert figure["answers"] == {"low": 2 + 5 + 7, "middle": 3, "high": 4 + 6, "dont_know": 1 + 1}


TWO_ITEM_CRITERION = [ItemMeta("asked", "agreement", criterion="transparency", points=5),
                      ItemMeta("decides", "agreement", criterion="transparency", points=5)]


def two_item_inputs(respondents: dict[str, int], cells: list[Cell], moments) -> ReportInputs:
    return ReportInputs(items=TWO_ITEM_CRITERION, groups=[GroupMeta(g, "citizens") for g in respondents],
                        respondents=respondents, cells=cells, criterion_moments=moments,
                        choice_respondents={}, text={}, k=5)


def test_a_criterion_is_hidden_in_a_group_where_one_of_its_items_is_small():
    """Three of a's twenty answered "decides" only: a's score and count less the answers to
    "asked" would be their three answers. So a's score goes too, with one complement (b) for
    the whole criterion; "asked" then needs a second hidden group, and takes a, which has lost
    the rest of the criterion anyway, rather than c."""
    cells = [Cell("a", "asked", 17, value=4.0), Cell("a", "decides", 2, value=1.0), Cell("a", "decides", 1, value=5.0)]
    cells += [Cell(g, item, n, value=3.0) for g, n in (("b", 10), ("c", 12), ("d", 30)) for item in ("asked", "decides")]
    moments = {("a", "transparency"): Moments.of([75.0] * 17 + [0.0, 0.0, 100.0])}
    moments |= {(g, "transparency"): Moments.of([50.0] * n) for g, n in (("b", 10), ("c", 12), ("d", 30))}
    shown = sections(build_report(two_item_inputs({"a": 20, "b": 10, "c": 12, "d": 30}, cells, moments)))
    def shown_for(group: str) -> set[str]:
        return set(shown[group]["criteria"]) | ({"asked", "decides"} & set(shown[group]["items"]))

    assert shown_for("a") == shown_for("b") == set()
    assert shown_for("c") == shown_for("d") == {"transparency", "asked", "decides"}
    assert "transparency" in shown[EVERYONE]["criteria"]


def test_a_criterion_and_its_items_hide_the_same_complements():
    """Of 20 newcomers, 4 answered (hidden). The smallest other group differs between the
    criterion (jobseekers: 10 people) and each item (parents: 9 answers each, 18 people). Hiding
    jobseekers' score but showing their two item means would give it back (all ten answered
    both), and newcomers' score would then be everyone's minus the rest."""
    respondents = {"newcomers": 20, "jobseekers": 10, "parents": 18, "youth": 30}
    cells = [Cell("newcomers", item, 4, value=2.0) for item in ("asked", "decides")]
    cells += [Cell("jobseekers", item, 10, value=4.0) for item in ("asked", "decides")]
    cells += [Cell("parents", item, 9, value=3.0) for item in ("asked", "decides")]
    cells += [Cell("youth", item, 30, value=3.0) for item in ("asked", "decides")]
    moments = {("newcomers", "transparency"): Moments.of([25.0] * 4),
               ("jobseekers", "transparency"): Moments.of([75.0] * 10),
               ("parents", "transparency"): Moments.of([50.0] * 18),
               ("youth", "transparency"): Moments.of([50.0] * 30)}
    payload = build_report(two_item_inputs(respondents, cells, moments))
    shown = sections(payload)
    def shown_for(group: str) -> set[str]:
        return set(shown[group]["criteria"]) | ({"asked", "decides"} & set(shown[group]["items"]))

    assert shown_for("newcomers") == set()
    # The complement is one group, hidden for the score and both items alike: jobseekers, the
    # smallest for the score; the items need no other (parents stay shown).
    assert shown_for("jobseekers") == set()
    assert shown_for("parents") == shown_for("youth") == {"transparency", "asked", "decides"}
    # What is hidden of each figure rests on at least k people together.
    everyone = shown[EVERYONE]
    for figures, key in ((lambda s: s["criteria"], "transparency"), (lambda s: s["items"], "asked"),
                         (lambda s: s["items"], "decides")):
        rest = figures(everyone)[key]["n"] - sum(figures(shown[g])[key]["n"] for g in ("parents", "youth"))
        assert rest >= 5, key


def test_free_text_in_a_language_fewer_than_k_wrote_in_is_left_out_also_from_everyone():
    def written(*answers: tuple[str, str]) -> TermCounter:
        counter = TermCounter()
        for text, language in answers:
            counter.add(text, language)
        return counter

    help_item = ItemMeta("help", "text")
    youth = written(*[("evening lessons nearby", "en")] * 6, ("zebraphone lessons", "nl"), ("zebraphone", "nl"))
    seniors = written(*[("evening lessons", "en")] * 5)
    parents = written(("zebraphone lessons", "nl"), ("zebraphone", "nl"))  # two people: nothing of theirs
    text = {"youth": GroupText({"help": youth}, {"help": [("nl", "zebraphone lessons")]}),
            "seniors": GroupText({"help": seniors}), "parents": GroupText({"help": parents})}
    report_inputs = ReportInputs(items=[help_item], groups=[GroupMeta(g, "citizens") for g in text],
                                 respondents={"youth": 8, "seniors": 5, "parents": 9}, cells=[],
                                 criterion_moments={}, choice_respondents={}, text=text, k=5)
    shown = sections(build_report(report_inputs))
    assert set(shown) == {EVERYONE, "youth", "seniors", "parents"}
    assert set(shown["youth"]["text"]["help"]["languages"]) == {"en"}  # 2 wrote in Dutch
    assert shown["youth"]["text"]["help"]["quotes"] == [{"language": "nl", "text": "zebraphone lessons"}]
    assert "help" not in shown["parents"]["text"]
    assert shown[EVERYONE]["text"]["help"]["languages"] == {
        "en": {"answers": 11, "terms": [["evening", 11], ["lessons", 11], ["nearby", 6]]}}


def test_an_item_only_a_few_answered_with_dont_know_is_hidden_not_taken_for_empty():
    cells = [Cell("a", "agree", 3, value=None)]  # a's three said "don't know"; no one in a gave a point
    cells += agreement_cells("b", {3: 10}) + agreement_cells("c", {4: 12})
    shown = sections(build_report(inputs({"a": 20, "b": 10, "c": 12}, cells)))
    assert "agree" not in shown["a"]["items"]  # "3 did not know" is three people's answer
    assert "agree" not in shown["b"]["items"]  # the complement, or a's would be everyone's minus c's


def test_a_word_one_answer_of_a_group_used_is_left_out_of_everyone_s_count_too():
    youth = TermCounter()
    for text in ["lessons on harbourstreet", "harbourstreet evenings", "lessons", "lessons", "evenings", "lessons"]:
        youth.add(text, "en")
    seniors = TermCounter()
    for text in ["harbourstreet lessons", "lessons", "lessons", "evenings", "evenings"]:
        seniors.add(text, "en")  # one senior wrote the street: seniors' list leaves it out
    text = {"youth": GroupText({"help": youth}), "seniors": GroupText({"help": seniors})}
    report_inputs = ReportInputs(items=[ItemMeta("help", "text")], groups=[GroupMeta(g, "citizens") for g in text],
                                 respondents={"youth": 6, "seniors": 5}, cells=[], criterion_moments={},
                                 choice_respondents={}, text=text, k=5)
    shown = sections(build_report(report_inputs))
    terms = {key: dict(shown[key]["text"]["help"]["languages"]["en"]["terms"]) for key in ("youth", "seniors", EVERYONE)}
    assert terms["youth"]["harbourstreet"] == 2 and "harbourstreet" not in terms["seniors"]
    assert terms[EVERYONE]["harbourstreet"] == 2  # not 3: 3 - 2 would be the senior who wrote it
    assert terms[EVERYONE]["lessons"] == 4 + 3
