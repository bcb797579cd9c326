"""A named panel's figures: each rater's answer, the median and the spread (no database)."""

from __future__ import annotations

from app.domain.panel import Rater, ScaleItem, panel_figures

ITEMS = [ScaleItem("policy", "agreement", "policy_making", 5), ScaleItem("funding", "agreement", "policy_making", 5),
         ScaleItem("need", "importance_current", "needs", 5), ScaleItem("note", "text", None, None)]


def test_each_rater_s_points_with_the_panel_s_median_and_spread():
    raters = [Rater("Sara", "team", {"policy": 5, "funding": 3, "need": (4, 2)}),
              Rater("ann", "team", {"policy": 2, "funding": None, "note": "Slow start"}),
              Rater("Ben", "team", {"policy": 4, "funding": 4, "need": (None, 5)})]
    figures = panel_figures(raters, ITEMS).to_payload()
    assert [r["name"] for r in figures["raters"]] == ["ann", "Ben", "Sara"]  # by name, whatever the case
    assert figures["items"]["policy"] == {"each": [2, 4, 5], "n": 3, "median": 4, "low": 2, "high": 5}
    assert figures["items"]["funding"]["each"] == [None, 4, 3] and figures["items"]["funding"]["median"] == 3.5
    # A pair counts by how well it is met, and only with both halves.
    assert figures["items"]["need"]["each"] == [None, None, 2]
    # A rater's criterion score: the mean of their points on its questions, each 0 to 100.
    assert figures["criteria"]["policy_making"]["each"] == [25.0, 75.0, 75.0]
    assert figures["criteria"]["policy_making"]["median"] == 75.0
    assert figures["answers"]["note"] == ["Slow start", None, None]


def test_one_rater_is_a_panel_too():
    figures = panel_figures([Rater("Visiting team", None, {"policy": 3})], ITEMS).to_payload()
    assert figures["items"]["policy"] == {"each": [3], "n": 1, "median": 3, "low": 3, "high": 3}
