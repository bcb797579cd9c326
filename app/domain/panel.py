"""A named panel's ratings side by side: each rater's answer, the panel's median and spread.

A named panel is a coordinating team or a few partner representatives who rate their community
together (the health check, the UNESCO self-assessment). They act for their organisations, not
as private citizens, are invited by name and told their answers are attributed: so k does not
apply, and the report shows every rater's rating beside the others'. The panel's figure for a
question is the median of its raters' points (robust with two to four raters, where a mean is
pulled by one), with the spread from the lowest to the highest; a criterion's, the median of
the raters' criterion scores (each the mean of their points on its questions, 0 to 100, as in
every report).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.report_maths import rescale
from app.domain.report_model import Panel, PanelFigure, PanelRater

SCALE_TYPES = frozenset({"agreement", "importance_current"})


@dataclass(frozen=True)
class Rater:
    """One rater's answers, by question key: a point (None: "don't know"), an (importance,
    current) pair, an option key, a set of option keys, a number or a text."""

    name: str
    group: str | None
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class ScaleItem:
    key: str
    type: str
    criterion: str | None
    points: int | None  # scale length of scale questions


def panel_figures(raters: Sequence[Rater], items: Sequence[ScaleItem]) -> Panel:
    """The report's panel: the raters in order, every answer by question, and per scale
    question and criterion each rater's figure with the panel's median and spread."""
    ordered = sorted(raters, key=lambda r: r.name.casefold())
    answers: dict[str, list[Any]] = {}
    figures: dict[str, PanelFigure] = {}
    for item in items:
        given = [_plain(r.answers.get(item.key)) for r in ordered]
        if any(answer is not None for answer in given):
            answers[item.key] = given
        points = [_point(r.answers.get(item.key), item) for r in ordered]
        if item.points and item.type in SCALE_TYPES:
            figures[item.key] = _summary(points)
    criteria: dict[str, PanelFigure] = {}
    for criterion in dict.fromkeys(i.criterion for i in items if i.criterion and i.type in SCALE_TYPES and i.points):
        scored = [i for i in items if i.criterion == criterion and i.type in SCALE_TYPES and i.points]
        criteria[criterion] = _summary([_score(rater, scored) for rater in ordered])  # type: ignore[arg-type]
    return Panel(tuple(PanelRater(r.name, r.group) for r in ordered), answers, figures, criteria)


def _point(answer: Any, item: ScaleItem) -> float | None:
    """A scale answer as a point: an importance/current pair by how well it is met (as in a
    criterion), when both halves were given."""
    if item.type == "importance_current":
        if not isinstance(answer, tuple | list) or answer[0] is None:
            return None
        return answer[1]
    return answer if isinstance(answer, int | float) and not isinstance(answer, bool) else None


def _score(rater: Rater, items: Sequence[ScaleItem]) -> float | None:
    """A rater's criterion score: the mean of their points on its questions, each 0 to 100."""
    rescaled = [rescale(point, item.points) for item in items  # type: ignore[arg-type]
                if (point := _point(rater.answers.get(item.key), item)) is not None]
    return statistics.fmean(rescaled) if rescaled else None


def _summary(values: Sequence[float | None]) -> PanelFigure:
    given = [v for v in values if v is not None]
    return PanelFigure(tuple(values), len(given), statistics.median(given) if given else None,
                       min(given) if given else None, max(given) if given else None)


def _plain(answer: Any) -> Any:
    """An answer as JSON keeps it: sets as sorted lists."""
    if isinstance(answer, frozenset | set):
        return sorted(answer)
    if isinstance(answer, tuple):
        return list(answer)
    return answer
