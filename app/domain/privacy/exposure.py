"""What a reader can obtain from a report, for the rules that judge it.

The report (app.domain.report_model) is made with every rule of this package applied. Two
readers need more than the figures it shows: the release rule, which judges a new release
against the earlier ones by what each lets a reader see (release_views), and the responses
export, whose rows must not give back what the report hides (exported_groups,
questions_shown_by_group).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.domain.privacy.cells import is_publishable, suppress
from app.domain.privacy.families import Figure, figure_families
from app.domain.privacy.releases import RESPONDENTS, FigureView, figure_id
from app.domain.report_model import SCORED_TYPES, WRITTEN_TYPES, ItemInfo, ReportFigures, Section, Words


def release_views(report: ReportFigures) -> tuple[frozenset[str], dict[Figure, FigureView]]:
    """The groups a report lists, and what it lets a reader see of each figure: the groups
    whose figure it shows (an empty one included), and whether everyone's figure is shown as
    the total over every group. Everyone's word counts and quotes are the shown groups' only,
    so they add nothing (total False). RESPONDENTS: the sections whose figures are not all
    withheld (privacy.releases)."""
    groups = frozenset(g.key for g in report.groups)
    sections = {s.key: s for s in report.group_sections()}
    everyone = report.everyone
    written = [i.key for i in report.items if i.type in WRITTEN_TYPES]
    figures: set[Figure] = {("item", i.key) for i in report.items if i.type != "text"} | {RESPONDENTS}
    figures |= {("criterion", c) for c in report.criteria} | {("quotes", key) for key in written}
    figures |= {("text", question, language) for s in sections.values()
                for question, words in s.text.items() for language in words.languages}
    views = {}
    for figure in figures:
        if figure[0] == "text":
            shown = frozenset(key for key, s in sections.items() if _words(s, figure[1], figure[2]) is not None)
            views[figure] = FigureView(shown, total=False)
            continue
        name = figure_id(figure)
        shown = frozenset(key for key, s in sections.items() if name not in s.hidden)
        views[figure] = FigureView(shown, total=figure[0] != "quotes" and everyone is not None
                                   and name not in everyone.hidden)
    return groups, views


def _words(section: Section, question: str, language: str) -> Words | None:
    written = section.text.get(question)
    return written.languages.get(language) if written else None


def release_families(figures: Iterable[Figure], items: Iterable[ItemInfo]) -> list[list[Figure]]:
    """The figures a release withholds together: a criterion with its scored items (see
    privacy.families), every other figure alone."""
    criterion_of = {i.key: i.criterion for i in items if i.criterion and i.type in SCORED_TYPES}
    return figure_families(figures, criterion_of)


# -- the responses export ------------------------------------------------------------------------


def exported_groups(counts: Mapping[str, int], k: int, report: ReportFigures | None) -> set[str]:
    """The groups whose responses may leave (keys, from their complete responses per group):
    those the latest report (None before the first) shows and a report made now would show too.

    Decided as the report decides (the same rule, the same group keys, so ties fall the same
    way), and a group the latest report hides stays out even when its count has grown since:
    everyone's figures in that report minus the groups it shows would otherwise be the rows of
    the group it hid as a complement plus the small one it protects.
    """
    if not is_publishable(sum(counts.values()), k):
        return set()
    hidden = suppress(dict(counts), k) | hidden_groups(report)
    return {key for key in counts if key not in hidden}


def hidden_groups(report: ReportFigures | None) -> frozenset[str]:
    """The keys of the groups a report hides (none without a report)."""
    if report is None:
        return frozenset()
    return frozenset(group.key for group in report.groups if group.suppressed)


def questions_shown_by_group(report: ReportFigures | None) -> dict[str, frozenset[str]] | None:
    """Per group a report shows, the questions it shows figures of (None without a report). A
    question hidden for a shown group (few answered it, or it is the complement of another
    group's) is left blank in that group's rows: else everyone's figure in the report less the
    exported rows would be the hidden groups' answers to it."""
    if report is None:
        return None
    return {section.key: frozenset([*section.items, *(need.item for need in section.needs), *section.choices])
            for section in report.group_sections()}
