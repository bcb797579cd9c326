"""Server-rendered SVG charts for the reports: a radar, bars with intervals, a dot comparison.

Each chart is a self-contained <svg> with role="img", a <title> and a <desc> (its text
alternative; pages put the data table beside it), a viewBox and no fixed size, so it scales to
a phone's width and prints. Series differ by marker shape and dash pattern as well as by CSS
class, so they read in black and white. Right-to-left pages get mirrored charts: bars grow from
the right, labels sit on the right, the radar turns counter-clockwise. Every label is escaped.
A missing value (hidden for privacy, or nobody answered) is drawn as a gap with a label, never
as zero. How text is written in each direction, and for renderers without bidirectional
text (the PDF), is the job of `Writing`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 380
FONT = 12
MIN_FONT = 8  # the smallest a label is set to make a long word fit
CHAR_WIDTH = 0.62  # an average letter's width, in ems, of the sans-serif fonts charts meet
LINE = 15
MAX_LINES = 3
CHARS_PER_LINE_WIDE = 52
# Six series tell apart by colour, marker and dash together (a city with six learning
# communities, a round with six groups); beyond six they repeat.
SERIES_DASH = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 2")
SERIES_MARKER = ("circle", "square", "diamond", "triangle", "square", "circle")
SERIES_COLOUR = ("#1f5fa8", "#b54708", "#2e7d32", "#6a3d9a", "#00767a", "#8a1c4a")


@dataclass(frozen=True)
class RadarSeries:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    note: str = ""
    highlight: bool = False


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    a: float | None
    b: float | None
    note: str = ""


# -- shared pieces ------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _clip(value: float, maximum: float) -> float:
    return min(max(value, 0.0), maximum)


@dataclass(frozen=True)
class Writing:
    """Which way a chart reads, and how its text reaches the renderer.

    Browsers lay out SVG text with the bidirectional algorithm, so a right-to-left chart only
    sets direction="rtl". Renderers that draw SVG text letter by letter (WeasyPrint, for the
    PDF) need the text already in visual order and shaped: `visual_order` does that, and the
    anchors then become physical.
    """

    rtl: bool = False
    visual_order: Callable[[str], str] | None = None

    @property
    def logical_rtl(self) -> bool:
        return self.rtl and self.visual_order is None

    def anchor(self, grows: str) -> str:
        """The text-anchor that makes text grow to the "right" or "left" of x, or sit in the
        "middle". Under direction="rtl", "start" is the right-hand end of the text."""
        if grows == "middle":
            return "middle"
        return "start" if (grows == "right") != self.logical_rtl else "end"

    @property
    def leading(self) -> str:
        """The anchor of text that starts a row: at the left edge, or the right edge when rtl."""
        return self.anchor("left" if self.rtl else "right")

    def direction(self) -> str:
        return ' direction="rtl"' if self.logical_rtl else ""

    def shown(self, line: str) -> str:
        return self.visual_order(line) if self.visual_order else line


LTR = Writing()


SCALE_STEPS = 4  # a scale line at 0, 25, 50, 75 and 100 (of a maximum of 100)


def _scale(x: Callable[[float], float], top: float, bottom: float, maximum: float, writing: Writing) -> list[str]:
    """Faint lines across the rows at even steps of the scale, numbered below them: without a
    scale, two dots only say which is higher, not where on 0 to 100 either stands."""
    parts = []
    for step in range(SCALE_STEPS + 1):
        value = maximum * step / SCALE_STEPS
        at = _n(x(value))
        parts.append(f'<line class="scale" x1="{at}" y1="{_n(top)}" x2="{at}" y2="{_n(bottom)}" stroke="#eee" '
                     'stroke-width="1"/>')
        parts.append(f'<text class="scale-label" x="{at}" y="{_n(bottom + 11)}" text-anchor="middle" '
                     f'font-size="10" fill="#555">{escape(writing.shown(_n(value)))}</text>')
    return parts


def _svg(kind: str, id_prefix: str, title: str, description: str, height: float, body: list[str],
         writing: Writing) -> Markup:
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    direction = writing.direction()
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" font-family="sans-serif" font-size="{FONT}"'
        f'{direction}><title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def wrap(label: str, chars: int, max_lines: int = MAX_LINES) -> list[str]:
    """A label in at most `max_lines` lines of about `chars` characters, cut with … beyond."""
    lines: list[str] = []
    current = ""
    for word in label.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= chars or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, chars - 1)].rstrip() + "…"
    return [line if len(line) <= chars + 8 else line[: chars + 7] + "…" for line in lines] or [""]


def _text(x: float, y: float, label: str, anchor: str, chars: int, writing: Writing, css: str = "label",
          size: float | None = None) -> tuple[str, int]:
    lines = wrap(label, chars)
    font_size = f' font-size="{_n(size)}"' if size else ""
    full = f"<title>{escape(label)}</title>" if len(lines) > 1 or "…" in "".join(lines) else ""
    spans = "".join(
        f'<tspan x="{_n(x)}" dy="{0 if i == 0 else LINE}">{escape(writing.shown(line))}</tspan>'
        for i, line in enumerate(lines)
    )
    return (f'<text class="{css}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="#222"{font_size}'
            f'{writing.direction()}>{full}{spans}</text>', len(lines))


def _marker(index: int, x: float, y: float, size: float = 4.5) -> str:
    shape = SERIES_MARKER[index % len(SERIES_MARKER)]
    colour = SERIES_COLOUR[index % len(SERIES_COLOUR)]
    css = f'class="marker series-{index}" fill="{colour}" stroke="#fff" stroke-width="1"'
    if shape == "circle":
        return f'<circle {css} cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}"/>'
    if shape == "square":
        return f'<rect {css} x="{_n(x - size)}" y="{_n(y - size)}" width="{_n(2 * size)}" height="{_n(2 * size)}"/>'
    if shape == "diamond":
        points = f"{_n(x)},{_n(y - size - 1)} {_n(x + size + 1)},{_n(y)} {_n(x)},{_n(y + size + 1)} {_n(x - size - 1)},{_n(y)}"
        return f'<polygon {css} points="{points}"/>'
    points = f"{_n(x)},{_n(y - size - 1)} {_n(x + size + 1)},{_n(y + size)} {_n(x - size - 1)},{_n(y + size)}"
    return f'<polygon {css} points="{points}"/>'


def _legend(names: Sequence[str], y: float, writing: Writing) -> tuple[list[str], float]:
    rtl = writing.rtl
    body = ['<g class="legend">']
    for index, name in enumerate(names):
        row_y = y + index * (LINE + 4)
        x = WIDTH - 16 if rtl else 16
        text_x = WIDTH - 30 if rtl else 30
        dash = SERIES_DASH[index % len(SERIES_DASH)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        line_x1, line_x2 = (x + 8, x - 8) if rtl else (x - 8, x + 8)
        body.append(f'<line class="series-{index}" x1="{_n(line_x1)}" y1="{_n(row_y)}" x2="{_n(line_x2)}" '
                    f'y2="{_n(row_y)}" stroke="{SERIES_COLOUR[index % len(SERIES_COLOUR)]}" stroke-width="2"'
                    f"{dash_attr}/>")
        body.append(_marker(index, x, row_y))
        text, _ = _text(text_x, row_y + 4, name, writing.leading, 48, writing)
        body.append(text)
    body.append("</g>")
    return body, len(names) * (LINE + 4)


# -- radar --------------------------------------------------------------------------------------


def radar_chart(axes: Sequence[str], series: Sequence[RadarSeries], *, title: str, description: str,
                id_prefix: str, writing: Writing = LTR, maximum: float = 100,
                rings: Sequence[float] = (25, 50, 75, 100), missing_label: str = "n/a") -> Markup:
    """One axis per criterion, the first at the top, clockwise (counter-clockwise when rtl)."""
    rtl = writing.rtl
    count = len(axes)
    radius = _radar_radius(92 if count > 12 else 100, axes)
    label_room = 64
    cx = WIDTH / 2
    cy = radius + label_room - 10
    direction = -1 if rtl else 1

    def point(index: int, value: float) -> tuple[float, float]:
        angle = direction * 2 * math.pi * index / count
        r = radius * _clip(value, maximum) / maximum
        return cx + r * math.sin(angle), cy - r * math.cos(angle)

    body = ['<g class="grid" fill="none" stroke="#bbb" stroke-width="0.7">']
    for ring in rings:
        ring_points = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, ring) for i in range(count)))
        body.append(f'<polygon class="ring" points="{ring_points}"/>')
    for index in range(count):
        x, y = point(index, maximum)
        body.append(f'<line class="spoke" x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}"/>')
    body.append("</g>")
    for ring in rings:
        body.append(f'<text class="ring-value" x="{_n(cx + 3)}" y="{_n(cy - radius * ring / maximum - 2)}" '
                    f'font-size="9" fill="#666">{escape(_n(ring))}</text>')
    for index, values in enumerate(series):
        body.extend(_radar_series(index, values.values, point, count))
    for index, label in enumerate(axes):
        missing = all(index >= len(s.values) or s.values[index] is None for s in series)
        body.append(_axis_label(index, label + (f" ({missing_label})" if missing else ""), point, cx, writing))
    height = cy + radius + label_room - 20
    if len(series) > 1:
        legend, legend_height = _legend([s.name for s in series], height, writing)
        body.extend(legend)
        height += legend_height + 6
    return _svg("radar", id_prefix, title, description, height, body, writing)


SMALLEST_RADAR = 78


def _radar_radius(largest: float, axes: Sequence[str]) -> float:
    """The radar's radius: smaller (down to SMALLEST_RADAR) when the longest word of a label
    beside the radar needs more room than it leaves; _axis_label sets what still does not fit
    smaller. Labels above and below the radar have the chart's whole width."""
    radius = largest
    for index, label in enumerate(axes):
        across = abs(math.sin(2 * math.pi * index / len(axes)))
        if across < 0.1:
            continue
        needed = max(len(word) for word in label.split() or [""]) * FONT * CHAR_WIDTH
        # _axis_label sets a label 10 beyond the axis end and leaves 2 at the chart's edge.
        radius = min(radius, (WIDTH / 2 - 2 - needed) / across - 10)
    return max(SMALLEST_RADAR, radius)


