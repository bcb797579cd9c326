"""Reading an uploaded .xlsx workbook safely: size, zip and sheet limits before any cell is used.

An .xlsx file is a zip of XML files, so an upload is checked as a zip first (with zipfile, which
reads only the central directory): its size, the number of members, the total uncompressed size
and each member's compression ratio, because a few kilobytes can unpack to gigabytes (a "zip
bomb"). Python's zipfile never returns more bytes than a member's declared size, so checking the
declared sizes bounds what openpyxl can be made to read.

Only then does openpyxl open it, read_only (sheets are streamed, not loaded whole) and data_only
(a formula cell gives its cached value; no formula is ever evaluated). With defusedxml installed
(a dependency of this project), openpyxl parses every XML part through defusedxml, which refuses
entity expansion ("billion laughs") and external entities (XXE); a file that tries either is
refused as `unsafe_xml`.

Every refusal is an XlsxRefused with a stable code and a detail dict; the web layer words them.
Rows come back as lists of str | None: rows[0] is the sheet's row 1, as Excel shows it.
"""

from __future__ import annotations

import datetime
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

__all__ = [
    "LIMITS", "RowProblem", "Rows", "XlsxLimits", "XlsxRefused", "cell_text", "read_xlsx",
]

Cell = str | None
Rows = list[list[Cell]]

# The first bytes of an OLE2 compound file: the old .xls format, and also any password-protected
# .xlsx (Excel encrypts the zip inside such a container). Worth telling apart from garbage.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class XlsxLimits:
    file_bytes: int = 10 * 1024 * 1024
    members: int = 500
    uncompressed_bytes: int = 100 * 1024 * 1024
    # Real sheets compress up to about 1:50 (long runs of similar XML); deflate's own maximum is
    # about 1:1030, which is what a zip bomb uses.
    compression_ratio: int = 200
    ratio_checked_above: int = 1024 * 1024  # small members cannot do harm, whatever their ratio
    sheets: int = 50
    rows: int = 5000
    columns: int = 100
    cell_chars: int = 10_000


LIMITS = XlsxLimits()


