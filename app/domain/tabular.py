"""Tables leaving the app as CSV or spreadsheets: streamed, and safe to open.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a
formula, so text from respondents or coordinators could run as one ("formula injection").
Such text gets a leading apostrophe, as OWASP advises; numbers are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_cell(value: object) -> object:
    """One cell as the CSV writer takes it. (Called for every cell of exports with millions
    of them: the common cases are tested first, by exact type.)"""
    kind = type(value)
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    return neutralise_formula(value)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text line by line, so a response can stream it without holding the table.

    Starts with a byte-order mark: without it, spreadsheet programs read Hebrew, Arabic and
    Greek as garbage.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + _drain(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