def _radar_series(index: int, values: Sequence[float | None], point, count: int) -> list[str]:
    colour = SERIES_COLOUR[index % len(SERIES_COLOUR)]
    dash = SERIES_DASH[index % len(SERIES_DASH)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    fill = f'fill="{colour}" fill-opacity="0.15"' if index == 0 else 'fill="none"'
    present = [(i, v) for i, v in enumerate(values) if v is not None and i < count]
    body = [f'<g class="series series-{index}">']
    if len(present) == count:
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, v) for i, v in present))
        body.append(f'<polygon class="area" points="{points}" {fill} stroke="{colour}" stroke-width="2"{dash_attr}/>')
    else:  # a gap where a value is missing: lines only between neighbours that both have one
        runs: list[list[tuple[float, float]]] = []
        for i in range(count):
            value = values[i] if i < len(values) else None
            if value is None:
                runs.append([])
                continue
            if not runs:
                runs.append([])
            runs[-1].append(point(i, value))
        if count and values and values[0] is not None and len(values) >= count and values[count - 1] is not None \
                and len(runs) > 1:
            runs[0] = runs[-1] + runs[0]
            runs.pop()
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                body.append(f'<polyline class="line" points="{coords}" fill="none" stroke="{colour}" '
                            f'stroke-width="2"{dash_attr}/>')
    body.extend(_marker(index, *point(i, v), size=3.5) for i, v in present)
    body.append("</g>")
    return body


def _axis_label(index: int, label: str, point, cx: float, writing: Writing) -> str:
    x, y = point(index, 100)
    dx, dy = x - cx, y - point(index, 0)[1]
    distance = math.hypot(dx, dy) or 1
    lx, ly = x + 10 * dx / distance, y + 10 * dy / distance + 4
    if abs(dx) < 8:
        anchor = "middle"
        ly += -6 if dy < 0 else 8
    else:
        anchor = "right" if dx > 0 else "left"
    room = (WIDTH - lx - 2) if anchor == "right" else (lx - 2) if anchor == "left" else WIDTH
    size = FONT
    chars = max(6, min(18, int(room / (size * CHAR_WIDTH))))
    # A word longer than the room (Διαφορετικότητα, Partnerschappen) cannot wrap: the label is
    # set smaller instead, or it would run off the chart's edge.
    longest = max((len(word) for word in label.split()), default=0)
    if longest > chars:
        size = max(MIN_FONT, room / (longest * CHAR_WIDTH))
        chars = max(chars, int(room / (size * CHAR_WIDTH)))
    lines = wrap(label, chars)
    if dy < 0 and len(lines) > 1 and anchor == "middle":
        ly -= LINE * (len(lines) - 1)
    text, _ = _text(lx, ly, label, writing.anchor(anchor), chars, writing, css="axis-label",
                    size=None if size == FONT else size)
    return text


# -- bars ---------------------------------------------------------------------------------------