class XlsxRefused(Exception):
    """The workbook cannot be read. `code` is stable (not_xlsx, too_large, too_many_members,
    zip_bomb, unsafe_xml, too_many_sheets, missing_sheet, too_many_rows, too_many_columns,
    cell_too_long); `detail` gives the numbers and places a message needs."""

    def __init__(self, code: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(code, detail or {})
        self.code = code
        self.detail = detail or {}

    def __str__(self) -> str:
        return f"{self.code} {self.detail}" if self.detail else self.code


@dataclass(frozen=True)
class RowProblem:
    """A problem with one row of a sheet the user uploaded. row is 1-based as Excel shows it
    (the header is row 1); 0 means the problem concerns the whole sheet or file."""

    sheet: str
    row: int
    code: str
    detail: dict[str, Any] = field(default_factory=dict)


def read_xlsx(
    data: bytes,
    sheets: Sequence[str] | None = None,
    limits: XlsxLimits = LIMITS,
    optional: Sequence[str] = (),
) -> dict[str, Rows]:
    """The named sheets (matched ignoring case and surrounding spaces; each must exist, else
    missing_sheet) and those of `optional` that exist, keyed by the name asked for; or, with
    sheets=None, every worksheet keyed by its own name, in workbook order. Trailing empty cells
    and rows are left out."""
    _check_zip(data, limits)
    # openpyxl warns about parts it drops (data validation extensions, unknown styles); those
    # do not matter for reading values, and must not turn into errors where warnings do.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read_workbook(data, sheets, optional, limits)


def cell_text(value: object) -> Cell:
    """A cell's value as text: numbers without a needless ".0", booleans as TRUE/FALSE (as
    Excel shows them), dates in ISO form; empty or blank text is None. Text is stripped."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# --- The zip --------------------------------------------------------------------------------


def _check_zip(data: bytes, limits: XlsxLimits) -> None:
    if len(data) > limits.file_bytes:
        raise XlsxRefused("too_large", {"bytes": len(data), "limit": limits.file_bytes})
    if data.startswith(OLE2_SIGNATURE):
        raise XlsxRefused("not_xlsx", {"format": "xls_or_encrypted"})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise XlsxRefused("not_xlsx", {"format": "not_zip"}) from None
    if "[Content_Types].xml" not in {m.filename for m in members}:
        raise XlsxRefused("not_xlsx", {"format": "other_zip"})  # a .docx, .ods, plain zip ...
    _check_members(members, limits)


def _check_members(members: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    if len(members) > limits.members:
        raise XlsxRefused("too_many_members", {"members": len(members), "limit": limits.members})
    total = sum(m.file_size for m in members)
    if total > limits.uncompressed_bytes:
        raise XlsxRefused(
            "zip_bomb", {"uncompressed_bytes": total, "limit": limits.uncompressed_bytes}
        )
    for member in members:
        if member.file_size <= limits.ratio_checked_above:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.compression_ratio:
            raise XlsxRefused("zip_bomb", {
                "member": member.filename, "ratio": round(ratio), "limit": limits.compression_ratio,
            })


# --- The workbook ---------------------------------------------------------------------------


def _read_workbook(
    data: bytes, sheets: Sequence[str] | None, optional: Sequence[str], limits: XlsxLimits
) -> dict[str, Rows]:
    workbook = _open(data)
    try:
        worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]  # no charts
        if len(workbook.sheetnames) > limits.sheets:
            raise XlsxRefused(
                "too_many_sheets", {"sheets": len(workbook.sheetnames), "limit": limits.sheets}
            )
        chosen = _choose(worksheets, sheets, optional)
        return {name: _read_sheet(ws, limits) for name, ws in chosen}
    except XlsxRefused:
        raise
    except Exception as error:  # a malformed part deep inside the file
        raise _refusal(error) from None
    finally:
        workbook.close()  # read-only workbooks keep the zip open until closed


def _open(data: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise _refusal(error) from None


def _refusal(error: Exception) -> XlsxRefused:
    # openpyxl wraps what went wrong in a ValueError of its own, so look down the chain.
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):  # entities, external references, DTDs
            return XlsxRefused("unsafe_xml", {"error": type(cause).__name__})
        cause = cause.__cause__ or cause.__context__
    return XlsxRefused("not_xlsx", {"format": "broken", "error": type(error).__name__})


def _choose(
    worksheets: list[Any], wanted: Sequence[str] | None, optional: Sequence[str]
) -> list[tuple[str, Any]]:
    if wanted is None:
        return [(ws.title, ws) for ws in worksheets]
    by_name = {ws.title.strip().casefold(): ws for ws in worksheets}
    chosen = []
    for name in [*wanted, *optional]:
        worksheet = by_name.get(name.strip().casefold())
        if worksheet is not None:
            chosen.append((name, worksheet))
        elif name in wanted:
            raise XlsxRefused("missing_sheet", {"sheet": name})
    return chosen


def _read_sheet(worksheet: Any, limits: XlsxLimits) -> Rows:
    # Explicit bounds: the sheet's own <dimension> may be missing or wrong, and one past each
    # limit tells a sheet that is exactly at the limit from one that goes beyond it.
    values = worksheet.iter_rows(
        min_row=1, min_col=1, max_row=limits.rows + 1, max_col=limits.columns + 1, values_only=True
    )
    rows: Rows = []
    for number, row in enumerate(values, start=1):
        cells = _trimmed([cell_text(v) for v in row])
        _check_row(worksheet.title, number, cells, limits)
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _check_row(sheet: str, number: int, cells: list[Cell], limits: XlsxLimits) -> None:
    if not cells:
        return
    if number > limits.rows:
        raise XlsxRefused("too_many_rows", {"sheet": sheet, "row": number, "limit": limits.rows})
    if len(cells) > limits.columns:
        raise XlsxRefused("too_many_columns", {
            "sheet": sheet, "row": number, "column": get_column_letter(len(cells)),
            "limit": limits.columns,
        })
    for column, text in _long_cells(cells, limits.cell_chars):
        raise XlsxRefused("cell_too_long", {
            "sheet": sheet, "row": number, "column": get_column_letter(column),
            "length": len(text), "limit": limits.cell_chars,
        })


def _long_cells(cells: list[Cell], limit: int) -> Iterable[tuple[int, str]]:
    return ((n, text) for n, text in enumerate(cells, start=1) if text and len(text) > limit)


def _trimmed(cells: list[Cell]) -> list[Cell]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells
