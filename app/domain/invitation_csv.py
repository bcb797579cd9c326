"""Reading a coordinator's invitation list (a CSV file) into rows to import and findings to show.

The file is what a spreadsheet saves: UTF-8 with or without a byte order mark (or UTF-16, from
Excel's "Unicode text"), comma, semicolon or tab between cells, and a first row naming the
columns `email`, `language` and, optionally, `group` (in any case and order); a named panel's
list also names each rater (`name`), as their ratings will be shown.

Every finding names the row as the spreadsheet numbers it (the header is row 1; empty lines
count, because the spreadsheet shows them), the column, and an `Issue` with parameters, so
that the web layer words it in the coordinator's language. Problems keep a row (or, for the
file as a whole, every row) out; notices go with rows that are imported.

The same address twice (letter case and spaces aside) becomes one invitation: the later row's
language and group win. An address already invited in the round is updated, or left as it is
when nothing changed or its invitee has answered.

Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
DELIMITERS = (",", ";", "\t")
# How the files start that people upload when they forget to save as CSV: .xlsx (a zip), .xls.
SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")

EMAIL, LANGUAGE, GROUP, NAME = "email", "language", "group", "name"
REQUIRED_COLUMNS = (EMAIL, LANGUAGE)
# What people write at the top of the column, whatever the case.
COLUMN_NAMES = {
    "email": EMAIL, "e-mail": EMAIL, "email address": EMAIL, "e-mail address": EMAIL,
    "language": LANGUAGE, "lang": LANGUAGE,
    "group": GROUP,
    "name": NAME, "rater": NAME,
}
MAX_NAME_LENGTH = 200
# Spreadsheets and copy-paste leave these around header names.
INVISIBLE = "\ufeff\u200b\u200e\u200f\u00a0"


class Issue(enum.Enum):
    """Why a row (or the file) was not taken as it was; stable codes the web layer words."""

    # The file as a whole: nothing is imported.
    FILE_TOO_LARGE = "file_too_large"  # params: max_mb
    FILE_EMPTY = "file_empty"
    NOT_UTF8 = "not_utf8"
    SPREADSHEET_FILE = "spreadsheet_file"  # an .xlsx or .xls file, not saved as CSV
    NOT_CSV = "not_csv"  # params: row (0 when it is not known)
    MISSING_COLUMN = "missing_column"  # params: column
    DUPLICATE_COLUMN = "duplicate_column"  # params: column
    TOO_MANY_ROWS = "too_many_rows"  # params: max_rows
    # One row: that row is left out.
    EMAIL_MISSING = "email_missing"
    EMAIL_INVALID = "email_invalid"  # params: value
    LANGUAGE_MISSING = "language_missing"  # params: choices
    LANGUAGE_UNKNOWN = "language_unknown"  # params: value, choices
    GROUP_UNKNOWN = "group_unknown"  # params: value, choices
    GROUP_AMBIGUOUS = "group_ambiguous"  # params: value, choices (the groups it could be)
    NAME_MISSING = "name_missing"  # a named panel's rater: their ratings are shown with their name
    NAME_TOO_LONG = "name_too_long"  # params: max_length
    # Notices: the row is imported (or deliberately left as it was) and the coordinator told.
    MERGED_DUPLICATE = "merged_duplicate"  # params: first_row
    ALREADY_INVITED_UPDATED = "already_invited_updated"
    ALREADY_INVITED_UNCHANGED = "already_invited_unchanged"
    ALREADY_ANSWERED_KEPT = "already_answered_kept"


FILE_ISSUES = frozenset({
    Issue.FILE_TOO_LARGE, Issue.FILE_EMPTY, Issue.NOT_UTF8, Issue.SPREADSHEET_FILE, Issue.NOT_CSV, Issue.MISSING_COLUMN,
    Issue.DUPLICATE_COLUMN, Issue.TOO_MANY_ROWS,
})


@dataclass(frozen=True)
class Finding:
    row: int | None  # as the spreadsheet numbers it; None when it is about the whole file
    column: str | None
    issue: Issue
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupChoice:
    """A group of the round as the file may name it: by its key or any of its names. `label`
    is its name as the coordinator's pages show it (what messages name it by)."""

    key: str
    names: tuple[str, ...] = ()
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or (self.names[0] if self.names else self.key)


@dataclass(frozen=True)
class Existing:
    """An invitation the round has already, as far as an import may change it."""

    language: str
    group_key: str | None
    answered: bool = False
    name: str | None = None


@dataclass(frozen=True)
class InvitationRow:
    row: int
    email: str  # normalised: trimmed, lower case
    language: str
    group_key: str | None
    update: bool = False  # already invited in the round: change its language, group and name
    name: str | None = None  # a named panel's rater, as their ratings will be shown