BAR_COLOUR, HIGHLIGHT_COLOUR = "#1f5fa8", "#b54708"


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, id_prefix: str, writing: Writing = LTR,
              maximum: float = 100, missing_label: str = "n/a",
              value_format: Callable[[float], str] = lambda v: f"{v:.0f}",
              legend: tuple[str, str] | None = None) -> Markup:
    """One horizontal bar per row, its label above it, the value (and note) at its end.
    `legend`: what a highlighted bar means and what the others are, drawn above the bars."""
    rtl = writing.rtl
    left, right = 12, WIDTH - 92
    span = right - left
    body = []
    y = 8.0
    if legend:
        key, height = _swatch_legend(legend, y, writing)
        body += key
        y += height + 6
    for bar in bars:
        label, lines = _text(WIDTH - left if rtl else left, y + FONT, bar.label, writing.leading,
                             CHARS_PER_LINE_WIDE, writing)
        body.append(label)
        y += lines * LINE + 2
        css = "bar highlight" if bar.highlight else "bar"
        if bar.value is None:
            body.append(_text(WIDTH - left if rtl else left, y + 11, missing_label, writing.leading, 40,
                              writing, css="missing")[0])
        else:
            length = span * _clip(bar.value, maximum) / maximum
            x = WIDTH - left - length if rtl else left
            colour = HIGHLIGHT_COLOUR if bar.highlight else BAR_COLOUR
            body.append(f'<rect class="{css}" x="{_n(x)}" y="{_n(y)}" width="{_n(length)}" height="14" '
                        f'fill="{colour}"/>')
            if bar.low is not None and bar.high is not None:
                body.append(_whisker(bar.low, bar.high, y + 7, left, span, maximum, rtl))
            reach = max(length, span * _clip(bar.high, maximum) / maximum if bar.high is not None else 0)
            end = WIDTH - left - reach - 5 if rtl else left + reach + 5
            value = value_format(bar.value) + (f" · {bar.note}" if bar.note else "")  # "4.9 · 165 people"
            body.append(f'<text class="value" x="{_n(end)}" y="{_n(y + 11)}" text-anchor="{writing.leading}" '
                        f'fill="#222"{writing.direction()}>{escape(writing.shown(value))}</text>')
        y += 14 + 12
    return _svg("bars", id_prefix, title, description, y, body, writing)


def _swatch_legend(meanings: tuple[str, str], y: float, writing: Writing) -> tuple[list[str], float]:
    """Two swatches and their meanings: the highlighted bars', then the others'."""
    rtl = writing.rtl
    body = ['<g class="legend">']
    for index, (colour, meaning) in enumerate(zip((HIGHLIGHT_COLOUR, BAR_COLOUR), meanings)):
        row_y = y + index * (LINE + 4)
        x = WIDTH - 26 if rtl else 12
        body.append(f'<rect x="{_n(x)}" y="{_n(row_y)}" width="14" height="10" fill="{colour}"/>')
        text, _ = _text(WIDTH - 32 if rtl else 32, row_y + 9, meaning, writing.leading, 48, writing)
        body.append(text)
    body.append("</g>")
    return body, 2 * (LINE + 4)


def _whisker(low: float, high: float, y: float, left: float, span: float, maximum: float, rtl: bool) -> str:
    def x(value: float) -> float:
        offset = span * _clip(value, maximum) / maximum
        return WIDTH - left - offset if rtl else left + offset

    x1, x2 = x(low), x(high)
    return (f'<g class="interval" stroke="#222" stroke-width="1.2"><line x1="{_n(x1)}" y1="{_n(y)}" x2="{_n(x2)}" '
            f'y2="{_n(y)}"/><line x1="{_n(x1)}" y1="{_n(y - 4)}" x2="{_n(x1)}" y2="{_n(y + 4)}"/>'
            f'<line x1="{_n(x2)}" y1="{_n(y - 4)}" x2="{_n(x2)}" y2="{_n(y + 4)}"/></g>')


# -- comparison ---------------------------------------------------------------------------------


def comparison_chart(rows: Sequence[ComparisonRow], *, series_names: tuple[str, str], title: str,
                     description: str, id_prefix: str, writing: Writing = LTR, maximum: float = 100,
                     missing_label: str = "n/a") -> Markup:
    """A dot per side on one line per row (a dumbbell): where two sets of people stand."""
    rtl = writing.rtl
    left, right = 16, WIDTH - 16
    span = right - left

    def x(value: float) -> float:
        offset = span * _clip(value, maximum) / maximum
        return right - offset if rtl else left + offset

    body, y = _legend(series_names, 12, writing)
    y += 14
    top = y
    rows_body: list[str] = []
    for row in rows:
        label = row.label + (f" ({row.note})" if row.note else "")
        text, lines = _text(right if rtl else left, y + FONT, label, writing.leading,
                            CHARS_PER_LINE_WIDE, writing)
        rows_body.append(text)
        y += lines * LINE + 6
        rows_body.append(f'<line class="track" x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" stroke="#ddd" '
                         'stroke-width="1"/>')
        if row.a is not None and row.b is not None:
            rows_body.append(f'<line class="between" x1="{_n(x(row.a))}" y1="{_n(y)}" x2="{_n(x(row.b))}" '
                             f'y2="{_n(y)}" stroke="#888" stroke-width="3"/>')
        for index, value in enumerate((row.a, row.b)):
            if value is not None:
                rows_body.append(_marker(index, x(value), y, size=5))
        if row.a is None or row.b is None:
            rows_body.append(_text(x(maximum / 2), y - 4, missing_label, "middle", 30, writing, css="missing")[0])
        y += 18
    body += _scale(x, top, y, maximum, writing) + rows_body
    y += 16
    return _svg("comparison", id_prefix, title, description, y, body, writing)
