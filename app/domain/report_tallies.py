"""The running sums a round's report is made from, kept from one build to the next.

Everything a report says follows from sufficient statistics that simply add up: respondents
per group, counts and sums per answer cell, moments of per-respondent criterion scores,
respondents per multiple choice, term counts, the latest quotes. So a build need not read
every answer of a round again: the builder (app/services/report_build.py) keeps the Tallies
of the responses it has counted and adds to them the tallies of the responses completed since.
The tallies of two sets of responses, added, are the tallies of both together, exactly (the
tests prove it): that addition and the tallies' JSON form live here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.report import QUOTES_PER_QUESTION, Cell, GroupMeta, GroupText, ItemMeta, ReportInputs
from app.domain.report_maths import Moments
from app.domain.text_terms import TermCounter

# Bump when what is tallied, or how, changes: tallies kept in another format are rebuilt.
# 2: an importance/current pair counts in its criterion only when both halves were given.
TALLY_FORMAT = 2

CellKey = tuple[str, str, str, float | None, float | None]  # group, item, option, value, value2


@dataclass(frozen=True)
class Quote:
    answer_id: int  # the latest answers are the ones kept
    language: str
    text: str


@dataclass
class Tallies:
    """Sums over one set of a round's complete responses, per group key and item key."""

    basis: str  # what the sums were made under (see basis_of); other items, other sums
    respondents: dict[str, int] = field(default_factory=dict)
    cells: dict[CellKey, tuple[int, float | None, float | None]] = field(default_factory=dict)
    criterion_moments: dict[tuple[str, str], Moments] = field(default_factory=dict)
    choice_respondents: dict[tuple[str, str], int] = field(default_factory=dict)
    terms: dict[tuple[str, str], TermCounter] = field(default_factory=dict)
    quotes: dict[tuple[str, str], list[Quote]] = field(default_factory=dict)

    @property
    def respondent_count(self) -> int:
        return sum(self.respondents.values())

    def __add__(self, other: Tallies) -> Tallies:
        if other.basis != self.basis:
            raise ValueError("tallies made under different survey items cannot be added")
        terms = {key: _merged_terms(self.terms.get(key), other.terms.get(key))
                 for key in self.terms.keys() | other.terms.keys()}
        return Tallies(
            basis=self.basis,
            respondents=_added(self.respondents, other.respondents),
            cells={key: _added_cell(self.cells.get(key), other.cells.get(key))
                   for key in self.cells.keys() | other.cells.keys()},
            criterion_moments={
                key: Moments.combine(self.criterion_moments.get(key, Moments(0)),
                                     other.criterion_moments.get(key, Moments(0)))
                for key in self.criterion_moments.keys() | other.criterion_moments.keys()
            },
            choice_respondents=_added(self.choice_respondents, other.choice_respondents),
            terms=terms,
            quotes={key: latest_quotes([*self.quotes.get(key, []), *other.quotes.get(key, [])])
                    for key in self.quotes.keys() | other.quotes.keys()},
        )

    def without(self, leaving: Tallies) -> Tallies:
        """These tallies less those of some of their responses (people who withdrew), exactly
        as if the rest had been counted alone; except for quotes: the leaving responses'
        quotes are dropped, and the caller fills each question's list back up from the
        database (see quotes_lost), as the next latest quotes are not kept here."""
        if leaving.basis != self.basis:
            raise ValueError("tallies made under different survey items cannot be subtracted")
        leaving_answers = {q.answer_id for quotes in leaving.quotes.values() for q in quotes}
        return Tallies(
            basis=self.basis,
            respondents=_less(self.respondents, leaving.respondents),
            cells={key: cell for key, cell in ((key, _less_cell(stats, leaving.cells.get(key)))
                                               for key, stats in self.cells.items()) if cell[0]},
            criterion_moments={key: moments for key, moments in (
                (key, _less_moments(m, leaving.criterion_moments.get(key))) for key, m in self.criterion_moments.items()
            ) if moments.n},
            choice_respondents=_less(self.choice_respondents, leaving.choice_respondents),
            terms={key: rest for key, rest in (
                (key, _less_terms(counter, leaving.terms.get(key))) for key, counter in self.terms.items()
            ) if rest.languages()},
            quotes={key: kept for key, kept in (
                (key, [q for q in quotes if q.answer_id not in leaving_answers]) for key, quotes in self.quotes.items()
            ) if kept},
        )

    def quotes_lost(self, before: Tallies) -> set[tuple[str, str]]:
        """The (group, item) whose quotes these tallies lost against `before` (see without)."""
        return {key for key, quotes in before.quotes.items() if len(self.quotes.get(key, [])) < len(quotes)}

    def inputs(self, items: Sequence[ItemMeta], groups: Sequence[GroupMeta], k: int) -> ReportInputs:
        """What build_report() takes: these sums, with the round's items, groups and k."""
        text: dict[str, GroupText] = {}
        for (group, item), counter in self.terms.items():
            text.setdefault(group, GroupText()).terms[item] = counter
        for (group, item), quotes in self.quotes.items():
            text.setdefault(group, GroupText()).quotes[item] = [(q.language, q.text) for q in quotes]
        return ReportInputs(
            items=items,
            groups=groups,
            respondents=self.respondents,
            cells=[Cell(group, item, count, option, value, value2, total, total_sq)
                   for (group, item, option, value, value2), (count, total, total_sq) in self.cells.items()],
            criterion_moments=self.criterion_moments,
            choice_respondents=self.choice_respondents,
            text=text,
            k=k,
        )

    # -- JSON, to keep the tallies between builds ---------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": TALLY_FORMAT,
            "basis": self.basis,
            "respondents": self.respondents,
            "cells": [[*key, *stats] for key, stats in sorted(self.cells.items(), key=_sort_key)],
            "criterion_moments": [[g, c, m.n, m.total, m.total_sq]
                                  for (g, c), m in sorted(self.criterion_moments.items())],
            "choice_respondents": [[g, i, n] for (g, i), n in sorted(self.choice_respondents.items())],
            "terms": [[g, i, counter.to_json()] for (g, i), counter in sorted(self.terms.items())],
            "quotes": [[g, i, [[q.answer_id, q.language, q.text] for q in quotes]]
                       for (g, i), quotes in sorted(self.quotes.items())],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, basis: str) -> Tallies | None:
        """The kept tallies; None when there are none fit to add to (another format or basis)."""
        if not data or data.get("format") != TALLY_FORMAT or data.get("basis") != basis:
            return None
        return cls(
            basis=basis,
            respondents=dict(data["respondents"]),
            cells={(g, i, o, v, v2): (n, total, total_sq) for g, i, o, v, v2, n, total, total_sq in data["cells"]},
            criterion_moments={(g, c): Moments(n, total, total_sq)
                               for g, c, n, total, total_sq in data["criterion_moments"]},
            choice_respondents={(g, i): n for g, i, n in data["choice_respondents"]},
            terms={(g, i): TermCounter.from_json(counter) for g, i, counter in data["terms"]},
            quotes={(g, i): [Quote(*q) for q in quotes] for g, i, quotes in data["quotes"]},
        )


