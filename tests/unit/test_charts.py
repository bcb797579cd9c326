"""Server-rendered SVG charts: mirrored for right-to-left pages, text for renderers without bidi."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.charts import LTR, WIDTH, Bar, ComparisonRow, RadarSeries, Writing, bar_chart, comparison_chart, radar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(writing: Writing = Writing()):
    return parse(bar_chart([Bar("Learning a language", 60, 50, 70, note="n = 40"), Bar("Hidden one", None)],
                           title="Needs", description="Gaps", id_prefix="t", writing=writing,
                           missing_label="hidden"))


def texts(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f".//{SVG}text")


def test_a_chart_names_itself_for_screen_readers():
    svg = bars()
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "t-title t-desc"
    assert svg.find(f"{SVG}title").text == "Needs" and svg.find(f"{SVG}desc").text == "Gaps"


def test_a_missing_value_is_a_labelled_gap_never_a_zero_bar():
    svg = bars()
    assert len(svg.findall(f".//{SVG}rect")) == 1
    assert any(t.get("class") == "missing" and "hidden" in "".join(t.itertext()) for t in texts(svg))


def test_left_to_right_bars_grow_from_the_left_edge_with_labels_starting_there():
    svg = bars()
    rect = svg.find(f".//{SVG}rect")
    assert float(rect.get("x")) == 12
    label = texts(svg)[0]
    assert label.get("text-anchor") == "start" and label.get("direction") is None


def test_right_to_left_bars_grow_from_the_right_edge_and_text_runs_right_to_left():
    svg = bars(Writing(rtl=True))
    rect = svg.find(f".//{SVG}rect")
    assert abs(float(rect.get("x")) + float(rect.get("width")) - (WIDTH - 12)) < 0.1
    assert svg.get("direction") == "rtl"
    label = texts(svg)[0]
    # Under direction="rtl" an SVG "start" anchor is the right-hand end: the label grows leftwards.
    assert label.get("direction") == "rtl" and label.get("text-anchor") == "start"
    assert float(label.get("x")) == WIDTH - 12


def test_for_a_renderer_without_bidi_text_comes_in_visual_order_with_physical_anchors():
    svg = bars(Writing(rtl=True, visual_order=lambda line: line[::-1]))
    assert svg.get("direction") is None
    label = texts(svg)[0]
    assert label.get("direction") is None and label.get("text-anchor") == "end"
    assert "".join(label.itertext()) == "egaugnal a gninraeL"


def test_labels_are_escaped():
    svg = radar_chart(["<b>A</b>", "B & C", "D"], [RadarSeries("x", [10, 20, 30])],
                      title="t", description="d", id_prefix="r")
    assert "<b>" not in str(svg) and "&lt;b&gt;" in str(svg) and "B &amp; C" in str(svg)


def test_a_radar_leaves_a_gap_where_a_value_is_hidden():
    svg = parse(radar_chart(["A", "B", "C", "D"], [RadarSeries("x", [50, None, 50, 50])],
                            title="t", description="d", id_prefix="r", missing_label="hidden"))
    assert svg.find(f".//{SVG}polygon[@class='area']") is None  # no closed shape through a zero
    assert any("hidden" in "".join(t.itertext()) for t in texts(svg))
    markers = [m for m in svg.iter() if re.search(r"\bmarker\b", m.get("class") or "")]
    assert len(markers) == 3


def scale_positions(svg: ET.Element) -> dict[str, float]:
    return {"".join(t.itertext()): float(t.get("x")) for t in texts(svg) if t.get("class") == "scale-label"}


def test_a_comparison_has_a_scale_from_0_to_100_that_mirrors_right_to_left():
    rows = [ComparisonRow("Needs", 40, 60)]

    def chart(writing: Writing) -> ET.Element:
        return parse(comparison_chart(rows, series_names=("2026", "2025"), title="t", description="d",
                                      id_prefix="c", writing=writing))

    left_to_right, right_to_left = scale_positions(chart(LTR)), scale_positions(chart(Writing(rtl=True)))
    assert list(left_to_right) == ["0", "25", "50", "75", "100"]
    assert left_to_right["0"] < left_to_right["50"] < left_to_right["100"]
    assert right_to_left["0"] > right_to_left["50"] > right_to_left["100"]
    # The dot for 40 stands where the scale says 40 is.
    dot = chart(LTR).findall(f".//{SVG}circle")[-1]  # the first series' marker (after the legend's)
    at_40 = left_to_right["0"] + 0.4 * (left_to_right["100"] - left_to_right["0"])
    assert abs(float(dot.get("cx")) - at_40) < 0.5


def test_a_legend_says_what_the_highlighted_colour_means_and_sits_above_the_bars():
    svg = parse(bar_chart([Bar("Reading with my children", 6.2, highlight=True), Bar("Computers", 3.1)],
                          title="Needs", description="Priority", id_prefix="t",
                          legend=("Important and far from met", "The other needs")))
    legend = svg.find(f".//{SVG}g[@class='legend']")
    swatches = legend.findall(f"{SVG}rect")
    bars_drawn = [r for r in svg.findall(f".//{SVG}rect") if (r.get("class") or "").startswith("bar")]
    assert [s.get("fill") for s in swatches] == [bars_drawn[0].get("fill"), bars_drawn[1].get("fill")]
    assert ["".join(t.itertext()) for t in legend.findall(f"{SVG}text")] == ["Important and far from met",
                                                                               "The other needs"]
    assert max(float(s.get("y")) for s in swatches) < min(float(b.get("y")) for b in bars_drawn)