@dataclass
class ParsedList:
    rows: list[InvitationRow] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # left out
    notices: list[Finding] = field(default_factory=list)  # imported, with a remark

    @property
    def rejected_whole(self) -> bool:
        return any(problem.issue in FILE_ISSUES for problem in self.problems)

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.issue not in FILE_ISSUES})


class _FileRejected(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding


def parse_invitation_list(
    data: bytes,
    *,
    languages: Sequence[str],
    groups: Sequence[GroupChoice] = (),
    existing: Mapping[str, Existing] | None = None,
    names_required: bool = False,
) -> ParsedList:
    """Good rows (merged, checked against the round) and what was wrong with the others.
    `names_required`: the round is a named panel, whose raters are shown by name (a `name`
    column, which other rounds may have for the coordinator's own use and ignore)."""
    try:
        records = _records(_decode(data))
        header_row, columns = _read_header(records, names_required)
        result = _read_rows(records, header_row, columns, languages, GroupMatcher(groups), names_required)
    except _FileRejected as rejected:
        return ParsedList(problems=[rejected.finding])
    _apply_existing(result, existing or {})
    return result


def normalise_email(value: str) -> str:
    """The form addresses are compared and stored in; raises EmailNotValidError."""
    return validate_email(value.strip(), check_deliverability=False).normalized.lower()


# --- The file ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise _FileRejected(Finding(None, None, Issue.FILE_TOO_LARGE,
                                    {"max_mb": MAX_FILE_BYTES // (1024 * 1024)}))
    if data.startswith(SPREADSHEET_SIGNATURES):
        raise _FileRejected(Finding(None, None, Issue.SPREADSHEET_FILE))
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise _FileRejected(Finding(None, None, Issue.NOT_UTF8)) from None
    if "\x00" in text:  # text never holds one: some other kind of file
        raise _FileRejected(Finding(None, None, Issue.NOT_CSV, {"row": 0}))
    if not text.strip():
        raise _FileRejected(Finding(None, None, Issue.FILE_EMPTY))
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most (the header has no quoted commas to mislead)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for every record, empty ones included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error:
        raise _FileRejected(Finding(None, None, Issue.NOT_CSV, {"row": number + 1})) from None


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _read_header(records: Iterator[tuple[int, list[str]]], names_required: bool) -> tuple[int, dict[str, int]]:
    """The header's row number and the position of each known column."""
    for number, cells in records:
        if _is_blank(cells):
            continue
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            name = COLUMN_NAMES.get(" ".join(cell.strip(INVISIBLE + " ").casefold().split()))
            if name is None:
                continue  # other columns (a name, a note) are the coordinator's own
            if name in columns:
                raise _FileRejected(Finding(number, name, Issue.DUPLICATE_COLUMN, {"column": name}))
            columns[name] = position
        for required in (*REQUIRED_COLUMNS, *((NAME,) if names_required else ())):
            if required not in columns:
                raise _FileRejected(Finding(None, required, Issue.MISSING_COLUMN, {"column": required}))
        return number, columns
    raise _FileRejected(Finding(None, None, Issue.FILE_EMPTY))


# --- The rows ---------------------------------------------------------------------------------


class GroupMatcher:
    """Finds a group by its name in any language (or its key), forgivingly: case, spaces,
    dashes of any kind ("16-25", "16–25", "16 – 25") and underscores do not matter."""

    def __init__(self, groups: Sequence[GroupChoice]):
        self.shown = {group.key: group.shown for group in groups}
        self.choices = ", ".join(self.shown.values())
        self.by_key = {_group_folded(group.key): group.key for group in groups}
        self.by_name: dict[str, set[str]] = {}
        for group in groups:
            for name in (group.label, *group.names):
                if name:
                    self.by_name.setdefault(_group_folded(name), set()).add(group.key)

    def match(self, value: str) -> tuple[str | None, Issue | None, str]:
        """(group key, None, "") when found; (None, the issue, the candidates) otherwise."""
        folded = _group_folded(value)
        candidates = self.by_name.get(folded, set())
        if len(candidates) == 1:
            return next(iter(candidates)), None, ""
        if candidates:
            return None, Issue.GROUP_AMBIGUOUS, ", ".join(self._told_apart(candidates))
        if folded in self.by_key:
            return self.by_key[folded], None, ""
        return None, Issue.GROUP_UNKNOWN, self.choices

    def _told_apart(self, keys: set[str]) -> list[str]:
        """The groups' shown names; with their keys beside them where even those are alike."""
        names = [self.shown[key] for key in sorted(keys)]
        if len(set(map(_group_folded, names))) == len(names):
            return sorted(names)
        return [f"{self.shown[key]} ({key})" for key in sorted(keys)]


def _group_folded(text: str) -> str:
    """A group's name as compared: Unicode-normalised, any dash or underscore a space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if char == "_" or unicodedata.category(char) == "Pd" else char for char in text)
    return _folded(text)


def _folded(text: str) -> str:
    return " ".join(text.strip(INVISIBLE + " ").casefold().split())


def _language(value: str, languages: Sequence[str]) -> str | None:
    """The round's language code for what was written: `nl`, `NL`, `nl-BE` and `nl_BE` are nl."""
    folded = _folded(value).replace("_", "-")
    by_code = {code.casefold(): code for code in languages}
    return by_code.get(folded) or by_code.get(folded.split("-")[0])


def _read_rows(records: Iterator[tuple[int, list[str]]], header_row: int, columns: dict[str, int],
               languages: Sequence[str], groups: GroupMatcher, names_required: bool) -> ParsedList:
    result = ParsedList()
    kept: dict[str, InvitationRow] = {}  # by address: a later row replaces an earlier one
    counted = 0
    for number, cells in records:
        if _is_blank(cells):
            continue
        counted += 1
        if counted > MAX_ROWS:
            raise _FileRejected(Finding(None, None, Issue.TOO_MANY_ROWS, {"max_rows": MAX_ROWS}))
        row, problems = _read_row(number, cells, columns, languages, groups, names_required)
        if problems:
            result.problems.extend(problems)
            continue
        assert row is not None
        earlier = kept.pop(row.email, None)
        if earlier is not None:
            result.notices.append(Finding(number, EMAIL, Issue.MERGED_DUPLICATE, {"first_row": earlier.row}))
        kept[row.email] = row
    result.rows = list(kept.values())
    return result


def _read_row(number: int, cells: list[str], columns: dict[str, int], languages: Sequence[str],
              groups: GroupMatcher, names_required: bool) -> tuple[InvitationRow | None, list[Finding]]:
    def cell(name: str) -> str:
        position = columns.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    problems: list[Finding] = []
    email = _check_email(number, cell(EMAIL), problems)
    language = _check_language(number, cell(LANGUAGE), languages, problems)
    group_key = _check_group(number, cell(GROUP), groups, problems)
    name = _check_name(number, " ".join(cell(NAME).split()), problems) if names_required else None
    if problems or email is None or language is None:
        return None, problems
    return InvitationRow(number, email, language, group_key, name=name), []


def _check_name(number: int, value: str, problems: list[Finding]) -> str | None:
    if not value:
        problems.append(Finding(number, NAME, Issue.NAME_MISSING))
        return None
    if len(value) > MAX_NAME_LENGTH:
        problems.append(Finding(number, NAME, Issue.NAME_TOO_LONG, {"max_length": MAX_NAME_LENGTH}))
        return None
    return value


def _check_email(number: int, value: str, problems: list[Finding]) -> str | None:
    if not value:
        problems.append(Finding(number, EMAIL, Issue.EMAIL_MISSING))
        return None
    try:
        return normalise_email(value)
    except EmailNotValidError:
        problems.append(Finding(number, EMAIL, Issue.EMAIL_INVALID, {"value": value[:100]}))
        return None


def _check_language(number: int, value: str, languages: Sequence[str], problems: list[Finding]) -> str | None:
    choices = ", ".join(languages)
    if not value:
        problems.append(Finding(number, LANGUAGE, Issue.LANGUAGE_MISSING, {"choices": choices}))
        return None
    language = _language(value, languages)
    if language is None:
        problems.append(Finding(number, LANGUAGE, Issue.LANGUAGE_UNKNOWN,
                                {"value": value[:100], "choices": choices}))
    return language


def _check_group(number: int, value: str, groups: GroupMatcher, problems: list[Finding]) -> str | None:
    if not value:
        return None  # no group: the invitee answers for no particular group
    key, issue, choices = groups.match(value)
    if issue is not None:
        problems.append(Finding(number, GROUP, issue, {"value": value[:100], "choices": choices}))
    return key


# --- Addresses the round has already ----------------------------------------------------------


def _apply_existing(result: ParsedList, existing: Mapping[str, Existing]) -> None:
    """Rows for addresses already invited update them, unless nothing changed or they answered."""
    rows: list[InvitationRow] = []
    for row in result.rows:
        known = existing.get(row.email)
        if known is None:
            rows.append(row)
        elif known.answered:
            result.notices.append(Finding(row.row, EMAIL, Issue.ALREADY_ANSWERED_KEPT))
        elif (known.language, known.group_key, known.name) == (row.language, row.group_key, row.name):
            result.notices.append(Finding(row.row, EMAIL, Issue.ALREADY_INVITED_UNCHANGED))
        else:
            result.notices.append(Finding(row.row, EMAIL, Issue.ALREADY_INVITED_UPDATED))
            rows.append(InvitationRow(row.row, row.email, row.language, row.group_key, update=True, name=row.name))
    result.rows = rows
    result.notices.sort(key=lambda finding: finding.row or 0)