def basis_of(items: Iterable[ItemMeta]) -> str:
    """A fingerprint of what tallying depends on: the items' keys, types, criteria, scales and
    wording. Tallies made under another basis are not added to, but rebuilt."""
    described = [[i.key, i.type, i.criterion, i.points, i.signature] for i in items]
    return hashlib.sha256(json.dumps([TALLY_FORMAT, described]).encode()).hexdigest()[:24]


def latest_quotes(quotes: Iterable[Quote]) -> list[Quote]:
    """The QUOTES_PER_QUESTION latest distinct quotes, latest first (one text said twice in a
    language is one quote, dated by its latest answer)."""
    latest: dict[tuple[str, str], Quote] = {}
    for quote in quotes:
        kept = latest.get((quote.language, quote.text))
        if kept is None or quote.answer_id > kept.answer_id:
            latest[(quote.language, quote.text)] = quote
    return sorted(latest.values(), key=lambda q: -q.answer_id)[:QUOTES_PER_QUESTION]


def _added(a: Mapping[Any, int], b: Mapping[Any, int]) -> dict[Any, int]:
    return {key: a.get(key, 0) + b.get(key, 0) for key in a.keys() | b.keys()}


def _added_cell(
    a: tuple[int, float | None, float | None] | None, b: tuple[int, float | None, float | None] | None
) -> tuple[int, float | None, float | None]:
    if a is None or b is None:
        return a or b  # type: ignore[return-value]
    return a[0] + b[0], _plus(a[1], b[1]), _plus(a[2], b[2])


def _less(a: Mapping[Any, int], b: Mapping[Any, int]) -> dict[Any, int]:
    """a less b, keys that come to nothing left out (as a count of the rest would have them)."""
    less = {key: n - b.get(key, 0) for key, n in a.items()}
    if any(n < 0 for n in less.values()):
        raise ValueError("cannot take away responses that were not counted")
    return {key: n for key, n in less.items() if n}


def _less_cell(
    a: tuple[int, float | None, float | None], b: tuple[int, float | None, float | None] | None
) -> tuple[int, float | None, float | None]:
    if b is None:
        return a
    if b[0] > a[0]:
        raise ValueError("cannot take away responses that were not counted")
    if b[0] == a[0]:
        return 0, None, None
    return a[0] - b[0], _minus(a[1], b[1]), _minus(a[2], b[2])


def _less_moments(a: Moments, b: Moments | None) -> Moments:
    if b is None:
        return a
    if b.n > a.n:
        raise ValueError("cannot take away responses that were not counted")
    # All of them gone: nothing left, not a float residue of the sums.
    return Moments(a.n - b.n, a.total - b.total, a.total_sq - b.total_sq) if b.n < a.n else Moments(0)


def _less_terms(a: TermCounter, b: TermCounter | None) -> TermCounter:
    rest = _merged_terms(a, None)
    if b is not None:
        rest.remove(b)
    return rest


def _minus(a: float | None, b: float | None) -> float | None:
    return a if b is None else (a or 0.0) - b


def _plus(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return None  # answers with no value (ticked options) have no sums
    return (a or 0.0) + (b or 0.0)


def _merged_terms(a: TermCounter | None, b: TermCounter | None) -> TermCounter:
    merged = TermCounter()
    for counter in (a, b):
        if counter is not None:
            merged.merge(counter)
    return merged


def _sort_key(item: tuple[CellKey, Any]) -> tuple:
    """Cells in a stable order (None sorts first), so equal tallies store equal JSON."""
    return tuple((value is not None, value if value is not None else 0) for value in item[0])
