"""The translators' spreadsheet: every text a respondent sees, one row each, a column per language.

Sheet "translations", row 1 the header, then one row per text:

| id                                   | what                           | English (en) | Hebrew (he) |
|--------------------------------------|--------------------------------|--------------|-------------|
| title                                | Survey title                   | ...          | ...         |
| questions.age_band.options.age_16_25.label | Option 'age_16_25' of question 'age_band' | ... | ... |

The id is a path that stays the same while the survey's wording changes: title, intro,
scales.NAME.N (point N of a named scale, from 1), pages.KEY.title, questions.KEY.text,
questions.KEY.help, questions.KEY.unit, questions.KEY.options.OPTION.label, and
questions.KEY.scale.N for a question scale that is not one of the named scales. Questions are
named by key alone, so a row stays valid when its question moves to another page.

The source language's column is there to translate from, and is checked on the way back: when
it no longer matches the survey, the wording changed since the sheet was downloaded, and the
translation may no longer fit, so the row is a problem rather than silently applied. An empty
cell leaves the text as it is: a sheet adds and changes translations, never removes them.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping, Sequence
from typing import Any

import xlsxwriter
from openpyxl.utils import get_column_letter

from app.domain.survey_texts import TranslatableText, set_text, text_slots, translatable_texts
from app.domain.xlsform import FORMULA_START, language_code, language_header
from app.domain.xlsx_reading import LIMITS, RowProblem, XlsxLimits, XlsxRefused, read_xlsx

__all__ = [
    "MAX_TEXT_LENGTH", "SHEET", "TranslatableText", "read_translation_sheet",
    "translatable_texts", "write_translation_sheet",
]

SHEET = "translations"
MAX_TEXT_LENGTH = 2000
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ku"})


# --- Writing --------------------------------------------------------------------------------


def write_translation_sheet(survey: Mapping[str, Any], languages: Sequence[str]) -> bytes:
    """The sheet for translating the survey into `languages` (the source language comes first
    whether listed or not); cells hold the translations there already are."""
    columns = _columns(survey, languages)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    try:
        _write(book, columns, translatable_texts(survey))
    finally:
        book.close()
    return buffer.getvalue()


def _columns(survey: Mapping[str, Any], languages: Sequence[str]) -> list[str]:
    source = survey["languages"][0]
    return [source] + [code for code in dict.fromkeys(languages) if code != source]


def _write(book: Any, languages: list[str], texts: list[TranslatableText]) -> None:
    sheet = book.add_worksheet(SHEET)
    header = book.add_format({"bold": True, "bg_color": "#EEEEEE"})
    formats = _text_formats(book)
    for column, title in enumerate(["id", "what", *map(language_header, languages)]):
        sheet.write_string(0, column, title, header)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 1 + len(languages), 50)
    for row, item in enumerate(texts, start=1):
        sheet.write_string(row, 0, item.id, formats["ltr", False])
        sheet.write_string(row, 1, item.what, formats["ltr", False])
        for column, code in enumerate(languages, start=2):
            text = item.text.get(code)
            if text:
                direction = "rtl" if code.split("-")[0] in RIGHT_TO_LEFT else "ltr"
                sheet.write_string(row, column, text, formats[direction, text.startswith(FORMULA_START)])
    sheet.freeze_panes(1, 2)


def _text_formats(book: Any) -> dict[tuple[str, bool], Any]:
    """Cell formats by (direction, looks like a formula). write_string always writes text; the
    quote prefix also keeps Excel from making "=..." a formula when a translator edits it."""
    return {
        (direction, quote): book.add_format({
            "text_wrap": True, "valign": "top", "reading_order": order, "quote_prefix": quote,
        })
        for direction, order in (("ltr", 1), ("rtl", 2))
        for quote in (False, True)
    }


# --- Reading --------------------------------------------------------------------------------


def read_translation_sheet(
    data: bytes, survey: Mapping[str, Any], languages: Sequence[str], limits: XlsxLimits = LIMITS
) -> tuple[dict[str, Any] | None, list[RowProblem]]:
    """The survey with the sheet's translations into `languages`, or None and every problem.

    Problem codes: missing_column (no id or source-language column), unknown_language (a
    column for a language not asked for), duplicate_column, missing_id, unknown_id,
    duplicate_id, source_changed, too_long. Raises XlsxRefused when the file cannot be read."""
    rows, sheet = _sheet(data, limits)
    updated = copy.deepcopy(dict(survey))
    slots = {id: held for id, _, held in text_slots(updated)}
    reader = _SheetReader(sheet, survey["languages"][0], _columns(survey, languages), slots)
    reader.read(rows)
    if reader.problems:
        return None, reader.problems
    for id, code, text in reader.changes:  # through set_text, so a translation set is no longer outdated
        updated = set_text(updated, id, code, text)
    # A language joins the survey's list once the sheet gives it a text, not for an empty column.
    given = [code for _, code, _ in reader.changes]
    updated["languages"] = list(dict.fromkeys([*survey["languages"], *given]))
    return updated, []


def _sheet(data: bytes, limits: XlsxLimits) -> tuple[list[list[str | None]], str]:
    """The sheet named translations, or else the first (a translator may rename it)."""
    sheets = read_xlsx(data, None, limits)
    if not sheets:
        raise XlsxRefused("missing_sheet", {"sheet": SHEET})
    name = next((n for n in sheets if n.strip().casefold() == SHEET), next(iter(sheets)))
    return sheets[name], name


class _SheetReader:
    def __init__(
        self, sheet: str, source: str, allowed: list[str], slots: Mapping[str, list[dict[str, str]]]
    ) -> None:
        self.sheet, self.source, self.allowed, self.slots = sheet, source, allowed, slots
        self.problems: list[RowProblem] = []
        self.id_column: int | None = None
        self.language_columns: dict[str, int] = {}
        self.changes: list[tuple[str, str, str]] = []  # (id, language, text)

    @property
    def targets(self) -> list[str]:
        return [code for code in self.language_columns if code != self.source]

    def report(self, row: int, code: str, **detail: Any) -> None:
        self.problems.append(RowProblem(self.sheet, row, code, detail))

    def read(self, rows: list[list[str | None]]) -> None:
        self.header(rows[0] if rows else [])
        if self.problems:
            return
        first_rows: dict[str, int] = {}
        for number, row in enumerate(rows[1:], start=2):
            if any(cell is not None for cell in row):
                self.row(number, row, first_rows)

    def header(self, header: Sequence[str | None]) -> None:
        for index, text in enumerate(header):
            name = (text or "").strip().casefold()
            if name == "id":
                self.id_column = index
            elif name and name != "what":
                self.language_column(index, text or "")
        if self.id_column is None:
            self.report(1, "missing_column", column="id")
        if self.source not in self.language_columns:
            self.report(1, "missing_column", column=language_header(self.source))

    def language_column(self, index: int, text: str) -> None:
        code = language_code(text)
        where = {"column": get_column_letter(index + 1), "header": text}
        if code is None or code not in self.allowed:
            self.report(1, "unknown_language", **where)
        elif code in self.language_columns:
            self.report(1, "duplicate_column", **where)
        else:
            self.language_columns[code] = index

    def row(self, number: int, row: Sequence[str | None], first_rows: dict[str, int]) -> None:
        id = _cell(row, self.id_column)
        if id is None:
            self.report(number, "missing_id")
        elif id not in self.slots:
            self.report(number, "unknown_id", id=id)
        elif id in first_rows:
            self.report(number, "duplicate_id", id=id, first_row=first_rows[id])
        else:
            first_rows[id] = number
            self.texts(number, id, row)

    def texts(self, number: int, id: str, row: Sequence[str | None]) -> None:
        current = self.slots[id][0].get(self.source, "")
        given = _cell(row, self.language_columns[self.source])
        if _normal(given or "") != _normal(current):
            self.report(number, "source_changed", id=id, language=self.source)
            return
        for code in self.targets:
            text = _cell(row, self.language_columns[code])
            if text is not None and len(text) > MAX_TEXT_LENGTH:
                self.report(number, "too_long", id=id, language=code, length=len(text),
                            limit=MAX_TEXT_LENGTH)
            elif text is not None:
                self.changes.append((id, code, text))


def _cell(row: Sequence[str | None], index: int | None) -> str | None:
    return row[index] if index is not None and index < len(row) else None


def _normal(text: str) -> str:
    """Text as compared with the survey's: spreadsheets may change line ends and edge spaces."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
