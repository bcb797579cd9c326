"""From a stored report payload to what a stakeholder reads: names, sentences and charts.

The payload (app.domain.report) holds keys and numbers only, already privacy-suppressed. This
module puts the reader's language on them: criterion names, question wording, group names,
plain sentences about the top needs, and the chart inputs. Views stay thin; exports use the
same names, so a PDF says what the page says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from flask_babel import format_decimal, format_number, format_percent, get_locale, pgettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import exists, or_, select

from app import charts
from app.domain import report_maths
from app.domain.privacy.releases import figure_of
from app.domain.report import EVERYONE, UNASSIGNED
from app.domain.report_maths import Difference, change
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, counted, isolate, pick_translation, text_direction
from app.models import Criterion, Group, ReportRelease, ReportSnapshot, Round, Survey
from app.public.wording import AGREEMENT_SCALE, DONT_KNOW
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


def _spread(figure: dict[str, Any], words: Callable[[float], str]) -> str:
    """From the lowest rating to the highest; empty when the raters agree or only one rated."""
    if figure["low"] is None or figure["low"] == figure["high"]:
        return ""
    return _("%(low)s to %(high)s", low=words(figure["low"]), high=words(figure["high"]))


class HeldBackFigure(NamedTuple):
    """A figure a release holds back for a section, with its value when it was last released."""

    name: str  # what it is, in the reader's language
    earlier: str | None  # its figures then ("54, n = 38"); None: never released
    released_at: datetime | None


class LowScore(NamedTuple):
    name: str  # the criterion's, in the reader's language
    score: float
    n: int  # respondents who answered its questions: fewer than the group when some skipped them


def low_score_figure(low: LowScore, section: dict[str, Any]) -> str:
    """"38", or "38, n = 6" when the score rests on fewer people than the group's head count
    that the sentence gives (some skipped that criterion's questions)."""
    score = format_score(low.score)
    if low.n == section["respondents"]:
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
    criterion_names: dict[str, str]
    group_names: dict[str, str]
    item_texts: dict[str, str]
    option_labels: dict[str, dict[str, str]]
    scale_labels: dict[str, list[str]] = field(default_factory=dict)  # scale questions' points, lowest first
    # How the reader reads each round (live or its releases): every other round a page loads
    # beside this one (comparisons, headlines) is read as the reader may read that round.
    live_for: Callable[[Round], bool] = lambda survey_round: False

    @property
    def payload(self) -> dict[str, Any]:
        return self.source.payload

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

    def section(self, key: str) -> dict[str, Any] | None:
        return next((s for s in self.payload["sections"] if s["key"] == key), None)

    @property
    def everyone(self) -> dict[str, Any] | None:
        return self.section(EVERYONE)

    def group_sections(self) -> list[dict[str, Any]]:
        return [s for s in self.payload["sections"] if s["key"] != EVERYONE]

    def groups(self) -> list[dict[str, Any]]:
        return self.payload["groups"]

    def criteria(self) -> list[str]:
        return self.payload["criteria"]

    def item(self, key: str) -> dict[str, Any] | None:
        return next((i for i in self.payload["items"] if i["key"] == key), None)

    def items_of_type(self, *types: str) -> list[dict[str, Any]]:
        return [i for i in self.payload["items"] if i["type"] in types]

    def name_of(self, section_key: str) -> str:
        if section_key == EVERYONE:
            return _("All respondents")
        return self.group_names.get(section_key, section_key)

    def option_label(self, item: str, option: str) -> str:
        if option == "_other":
            return _("Something else")
        return self.option_labels.get(item, {}).get(option, option)

    def standing(self, section: dict[str, Any], criterion: str) -> str | None:
        """"below" or "above" when the group's score differs from all respondents' beyond
        chance (tested against the rest of the respondents, see domain.report); else None."""
        compared = section.get("compared_with_all", {}).get(criterion)
        if not compared or not compared["significant"]:
            return None
        return "below" if compared["difference"] < 0 else "above"

    def least_reached(self, count: int = 2) -> list[dict[str, Any]]:
        """The groups reached least for their size (responses against population): who was not
        reached. Only among groups whose population is known, and only when there are more
        of them than `count` (least of two is no finding)."""
        known = [g for g in self.groups() if g.get("coverage") is not None]
        return sorted(known, key=lambda g: g["coverage"])[:count] if len(known) > count else []

    def left_behind(self) -> list[tuple[str, list[str]]]:
        """Each group with the criteria on which it scores below all respondents beyond chance:
        who is left behind, and where."""
        behind = [(s["key"], [self.criterion_names.get(c, c) for c in self.criteria()
                              if self.standing(s, c) == "below"])
                  for s in self.group_sections()]
        return [(key, names) for key, names in behind if names]

    # -- a named panel ------------------------------------------------------------------------

    @property
    def panel(self) -> dict[str, Any] | None:
        """A named panel's ratings side by side (app.domain.panel), or None for other rounds."""
        return self.payload.get("panel")

    def panel_rows(self) -> list[PanelRow]:
        """The panel's table, a row per criterion followed by its questions, then the questions
        of no criterion: each rater's answer in words, with the panel's median and spread."""
        panel = self.panel or {}
        answers, items, criteria = panel.get("answers", {}), panel.get("items", {}), panel.get("criteria", {})
        rows: list[PanelRow] = []
        questions = [i for i in self.payload["items"] if i["role"] == "item" and i["key"] in answers]
        for criterion in self.criteria():
            figure = criteria.get(criterion)
            if figure is None:
                continue
            rows.append(PanelRow(self.criterion_names.get(criterion, criterion),
                                 [format_score(v) for v in figure["each"]], format_score(figure["median"]),
                                 _spread(figure, format_score), heading=True))
            rows += [self._panel_row(i, answers[i["key"]], items.get(i["key"])) for i in questions
                     if i["criterion"] == criterion and i["type"] in ("agreement", "importance_current")]
        scored = {r.key for r in rows if r.key}
        rows += [self._panel_row(i, answers[i["key"]], items.get(i["key"])) for i in questions if i["key"] not in scored]
        return rows

    def _panel_row(self, item: dict[str, Any], answers: list[Any], figure: dict[str, Any] | None) -> PanelRow:
        key = item["key"]
        words = [self.answer_words(key, item["type"], answer) for answer in answers]
        if figure is None or figure["median"] is None:
            return PanelRow(self.item_texts.get(key, key), words, "", "", key=key)
        return PanelRow(self.item_texts.get(key, key), words, self.point_words(key, figure["median"]),
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
            chosen = [self.option_label(item, option) for option in answer["options"]]
            return joined_items([*chosen, *([answer["other"]] if answer.get("other") else [])])
        if kind == "number":
            return format_decimal(answer)
        return str(answer)

    def weighted_coverage(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """Which groups the weighted scores are weighted over: the groups most of them cover, and
        each criterion that covers others (a group whose score is hidden there is left out)."""
        weighted = self.payload.get("weighted") or {}
        covers = weighted.get("covers", {})
        if not covers:
            return [self.name_of(key) for key in weighted.get("groups", [])], []
        usual = max(covers.values(), key=lambda keys: sum(1 for other in covers.values() if other == keys))
        exceptions = [(self.criterion_names.get(c, c), [self.name_of(key) for key in keys])
                      for c, keys in covers.items() if keys != usual]
        return [self.name_of(key) for key in usual], exceptions

    def held_back(self, section: dict[str, Any]) -> list[HeldBackFigure]:
        """The figures this release holds back for the section (the release rule), each with
        its figures as last released. Empty for the live view, which holds nothing back."""
        held = []
        for name, entry in section.get("held_back", {}).items():
            figure = figure_of(name)
            released_at = datetime.fromisoformat(entry["released_at"]) if entry["released_at"] else None
            held.append(HeldBackFigure(self.figure_name(figure), self._figure_summary(figure, entry["figure"]),
                                       released_at))
        return held

    def lead_as_released(self, section: dict[str, Any]) -> tuple[list[str], datetime | None]:
        """When this release holds back what a section's lead would name (its needs, or its
        criterion scores), the lead as last released: the names, and when. Empty otherwise."""
        held = [(figure_of(name), entry) for name, entry in section.get("held_back", {}).items() if entry["figure"]]
        if self.asks_needs():
            needs = sorted(((f, e) for f, e in held if "mwds" in e["figure"]), key=lambda fe: fe[1]["figure"]["rank"])
            chosen = [(self.item_texts.get(f[1], f[1]), e) for f, e in needs[:TOP_NEEDS]]
        else:
            scores = sorted(((f, e) for f, e in held if f[0] == "criterion"), key=lambda fe: fe[1]["figure"]["score"])
            chosen = [(f"{self.criterion_names.get(f[1], f[1])} ({format_score(e['figure']['score'])})", e)
                      for f, e in scores[:LOWEST_CRITERIA]]
        if not chosen:
            return [], None
        return [name for name, _ in chosen], datetime.fromisoformat(chosen[0][1]["released_at"])

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
    def _figure_summary(figure: tuple[str, ...], earlier: Any) -> str | None:
        if earlier is None:
            return None
        if figure[0] == "quotes":
            return counted("%(num)s quote", "%(num)s quotes", len(earlier))
        if figure[0] == "text":
            return counted("%(num)s answer", "%(num)s answers", earlier["answers"])
        n = earlier["n"]
        if "score" in earlier:
            return counted("%(score)s, from %(num)s person", "%(score)s, from %(num)s people", n,
                           score=format_score(earlier["score"]))
        if "gap" in earlier:
            return counted("gap %(gap)s, priority score %(priority)s, from %(num)s person",
                           "gap %(gap)s, priority score %(priority)s, from %(num)s people", n,
                           gap=format_decimal1(earlier["gap"]), priority=format_decimal1(earlier["mwds"]))
        if "mean" in earlier:
            return counted("average %(mean)s, from %(num)s person", "average %(mean)s, from %(num)s people", n,
                           mean=format_decimal1(earlier["mean"]))
        return counted("%(num)s person", "%(num)s people", n)

    def hidden(self, section: dict[str, Any], kind: str, key: str) -> str | None:
        """Why the section shows no figure for a criterion or a question: "held_back" by this
        release, "hidden" to protect a small group, or None (nobody answered it)."""
        name = f"{kind}:{key}"
        if name in section.get("held_back", {}):
            return "held_back"
        return "hidden" if name in section.get("hidden", ()) else None

    # -- sentences ----------------------------------------------------------------------------

    def top_needs(self, section: dict[str, Any]) -> list[str]:
        """The wording of the section's most pressing needs, highest priority score first."""
        return [self.item_texts.get(need["item"], need["item"]) for need in section["needs"][:TOP_NEEDS]]

    def top_needs_sentence(self, section: dict[str, Any]) -> Markup | None:
        """"Newcomers (48 people) most need: learning a language; ..." or None without needs."""
        needs = self.top_needs(section)
        if not needs:
            return None
        return counted(
            "%(group)s (%(num)s person) most need: %(needs)s.",
            "%(group)s (%(num)s people) most need: %(needs)s.",
            section["respondents"],
            group=isolate(self.name_of(section["key"])),
            needs=joined_items(needs),
        )

    def lead_sentence(self, section: dict[str, Any]) -> Markup | None:
        """What the report leads with for a section, in one sentence: its top needs, or its
        lowest scores when the survey asks no needs."""
        return self.top_needs_sentence(section) if self.asks_needs() else self.lowest_criteria_sentence(section)

    def asks_needs(self) -> bool:
        """Whether the survey asks how important things are and how well they are met (the
        citizens' surveys do; the partners' and the self-assessment score criteria only)."""
        return bool(self.items_of_type("importance_current"))

    def lowest_criteria(self, section: dict[str, Any]) -> list[LowScore]:
        """The section's lowest criterion scores, lowest first, with their names: where it
        stands weakest, what a report leads with when its survey asks no needs."""
        scores = section.get("criteria", {})
        order = {c: i for i, c in enumerate(self.criteria())}
        lowest = sorted(scores, key=lambda c: (scores[c]["score"], order.get(c, len(order))))[:LOWEST_CRITERIA]
        return [LowScore(self.criterion_names.get(c, c), scores[c]["score"], scores[c]["n"]) for c in lowest]

    def lowest_criteria_sentence(self, section: dict[str, Any]) -> Markup | None:
        """"All respondents (9 people), lowest scores: Digital learning (38, n = 6); ..." or None."""
        lowest = self.lowest_criteria(section)
        if not lowest:
            return None
        return counted(
            "%(group)s (%(num)s person), lowest scores: %(criteria)s.",
            "%(group)s (%(num)s people), lowest scores: %(criteria)s.",
            section["respondents"],
            group=isolate(self.name_of(section["key"])),
            criteria=joined_items(f"{low.name} ({low_score_figure(low, section)})" for low in lowest),
        )

    # -- charts -------------------------------------------------------------------------------

    def criteria_radar(self, sections: Iterable[dict[str, Any]], id_prefix: str) -> Markup | None:
        """The criteria profile of one or more sections of this report (everyone, or groups)."""
        return self._radar([(self.name_of(s["key"]), s["criteria"]) for s in sections], id_prefix)

    def _radar(self, series: list[tuple[str, dict[str, Any]]], id_prefix: str) -> Markup | None:
        axes = [c for c in self.criteria() if any(c in criteria for _, criteria in series)]
        if len(axes) < 3:
            return None
        return charts.radar_chart(
            [self.criterion_names.get(c, c) for c in axes],
            [charts.RadarSeries(name, [criteria.get(c, {}).get("score") for c in axes]) for name, criteria in series],
            title=_("Criteria profile"),
            description=_("Scores from 0 to 100 on each criterion, higher is better; "
                          "the table below gives every figure."),
            id_prefix=id_prefix, writing=self.writing, missing_label=_("hidden"),
        )

    def criteria_bars(self, section: dict[str, Any], id_prefix: str) -> Markup | None:
        bars = [
            charts.Bar(self.criterion_names.get(c, c), figure["score"], figure["low"], figure["high"],
                       note=counted("%(num)s person", "%(num)s people", figure["n"]))
            for c in self.criteria() if (figure := section["criteria"].get(c))
        ]
        if not bars:
            return None
        return charts.bar_chart(
            bars, title=_("Criterion scores"),
            description=_("Scores from 0 to 100 with their %(level)s intervals.",
                          level=format_percent(0.95, "0 %")),
            id_prefix=id_prefix, writing=self.writing, missing_label=_("hidden"),
        )

    def needs_bars(self, section: dict[str, Any], id_prefix: str) -> Markup | None:
        """The needs in the order of their priority score, each bar that score: what is drawn,
        its order and its words agree (the gap and its interval are in the table below)."""
        needs = section["needs"]
        if not needs:
            return None
        bars = [
            charts.Bar(self.item_texts.get(n["item"], n["item"]), max(n["mwds"], 0) if n["mwds"] is not None else None,
                       note=counted("%(num)s person", "%(num)s people", n["n"]),
                       highlight=n["quadrant"] == "high_priority")
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
    criteria = db.session.scalars(select(Criterion).where(Criterion.key.in_(source.payload["criteria"])))
    groups = db.session.scalars(select(Group).where(Group.community_id == survey_round.community_id))
    language = str(get_locale())
    scale_labels = {q.key: [pick_translation(dict(p), fallback) for p in q.scale] if q.scale
                    else [str(label) for label in AGREEMENT_SCALE]
                    for q in definition.questions if q.type == "agreement"}
    return Report(
        survey_round=survey_round,
        source=source,
        scale_labels=scale_labels,
        live_for=live_for,
        criterion_names={c.key: pick_translation(c.name, fallback) for c in criteria},
        group_names={g.key: g.display_name(language) for g in groups} | {UNASSIGNED: _("No group")},
        item_texts={q.key: pick_translation(dict(q.text), fallback) for q in definition.questions},
        option_labels={q.key: {o.key: pick_translation(dict(o.label), fallback) for o in q.options}
                       for q in definition.questions},
    )


# -- comparisons between two reports ----------------------------------------------------------


def matching_criteria(a: Report, b: Report, same_survey: bool) -> list[str]:
    """Criteria both reports score. Between rounds of one survey, only criteria whose questions
    are the same in both (same signatures), so a reworded question never poses as a change."""
    shared = [c for c in a.criteria() if c in b.criteria()]
    if not same_survey:
        return shared
    return [c for c in shared if _criterion_signatures(a, c) == _criterion_signatures(b, c)]


def matching_items(a: Report, b: Report) -> list[str]:
    theirs = {i["key"]: i["signature"] for i in b.payload["items"]}
    return [i["key"] for i in a.payload["items"] if theirs.get(i["key"]) == i["signature"]]


@dataclass(frozen=True)
class Compared:
    """One figure of all respondents in two reports, and how far apart they are."""

    name: str
    mine: dict[str, Any] | None
    theirs: dict[str, Any] | None
    change: Difference | None  # None unless both reports show the figure
    beyond_chance: bool = False  # judged with the other rows of its table (see judged_together)


def compared_criteria(a: Report, b: Report, criteria: list[str]) -> list[Compared]:
    """The criterion scores of all respondents in `a` and `b`, and a minus b."""
    mine, theirs = (a.everyone or {}).get("criteria", {}), (b.everyone or {}).get("criteria", {})
    return judged_together([_compared(a.criterion_names.get(c, c), mine.get(c), theirs.get(c), "score", "se")
                            for c in criteria])


def compared_needs(a: Report, b: Report, items: list[str]) -> list[Compared]:
    """The gaps of the needs both reports show (for all respondents), in a's order of priority."""
    theirs = {n["item"]: n for n in (b.everyone or {}).get("needs", [])}
    return judged_together([_compared(a.item_texts.get(n["item"], n["item"]), n, theirs[n["item"]], "gap", "gap_se")
                            for n in (a.everyone or {}).get("needs", []) if n["item"] in items and n["item"] in theirs])


def judged_together(rows: list[Compared]) -> list[Compared]:
    """The rows of one table, each marked beyond chance or not with the others in view: a
    table of 21 criteria tested one by one would name one by luck (report_maths.beyond_chance)."""
    verdicts = report_maths.beyond_chance([row.change for row in rows])
    return [replace(row, beyond_chance=verdict) for row, verdict in zip(rows, verdicts, strict=True)]


def beyond_chance(rows: list[Compared]) -> list[Compared] | None:
    """The rows whose difference is beyond chance; None when there is nothing to judge (no
    figure in both reports: "no difference" would mislead), or when a report cannot tell,
    having been built before standard errors were kept (the next periodic build adds them)."""
    compared = [row for row in rows if row.change is not None]
    if not compared or any(row.change.ci_low is None for row in compared):  # type: ignore[union-attr]
        return None
    return [row for row in compared if row.beyond_chance]


@dataclass(frozen=True)
class GroupChange:
    """One group in two rounds of a survey: its people in each, and its criterion scores that
    moved beyond chance (judged with every other group's, see compared_by_group)."""

    key: str
    respondents: int
    respondents_before: int
    moved: list[Compared]


def compared_by_group(a: Report, b: Report, criteria: list[str]) -> list[GroupChange] | None:
    """Each group shown in both reports against itself, on the given criteria; every group x
    criterion judged together, as on the groups page. None when there is nothing to judge (no
    group shown in both, or a report too old to know its errors)."""
    theirs = {s["key"]: s for s in b.group_sections()}
    pairs = [(mine, theirs[mine["key"]]) for mine in a.group_sections() if mine["key"] in theirs]
    rows = [(mine["key"], _compared(a.criterion_names.get(c, c), mine["criteria"].get(c), other["criteria"].get(c),
                                    "score", "se"))
            for mine, other in pairs for c in criteria]
    judged = judged_together([row for _key, row in rows])
    if beyond_chance(judged) is None:
        return None
    moved: dict[str, list[Compared]] = {}
    for key, row in zip([key for key, _row in rows], judged, strict=True):
        if row.beyond_chance:
            moved.setdefault(key, []).append(row)
    return [GroupChange(mine["key"], mine["respondents"], other["respondents"], moved.get(mine["key"], []))
            for mine, other in pairs]


def load_report_exists(survey_round: Round, live_for: Callable[[Round], bool]) -> bool:
    """Whether the reader has a report of the round to read (load_report would find one)."""
    kept = ReportSnapshot if live_for(survey_round) else ReportRelease
    return db.session.scalar(select(exists().where(kept.round_id == survey_round.id))) or False


def comparable_rounds(survey_round: Round, live_for: Callable[[Round], bool]) -> list[Round]:
    """Other rounds of the same community that have a report the reader may read (a live one,
    or a release, as `live_for` says of each): earlier rounds of the same survey (round against
    round) and rounds of a survey for another audience (perception gap)."""
    built = select(ReportSnapshot.round_id).scalar_subquery()
    released = select(ReportRelease.round_id).scalar_subquery()
    candidates = [r for r in db.session.scalars(
        select(Round)
        .join(Survey, Survey.id == Round.survey_id)
        .where(Round.community_id == survey_round.community_id, Round.id != survey_round.id,
               or_(Round.id.in_(built), Round.id.in_(released)))
        .order_by(Round.began_at.desc(), Round.id.desc())
    ).all() if load_report_exists(r, live_for)]
    return [
        r for r in candidates
        if (r.survey.key == survey_round.survey.key and r.began_at <= survey_round.began_at)
        or r.survey.audience != survey_round.survey.audience
    ]


@dataclass(frozen=True)
class Headlines:
    """What the overview (and the PDF) say against other rounds, each None when there is
    nothing to tell: the criteria beyond chance since the previous round of the same survey,
    the groups whose own scores moved since then, and the criteria beyond chance against the
    latest round of the other audience (organisations against citizens)."""

    previous: Round | None = None
    moved: list[Compared] | None = None
    other_audience: Round | None = None
    seen_differently: list[Compared] | None = None
    groups_moved: list[GroupChange] | None = None


def previous_round(report: Report, comparable: list[Round]) -> Round | None:
    """The latest earlier round of the same survey among `comparable` (newest first)."""
    return next((r for r in comparable if r.survey.key == report.survey_round.survey.key), None)


def headline_comparisons(report: Report | None, comparable: list[Round]) -> Headlines:
    if report is None:
        return Headlines()
    mine = report.survey_round.survey
    previous = previous_round(report, comparable)
    other_audience = next((r for r in comparable if r.survey.audience != mine.audience), None)
    before = load_report(previous, report.live_for) if previous else None
    theirs = load_report(other_audience, report.live_for) if other_audience else None
    return Headlines(previous, _beyond_chance_against(report, before, same_survey=True),
                     other_audience, _beyond_chance_against(report, theirs, same_survey=False),
                     _groups_moved(report, before))


def _beyond_chance_against(report: Report, other: Report | None, same_survey: bool) -> list[Compared] | None:
    """The criteria of all respondents that differ beyond chance from another round's; None
    when there is nothing to tell (no such round, too few respondents, no criterion asked the
    same way in both, or a report too old to know its errors)."""
    if other is None or report.everyone is None or other.everyone is None:
        return None
    return beyond_chance(compared_criteria(report, other, matching_criteria(report, other, same_survey)))


def group_since_previous(report: Report, comparable: list[Round], key: str) -> tuple[Round, GroupChange] | None:
    """The previous round of the same survey and the group's own change since then (judged
    with every group's, as on the comparison page); None when there is no such round, the
    group is not shown in both, or there is nothing to judge."""
    previous = previous_round(report, comparable)
    before = load_report(previous, report.live_for) if previous else None
    change = next((c for c in _changes_since(report, before) or [] if c.key == key), None)
    return (previous, change) if change else None


def _groups_moved(report: Report, before: Report | None) -> list[GroupChange] | None:
    """The groups whose own criterion scores moved beyond chance since `before` (a round of
    the same survey); None when there is nothing to judge."""
    changes = _changes_since(report, before)
    return None if changes is None else [change for change in changes if change.moved]


def _changes_since(report: Report, before: Report | None) -> list[GroupChange] | None:
    """Each group against itself in `before`, a round of the same survey (compared_by_group)."""
    if before is None:
        return None
    return compared_by_group(report, before, matching_criteria(report, before, same_survey=True))


def _compared(name: str, mine: dict[str, Any] | None, theirs: dict[str, Any] | None,
              figure: str, error: str) -> Compared:
    moved = (change(mine[figure], mine.get(error), theirs[figure], theirs.get(error))
             if mine and theirs else None)  # snapshots made before errors were kept have none
    return Compared(name, mine, theirs, moved)


def _criterion_signatures(report: Report, criterion: str) -> set[str]:
    return {i["signature"] for i in report.payload["items"] if i["criterion"] == criterion}


def joined_items(items: Iterable[str]) -> str:
    """Items that may hold commas of their own ("Learning a language, or ..."), one after the
    other: "A; B; C", with the page language's separator (Greek reads ";" as a question mark
    and separates with "·"; Arabic has its own "؛")."""
    return pgettext("between items of a list that may hold commas", "; ").join(items)


def format_decimal1(value: float | None) -> str:
    """A mean or gap on an answer scale: one decimal, in the reader's notation (3,7 in Dutch)."""
    return "—" if value is None else format_decimal(_without_negative_zero(value, 1), "0.0")


def format_score(value: float | None) -> str:
    return "—" if value is None else format_decimal(_without_negative_zero(value, 0), "0")


def format_difference(value: float | None, decimals: int = 0) -> str:
    """A difference with its sign (+6, -18), none on a difference that rounds to nothing."""
    if value is None:
        return "—"
    digits = "0" + ("." + "0" * decimals if decimals else "")
    shown = _without_negative_zero(value, decimals)
    return format_decimal(shown, f"+{digits};-{digits}" if shown else digits)


def _without_negative_zero(value: float, decimals: int) -> float:
    """The value as it will be shown: an interval from -0.04 reads "0.0", not "-0.0"."""
    return round(value, decimals) + 0.0  # -0.0 + 0.0 is 0.0


def format_share(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "0 %")
