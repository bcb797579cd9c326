"""From a round's report figures to what a stakeholder reads: names, sentences and charts.

The figures (app.domain.report_model) hold keys and numbers only, already privacy-suppressed.
This module puts the reader's language on them: criterion names, question wording, group names,
plain sentences about the top needs, and the chart inputs. Views stay thin; exports use the
same names, so a PDF says what the page says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from flask_babel import format_decimal, format_number, format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from app import charts
from app.domain.privacy.releases import figure_of
from app.domain.report import UNASSIGNED
from app.domain.report_model import (
    EVERYONE,
    GroupLine,
    HeldBackEntry,
    ItemInfo,
    MeanFigures,
    Need,
    Panel,
    PanelFigure,
    ReportFigures,
    Score,
    Section,
    ShownFigure,
    Words,
    chosen_options,
)
from app.extensions import db
from app.i18n import (
    LANGUAGE_NAMES,
    counted,
    format_decimal1,
    format_score,
    isolate,
    joined_items,
    pick_translation,
    text_direction,
)
from app.models import Criterion, Group, ReportRelease, ReportSnapshot, Round
from app.wording import AGREEMENT_SCALE, DONT_KNOW
from app.services.report_releases import latest_release

TOP_NEEDS = 3
LOWEST_CRITERIA = 3


@dataclass(frozen=True)
class PanelRow:
    """One row of a named panel's table: what is rated, each rater's answer, the median, the spread."""

    name: str
    each: list[str]
    median: str
    spread: str
    heading: bool = False  # a criterion's score, above its questions
    key: str = ""  # the question's, for a question


def _spread(figure: PanelFigure, words: Callable[[float], str]) -> str:
    """From the lowest rating to the highest; empty when the raters agree or only one rated."""
    if figure.low is None or figure.low == figure.high:
        return ""
    return _("%(low)s to %(high)s", low=words(figure.low), high=words(figure.high))  # type: ignore[arg-type]


class HeldBackFigure(NamedTuple):
    """A figure a release holds back for a section, with its value when it was last released."""

    name: str  # what it is, in the reader's language
    earlier: str | None  # its figures then ("54, n = 38"); None: never released
    released_at: datetime | None


class LowScore(NamedTuple):
    name: str  # the criterion's, in the reader's language
    score: float
    n: int  # respondents who answered its questions: fewer than the group when some skipped them


def low_score_figure(low: LowScore, section: Section) -> str:
    """"38", or "38, n = 6" when the score rests on fewer people than the group's head count
    that the sentence gives (some skipped that criterion's questions)."""
    score = format_score(low.score)
    if low.n == section.respondents:
        return score
    return counted("%(score)s, from %(num)s person", "%(score)s, from %(num)s people", low.n, score=score)


def quadrant_labels() -> dict[str, str]:
    return {
        "high_priority": _("Important and far from met"),
        "watch": _("Far from met, though rated less important than the others"),
        "maintain": _("Important and fairly well met"),
        "low": _("Less important and fairly well met"),
    }


@dataclass
class Report:
    """A round's report read in the page language: the coordinators' live snapshot, or the
    release the round's other readers see (app.services.report_releases)."""

    survey_round: Round
    source: ReportSnapshot | ReportRelease
    figures: ReportFigures  # the source's, read once
    criterion_names: dict[str, str]
    group_names: dict[str, str]
    item_texts: dict[str, str]
    option_labels: dict[str, dict[str, str]]
    scale_labels: dict[str, list[str]] = field(default_factory=dict)  # scale questions' points, lowest first
    # How the reader reads each round (live or its releases): every other round a page loads
    # beside this one (comparisons, headlines) is read as the reader may read that round.
    live_for: Callable[[Round], bool] = lambda survey_round: False

    @property
    def release(self) -> ReportRelease | None:
        """The release this is, or None for the coordinators' live view."""
        return self.source if isinstance(self.source, ReportRelease) else None

    @property
    def is_live(self) -> bool:
        return self.release is None

    visual_order: Callable[[str], str] | None = None  # set for renderers without bidi (the PDF)

    @property
    def writing(self) -> charts.Writing:
        return charts.Writing(rtl=text_direction(str(get_locale())) == "rtl", visual_order=self.visual_order)

    def section(self, key: str) -> Section | None:
        return self.figures.section(key)

    @property
    def everyone(self) -> Section | None:
        return self.figures.everyone

    def group_sections(self) -> list[Section]:
        return self.figures.group_sections()

    def groups(self) -> list[GroupLine]:
        return list(self.figures.groups)

    def group(self, key: str) -> GroupLine | None:
        return self.figures.group(key)

    def criteria(self) -> list[str]:
        return list(self.figures.criteria)

    def item(self, key: str) -> ItemInfo | None:
        return self.figures.item(key)

    def items_of_type(self, *types: str) -> list[ItemInfo]:
        return self.figures.items_of_type(*types)

    def name_of(self, section_key: str) -> str:
        if section_key == EVERYONE:
            return _("All respondents")
        return self.group_names.get(section_key, section_key)

    def option_label(self, item: str, option: str) -> str:
        if option == "_other":
            return _("Something else")
        return self.option_labels.get(item, {}).get(option, option)

    def standing(self, section: Section, criterion: str) -> str | None:
        """"below" or "above" when the group's score differs from all respondents' beyond
        chance (tested against the rest of the respondents, see domain.report); else None."""
        compared = section.comparison(criterion)
        if compared is None or not compared.significant:
            return None
        return "below" if compared.difference < 0 else "above"

    def least_reached(self, count: int = 2) -> list[GroupLine]:
        """The groups reached least for their size (responses against population): who was not
        reached. Only among groups whose population is known, and only when there are more
        of them than `count` (least of two is no finding)."""
        known = [g for g in self.groups() if g.coverage is not None]
        return sorted(known, key=lambda g: g.coverage)[:count] if len(known) > count else []  # type: ignore[arg-type, return-value]

    def left_behind(self) -> list[tuple[str, list[str]]]:
        """Each group with the criteria on which it scores below all respondents beyond chance:
        who is left behind, and where."""
        behind = [(s.key, [self.criterion_names.get(c, c) for c in self.criteria()
                           if self.standing(s, c) == "below"])
                  for s in self.group_sections()]
        return [(key, names) for key, names in behind if names]

    # -- a named panel ------------------------------------------------------------------------

    @property
    def panel(self) -> Panel | None:
        """A named panel's ratings side by side (app.domain.panel), or None for other rounds."""
        return self.figures.panel

    def panel_rows(self) -> list[PanelRow]:
        """The panel's table, a row per criterion followed by its questions, then the questions
        of no criterion: each rater's answer in words, with the panel's median and spread."""
        panel = self.panel
        if panel is None:
            return []
        answers, items, criteria = panel.answers, panel.items, panel.criteria
        rows: list[PanelRow] = []
        questions = [i for i in self.figures.items if i.role == "item" and i.key in answers]
        for criterion in self.criteria():
            figure = criteria.get(criterion)
            if figure is None:
                continue
            rows.append(PanelRow(self.criterion_names.get(criterion, criterion),
                                 [format_score(v) for v in figure.each], format_score(figure.median),
                                 _spread(figure, format_score), heading=True))
            rows += [self._panel_row(i, answers[i.key], items.get(i.key)) for i in questions
                     if i.criterion == criterion and i.type in ("agreement", "importance_current")]
        scored = {r.key for r in rows if r.key}
        rows += [self._panel_row(i, answers[i.key], items.get(i.key)) for i in questions if i.key not in scored]
        return rows

    def _panel_row(self, item: ItemInfo, answers: list[Any], figure: PanelFigure | None) -> PanelRow:
        key = item.key
        words = [self.answer_words(key, item.type, answer) for answer in answers]
        if figure is None or figure.median is None:
            return PanelRow(self.item_texts.get(key, key), words, "", "", key=key)
        return PanelRow(self.item_texts.get(key, key), words, self.point_words(key, figure.median),
                        _spread(figure, lambda p: self.point_words(key, p)), key=key)

    def point_words(self, item: str, point: float) -> str:
        """A point of a question's scale in words ("Developing"); a median between two points
        gives both ("Starting to developing")."""
        labels = self.scale_labels.get(item, [])
        if float(point).is_integer() and 1 <= point <= len(labels):
            return labels[int(point) - 1]
        if labels and 1 <= point <= len(labels):
            return _("%(lower)s to %(higher)s", lower=labels[int(point) - 1], higher=labels[int(point)])
        return format_decimal1(point)

    def answer_words(self, item: str, kind: str, answer: Any) -> str:
        """One rater's answer to a question, in words."""
        if answer is None:
            return "" if kind not in ("agreement", "importance_current") else str(DONT_KNOW)
        if kind == "agreement":
            return self.point_words(item, answer)
        if kind == "importance_current":
            importance, current = answer
            return _("importance %(importance)s, met %(current)s",
                     importance=format_number(importance) if importance is not None else DONT_KNOW,
                     current=format_number(current) if current is not None else DONT_KNOW)
        if kind == "single_choice":
            return self.option_label(item, answer)
        if kind == "multiple_choice":
            options, other = chosen_options(answer)
            return joined_items([*(self.option_label(item, option) for option in options), *([other] if other else [])])
        if kind == "number":
            return format_decimal(answer)
        return str(answer)

    def weighted_coverage(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """Which groups the weighted scores are weighted over: the groups most of them cover, and
        each criterion that covers others (a group whose score is hidden there is left out)."""
        weighted = self.figures.weighted
        covers = weighted.covers if weighted else {}
        if not covers:
            return [self.name_of(key) for key in (weighted.groups if weighted else ())], []
        usual = max(covers.values(), key=lambda keys: sum(1 for other in covers.values() if other == keys))
        exceptions = [(self.criterion_names.get(c, c), [self.name_of(key) for key in keys])
                      for c, keys in covers.items() if keys != usual]
        return [self.name_of(key) for key in usual], exceptions

    def held_back(self, section: Section) -> list[HeldBackFigure]:
        """The figures this release holds back for the section (the release rule), each with
        its figures as last released. Empty for the live view, which holds nothing back."""
        return [HeldBackFigure(self.figure_name(figure_of(name)), self._figure_summary(entry.figure), entry.released_at)
                for name, entry in (section.held_back or {}).items()]

    def lead_as_released(self, section: Section) -> tuple[list[str], datetime | None]:
        """When this release holds back what a section's lead would name (its needs, or its
        criterion scores), the lead as last released: the names, and when. Empty otherwise."""
        held = [(figure_of(name), entry) for name, entry in (section.held_back or {}).items() if entry.figure]
        chosen: list[tuple[str, HeldBackEntry]]
        if self.asks_needs():
            needs = sorted(((f, e) for f, e in held if isinstance(e.figure, Need)),
                           key=lambda fe: fe[1].figure.rank)  # type: ignore[union-attr]
            chosen = [(self.item_texts.get(f[1], f[1]), e) for f, e in needs[:TOP_NEEDS]]
        else:
            scores = sorted(((f, e) for f, e in held if isinstance(e.figure, Score)),
                            key=lambda fe: fe[1].figure.score)  # type: ignore[union-attr]
            chosen = [(f"{self.criterion_names.get(f[1], f[1])} ({format_score(e.figure.score)})", e)  # type: ignore[union-attr]
                      for f, e in scores[:LOWEST_CRITERIA]]
        if not chosen:
            return [], None
        return [name for name, _ in chosen], chosen[0][1].released_at

    def figure_name(self, figure: tuple[str, ...]) -> str:
        """What a figure is about, in the reader's language: a criterion, a question, a question's
        words in one language, or its quotes."""
        kind, key = figure[0], figure[1]
        if kind == "criterion":
            return self.criterion_names.get(key, key)
        question = self.item_texts.get(key, key)
        if kind == "text":
            return _("%(question)s, in %(language)s", question=question,
                     language=LANGUAGE_NAMES.get(figure[2], figure[2]))
        if kind == "quotes":
            return _("Quotes: %(question)s", question=question)
        return question

    @staticmethod
    def _figure_summary(earlier: ShownFigure | None) -> str | None:
        """A figure as it was last released, in a few words ("54, from 38 people")."""
        if earlier is None:
            return None
        if isinstance(earlier, tuple):  # quotes
            return counted("%(num)s quote", "%(num)s quotes", len(earlier))
        if isinstance(earlier, Words):
            return counted("%(num)s answer", "%(num)s answers", earlier.answers)
        if isinstance(earlier, Score):
            return counted("%(score)s, from %(num)s person", "%(score)s, from %(num)s people", earlier.n,
                           score=format_score(earlier.score))
        if isinstance(earlier, Need):
            return counted("gap %(gap)s, priority score %(priority)s, from %(num)s person",
                           "gap %(gap)s, priority score %(priority)s, from %(num)s people", earlier.n,
                           gap=format_decimal1(earlier.gap), priority=format_decimal1(earlier.mwds))
        if isinstance(earlier, MeanFigures):
            return counted("average %(mean)s, from %(num)s person", "average %(mean)s, from %(num)s people",
                           earlier.n, mean=format_decimal1(earlier.mean))
        return counted("%(num)s person", "%(num)s people", earlier.n)

    @staticmethod
    def hidden(section: Section, kind: str, key: str) -> str | None:
        """Why the section shows no figure for a criterion or a question: "held_back" by this
        release, "hidden" to protect a small group, or None (nobody answered it)."""
        return section.why_hidden((kind, key))

    # -- sentences ----------------------------------------------------------------------------

    def top_needs(self, section: Section) -> list[str]:
        """The wording of the section's most pressing needs, highest priority score first."""
        return [self.item_texts.get(need.item, need.item) for need in section.needs[:TOP_NEEDS]]

    def top_needs_sentence(self, section: Section) -> Markup | None:
        """"Newcomers (48 people) most need: learning a language; ..." or None without needs."""
        needs = self.top_needs(section)
        if not needs:
            return None
        return counted(
            "%(group)s (%(num)s person) most need: %(needs)s.",
            "%(group)s (%(num)s people) most need: %(needs)s.",
            section.respondents,
            group=isolate(self.name_of(section.key)),
            needs=joined_items(needs),
        )

    def lead_sentence(self, section: Section) -> Markup | None:
        """What the report leads with for a section, in one sentence: its top needs, or its
        lowest scores when the survey asks no needs."""
        return self.top_needs_sentence(section) if self.asks_needs() else self.lowest_criteria_sentence(section)

    def asks_needs(self) -> bool:
        """Whether the survey asks how important things are and how well they are met (the
        citizens' surveys do; the partners' and the self-assessment score criteria only)."""
        return bool(self.items_of_type("importance_current"))

    def lowest_criteria(self, section: Section) -> list[LowScore]:
        """The section's lowest criterion scores, lowest first, with their names: where it
        stands weakest, what a report leads with when its survey asks no needs."""
        scores = section.criteria
        order = {c: i for i, c in enumerate(self.criteria())}
        lowest = sorted(scores, key=lambda c: (scores[c].score, order.get(c, len(order))))[:LOWEST_CRITERIA]
        return [LowScore(self.criterion_names.get(c, c), scores[c].score, scores[c].n) for c in lowest]

    def lowest_criteria_sentence(self, section: Section) -> Markup | None:
        """"All respondents (9 people), lowest scores: Digital learning (38, n = 6); ..." or None."""
        lowest = self.lowest_criteria(section)
        if not lowest:
            return None
        return counted(
            "%(group)s (%(num)s person), lowest scores: %(criteria)s.",
            "%(group)s (%(num)s people), lowest scores: %(criteria)s.",
            section.respondents,
            group=isolate(self.name_of(section.key)),
            criteria=joined_items(f"{low.name} ({low_score_figure(low, section)})" for low in lowest),
        )

    # -- charts -------------------------------------------------------------------------------

    def criteria_radar(self, sections: Iterable[Section], id_prefix: str) -> Markup | None:
        """The criteria profile of one or more sections of this report (everyone, or groups)."""
        return self._radar([(self.name_of(s.key), s.criteria) for s in sections], id_prefix)

    def _radar(self, series: list[tuple[str, dict[str, Score]]], id_prefix: str) -> Markup | None:
        axes = [c for c in self.criteria() if any(c in criteria for _, criteria in series)]
        if len(axes) < 3:
            return None
        return charts.radar_chart(
            [self.criterion_names.get(c, c) for c in axes],
            [charts.RadarSeries(name, [criteria[c].score if c in criteria else None for c in axes])
             for name, criteria in series],
            title=_("Criteria profile"),
            description=_("Scores from 0 to 100 on each criterion, higher is better; "
                          "the table below gives every figure."),
            id_prefix=id_prefix, writing=self.writing, missing_label=_("hidden"),
        )

    def criteria_bars(self, section: Section, id_prefix: str) -> Markup | None:
        bars = [
            charts.Bar(self.criterion_names.get(c, c), figure.score, figure.low, figure.high,
                       note=counted("%(num)s person", "%(num)s people", figure.n))
            for c in self.criteria() if (figure := section.criteria.get(c))
        ]
        if not bars:
            return None
        return charts.bar_chart(
            bars, title=_("Criterion scores"),
            description=_("Scores from 0 to 100 with their %(level)s intervals.",
                          level=format_percent(0.95, "0 %")),
            id_prefix=id_prefix, writing=self.writing, missing_label=_("hidden"),
        )

    def needs_bars(self, section: Section, id_prefix: str) -> Markup | None:
        """The needs in the order of their priority score, each bar that score: what is drawn,
        its order and its words agree (the gap and its interval are in the table below)."""
        needs = section.needs
        if not needs:
            return None
        bars = [
            charts.Bar(self.item_texts.get(n.item, n.item), max(n.mwds, 0) if n.mwds is not None else None,
                       note=counted("%(num)s person", "%(num)s people", n.n),
                       highlight=n.quadrant == "high_priority")
            for n in needs
        ]
        largest = max((bar.value for bar in bars if bar.value is not None), default=0)
        return charts.bar_chart(
            bars, title=_("Needs, most pressing first"),
            description=_("Each bar is a need's priority score: how far it is from met, weighted by how "
                          "important people find it. The longer the bar, the more pressing the need."),
            id_prefix=id_prefix, writing=self.writing, maximum=max(4.0, math.ceil(largest)),
            missing_label=_("hidden"), value_format=format_decimal1,
            legend=(_("Important and far from met"), _("The other needs")),
        )

    def comparison(self, rows: list[tuple[str, float | None, float | None, str]],
                   names: tuple[str, str], title: str, id_prefix: str) -> Markup | None:
        if not rows:
            return None
        return charts.comparison_chart(
            [charts.ComparisonRow(label, a, b, note) for label, a, b, note in rows],
            series_names=names, title=title,
            description=_("Scores from 0 to 100 for both, side by side; the table gives every figure."),
            id_prefix=id_prefix, writing=self.writing, missing_label=_("hidden"),
        )


def load_report(survey_round: Round, live_for: Callable[[Round], bool]) -> Report | None:
    """The round's report as a reader sees it: where `live_for(round)`, the coordinators'
    current snapshot; otherwise its latest release (None before the first)."""
    source = (db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == survey_round.id))
              if live_for(survey_round) else latest_release(survey_round.id))
    if source is None:
        return None
    definition = survey_round.definition()
    fallback = [survey_round.community.default_language, *definition.languages]
    figures = source.figures
    criteria = db.session.scalars(select(Criterion).where(Criterion.key.in_(figures.criteria)))
    groups = db.session.scalars(select(Group).where(Group.community_id == survey_round.community_id))
    language = str(get_locale())
    scale_labels = {q.key: [pick_translation(dict(p), fallback) for p in q.scale] if q.scale
                    else [str(label) for label in AGREEMENT_SCALE]
                    for q in definition.questions if q.type == "agreement"}
    return Report(
        survey_round=survey_round,
        source=source,
        figures=figures,
        scale_labels=scale_labels,
        live_for=live_for,
        criterion_names={c.key: pick_translation(c.name, fallback) for c in criteria},
        group_names={g.key: g.display_name(language) for g in groups} | {UNASSIGNED: _("No group")},
        item_texts={q.key: pick_translation(dict(q.text), fallback) for q in definition.questions},
        option_labels={q.key: {o.key: pick_translation(dict(o.label), fallback) for o in q.options}
                       for q in definition.questions},
    )
