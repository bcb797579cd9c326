"""The report of a round as typed objects: the one module that writes the stored payload and
reads it back.

app.domain.report builds a ReportFigures from the counts; the services store
`figures.to_payload()` (a JSON-ready dict with PAYLOAD_FORMAT) in snapshots and releases; every
reader (the report pages, the downloads, the responses export, the release rule, the public
results page) reads `ReportFigures.from_payload(stored)` and never a key of the dict. Reading a
payload and writing it again gives the same dict, key for key (tests/unit/test_report_model.py
checks it over every payload the report tests build).

Everything here is already privacy-suppressed when it is made: a figure that is not in a
section is hidden there ("hidden" names why, "held_back" what a release keeps back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union

from app.domain.privacy.families import Figure
from app.domain.privacy.releases import figure_id, figure_of

# Bump when a snapshot gains or changes a figure: snapshots of an older format are built
# again by the next periodic pass (app.services.report_queue.rounds_needing_refresh), and
# releases made again from the sums they kept (app.services.report_releases.refresh_outdated).
# 2: standard errors of scores and gaps ("se", "gap_se"), to compare rounds.
# 3: a group's "significant" differences from everyone judged together (false discovery rate).
# 4: privacy mends: a criterion and its items hide the same complements, and a criterion is
#    hidden where one of its items is small; free text in a language with fewer than k answers
#    is left out.
# 5: releases: each section lists its hidden figures ("hidden"); a group says why it is hidden
#    ("hidden_because"); a comparison with everyone that could not be tested is None, not
#    False; weighted scores say which groups each covers ("covers").
PAYLOAD_FORMAT = 5
EVERYONE = "all"  # the section of all respondents
SCORED_TYPES = frozenset({"agreement", "importance_current"})
WRITTEN_TYPES = frozenset({"text", "multiple_choice"})  # people write: free text, or "something else"

Json = dict[str, Any]


# -- what the report is about ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInfo:
    """One question of the round's survey version, as the report knows it."""

    key: str
    type: str
    role: str
    criterion: str | None
    points: int | None
    options: tuple[str, ...]
    signature: str  # equal signatures: the same question, so rounds may be compared

    def to_payload(self) -> Json:
        return {"key": self.key, "type": self.type, "role": self.role, "criterion": self.criterion,
                "points": self.points, "options": list(self.options), "signature": self.signature}

    @classmethod
    def from_payload(cls, data: Json) -> ItemInfo:
        return cls(data["key"], data["type"], data["role"], data["criterion"], data["points"],
                   tuple(data["options"]), data["signature"])


@dataclass(frozen=True)
class GroupLine:
    """A group's line in the report: its head count and coverage, unless it is hidden, and then
    why: "few" answered, or "complement" (hidden so that a smaller group cannot be worked out)."""

    key: str
    kind: str
    population: int | None
    target: int | None
    hidden_because: str | None
    respondents: int | None
    coverage: float | None

    @property
    def suppressed(self) -> bool:
        return self.hidden_because is not None

    def to_payload(self) -> Json:
        return {"key": self.key, "kind": self.kind, "population": self.population, "target": self.target,
                "suppressed": self.suppressed, "hidden_because": self.hidden_because,
                "respondents": self.respondents, "coverage": self.coverage}

    @classmethod
    def from_payload(cls, data: Json) -> GroupLine:
        because = data.get("hidden_because") or ("few" if data["suppressed"] else None)
        return cls(data["key"], data["kind"], data["population"], data["target"], because,
                   data["respondents"], data["coverage"])


@dataclass(frozen=True)
class SurveyRef:
    key: str
    version: int


