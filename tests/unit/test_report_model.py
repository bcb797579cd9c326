"""The typed report reads every payload the builder writes, and writes it back key for key."""

from __future__ import annotations

import random

import pytest

from app.domain.privacy.releases import RESPONDENTS
from app.domain.report import EVERYONE, Cell, GroupMeta, GroupText, ItemMeta, ReportInputs, build_report
from app.domain.report_maths import Moments
from app.domain.report_model import PAYLOAD_FORMAT, CountFigures, Need, ReportFigures, ScaleFigures, Section
from app.domain.text_terms import TermCounter

ITEMS = [
    ItemMeta("pair", "importance_current", criterion="needs", points=5),
    ItemMeta("pair2", "importance_current", criterion="learning", points=4),
    ItemMeta("agree", "agreement", criterion="participation", points=5),
    ItemMeta("plain", "agreement", points=5),  # no criterion: its "answers" are present and None
    ItemMeta("often", "single_choice", options=("never", "sometimes", "often")),
    ItemMeta("age", "number"),
    ItemMeta("barriers", "multiple_choice", criterion="inclusion", options=("time", "cost")),
    ItemMeta("say", "text", criterion="needs"),
]


def random_inputs(rng: random.Random) -> ReportInputs:
    groups = [f"g{i}" for i in range(rng.randint(1, 5))]
    respondents = {g: rng.choice([1, 2, 4, 6, 9, 15, 40]) for g in groups}
    cells: list[Cell] = []
    moments = {}
    choices = {}
    text = {}
    for g, n in respondents.items():
        for item in ("agree", "plain"):
            for value in (1, 2, 3, 4, 5, None):
                if rng.random() < 0.6:
                    cells.append(Cell(g, item, rng.randint(1, n), value=value))
        for item in ("pair", "pair2"):
            for _ in range(rng.randint(0, 4)):
                cells.append(Cell(g, item, rng.randint(1, n), value=rng.choice([1, 3, 5, None]),
                                  value2=rng.choice([1, 2, 4, None])))
        for option in ("never", "sometimes", "often"):
            if rng.random() < 0.7:
                cells.append(Cell(g, "often", rng.randint(1, n), option=option))
        cells.append(Cell(g, "age", n, total=30.0 * n, total_sq=1000.0 * n))
        for option in ("time", "cost", "_other"):
            if rng.random() < 0.7:
                cells.append(Cell(g, "barriers", rng.randint(1, n), option=option))
        choices[(g, "barriers")] = n
        for criterion in ("needs", "learning", "participation"):
            moments[(g, criterion)] = Moments(n, 50.0 * n, 2600.0 * n)
        counter = TermCounter()
        for _ in range(n):
            counter.add(rng.choice(["en", "he"]), rng.choice(["bus late", "more evening classes", "childcare"]))
        text[g] = GroupText({"say": counter}, {"say": [("en", f"quote of {g}")]})
    return ReportInputs(ITEMS, [GroupMeta(g, "citizens", rng.choice([None, 500])) for g in groups], respondents,
                        cells, moments, choices, text, k=5)


@pytest.mark.parametrize("seed", range(40))
def test_a_payload_reads_typed_and_writes_back_the_same(seed):
    rng = random.Random(seed)
    inputs = random_inputs(rng)
    withheld = {rng.choice([EVERYONE, "g0"]): frozenset({("item", "agree"), ("criterion", "needs"), RESPONDENTS})}
    for figures in (build_report(inputs), build_report(inputs, withheld)):
        payload = figures.to_payload()
        assert payload["format"] == PAYLOAD_FORMAT
        assert ReportFigures.from_payload(payload) == figures
        assert ReportFigures.from_payload(payload).to_payload() == payload


def test_each_figure_has_its_own_type():
    figures = build_report(random_inputs(random.Random(3)))
    everyone = figures.everyone
    assert isinstance(everyone, Section)
    assert isinstance(everyone.items["agree"], ScaleFigures) and everyone.items["agree"].points == 5
    assert everyone.items["plain"].answers is None and "answers" in everyone.items["plain"].to_payload()
    assert isinstance(everyone.items["often"], CountFigures)
    assert type(everyone.items["age"]).__name__ == "MeanFigures"
    assert all(isinstance(n, Need) for n in everyone.needs)
    assert "compared_with_all" not in everyone.to_payload()  # everyone is not compared with itself
    assert all(s.compared_with_all is not None for s in figures.group_sections())


def test_a_held_back_figure_keeps_the_shape_it_was_shown_in():
    figures = build_report(random_inputs(random.Random(5)))
    group = figures.group_sections()[0]
    for figure in (("criterion", "needs"), ("item", "pair"), ("item", "often"), ("item", "agree"), ("item", "age"),
                   ("item", "barriers"), ("quotes", "say")):
        shown = group.shown(figure)
        payload = {"release": 1, "released_at": "2026-11-01T10:00:00+00:00",
                   "figure": shown.to_payload() if hasattr(shown, "to_payload") else
                   [q.to_payload() for q in shown] if shown is not None else None}
        data = group.to_payload() | {"held_back": {":".join(figure): payload}}
        read = Section.from_payload(data, {i.key: i.type for i in figures.items})
        assert read.held_back[":".join(figure)].figure == shown
        assert read.to_payload() == data
