"""Downloads of a report: tidy CSV, XLSX and a PDF in the reader's language.

All three are made from the stored snapshot, which is already privacy-suppressed, so an export
can never hold a figure the pages hide. The tidy table has one row per section (a group, or
all respondents) x item x statistic; a hidden figure is a row with its suppression flag set and
no value, so a reader sees that it exists and why it is blank.

Text is made formula-safe (app.domain.tabular) in both CSV and XLSX.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, fields, replace

from flask import Response, render_template, send_file, stream_with_context
from flask_babel import gettext as _

from app.domain.report_model import EVERYONE, CountFigures, ScaleFigures, Section, SurveyRef
from app.domain.tabular import csv_lines as table_lines, neutralise_formula
from app.i18n import named, pick_translation
from app.reports.comparing import comparable_rounds, headline_comparisons
from app.reports.presenting import Report

@dataclass(frozen=True)
class TidyRow:
    round_id: int
    round_title: str
    survey: str
    survey_version: int
    built_at: str
    section: str
    section_name: str
    measure: str  # criterion, item, need, choice, group
    item: str
    item_label: str
    option: str
    statistic: str
    value: float | int | None
    n: int | None
    suppressed: bool
    # Why a suppressed row is blank: "few" (the group is too small), "complement" (hidden so
    # that a smaller group cannot be worked out), "protected" (this figure is hidden in the
    # group for either reason), "held_back" (this release keeps it back: see the report).
    hidden_because: str = ""
    covers: str = ""  # a weighted score: the groups it is weighted over, "; " between them
    release: int | None = None  # the release these figures are; empty for the coordinators' live view


COLUMNS = [f.name for f in fields(TidyRow)]


def tidy_rows(report: Report) -> Iterator[TidyRow]:
    figures = report.figures
    survey_round = report.survey_round
    survey = figures.survey or SurveyRef(survey_round.survey.key, survey_round.survey.version)

    release = report.release.number if report.release else None
    hidden_groups = {g.key: g.hidden_because for g in report.groups() if g.hidden_because}

    def row(section: str, measure: str, item: str, label: str, statistic: str, value, n,
            option: str = "", suppressed: bool = False, covers: str = "") -> TidyRow:
        because = ""
        if suppressed:
            because = hidden_groups.get(section) or _hidden_because(report, sections.get(section), measure, item)
        return TidyRow(survey_round.id, survey_round.title, survey.key, survey.version, figures.built_at, section,
                       report.name_of(section), measure, item, label, option, statistic,
                       None if suppressed else value, None if suppressed else n, suppressed, because, covers,
                       release)

    sections = {s.key: s for s in figures.sections}
    for group in report.groups():
        hidden = group.suppressed
        yield row(group.key, "group", "", "", "respondents", group.respondents, None, suppressed=hidden)
        if group.population is not None:
            yield row(group.key, "group", "", "", "coverage", group.coverage, group.respondents, suppressed=hidden)
    for key in [EVERYONE, *(g.key for g in report.groups())]:
        yield from _section_rows(report, sections.get(key), key, row)
    weighted = figures.weighted
    if weighted:
        for criterion, value in weighted.criteria.items():
            covered = weighted.covers.get(criterion, weighted.groups)
            yield row(EVERYONE, "criterion", criterion, report.criterion_names.get(criterion, criterion),
                      "score_weighted", value, None, covers="; ".join(covered))


def _hidden_because(report: Report, section: Section | None, measure: str, item: str) -> str:
    """Why a figure of a shown section is blank (see TidyRow.hidden_because); "" when nobody
    answered it."""
    if section is None:
        return "few"  # everyone's figures, when fewer than k answered at all
    kind = "criterion" if measure == "criterion" else "item"
    why = report.hidden(section, kind, item)
    return {"held_back": "held_back", "hidden": "protected"}.get(why or "", "")


def _section_rows(report: Report, section: Section | None, key: str, row) -> Iterator[TidyRow]:
    for criterion in report.criteria():
        label = report.criterion_names.get(criterion, criterion)
        score = section.criteria.get(criterion) if section else None
        if score is None:
            yield row(key, "criterion", criterion, label, "score", None, None, suppressed=True)
            continue
        for statistic in ("score", "low", "high", "se"):  # se: none in snapshots made before it was kept
            yield row(key, "criterion", criterion, label, statistic, getattr(score, statistic), score.n)
        # A group against all respondents: the gap, and whether it is beyond chance (1 or 0),
        # judged as the pages judge it (together with every group and criterion of the report).
        compared = section.comparison(criterion)  # type: ignore[union-attr]
        if compared is not None:
            yield row(key, "criterion", criterion, label, "difference_from_all", compared.difference, score.n)
            verdict = compared.significant  # None: no test was possible (say, a round of one group)
            yield row(key, "criterion", criterion, label, "beyond_chance", None if verdict is None else int(verdict),
                      score.n)
        for leaning, count in score.answers.items():
            yield row(key, "criterion", criterion, label, "answers", count, score.n, option=leaning)
    for item in report.items_of_type("agreement", "number", "single_choice"):
        label = report.item_texts.get(item.key, item.key)
        figure = section.items.get(item.key) if section else None
        if figure is None:
            yield row(key, "item", item.key, label, "mean" if item.type != "single_choice" else "count",
                      None, None, suppressed=True)
        elif isinstance(figure, CountFigures):
            for option, count in figure.counts.items():
                yield row(key, "item", item.key, label, "count", count, figure.n, option=option)
                yield row(key, "item", item.key, label, "share", figure.shares[option], figure.n, option=option)
        else:
            for statistic in ("mean", "low", "high"):
                yield row(key, "item", item.key, label, statistic, getattr(figure, statistic), figure.n)
            if isinstance(figure, ScaleFigures):
                for point, count in figure.distribution.items():
                    yield row(key, "item", item.key, label, "count", count, figure.n, option=point)
                yield row(key, "item", item.key, label, "dont_know", figure.dont_know, figure.n)
    for item in report.items_of_type("importance_current"):
        label = report.item_texts.get(item.key, item.key)
        need = section.need(item.key) if section else None
        if need is None:
            yield row(key, "need", item.key, label, "mwds", None, None, suppressed=True)
            continue
        for statistic in ("importance", "current", "gap", "gap_low", "gap_high", "gap_se", "mwds", "rank"):
            yield row(key, "need", item.key, label, statistic, getattr(need, statistic), need.n)
        yield row(key, "need", item.key, label, "quadrant", None, need.n, option=need.quadrant)
    for item in report.items_of_type("multiple_choice"):
        label = report.item_texts.get(item.key, item.key)
        choice = section.choices.get(item.key) if section else None
        if choice is None:
            yield row(key, "choice", item.key, label, "count", None, None, suppressed=True)
            continue
        for option, count in choice.counts.items():
            yield row(key, "choice", item.key, label, "count", count, choice.n, option=option)
            yield row(key, "choice", item.key, label, "share", choice.shares.get(option), choice.n, option=option)


# -- writers ----------------------------------------------------------------------------------


def csv_lines(rows: Iterator[TidyRow]) -> Iterator[str]:
    return table_lines(COLUMNS, (astuple(row) for row in rows))


# Readable column widths (in characters) in a spreadsheet; the other columns get 10.
XLSX_WIDTHS = {"round_title": 24, "survey": 16, "built_at": 25, "section": 14, "section_name": 24, "item": 16,
               "item_label": 48, "option": 12, "statistic": 14}


@dataclass(frozen=True)
class Summary:
    """What a council reads first, in the reader's language: each group's top needs and the
    criteria profile of all respondents (the figures the report's pages show, nothing more)."""

    title: str
    source: str
    needs_heading: str
    needs: list[tuple[str, int, list[str]]]  # group, people, its top needs
    profile_heading: str
    profile: list[tuple[str, float]]  # criterion, score of all respondents
    columns: tuple[str, str, str, str]  # group, people, criterion, score


def summary_of(report: Report) -> Summary:
    everyone = report.everyone
    return Summary(
        title=named(report.survey_round),
        source=" · ".join([named(report.survey_round.community), pick_translation(report.survey_round.survey.title)]),
        needs_heading=_("Who needs what most"),
        needs=[(report.name_of(s.key), s.respondents, needs)
               for s in report.group_sections() if (needs := report.top_needs(s))],
        profile_heading=_("Criteria profile of all respondents"),
        profile=[(report.criterion_names.get(c, c), score.score) for c in report.criteria()
                 if everyone and (score := everyone.criteria.get(c)) and score.score is not None],
        columns=(_("Group"), _("People"), _("Criterion"), _("Score")),
    )


def write_xlsx(rows: Iterator[TidyRow], target, right_to_left: bool = False, summary: Summary | None = None) -> None:
    """A summary sheet first, for people who are not analysts (each group's top needs, the
    criteria profile with a native bar chart), then the tidy rows, written row by row (constant
    memory mode), with a filter on every column; for a Hebrew or Arabic reader, right to left."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "in_memory": False})
    if summary is not None:
        write_summary_sheet(workbook, summary, right_to_left)
    sheet = workbook.add_worksheet("report")
    if right_to_left:
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True})
    for column, name in enumerate(COLUMNS):
        sheet.set_column(column, column, XLSX_WIDTHS.get(name, 10))
        sheet.write_string(0, column, name, bold)
    last = 0
    for last, row in enumerate(rows, start=1):
        for column, value in enumerate(astuple(row)):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(last, column, value)
            elif isinstance(value, int | float):
                sheet.write_number(last, column, value)
            else:
                sheet.write_string(last, column, neutralise_formula(str(value)))  # type: ignore[arg-type]
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
    workbook.close()


def write_summary_sheet(workbook, summary: Summary, right_to_left: bool) -> None:
    sheet = workbook.add_worksheet("summary")
    if right_to_left:
        sheet.right_to_left()
    title, bold = workbook.add_format({"bold": True, "font_size": 14}), workbook.add_format({"bold": True})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 4, 40)

    def text(row: int, column: int, value: str, style=None) -> None:
        sheet.write_string(row, column, neutralise_formula(value), style)  # names typed by people

    text(0, 0, summary.title, title)
    text(1, 0, summary.source)
    row = 3
    if summary.needs:
        text(row, 0, summary.needs_heading, bold)
        row += 1
        text(row, 0, summary.columns[0], bold)
        text(row, 1, summary.columns[1], bold)
        for rank in range(3):
            sheet.write_string(row, 2 + rank, f"{rank + 1}.", bold)
        for group, people, needs in summary.needs:
            row += 1
            text(row, 0, group, wrapped)
            sheet.write_number(row, 1, people)
            for rank, need in enumerate(needs[:3]):
                text(row, 2 + rank, need, wrapped)
        row += 2
    if summary.profile:
        text(row, 0, summary.profile_heading, bold)
        row += 1
        text(row, 0, summary.columns[2], bold)
        text(row, 1, summary.columns[3], bold)
        first = row + 1
        for criterion, score in summary.profile:
            row += 1
            text(row, 0, criterion)
            sheet.write_number(row, 1, round(score, 1))
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({"name": summary.profile_heading, "categories": ["summary", first, 0, row, 0],
                          "values": ["summary", first, 1, row, 1], "fill": {"color": "#1f5fa8"}})
        chart.set_title({"name": summary.profile_heading})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_y_axis({"reverse": True})  # the first criterion at the top, as in the table
        chart.set_legend({"none": True})
        chart.set_size({"width": 620, "height": 24 * len(summary.profile) + 80})
        sheet.insert_chart(first - 1, 2, chart)


def pdf_bytes(report: Report) -> bytes:
    from weasyprint import HTML

    report = replace(report, visual_order=visual_order_for(report.writing.rtl))
    headlines = headline_comparisons(report, comparable_rounds(report.survey_round, report.live_for))
    html = render_template("reports/pdf.html", report=report, round=report.survey_round, headlines=headlines,
                           printing=True)
    return HTML(string=html).write_pdf()


def visual_order_for(rtl: bool) -> Callable[[str], str]:
    """Chart text as WeasyPrint must receive it: it draws SVG text letter by letter, with no
    bidirectional layout and no shaping. So Arabic letters are given their joined forms
    (arabic-reshaper) and every line is put in display order (python-bidi)."""
    import arabic_reshaper
    from bidi import get_display

    base = "R" if rtl else "L"
    return lambda line: get_display(arabic_reshaper.reshape(line), base_dir=base)


def file_stem_of(survey_round) -> str:
    """A download name any file system accepts: the title's ASCII letters and the round's id."""
    title = re.sub(r"[^A-Za-z0-9]+", "-", survey_round.title).strip("-").lower() or "report"
    return f"{title}-round-{survey_round.id}"


def respond(report: Report, kind: str) -> Response:
    stem = file_stem_of(report.survey_round)
    if kind == "csv":
        response = Response(stream_with_context(csv_lines(tidy_rows(report))), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    if kind == "xlsx":
        workbook = io.BytesIO()  # the tidy table of one snapshot: a few thousand rows at most
        write_xlsx(tidy_rows(report), workbook, right_to_left=report.writing.rtl, summary=summary_of(report))
        workbook.seek(0)
        return send_file(workbook, as_attachment=True, download_name=f"{stem}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    data = pdf_bytes(report)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{stem}.pdf",
                     mimetype="application/pdf")
