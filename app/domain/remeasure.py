"""Did it help? Each action against a need, measured again in the next round of the same survey.

An action names the needs it answers (importance/current questions) and the groups it is for
(none: everyone). For each need and group, the gap between how important the need is and how
well it is met is read from the round the action answered ("then") and from a later round of
the same survey ("now"). The change now - then is negative when the gap closed.

Whether a change is beyond chance is judged as every comparison in the report is
(report_maths.change, then beyond_chance over all the rows of the section together), so that a
page listing many actions does not name one by luck. Only figures the reports show are used
(a figure a release holds back, as its round's earlier release showed it): a figure hidden in
either report to protect a small group is "not measured", never worked out. A question reworded between the rounds (another signature) is not compared either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.report_maths import Difference, beyond_chance, change
from app.domain.report_model import EVERYONE, Need, ReportFigures

# What a re-measured need says, in words chosen by the page.
CLOSED = "closed"  # the gap is smaller, beyond chance
WIDENED = "widened"  # the gap is larger, beyond chance
NO_CHANGE = "no_change"  # both measured; no change beyond chance
NOT_MEASURED = "not_measured"  # hidden, not answered, or asked differently in one of the rounds


@dataclass(frozen=True)
class ActionAim:
    """What an action aims at, as the re-measure needs it: its id, needs and groups (keys)."""

    action_id: int
    needs: tuple[str, ...]
    groups: tuple[str, ...]  # empty: everyone


@dataclass(frozen=True)
class Remeasured:
    """One need of one action for one group (EVERYONE for an action for everyone), then and now."""

    action_id: int
    need: str
    group: str
    then: Need | None
    now: Need | None
    change: Difference | None  # now - then, of the gap; None unless both are shown
    beyond_chance: bool = False

    @property
    def verdict(self) -> str:
        if self.change is None:
            return NOT_MEASURED
        if not self.beyond_chance:
            return NO_CHANGE
        return CLOSED if self.change.value < 0 else WIDENED


def remeasure(then: ReportFigures, now: ReportFigures, aims: Sequence[ActionAim]) -> list[Remeasured]:
    """Every (action, need, group) the actions aim at, with its gap in both reports, judged
    together. Rows for one need and group that several actions share are judged once each
    (the same difference counted twice would weigh double in the false discovery rate)."""
    rows = [_row(then, now, aim.action_id, need, group)
            for aim in aims for need in aim.needs for group in (aim.groups or (EVERYONE,))]
    distinct: dict[tuple[str, str], Difference | None] = {}
    for row in rows:
        distinct.setdefault((row.need, row.group), row.change)
    verdicts = dict(zip(distinct, beyond_chance(list(distinct.values())), strict=True))
    return [replace(row, beyond_chance=verdicts[(row.need, row.group)]) if row.change is not None else row
            for row in rows]


def _row(then: ReportFigures, now: ReportFigures, action_id: int, need: str, group: str) -> Remeasured:
    before, after = _need(then, need, group), _need(now, need, group)
    if not _asked_alike(then, now, need):
        before = after = None
    moved = change(after.gap, after.gap_se, before.gap, before.gap_se) if before and after else None
    return Remeasured(action_id, need, group, before, after, moved)


def _need(report: ReportFigures, need: str, group: str) -> Need | None:
    """The need as the report shows it, or as an earlier release of its round did where this
    one holds it back (the release rule: a few answers since then)."""
    section = report.section(group)
    return section.need_as_released(need)[0] if section is not None else None


def _asked_alike(then: ReportFigures, now: ReportFigures, need: str) -> bool:
    """The same question in both rounds: a reworded one might move by its words alone."""
    before, after = then.item(need), now.item(need)
    return before is not None and after is not None and before.signature == after.signature
