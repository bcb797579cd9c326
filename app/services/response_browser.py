"""Reading a round's responses one by one on a page, for its coordinators.

The rows are exactly those of the responses export (app.services.response_export.shown_rows),
so the browser can show nothing the CSV does not: groups the report hides are left out, answers
to questions it hides for a group are blank, free text shows only where the respondent allowed
quoting, and a response is known by its number in the list and the day it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.report import UNASSIGNED
from app.models import Round
from app.services.response_export import WITHHELD, shown_rows

PER_PAGE = 20


@dataclass(frozen=True)
class BrowsedResponse:
    number: int
    group: str  # the group's key (UNASSIGNED: answered through the link for everyone)
    language: str
    submitted_on: str
    cells: dict[str, object]  # export column -> value ("" when blank)


@dataclass(frozen=True)
class BrowsedPage:
    responses: list[BrowsedResponse]
    matching: int  # how many responses the filters let through, on every page
    page: int
    pages: int
    groups: list[str]  # the group keys present, for the filter
    languages: list[str]


def browse(survey_round: Round, group: str | None = None, language: str | None = None,
           page: int = 1) -> BrowsedPage:
    """One page of the shown responses, in the export's order, filtered by group and language.
    The rows stream by; only the page's own are kept, so a round of any size pages in the same
    memory."""
    page = max(page, 1)
    kept, matching, groups, languages, names = _one_page(survey_round, group, language, page)
    pages = max(1, -(-matching // PER_PAGE))
    if page > pages:  # past the end (an old link, a changed filter): the last page
        page = pages
        kept, matching, groups, languages, names = _one_page(survey_round, group, language, page)
    shown = [BrowsedResponse(int(row[0]), str(row[1]), str(row[2]), str(row[3]), dict(zip(names, row[4:])))
             for row in kept]
    ordered_groups = sorted(groups, key=lambda key: (key == UNASSIGNED, key))
    return BrowsedPage(shown, matching, page, pages, ordered_groups, sorted(languages))


def _one_page(survey_round: Round, group: str | None, language: str | None, page: int):
    header, rows = shown_rows(survey_round.id)
    first, last = (page - 1) * PER_PAGE, page * PER_PAGE
    kept: list[list[object]] = []
    matching, groups, languages = 0, set(), set()
    for row in rows:
        groups.add(str(row[1]))
        languages.add(str(row[2]))
        if (group is None or row[1] == group) and (language is None or row[2] == language):
            if first <= matching < last:
                kept.append(row)
            matching += 1
    return kept, matching, groups, languages, header[4:]


__all__ = ["WITHHELD", "browse", "BrowsedPage", "BrowsedResponse", "PER_PAGE"]
