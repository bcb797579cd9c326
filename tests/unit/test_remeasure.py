"""Re-measuring the needs an action aimed at, from two reports' figures (no database)."""

from __future__ import annotations

from app.domain.remeasure import CLOSED, NO_CHANGE, NOT_MEASURED, WIDENED, ActionAim, remeasure
from app.domain.report_model import EVERYONE, ItemInfo, Need, ReportFigures, Section


def need(item: str, gap: float, se: float | None, n: int = 40) -> Need:
    return Need(item, 1, n, 4.0, 4.0 - gap, gap, None, None, se, gap * 4, "high_priority")


def report(needs_by_section: dict[str, list[Need]], signature: str = "s1") -> ReportFigures:
    items = (ItemInfo("lang", "importance_current", "item", "needs", 5, (), signature),
             ItemInfo("digital", "importance_current", "item", "needs", 5, (), "s2"))
    sections = tuple(Section(key, 40, {}, {}, tuple(needs), {}, {}, ()) for key, needs in needs_by_section.items())
    return ReportFigures(5, 80, ("needs",), items, (), sections, None)


def test_a_gap_that_closed_beyond_chance_and_one_that_did_not_move():
    then = report({EVERYONE: [need("lang", 2.0, 0.1), need("digital", 1.0, 0.3)]})
    now = report({EVERYONE: [need("lang", 1.0, 0.1), need("digital", 1.1, 0.3)]})
    rows = remeasure(then, now, [ActionAim(1, ("lang", "digital"), ())])
    assert [(r.need, r.group, r.verdict) for r in rows] == [("lang", EVERYONE, CLOSED), ("digital", EVERYONE, NO_CHANGE)]
    assert rows[0].change.value == -1.0


def test_a_gap_that_widened_for_the_group_aimed_at():
    then = report({EVERYONE: [need("lang", 1.0, 0.1)], "seniors": [need("lang", 1.0, 0.1)]})
    now = report({EVERYONE: [need("lang", 1.0, 0.1)], "seniors": [need("lang", 2.0, 0.1)]})
    (row,) = remeasure(then, now, [ActionAim(7, ("lang",), ("seniors",))])
    assert (row.group, row.verdict, row.action_id) == ("seniors", WIDENED, 7)


def test_hidden_in_one_round_or_asked_in_other_words_is_not_measured():
    then = report({EVERYONE: [need("lang", 2.0, 0.1)]})
    hidden_now = report({EVERYONE: []})  # the need is not shown now (a small group, held back)
    reworded = report({EVERYONE: [need("lang", 0.5, 0.1)]}, signature="s-new")
    for now in (hidden_now, reworded):
        (row,) = remeasure(then, now, [ActionAim(1, ("lang",), ())])
        assert row.verdict == NOT_MEASURED and row.change is None
    (row,) = remeasure(then, then, [ActionAim(1, ("lang",), ("not-shown",))])  # a group neither report shows
    assert row.verdict == NOT_MEASURED and row.then is None


def test_two_actions_on_one_need_are_judged_once():
    """The same difference is one test, not two: counted twice it would weigh double when all
    rows are judged together. Here its p is 0.03: alone among two tests it is not named (BH
    threshold 0.025), though counted twice among three it would be (0.033)."""
    se = 1 / (2.1701 * 2 ** 0.5)  # a drop of 1 with this error on both sides: p = 0.030
    then = report({EVERYONE: [need("lang", 2.0, se), need("digital", 2.0, se)]})
    now = report({EVERYONE: [need("lang", 1.0, se), need("digital", 2.0, se)]})
    rows = remeasure(then, now, [ActionAim(1, ("lang",), ()), ActionAim(2, ("lang",), ()), ActionAim(3, ("digital",), ())])
    assert 0.025 < rows[0].change.p_value < 0.0333
    assert [r.verdict for r in rows] == [NO_CHANGE, NO_CHANGE, NO_CHANGE]
    alone = remeasure(then, now, [ActionAim(1, ("lang",), ())])
    assert alone[0].verdict == CLOSED  # one test: the plain 5 % test names it


def test_a_need_this_release_holds_back_is_measured_as_its_round_last_released_it():
    """The release rule holds a need back when only a few answers came since the last release;
    that earlier value is what readers were shown, so the re-measure reads it (never the hidden
    new one, and never "not measured" for a round of hundreds)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from app.domain.report_model import HeldBackEntry

    then = report({EVERYONE: [need("lang", 2.0, 0.1)]})
    earlier_now = need("lang", 1.0, 0.1)
    released = datetime(2026, 11, 1, tzinfo=UTC)
    holding = report({EVERYONE: []})
    section = replace(holding.sections[0], held_back={"item:lang": HeldBackEntry(2, released, earlier_now)})
    now = replace(holding, sections=(section,))
    (row,) = remeasure(then, now, [ActionAim(1, ("lang",), ())])
    assert row.now == earlier_now and row.verdict == CLOSED
    assert section.need_as_released("lang") == (earlier_now, released)
    assert section.needs_as_released() == [(earlier_now, released)]