# -- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A criterion score (0 to 100) with its interval, standard error, the people it rests on,
    and how its answers lean (low / middle / high / don't know)."""

    score: float
    n: int
    low: float | None
    high: float | None
    se: float | None
    answers: dict[str, int]

    def to_payload(self) -> Json:
        return {"score": self.score, "n": self.n, "low": self.low, "high": self.high, "se": self.se,
                "answers": dict(self.answers)}

    @classmethod
    def from_payload(cls, data: Json) -> Score:
        return cls(data["score"], data["n"], data["low"], data["high"], data.get("se"), dict(data.get("answers", {})))


@dataclass(frozen=True)
class MeanFigures:
    """A number question: its mean and interval."""

    n: int
    mean: float | None
    low: float | None
    high: float | None

    def to_payload(self) -> Json:
        return {"n": self.n, "mean": self.mean, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class ScaleFigures(MeanFigures):
    """An agreement question: its mean, "don't know" answers, how many gave each point, and for
    a question of known scale length, how its answers lean (None when it scores no criterion)."""

    dont_know: int = 0
    distribution: dict[str, int] = field(default_factory=dict)
    points: int | None = None
    answers: dict[str, int] | None = None

    def to_payload(self) -> Json:
        data = super().to_payload() | {"dont_know": self.dont_know, "distribution": dict(self.distribution)}
        if self.points:
            data |= {"points": self.points, "answers": None if self.answers is None else dict(self.answers)}
        return data


@dataclass(frozen=True)
class CountFigures:
    """A single or multiple choice: how many chose each option, and the shares of `n` (for a
    multiple choice, those who ticked anything)."""

    n: int
    counts: dict[str, int]
    shares: dict[str, float]

    def to_payload(self) -> Json:
        return {"n": self.n, "counts": dict(self.counts), "shares": dict(self.shares)}

    @classmethod
    def from_payload(cls, data: Json) -> CountFigures:
        return cls(data["n"], dict(data["counts"]), dict(data["shares"]))


ItemFigures = Union[MeanFigures, ScaleFigures, CountFigures]


def _item_figures(item_type: str, data: Json) -> ItemFigures:
    if item_type in ("single_choice", "multiple_choice"):
        return CountFigures.from_payload(data)
    if item_type == "number":
        return MeanFigures(data["n"], data["mean"], data["low"], data["high"])
    return ScaleFigures(data["n"], data["mean"], data["low"], data["high"], data.get("dont_know", 0),
                        dict(data.get("distribution", {})), data.get("points"),
                        None if data.get("answers") is None else dict(data["answers"]))


@dataclass(frozen=True)
class Need:
    """An importance/current pair as a need: the gap between how important it is and how well
    it is met, its priority score (MWDS), rank and locus-for-focus quadrant."""

    item: str
    rank: int
    n: int
    importance: float
    current: float
    gap: float
    gap_low: float | None
    gap_high: float | None
    gap_se: float | None
    mwds: float | None
    quadrant: str

    def to_payload(self) -> Json:
        return {"item": self.item, "rank": self.rank, "n": self.n, "importance": self.importance,
                "current": self.current, "gap": self.gap, "gap_low": self.gap_low, "gap_high": self.gap_high,
                "gap_se": self.gap_se, "mwds": self.mwds, "quadrant": self.quadrant}

    @classmethod
    def from_payload(cls, data: Json) -> Need:
        return cls(data["item"], data["rank"], data["n"], data["importance"], data["current"], data["gap"],
                   data["gap_low"], data["gap_high"], data.get("gap_se"), data["mwds"], data["quadrant"])


@dataclass(frozen=True)
class Words:
    """One language's answers to a written question: how many, and the words used most."""

    answers: int
    terms: tuple[tuple[str, int], ...]

    def to_payload(self) -> Json:
        return {"answers": self.answers, "terms": [[term, n] for term, n in self.terms]}

    @classmethod
    def from_payload(cls, data: Json) -> Words:
        return cls(data["answers"], tuple((term, n) for term, n in data["terms"]))


@dataclass(frozen=True)
class Quote:
    language: str
    text: str

    def to_payload(self) -> Json:
        return {"language": self.language, "text": self.text}


def _quotes(data: list[Json]) -> tuple[Quote, ...]:
    return tuple(Quote(q["language"], q["text"]) for q in data)


@dataclass(frozen=True)
class WrittenAnswers:
    """A written question (or the "something else" of a multiple choice): words per language,
    and the quotes their writers allowed."""

    criterion: str | None
    languages: dict[str, Words]
    quotes: tuple[Quote, ...]

    def to_payload(self) -> Json:
        return {"criterion": self.criterion,
                "languages": {lang: words.to_payload() for lang, words in self.languages.items()},
                "quotes": [q.to_payload() for q in self.quotes]}

    @classmethod
    def from_payload(cls, data: Json) -> WrittenAnswers:
        return cls(data["criterion"], {lang: Words.from_payload(w) for lang, w in data["languages"].items()},
                   _quotes(data["quotes"]))


@dataclass(frozen=True)
class Comparison:
    """A group's criterion score against everyone's: the gap, and whether it is beyond chance
    (None: no test was possible, say in a round of one group)."""

    difference: float
    significant: bool | None

    def to_payload(self) -> Json:
        return {"difference": self.difference, "significant": self.significant}


# A figure as one section shows it: what a release keeps of it when it later holds it back.
ShownFigure = Union[Score, MeanFigures, ScaleFigures, CountFigures, Need, Words, tuple[Quote, ...]]


def _shown_figure_payload(figure: ShownFigure | None) -> Any:
    if figure is None:
        return None
    if isinstance(figure, tuple):
        return [q.to_payload() for q in figure]
    return figure.to_payload()


@dataclass(frozen=True)
class HeldBackEntry:
    """A figure a release holds back for a section: the release that last showed it, when,
    and what it showed (all None when no release showed it yet)."""

    release: int | None
    released_at: datetime | None
    figure: ShownFigure | None

    def to_payload(self) -> Json:
        return {"release": self.release,
                "released_at": self.released_at.isoformat() if self.released_at else None,
                "figure": _shown_figure_payload(self.figure)}


@dataclass(frozen=True)
class Section:
    """The figures of one set of respondents: a group, or everyone (key EVERYONE)."""

    key: str
    respondents: int
    criteria: dict[str, Score]
    items: dict[str, ItemFigures]  # agreement, single choice and number questions
    needs: tuple[Need, ...]  # most pressing first
    choices: dict[str, CountFigures]  # multiple choices
    text: dict[str, WrittenAnswers]
    hidden: tuple[str, ...]  # every figure hidden here (figure_id), to protect small groups
    compared_with_all: dict[str, Comparison] | None = None  # a group's, not everyone's
    held_back: dict[str, HeldBackEntry] | None = None  # a release's, not a live snapshot's

    @property
    def is_everyone(self) -> bool:
        return self.key == EVERYONE

    def need(self, item: str) -> Need | None:
        return next((n for n in self.needs if n.item == item), None)

    def need_as_released(self, item: str) -> tuple[Need | None, datetime | None]:
        """The need as this report shows it, or, where this release holds it back, as the latest
        earlier release of the round showed it (with that release's date; showing it again
        reveals nothing new). (None, None) when neither shows it."""
        shown = self.need(item)
        if shown is not None:
            return shown, None
        entry = (self.held_back or {}).get(figure_id(("item", item)))
        if entry is not None and isinstance(entry.figure, Need):
            return entry.figure, entry.released_at
        return None, None

    def needs_as_released(self) -> list[tuple[Need, datetime | None]]:
        """Every need this report shows or an earlier release showed (need_as_released), most
        pressing first (by priority score, as the ranks are)."""
        held = [(entry.figure, entry.released_at) for entry in (self.held_back or {}).values()
                if isinstance(entry.figure, Need)]
        every = [(need, None) for need in self.needs] + held
        return sorted(every, key=lambda pair: (pair[0].mwds is None, -(pair[0].mwds or 0.0)))

    def comparison(self, criterion: str) -> Comparison | None:
        return (self.compared_with_all or {}).get(criterion)

    def why_hidden(self, figure: Figure) -> str | None:
        """"held_back" when a release keeps the figure back, "hidden" when it is hidden to
        protect a small group, None when it is shown or nobody answered it."""
        name = figure_id(figure)
        if name in (self.held_back or {}):
            return "held_back"
        return "hidden" if name in self.hidden else None

    def shown(self, figure: Figure) -> ShownFigure | None:
        """One figure as this section shows it (None when it does not): a criterion score, an
        item's figures, a need, a multiple choice, one language's words, or quotes."""
        kind, key = figure[0], figure[1]
        if kind == "criterion":
            return self.criteria.get(key)
        if kind == "item":
            return self.items.get(key) or self.choices.get(key) or self.need(key)
        written = self.text.get(key)
        if written is None:
            return None
        return written.languages.get(figure[2]) if kind == "text" else written.quotes

    def to_payload(self) -> Json:
        data: Json = {
            "key": self.key, "respondents": self.respondents,
            "criteria": {c: score.to_payload() for c, score in self.criteria.items()},
            "items": {key: figures.to_payload() for key, figures in self.items.items()},
            "needs": [need.to_payload() for need in self.needs],
            "choices": {key: figures.to_payload() for key, figures in self.choices.items()},
            "text": {key: written.to_payload() for key, written in self.text.items()},
            "hidden": list(self.hidden),
        }
        if self.compared_with_all is not None:
            data["compared_with_all"] = {c: compared.to_payload() for c, compared in self.compared_with_all.items()}
        if self.held_back is not None:
            data["held_back"] = {name: entry.to_payload() for name, entry in self.held_back.items()}
        return data

    @classmethod
    def from_payload(cls, data: Json, item_types: Mapping[str, str]) -> Section:
        compared = data.get("compared_with_all")
        held = data.get("held_back")
        return cls(
            key=data["key"], respondents=data["respondents"],
            criteria={c: Score.from_payload(s) for c, s in data["criteria"].items()},
            items={key: _item_figures(item_types.get(key, "agreement"), f) for key, f in data["items"].items()},
            needs=tuple(Need.from_payload(n) for n in data["needs"]),
            choices={key: CountFigures.from_payload(f) for key, f in data["choices"].items()},
            text={key: WrittenAnswers.from_payload(w) for key, w in data["text"].items()},
            hidden=tuple(data.get("hidden", ())),
            compared_with_all=None if compared is None else {
                c: Comparison(v["difference"], v["significant"]) for c, v in compared.items()},
            held_back=None if held is None else {
                name: _held_back_entry(name, entry, item_types) for name, entry in held.items()},
        )


def _held_back_entry(name: str, data: Json, item_types: Mapping[str, str]) -> HeldBackEntry:
    released_at = datetime.fromisoformat(data["released_at"]) if data["released_at"] else None
    return HeldBackEntry(data["release"], released_at, _shown_figure(figure_of(name), data["figure"], item_types))


def _shown_figure(figure: Figure, data: Any, item_types: Mapping[str, str]) -> ShownFigure | None:
    if data is None:
        return None
    kind = figure[0]
    if kind == "criterion":
        return Score.from_payload(data)
    if kind == "text":
        return Words.from_payload(data)
    if kind == "quotes":
        return _quotes(data)
    if item_types.get(figure[1]) == "importance_current":
        return Need.from_payload(data)
    return _item_figures(item_types.get(figure[1], "agreement"), data)


@dataclass(frozen=True)
class Weighted:
    """Everyone's criterion scores weighted to the groups' populations, each with the groups it
    covers (a group whose score is hidden is left out), and every group any of them covers."""

    criteria: dict[str, float]
    covers: dict[str, tuple[str, ...]]
    groups: tuple[str, ...]

    def to_payload(self) -> Json:
        return {"criteria": dict(self.criteria), "covers": {c: list(keys) for c, keys in self.covers.items()},
                "groups": list(self.groups)}

    @classmethod
    def from_payload(cls, data: Json) -> Weighted:
        groups = tuple(data["groups"])
        covers = {c: tuple(keys) for c, keys in data.get("covers", {}).items()}
        return cls(dict(data["criteria"]), covers or {c: groups for c in data["criteria"]}, groups)


# -- a named panel (app.domain.panel): raters by name, so k does not apply ----------------------


@dataclass(frozen=True)
class PanelFigure:
    """Each rater's figure for a question or a criterion, with the panel's median and spread."""

    each: tuple[float | None, ...]
    n: int
    median: float | None
    low: float | None
    high: float | None

    def to_payload(self) -> Json:
        return {"each": list(self.each), "n": self.n, "median": self.median, "low": self.low, "high": self.high}

    @classmethod
    def from_payload(cls, data: Json) -> PanelFigure:
        return cls(tuple(data["each"]), data["n"], data["median"], data["low"], data["high"])


@dataclass(frozen=True)
class PanelRater:
    name: str
    group: str | None


def multiple_choice_answer(options: list[str], other: str | None) -> Json:
    """A rater's multiple-choice answer as the panel keeps it."""
    return {"options": options, "other": other}


def chosen_options(answer: Json) -> tuple[list[str], str | None]:
    """The options a rater's multiple-choice answer ticked, and the words of its "something else"."""
    return list(answer["options"]), answer.get("other")


@dataclass(frozen=True)
class Panel:
    raters: tuple[PanelRater, ...]
    answers: dict[str, list[Any]]  # question key -> each rater's answer, as JSON keeps it
    items: dict[str, PanelFigure]
    criteria: dict[str, PanelFigure]

    def to_payload(self) -> Json:
        return {"raters": [{"name": r.name, "group": r.group} for r in self.raters],
                "answers": {key: list(given) for key, given in self.answers.items()},
                "items": {key: f.to_payload() for key, f in self.items.items()},
                "criteria": {key: f.to_payload() for key, f in self.criteria.items()}}

    @classmethod
    def from_payload(cls, data: Json) -> Panel:
        return cls(tuple(PanelRater(r["name"], r["group"]) for r in data["raters"]),
                   {key: list(given) for key, given in data["answers"].items()},
                   {key: PanelFigure.from_payload(f) for key, f in data["items"].items()},
                   {key: PanelFigure.from_payload(f) for key, f in data["criteria"].items()})


# -- the whole report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigures:
    """A round's report: its groups, one section per shown set of respondents, the weighted
    scores, and (once stored) what it is of and when it was made."""

    k: int
    respondents: int | None  # None when everyone together are fewer than k
    criteria: tuple[str, ...]
    items: tuple[ItemInfo, ...]
    groups: tuple[GroupLine, ...]
    sections: tuple[Section, ...]
    weighted: Weighted | None
    format: int = PAYLOAD_FORMAT
    # What it is of and when it was made: set by the service that stores it.
    round_id: int | None = None
    survey: SurveyRef | None = None
    built_at: str | None = None
    panel: Panel | None = None  # a named panel's ratings side by side

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def everyone(self) -> Section | None:
        return self.section(EVERYONE)

    def group_sections(self) -> list[Section]:
        return [s for s in self.sections if s.key != EVERYONE]

    def group(self, key: str) -> GroupLine | None:
        return next((g for g in self.groups if g.key == key), None)

    def item(self, key: str) -> ItemInfo | None:
        return next((i for i in self.items if i.key == key), None)

    def items_of_type(self, *types: str) -> list[ItemInfo]:
        return [i for i in self.items if i.type in types]

    def to_payload(self) -> Json:
        data: Json = {
            "format": self.format, "k": self.k, "respondents": self.respondents, "criteria": list(self.criteria),
            "items": [i.to_payload() for i in self.items], "groups": [g.to_payload() for g in self.groups],
            "sections": [s.to_payload() for s in self.sections],
            "weighted": self.weighted.to_payload() if self.weighted else None,
        }
        if self.survey is not None:
            data |= {"round_id": self.round_id,
                     "survey": {"key": self.survey.key, "version": self.survey.version}, "built_at": self.built_at}
        if self.panel is not None:
            data["panel"] = self.panel.to_payload()
        return data

    @classmethod
    def from_payload(cls, data: Json) -> ReportFigures:
        items = tuple(ItemInfo.from_payload(i) for i in data["items"])
        types = {i.key: i.type for i in items}
        survey = data.get("survey")
        return cls(
            k=data["k"], respondents=data["respondents"], criteria=tuple(data["criteria"]), items=items,
            groups=tuple(GroupLine.from_payload(g) for g in data["groups"]),
            sections=tuple(Section.from_payload(s, types) for s in data["sections"]),
            weighted=Weighted.from_payload(data["weighted"]) if data.get("weighted") else None,
            format=data.get("format", 0), round_id=data.get("round_id"),
            survey=SurveyRef(survey["key"], survey["version"]) if survey else None,
            built_at=data.get("built_at"),
            panel=Panel.from_payload(data["panel"]) if data.get("panel") is not None else None,
        )
