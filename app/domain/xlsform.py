"""XLSForm in and out: the spreadsheet form format of KoboToolbox and ODK.

read_xlsform() turns an uploaded XLSForm into a survey dict (SurveyDefinition.to_dict()'s shape,
translations possibly partial) or lists every row it cannot map; write_xlsform() writes a survey
dict as an XLSForm that pyxform (and so Kobo and ODK) accepts.

How XLSForm maps to the survey format:

| XLSForm                               | survey format                                          |
|---------------------------------------|--------------------------------------------------------|
| settings form_id / form_title         | key (made snake_case) / title (source language)       |
| settings default_language             | the source language, first in `languages`              |
| label::English (en), label::he, ...   | texts; every language of a label column is a language |
| hint::...                             | help                                                   |
| begin_group ... end_group             | a page (rows outside any group: a page of their own);  |
|                                       | a nested group only adds its relevant to its questions |
| select_one L / select_multiple L      | single_choice / multiple_choice, choices of list L     |
| select_multiple L or_other            | multiple_choice with other: true                       |
| select_one agreement_scale            | agreement (list of choices 1..5, optionally dont_know) |
| select_one scale_NAME                 | agreement with the named scale NAME (choices 1..n)     |
| text (appearance multiline: long)     | text                                                   |
| integer / decimal                     | number, integer true / false                           |
| constraint . >= a and . <= b,         | min / max, max_length, max (other constraints are      |
| string-length(.) <= n,                | ignored: they are not an error)                        |
| count-selected(.) <= n                |                                                        |
| required yes/true/TRUE()/1            | required                                               |
| relevant (${q} = 'x', selected(), ...)| show_if (q == 'x', 'x' in q, ...)                      |
| role, criterion, options_from,        | our own columns, which pyxform ignores: they carry     |
| unit::..., settings audience, minutes,| what XLSForm has no place for, so that an exported     |
| survey_title::...                     | survey comes back the same                             |

Choices made:
- A `note` cannot be a question. Notes before the first question become the survey's intro
  (the export writes the intro that way); later notes are dropped without a problem, since
  dropping words of explanation changes no answer.
- Metadata rows (start, end, today, deviceid, username, audit, ...) and `calculate` rows are
  skipped without a problem: a respondent sees nothing of them. A row that *uses* a calculated
  value (in its relevant or label) is reported, and so is a `calculation` on any other row.
- Untagged columns (plain `label`) are in the settings' default_language, else in
  `untagged_language` (the importer's choice, "en" by default).
- Without form_title, the title is the form_id (or the survey key), in the source language;
  without a survey_title column or a note before the first question, the intro is the title.
- audience defaults to citizens; minutes to about 10 seconds per question, at least 1.
- importance_current is exported as two select_one questions (KEY_importance, KEY_current) of
  5-point lists; this is one-way: they come back as two single choices.
- The built-in scales' words are interface strings (Babel): write_xlsform takes them per
  language from its caller, and falls back to English, as the interface does without a
  translation.

Problem codes (RowProblem.code): missing_column, duplicate_column, unknown_language,
missing_type, unknown_type, unmappable_type, missing_name, unusable_name, duplicate_name,
missing_label, unmappable_reference, unknown_list, too_few_choices, unmappable_or_other,
unmappable_choice_filter, unmappable_calculation, unmappable_required, unmappable_relevant,
unknown_role, unbalanced_group, no_questions, invalid_survey (what the survey validator still
finds; detail["message"] is its English message). A file that cannot be read at all raises
xlsx_reading.XlsxRefused instead.
"""

from __future__ import annotations

import io
import keyword
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from openpyxl.utils import get_column_letter

from app.domain.conditions import (
    MEMBERSHIP,
    And,
    Comparison,
    Literal,
    LiteralList,
    Name,
    Not,
    Or,
    parse_condition,
)
from app.domain.naming import free_key
from app.domain.survey_format import (
    AUDIENCES,
    LANGUAGE_CODE,
    LONG_TEXT_MAX_LENGTH,
    OPTION_SOURCES,
    ROLES,
    SNAKE_CASE,
    TEXT_MAX_LENGTH,
    parse_survey,
)
from app.domain.survey_yaml import survey_yaml
from app.domain.xlsx_reading import LIMITS, RowProblem, XlsxLimits, read_xlsx

__all__ = [
    "ImportResult", "RowProblem", "condition_text", "language_code", "language_header",
    "read_xlsform", "show_if_to_relevant", "snake_case", "write_xlsform",
]

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
SECONDS_PER_QUESTION = 10
DONT_KNOW = "dont_know"
AGREEMENT_LIST = "agreement_scale"
SCALE_LIST_PREFIX = "scale_"
OPTIONS_LIST_PREFIX = "options_"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as app.domain.tabular: a spreadsheet runs these


# --- Languages ------------------------------------------------------------------------------

# English names as XLSForm columns write them ("label::Hebrew (he)"); also read back.
LANGUAGE_NAMES = dict(line.split(" ", 1) for line in """\
af Afrikaans
am Amharic
ar Arabic
az Azerbaijani
be Belarusian
bg Bulgarian
bn Bengali
bs Bosnian
ca Catalan
cs Czech
cy Welsh
da Danish
de German
el Greek
en English
es Spanish
et Estonian
eu Basque
fa Persian
fi Finnish
fr French
ga Irish
gl Galician
gu Gujarati
ha Hausa
he Hebrew
hi Hindi
hr Croatian
hu Hungarian
hy Armenian
id Indonesian
ig Igbo
is Icelandic
it Italian
ja Japanese
ka Georgian
kk Kazakh
km Khmer
ko Korean
ku Kurdish
lb Luxembourgish
lo Lao
lt Lithuanian
lv Latvian
mk Macedonian
ml Malayalam
mn Mongolian
mr Marathi
ms Malay
mt Maltese
my Burmese
ne Nepali
nl Dutch
no Norwegian
pa Punjabi
pl Polish
ps Pashto
pt Portuguese
ro Romanian
ru Russian
si Sinhala
sk Slovak
sl Slovenian
so Somali
sq Albanian
sr Serbian
sv Swedish
sw Swahili
ta Tamil
te Telugu
th Thai
ti Tigrinya
tl Tagalog
tr Turkish
uk Ukrainian
ur Urdu
uz Uzbek
vi Vietnamese
xh Xhosa
yo Yoruba
zh Chinese
zu Zulu""".splitlines())

# Other names people give columns: in the language itself, or an alternative English name.
OTHER_LANGUAGE_NAMES = {
    "עברית": "he", "العربية": "ar", "عربي": "ar", "nederlands": "nl", "español": "es",
    "espanol": "es", "castellano": "es", "italiano": "it", "ελληνικά": "el", "magyar": "hu",
    "français": "fr", "francais": "fr", "deutsch": "de", "português": "pt", "portugues": "pt",
    "русский": "ru", "українська": "uk", "polski": "pl", "türkçe": "tr", "farsi": "fa",
    "فارسی": "fa", "filipino": "tl", "flemish": "nl", "mandarin": "zh", "中文": "zh",
    "kiswahili": "sw", "dari": "fa", "bahasa indonesia": "id", "română": "ro",
}
_CODES_BY_NAME = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()} | {
    name.casefold(): code for name, code in OTHER_LANGUAGE_NAMES.items()
}
_WITH_CODE = re.compile(r"(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*")


def language_header(code: str) -> str:
    """How a column names a language: "English (en)", or the bare code when unknown."""
    name = LANGUAGE_NAMES.get(code.split("-")[0].split("_")[0])
    return f"{name} ({code})" if name else code


def language_code(text: str) -> str | None:
    """The code in "English (en)", "en", "English" or "עברית"; None when none can be told."""
    text = text.strip()
    match = _WITH_CODE.fullmatch(text)
    if match and LANGUAGE_CODE.fullmatch(match["code"].strip()):
        return match["code"].strip()
    if LANGUAGE_CODE.fullmatch(text) and (len(text) <= 3 or "-" in text or "_" in text):
        return text
    return _CODES_BY_NAME.get(text.casefold())


# --- Names ----------------------------------------------------------------------------------


def snake_case(name: str, prefix: str = "q_") -> str | None:
    """A name made a valid key: accents dropped, camelCase split, other characters made
    underscores, lowercase; `prefix` put before a leading digit; a word conditions use gets a
    suffix. None when nothing usable is left (a name in Hebrew letters, say)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", ascii_text)
    key = re.sub(r"[^a-z0-9]+", "_", split.lower()).strip("_")
    if not key:
        return None
    if key[0].isdigit():
        key = prefix + key
    if keyword.iskeyword(key):
        key += "_question"
    return key if SNAKE_CASE.fullmatch(key) else None


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    survey: dict[str, Any] | None  # None whenever there is any problem
    problems: list[RowProblem]


class _Unmappable(Exception):
    """A relevant expression our conditions cannot say; the reason is a stable word."""

    def __init__(self, reason: str, **detail: Any) -> None:
        super().__init__(reason)
        self.detail = {"reason": reason, **detail}


# --- Conditions: XLSForm relevant -> show_if ------------------------------------------------

_XPATH_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{\s*(?P<name>[^}\s]*)\s*\})
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>-?(?:\d+(?:\.\d*)?|\.\d+))
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.:-]*)
)""", re.VERBOSE)

_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _xpath_tokens(text: str) -> list[tuple[str, str]]:
    tokens, position, text = [], 0, text.rstrip()
    while position < len(text):
        match = _XPATH_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _Unmappable("syntax", at=text[position:position + 20])
        kind = match.lastgroup if match.lastgroup != "name" else "ref"
        value = match["name"] if kind == "ref" else match[kind]
        tokens.append((kind, value))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class _Known:
    """What the relevant mapping needs of an earlier question."""

    key: str
    type: str
    choices: Mapping[str, str] = field(default_factory=dict)  # choice name -> option key


class _XPathReader:
    """Recursive descent over the part of XPath that forms use in `relevant`; builds our own
    condition tree (app.domain.conditions nodes) as it goes."""

    def __init__(self, text: str, known: Mapping[str, _Known], names: Mapping[str, str]) -> None:
        self.tokens = _xpath_tokens(text)
        self.position = 0
        self.known = known  # earlier questions, by XLSForm name
        self.names = names  # every name in the survey sheet -> its type, to say why not

    def read(self) -> Any:
        node = self.disjunction()
        if self.peek() is not None:
            raise _Unmappable("syntax", at=self.peek()[1])
        return node

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            raise _Unmappable("syntax", at=token[1] if token else "")
        self.position += 1
        return token[1]

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == word

    def disjunction(self) -> Any:
        operands = [self.conjunction()]
        while self.at_word("or"):
            self.take("word")
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Any:
        operands = [self.unary()]
        while self.at_word("and"):
            self.take("word")
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self) -> Any:
        token = self.peek()
        if token == ("punct", "("):
            self.take("punct")
            node = self.disjunction()
            self.take("punct", ")")
            return node
        if self.at_word("not"):
            self.take("word")
            self.take("punct", "(")
            node = self.disjunction()
            self.take("punct", ")")
            return _negated(node)
        if self.at_word("selected"):
            return self.selected()
        if token is not None and token[0] == "word":
            raise _Unmappable("function", name=token[1])
        return self.comparison()

    def selected(self) -> Any:
        self.take("word")
        self.take("punct", "(")
        question = self.question(self.take("ref"))
        self.take("punct", ",")
        value = self.literal()
        self.take("punct", ")")
        option = self.option(question, value)
        if question.type == "multiple_choice":
            return Comparison("in", Literal(option), Name(question.key))
        if question.type == "single_choice":
            return Comparison("==", Name(question.key), Literal(option))
        raise _Unmappable("not_a_choice", question=question.key)

    def comparison(self) -> Any:
        left = self.operand()
        op = self.take("op")
        right = self.operand()
        op = "==" if op == "=" else op
        if isinstance(left, _Known) and not isinstance(right, _Known):
            return self.compared(left, op, right)
        if isinstance(right, _Known) and not isinstance(left, _Known):
            return self.compared(right, _FLIPPED[op], left)
        raise _Unmappable("two_questions" if isinstance(left, _Known) else "no_question")

    def operand(self) -> Any:
        token = self.peek()
        if token is not None and token[0] == "ref":
            return self.question(self.take("ref"))
        return self.literal()

    def literal(self) -> str | int | float:
        token = self.peek()
        if token is not None and token[0] == "string":
            return self.take("string")[1:-1]
        if token is not None and token[0] == "number":
            return _number(self.take("number"))
        raise _Unmappable("syntax", at=token[1] if token else "")

    def question(self, name: str) -> _Known:
        if name in self.known:
            return self.known[name]
        if name not in self.names:
            raise _Unmappable("unknown_question", name=name)
        if self.names[name] == "question":
            raise _Unmappable("later_question", name=name)
        raise _Unmappable("not_a_question", name=name)  # a note, a calculation, metadata, ...

    def option(self, question: _Known, value: str | int | float) -> str:
        option = question.choices.get(str(value))
        if option is None:
            raise _Unmappable("unknown_choice", question=question.key, choice=str(value))
        return option

    def compared(self, question: _Known, op: str, value: str | int | float) -> Comparison:
        if value == "":
            raise _Unmappable("answered_test", question=question.key)  # ${q} != '' and the like
        if question.type == "single_choice" and op in ("==", "!="):
            return Comparison(op, Name(question.key), Literal(self.option(question, value)))
        if question.type in ("agreement", "number"):
            number = _number(str(value)) if isinstance(value, str) else value
            if number is not None:
                return Comparison(op, Name(question.key), Literal(number))
        if question.type == "text" and isinstance(value, str):
            return Comparison(op, Name(question.key), Literal(value))
        raise _Unmappable("comparison", question=question.key, type=question.type, op=op)


def _number(text: str) -> int | float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in text else value


def _negated(node: Any) -> Any:
    """not(selected(...)) on a multiple choice reads best as 'x' not in q."""
    if isinstance(node, Comparison) and node.op == "in":
        return Comparison("not in", node.left, node.right)
    return Not(node)


# Our condition trees as text (conditions.py reads them back), with only the parentheses needed.
_PRECEDENCE = {Or: 1, And: 2, Not: 3, Comparison: 4}


def condition_text(node: Any, parent: int = 0) -> str:
    if isinstance(node, Comparison):
        return f"{_operand_text(node.left)} {node.op} {_operand_text(node.right)}"
    if isinstance(node, Not):
        text = f"not {condition_text(node.operand, 3)}"
    else:
        joiner = " or " if isinstance(node, Or) else " and "
        text = joiner.join(condition_text(o, _PRECEDENCE[type(node)] + 1) for o in node.operands)
    return f"({text})" if _PRECEDENCE[type(node)] < parent else text


def _operand_text(operand: Any) -> str:
    if isinstance(operand, Name):
        return operand.key
    if isinstance(operand, LiteralList):
        return "[" + ", ".join(repr(v) for v in operand.values) + "]"
    return repr(operand.value)


# --- Conditions: show_if -> XLSForm relevant ------------------------------------------------

_XPATH_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def show_if_to_relevant(show_if: str) -> str:
    return _xpath(parse_condition(show_if).tree)


def _xpath(node: Any, parent: int = 0) -> str:
    if isinstance(node, Comparison):
        return _xpath_comparison(node, parent)
    if isinstance(node, Not):
        return f"not({_xpath(node.operand)})"
    joiner = " or " if isinstance(node, Or) else " and "
    own = _PRECEDENCE[type(node)]
    text = joiner.join(_xpath(o, own + 1) for o in node.operands)
    return f"({text})" if own < parent else text


def _xpath_comparison(node: Comparison, parent: int) -> str:
    left, op, right = node.left, node.op, node.right
    if op == "in" and isinstance(right, Name) and isinstance(left, Literal):
        return f"selected(${{{right.key}}}, {_xpath_literal(left.value)})"
    if op == "not in" and isinstance(right, Name) and isinstance(left, Literal):
        return f"not(selected(${{{right.key}}}, {_xpath_literal(left.value)}))"
    if op in MEMBERSHIP and isinstance(right, LiteralList):
        # q in ['a', 'b'] on a single choice: one equality per value.
        equal, joiner = ("=", " or ") if op == "in" else ("!=", " and ")
        parts = [f"{_xpath_operand(left)} {equal} {_xpath_literal(v)}" for v in right.values]
        text = joiner.join(parts)
        return f"({text})" if len(parts) > 1 and parent > 0 else text
    if not isinstance(left, Name) and isinstance(right, Name):
        left, op, right = right, _FLIPPED[op], left
    return f"{_xpath_operand(left)} {_XPATH_OPS[op]} {_xpath_operand(right)}"


def _xpath_operand(operand: Any) -> str:
    return f"${{{operand.key}}}" if isinstance(operand, Name) else _xpath_literal(operand.value)


def _xpath_literal(value: str | int | float) -> str:
    if not isinstance(value, str):
        return repr(value)
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    # XPath 1.0 has no escapes: build a text holding both kinds of quote.
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in value.split("'")) + ")"


# --- Reading: columns -----------------------------------------------------------------------

TRANSLATED_COLUMNS = ("label", "hint", "unit", "survey_title")
TRUE_WORDS = frozenset({"yes", "true", "true()", "1", "y"})
FALSE_WORDS = frozenset({"no", "false", "false()", "0", "n"})
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "calculate", "hidden", "start-geopoint", "background-audio",
    "xml-external", "csv-external",
})
UNMAPPABLE_TYPES = frozenset({
    "geopoint", "geotrace", "geoshape", "date", "time", "datetime", "image", "audio", "video",
    "file", "barcode", "acknowledge", "range", "rank", "trigger", "background-geopoint",
    "select_one_from_file", "select_multiple_from_file", "select_one_external", "osm",
    "begin_repeat", "end_repeat",
})
TYPE_ALIASES = {
    "begin group": "begin_group", "end group": "end_group", "begin repeat": "begin_repeat",
    "end repeat": "end_repeat", "select one": "select_one", "select multiple": "select_multiple",
    "select all that apply": "select_multiple", "select_all_that_apply": "select_multiple",
    "string": "text", "int": "integer", "select one from file": "select_one_from_file",
    "select multiple from file": "select_multiple_from_file",
}


@dataclass
class _Columns:
    """Where each column of a sheet is: plain ones by name, translated ones by name and
    language (None for an untagged column, such as plain `label`)."""

    plain: dict[str, int] = field(default_factory=dict)
    translated: dict[str, dict[str | None, int]] = field(default_factory=dict)

    def get(self, row: Sequence[str | None], name: str) -> str | None:
        index = self.plain.get(name)
        return row[index] if index is not None and index < len(row) else None

    def texts(self, row: Sequence[str | None], name: str, untagged: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        for language, index in self.translated.get(name, {}).items():
            if index < len(row) and row[index] is not None:
                texts[language or untagged] = str(row[index])
        return texts

    def languages(self, name: str) -> list[str | None]:
        return list(self.translated.get(name, {}))


def _header_name(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold())


def _read_columns(sheet: str, header: Sequence[str | None], problems: list[RowProblem]) -> _Columns:
    columns = _Columns()
    for index, text in enumerate(header):
        if text is None:
            continue
        base, separator, language = text.partition("::")
        base = _header_name(base)
        if separator and base in TRANSLATED_COLUMNS and language.strip().casefold() == "default":
            _place(columns.translated.setdefault(base, {}), None, index, sheet, text, problems)
        elif separator and base in TRANSLATED_COLUMNS:
            code = language_code(language)
            if code is None:
                problems.append(RowProblem(sheet, 1, "unknown_language", _column(index, text)))
                continue
            _place(columns.translated.setdefault(base, {}), code, index, sheet, text, problems)
        elif base in TRANSLATED_COLUMNS:
            _place(columns.translated.setdefault(base, {}), None, index, sheet, text, problems)
        elif not separator:
            _place(columns.plain, base.replace(" ", "_"), index, sheet, text, problems)
    return columns


def _place(
    where: dict[Any, int], key: Any, index: int, sheet: str, text: str, problems: list[RowProblem]
) -> None:
    if key in where:
        problems.append(RowProblem(sheet, 1, "duplicate_column", _column(index, text)))
    else:
        where[key] = index


def _column(index: int, header: str) -> dict[str, Any]:
    return {"column": get_column_letter(index + 1), "header": header}


# --- Reading: the form ----------------------------------------------------------------------


def read_xlsform(
    data: bytes, untagged_language: str = "en", limits: XlsxLimits = LIMITS
) -> ImportResult:
    """The survey in an XLSForm, or every problem found (then survey is None). Raises
    XlsxRefused when the file cannot be read at all (not an .xlsx, too large, no survey
    sheet, too many rows, ...)."""
    book = read_xlsx(data, [SURVEY], limits, optional=[CHOICES, SETTINGS])
    return _FormReader(book, untagged_language).result()


@dataclass
class _Choice:
    row: int
    name: str
    label: dict[str, str]


@dataclass
class _Page:
    name: str
    title: dict[str, str]
    row: int
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Settings:
    """The settings sheet: its header, and the one row of values under it."""

    columns: _Columns = field(default_factory=_Columns)
    row: list[str | None] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.columns.get(self.row, name)


@dataclass
class _Group:
    row: int
    condition: Any  # the group's relevant as our condition tree, None without one
    page: _Page | None  # the page it opened, when it is a top-level group


class _FormReader:
    def __init__(self, book: Mapping[str, list[list[str | None]]], untagged_language: str) -> None:
        self.problems: list[RowProblem] = []
        self.survey_rows = book[SURVEY]
        self.choice_rows = book.get(CHOICES, [])
        self.settings = self._settings(book.get(SETTINGS, []))
        self.columns = _read_columns(SURVEY, self._header(self.survey_rows), self.problems)
        self.choice_columns = _read_columns(CHOICES, self._header(self.choice_rows), self.problems)
        self.source = self._source_language(untagged_language)
        self.languages = self._languages()
        self.lists = self._choice_lists()
        self.names = self._names()
        self.known: dict[str, _Known] = {}  # questions read so far, by XLSForm name
        self.keys: dict[str, int] = {}  # question key -> row, for duplicates and validation
        self.pages: list[_Page] = []
        self.intro: dict[str, list[str]] = {}
        self.scales: dict[str, list[dict[str, str]]] = {}

    @staticmethod
    def _header(rows: list[list[str | None]]) -> list[str | None]:
        return rows[0] if rows else []

    def report(self, row: int, code: str, sheet: str = SURVEY, **detail: Any) -> None:
        self.problems.append(RowProblem(sheet, row, code, detail))

    # Settings and languages

    def _settings(self, rows: list[list[str | None]]) -> _Settings:
        if len(rows) < 2:
            return _Settings()
        return _Settings(_read_columns(SETTINGS, rows[0], self.problems), rows[1])

    def setting(self, name: str) -> str | None:
        return self.settings.get(name)

    def _source_language(self, untagged_language: str) -> str:
        default = self.setting("default_language")
        if default is not None:
            code = language_code(default)
            if code is not None:
                return code
            self.report(2, "unknown_language", SETTINGS, header="default_language", value=default)
        tagged = [code for code in self._label_languages() if code is not None]
        has_untagged = None in self._label_languages()
        return untagged_language if has_untagged or not tagged else tagged[0]

    def _label_languages(self) -> list[str | None]:
        return self.columns.languages("label") + self.choice_columns.languages("label")

    def _languages(self) -> list[str]:
        seen = [self.source]
        for code in self._label_languages():
            if code is not None and code not in seen:
                seen.append(code)
        return seen

    # Choices

    def _choice_lists(self) -> dict[str, list[_Choice]]:
        if not self.choice_rows:
            return {}
        columns = self.choice_columns
        if "list_name" not in columns.plain or "name" not in columns.plain:
            missing = "list_name" if "list_name" not in columns.plain else "name"
            self.report(1, "missing_column", CHOICES, column=missing)
            return {}
        lists: dict[str, list[_Choice]] = {}
        for number, row in enumerate(self.choice_rows[1:], start=2):
            list_name, name = columns.get(row, "list_name"), columns.get(row, "name")
            if list_name is None and name is None:
                continue
            label = columns.texts(row, "label", self.source)
            lists.setdefault(list_name or "", []).append(_Choice(number, name or "", label))
        return lists

    # Names, for saying why a relevant cannot refer to one

    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for row in self.survey_rows[1:]:
            name, kind = self.columns.get(row, "name"), _type_word(self.columns.get(row, "type"))
            if name is not None:
                names.setdefault(name, "question" if kind in _QUESTION_WORDS else "other")
        return names

    # The survey sheet

    def result(self) -> ImportResult:
        for column in ("type", "name"):
            if column not in self.columns.plain:
                self.report(1, "missing_column", column=column)
        if self.problems:
            return ImportResult(None, self.problems)
        self._read_rows()
        if not self.problems and not any(page.questions for page in self.pages):
            self.report(0, "no_questions")
        survey = None if self.problems else self._survey()
        if survey is not None:
            self._validate(survey)
        return ImportResult(None if self.problems else survey, self.problems)

    def _read_rows(self) -> None:
        groups: list[_Group] = []
        loose: _Page | None = None  # the page of rows outside any group, while they last
        rows = iter(enumerate(self.survey_rows[1:], start=2))
        for number, row in rows:
            kind = _type_word(self.columns.get(row, "type"))
            if kind is None:
                if any(cell is not None for cell in row):
                    self.report(number, "missing_type")
                continue
            if kind == "begin_group":
                groups.append(self._begin_group(number, row, groups))
                loose = None
            elif kind == "end_group":
                if not groups:
                    self.report(number, "unbalanced_group")
                else:
                    groups.pop()
            elif kind == "begin_repeat":
                self.report(number, "unmappable_type", type="begin repeat")
                _skip_repeat(rows, self.columns)
            else:
                page = groups[0].page if groups else None
                if page is None:
                    loose = loose or self._new_page(None, {}, number)
                    page = loose
                self._row(number, row, kind, page, [g.condition for g in groups if g.condition])
        for group in groups:
            self.report(group.row, "unbalanced_group")

    def _begin_group(self, number: int, row: Sequence[str | None], groups: list[_Group]) -> _Group:
        condition = self.relevant(number, row)
        if groups:
            return _Group(number, condition, None)
        name = self.columns.get(row, "name") or ""
        title = self.columns.texts(row, "label", self.source)
        if title and self.source not in title:
            self.report(number, "missing_label", language=self.source)
        return _Group(number, condition, self._new_page(name, title, number))

    def _new_page(self, name: str | None, title: dict[str, str], row: int) -> _Page:
        page = _Page(name or "", title, row)
        self.pages.append(page)
        return page

    def _row(
        self, number: int, row: Sequence[str | None], kind: str, page: _Page, conditions: list[Any]
    ) -> None:
        if kind in METADATA_TYPES:
            return
        if kind == "note":
            if not self.keys:
                for language, text in self.columns.texts(row, "label", self.source).items():
                    self.intro.setdefault(language, []).append(text)
            return
        if kind in UNMAPPABLE_TYPES and not self._from_file(row):
            self.report(number, "unmappable_type", type=kind)
        elif kind not in _QUESTION_WORDS:
            self.report(number, "unknown_type", type=self.columns.get(row, "type"))
        else:
            question = _QuestionReader(self, number, row).question(conditions)
            if question is not None:
                page.questions.append(question)

    def _from_file(self, row: Sequence[str | None]) -> bool:
        """select_one_from_file neighbourhoods.csv: the community's own list (options_from)."""
        words = (self.columns.get(row, "type") or "").split()
        return (
            len(words) == 2 and _type_word(words[0]) == "select_one_from_file"
            and words[1].rsplit(".", 1)[0] in OPTION_SOURCES
        )

    def relevant(self, number: int, row: Sequence[str | None]) -> Any:
        """The row's relevant as our condition tree; None without one, or when it cannot be
        mapped (then reported)."""
        text = self.columns.get(row, "relevant")
        if text is None:
            return None
        try:
            return _XPathReader(text, self.known, self.names).read()
        except _Unmappable as error:
            self.report(number, "unmappable_relevant", relevant=text, **error.detail)
            return None

    # The survey dict

    def _survey(self) -> dict[str, Any]:
        key = snake_case(self.setting("form_id") or "", "survey_") or "imported_survey"
        title = self._title(key)
        questions = [q for page in self.pages for q in page.questions]
        return {
            "key": key,
            "audience": self._audience(),
            "languages": self.languages,
            "title": title,
            "intro": self._intro() or dict(title),
            "minutes": self._minutes(len(questions)),
            "scales": self.scales,
            "pages": self._pages(title),
        }

    def _intro(self) -> dict[str, str] | None:
        """The notes before the first question, when they are in the source language."""
        if self.source not in self.intro:
            return None
        return _in_order({lang: "\n\n".join(texts) for lang, texts in self.intro.items()}, self.languages)

    def _title(self, key: str) -> dict[str, str]:
        title = self.settings.columns.texts(self.settings.row, "survey_title", self.source)
        if self.source not in title:
            title[self.source] = self.setting("form_title") or self.setting("form_id") or key
        return _in_order(title, self.languages)

    def _audience(self) -> str:
        audience = self.setting("audience")
        return audience if audience in AUDIENCES else "citizens"

    def _minutes(self, question_count: int) -> int | float:
        given = _number(self.setting("minutes") or "")
        if given is not None and given > 0:
            return given
        return max(1, round(question_count * SECONDS_PER_QUESTION / 60))

    def _pages(self, survey_title: dict[str, str]) -> list[dict[str, Any]]:
        pages, taken = [], set()
        for number, page in enumerate((p for p in self.pages if p.questions), start=1):
            key = _unique(snake_case(page.name, "page_") or f"page_{number}", taken)
            title = page.title or (
                {self.source: page.name} if page.name else dict(survey_title)
            )
            pages.append({"key": key, "title": _in_order(title, self.languages),
                          "questions": page.questions})
        return pages

    def _validate(self, survey: dict[str, Any]) -> None:
        """The survey format's own validator, for what the mapping does not check itself
        (consent questions, criteria of scale questions, ...). Missing translations are
        filled in for it: partial translations are allowed here."""
        text = survey_yaml(_filled(survey, self.source))
        _, problems = parse_survey(text, "xlsform", None)
        for problem in problems:
            match = re.search(r"question '([a-z0-9_]+)'", problem.message)
            row = self.keys.get(match[1], 0) if match else 0
            self.report(row, "invalid_survey", message=problem.message, problem=problem)


_QUESTION_WORDS = frozenset({"select_one", "select_multiple", "text", "integer", "decimal"}) | {
    "select_one_from_file"
}


def _type_word(text: str | None) -> str | None:
    """The type's first word, normalised: "Select One  yes_no" -> "select_one"."""
    if text is None or not text.strip():
        return None
    lowered = re.sub(r"\s+", " ", text.strip().lower())
    for alias, word in TYPE_ALIASES.items():
        if lowered == alias or lowered.startswith(alias + " "):
            return word
    return lowered.split(" ")[0]


def _skip_repeat(rows: Any, columns: _Columns) -> None:
    """Move past a repeat's rows: they are reported once, at `begin repeat`."""
    depth = 1
    for _, row in rows:
        kind = _type_word(columns.get(row, "type"))
        depth += {"begin_repeat": 1, "end_repeat": -1}.get(kind or "", 0)
        if depth == 0:
            return


def _unique(key: str, taken: set[str]) -> str:
    """`key`, or key_2, key_3... when taken; the one chosen is taken from then on."""
    chosen = free_key(key, taken)
    taken.add(chosen)
    return chosen


def _in_order(text: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    return {code: text[code] for code in languages if code in text}


def _filled(survey: Mapping[str, Any], source: str) -> dict[str, Any]:
    """A copy with every missing translation taken from the source language."""
    languages = survey["languages"]

    def fill(value: Any) -> Any:
        if isinstance(value, dict) and source in value and all(isinstance(v, str) for v in value.values()):
            return {code: value.get(code, value[source]) for code in languages}
        if isinstance(value, dict):
            return {k: fill(v) if k != "languages" else v for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return fill(dict(survey))


# --- Reading: one question row --------------------------------------------------------------

_BOUND = re.compile(r"\(?\s*\.\s*(?P<op><=|>=)\s*(?P<value>-?\d+(?:\.\d+)?)\s*\)?")
_LENGTH = re.compile(r"\s*string-length\(\s*\.\s*\)\s*<=\s*(?P<value>\d+)\s*")
_COUNT = re.compile(r"\s*count-selected\(\s*\.\s*\)\s*<=\s*(?P<value>\d+)\s*")


class _QuestionReader:
    """One survey row made a question dict, reporting whatever cannot be mapped."""

    def __init__(self, form: _FormReader, number: int, row: Sequence[str | None]) -> None:
        self.form, self.number, self.row = form, number, row
        self.type_words = (form.columns.get(row, "type") or "").split()
        self.problem_count = len(form.problems)

    def report(self, code: str, sheet: str = SURVEY, row: int | None = None, **detail: Any) -> None:
        self.form.report(self.number if row is None else row, code, sheet, **detail)

    def get(self, name: str) -> str | None:
        return self.form.columns.get(self.row, name)

    def texts(self, name: str) -> dict[str, str]:
        return _in_order(self.form.columns.texts(self.row, name, self.form.source), self.form.languages)

    def question(self, group_conditions: list[Any]) -> dict[str, Any] | None:
        name = self.get("name")
        key = self.key(name)
        question = self.typed()
        self.check_columns()
        if key is None or question is None:
            return None
        question |= self.common(key, name or "", group_conditions)
        if len(self.form.problems) > self.problem_count:
            return None
        self.form.keys[key] = self.number
        choices = {c.name: o["key"] for c, o in zip(self.choices(), question["options"])}
        self.form.known[name or ""] = _Known(key, question["type"], choices)
        return question

    def key(self, name: str | None) -> str | None:
        if name is None:
            self.report("missing_name")
            return None
        key = snake_case(name)
        if key is None:
            self.report("unusable_name", name=name)
        elif key in self.form.keys:
            self.report("duplicate_name", name=name, key=key, first_row=self.form.keys[key])
            return None
        return key

    def check_columns(self) -> None:
        if self.get("choice_filter") is not None:
            self.report("unmappable_choice_filter")
        if self.get("calculation") is not None:
            self.report("unmappable_calculation")
        for column in ("label", "hint"):
            for language, text in self.texts(column).items():
                if "${" in text:
                    self.report("unmappable_reference", column=column, language=language)

    def common(self, key: str, name: str, group_conditions: list[Any]) -> dict[str, Any]:
        text = self.texts("label")
        for column in ("label", "hint", "unit"):
            if (self.texts(column) or column == "label") and self.form.source not in self.texts(column):
                self.report("missing_label", column=column, language=self.form.source)
        return {
            "key": key,
            "text": text,
            "role": self.role(),
            "required": self.required(),
            "help": self.texts("hint") or None,
            "criterion": self.get("criterion"),
            "show_if": self.show_if(group_conditions),
        }

    def role(self) -> str:
        role = self.get("role") or "item"
        if role not in ROLES:
            self.report("unknown_role", role=role)
        return role

    def required(self) -> bool:
        value = (self.get("required") or "").strip().lower()
        if value in TRUE_WORDS:
            return True
        if value and value not in FALSE_WORDS:
            self.report("unmappable_required", required=self.get("required"))
        return False

    def show_if(self, group_conditions: list[Any]) -> str | None:
        own = self.form.relevant(self.number, self.row)
        parts = group_conditions + ([own] if own is not None else [])
        if not parts:
            return None
        return condition_text(parts[0] if len(parts) == 1 else And(tuple(parts)))

    # The type and what belongs to it

    def typed(self) -> dict[str, Any] | None:
        word = _type_word(self.get("type"))
        if word in ("select_one", "select_multiple"):
            return self.choice(word)
        if word == "select_one_from_file":
            source = self.type_words[-1].rsplit(".", 1)[0]
            return _blank("single_choice") | {"options_from": source, "options": []}
        if word == "text":
            return self.text()
        return self.number_question(integer=word == "integer")

    def list_name(self) -> str | None:
        words = [w for w in self.type_words if w != "or_other"]
        return words[-1] if len(words) >= 2 and _type_word(words[0]) != words[-1] else None

    def choices(self) -> list[_Choice]:
        return self.form.lists.get(self.list_name() or "", [])

    def choice(self, word: str) -> dict[str, Any] | None:
        list_name, other = self.list_name(), self.type_words[-1] == "or_other"
        if list_name is None or list_name not in self.form.lists:
            self.report("unknown_list", list=list_name)
            return None
        if other and word == "select_one":
            self.report("unmappable_or_other")
        scale = self.scale(list_name) if word == "select_one" else None
        if scale is not None:
            return scale
        question = _blank("single_choice" if word == "select_one" else "multiple_choice")
        question["options"] = self.options(self.choices())
        if word == "select_multiple":
            question |= {"other": other, "max_choices": self.bound(_COUNT)}
        if self.get("options_from") in OPTION_SOURCES:
            question["options_from"] = self.get("options_from")
        elif len(question["options"]) < 2:
            self.report("too_few_choices", list=list_name)
        return question

    def options(self, choices: list[_Choice]) -> list[dict[str, Any]]:
        options, first_rows = [], {}
        for choice in choices:
            key = snake_case(choice.name, "option_") if choice.name else None
            if key is None:
                code = "missing_name" if not choice.name else "unusable_name"
                self.report(code, CHOICES, choice.row, name=choice.name)
            elif key in first_rows:
                self.report("duplicate_name", CHOICES, choice.row, name=choice.name,
                            first_row=first_rows[key])
            elif self.form.source not in choice.label:
                self.report("missing_label", CHOICES, choice.row, language=self.form.source)
            else:
                first_rows[key] = choice.row
                options.append({"key": key, "label": _in_order(choice.label, self.form.languages)})
        return options

    def scale(self, list_name: str) -> dict[str, Any] | None:
        """Our agreement questions: a list of choices named 1..n (then perhaps dont_know)."""
        names = [c.name for c in self.choices()]
        points = names[:-1] if names and names[-1] == DONT_KNOW else names
        if len(points) < 2 or points != [str(n) for n in range(1, len(points) + 1)]:
            return None
        if list_name == AGREEMENT_LIST and len(points) == 5:
            return _blank("agreement")
        scale_name = list_name.removeprefix(SCALE_LIST_PREFIX)
        if scale_name == list_name or not SNAKE_CASE.fullmatch(scale_name):
            return None
        labels = [_in_order(c.label, self.form.languages) for c in self.choices()[: len(points)]]
        for choice in self.choices()[: len(points)]:
            if self.form.source not in choice.label:
                self.report("missing_label", CHOICES, choice.row, language=self.form.source)
        self.form.scales.setdefault(scale_name, labels)
        return _blank("agreement") | {"scale": labels}

    def text(self) -> dict[str, Any]:
        long = "multiline" in (self.get("appearance") or "").split()
        default = LONG_TEXT_MAX_LENGTH if long else TEXT_MAX_LENGTH
        return _blank("text") | {"long": long, "max_length": self.bound(_LENGTH) or default}

    def number_question(self, integer: bool) -> dict[str, Any]:
        low, high = None, None
        for part in re.split(r"\band\b", self.get("constraint") or ""):
            match = _BOUND.fullmatch(part.strip())
            if match and match["op"] == ">=":
                low = _number(match["value"])
            elif match:
                high = _number(match["value"])
        unit = self.texts("unit") or None
        return _blank("number") | {"integer": integer, "min": low, "max": high, "unit": unit}

    def bound(self, pattern: re.Pattern[str]) -> int | None:
        match = pattern.fullmatch(self.get("constraint") or "")
        return int(match["value"]) if match else None


def _blank(question_type: str) -> dict[str, Any]:
    """Every field of Question.to_dict() at its default, for a question of this type."""
    return {
        "type": question_type, "options": [], "other": False, "max_choices": None, "long": False,
        "max_length": None, "min": None, "max": None, "integer": True, "unit": None,
        "scale": None, "line": 0,
    }


# --- Writing --------------------------------------------------------------------------------

# The built-in scales' words, in English; write_xlsform's caller gives them per language.
BUILTIN_SCALE_WORDS = {
    "agreement": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
                  "Strongly agree"),
    "importance": ("Not important", "A little important", "Quite important", "Very important",
                   "Extremely important"),
    "current_state": ("Very badly", "Badly", "So-so", "Well", "Very well"),
    "dont_know": ("I don't know",),
}
BUILTIN_LISTS = {"agreement": AGREEMENT_LIST, "importance": "importance_scale",
                 "current_state": "current_state_scale"}


def write_xlsform(
    survey: Mapping[str, Any],
    builtin_scales: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
) -> bytes:
    """The survey as an XLSForm workbook (survey, choices and settings sheets).

    builtin_scales: the words of the built-in scales per language, keyed as
    BUILTIN_SCALE_WORDS ("agreement", "importance", "current_state": 5 points each;
    "dont_know": 1); a missing language or scale gets the English words."""
    form = _FormWriter(survey, builtin_scales or {})
    return form.workbook()


class _FormWriter:
    def __init__(self, survey: Mapping[str, Any], builtin_scales: Mapping[str, Any]) -> None:
        self.survey = survey
        self.languages = list(survey["languages"])
        self.builtin = builtin_scales
        self.names: set[str] = set()
        self.survey_rows: list[dict[str, Any]] = []
        self.choice_rows: list[dict[str, Any]] = []
        self.lists: set[str] = set()

    def workbook(self) -> bytes:
        self.rows()
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        try:
            writer = _SheetWriter(book)
            writer.write(SURVEY, self.survey_columns(), self.survey_rows)
            writer.write(CHOICES, self.choice_columns(), self.choice_rows)
            writer.write(SETTINGS, self.settings_columns(), [self.settings_row()])
        finally:
            book.close()
        return buffer.getvalue()

    # Columns: (header, how to get the cell from a row dict)

    def translated_columns(self, name: str) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
        return [(f"{name}::{language_header(code)}", _text_getter(name, code)) for code in self.languages]

    def survey_columns(self) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
        plain = [(name, _getter(name)) for name in ("type", "name")]
        after = ["required", "relevant", "constraint", "appearance", "role", "criterion",
                 "options_from"]
        return (plain + self.translated_columns("label") + self.translated_columns("hint")
                + [(name, _getter(name)) for name in after] + self.translated_columns("unit"))

    def choice_columns(self) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
        return [(n, _getter(n)) for n in ("list_name", "name")] + self.translated_columns("label")

    def settings_columns(self) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
        plain = ["form_id", "form_title", "default_language", "audience", "minutes"]
        return [(n, _getter(n)) for n in plain] + self.translated_columns("survey_title")

    def settings_row(self) -> dict[str, Any]:
        survey, source = self.survey, self.languages[0]
        return {
            "form_id": survey["key"], "form_title": survey["title"].get(source),
            "default_language": language_header(source), "audience": survey["audience"],
            "minutes": survey["minutes"], "survey_title": survey["title"],
        }

    # Rows

    def rows(self) -> None:
        for page in self.survey["pages"]:
            self.names.update(q["key"] for q in page["questions"])
        self.survey_rows.append({"type": "note", "name": self.free("intro"),
                                 "label": self.survey["intro"]})
        for page in self.survey["pages"]:
            self.survey_rows.append({"type": "begin_group", "name": self.free(page["key"]),
                                     "label": page["title"], "appearance": "field-list"})
            for question in page["questions"]:
                self.survey_rows += self.question_rows(question)
            self.survey_rows.append({"type": "end_group"})

    def free(self, name: str) -> str:
        """A name no other row uses: pyxform wants every name once."""
        return _unique(name, self.names)

    def question_rows(self, question: Mapping[str, Any]) -> list[dict[str, Any]]:
        row = {
            "name": question["key"], "label": question["text"], "hint": question.get("help") or {},
            "required": "yes" if question["required"] else "no",
            "relevant": show_if_to_relevant(question["show_if"]) if question["show_if"] else None,
            "role": None if question["role"] == "item" else question["role"],
            "criterion": question.get("criterion"),
        }
        if question["type"] == "importance_current":
            return self.pair_rows(row)
        return [row | self.typed(question)]

    def pair_rows(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            row | {"name": self.free(f"{row['name']}_{part}"), "appearance": "likert",
                   "type": f"select_one {self.builtin_list(scale)}"}
            for part, scale in (("importance", "importance"), ("current", "current_state"))
        ]

    def typed(self, question: Mapping[str, Any]) -> dict[str, Any]:
        kind = question["type"]
        if kind == "agreement":
            return {"type": f"select_one {self.scale_list(question)}", "appearance": "likert"}
        if kind in ("single_choice", "multiple_choice"):
            return self.choice(question)
        if kind == "text":
            return {"type": "text", "appearance": "multiline" if question["long"] else None,
                    "constraint": f"string-length(.) <= {question['max_length']}"
                    if question.get("max_length") else None}
        bounds = [f". >= {question['min']!r}" if question["min"] is not None else None,
                  f". <= {question['max']!r}" if question["max"] is not None else None]
        return {"type": "integer" if question["integer"] else "decimal",
                "constraint": " and ".join(b for b in bounds if b) or None,
                "unit": question.get("unit") or {}}

    def choice(self, question: Mapping[str, Any]) -> dict[str, Any]:
        source = question.get("options_from")
        if source and not question["options"]:
            return {"type": f"select_one_from_file {source}.csv", "options_from": source}
        list_name = OPTIONS_LIST_PREFIX + question["key"]
        for option in question["options"]:
            self.choice_rows.append({"list_name": list_name, "name": option["key"],
                                     "label": option["label"]})
        if question["type"] == "single_choice":
            return {"type": f"select_one {list_name}", "options_from": source}
        maximum = question.get("max_choices")
        return {"type": f"select_multiple {list_name}" + (" or_other" if question["other"] else ""),
                "constraint": f"count-selected(.) <= {maximum}" if maximum else None}

    def scale_list(self, question: Mapping[str, Any]) -> str:
        points = question.get("scale")
        if points is None:
            return self.builtin_list("agreement")
        named = {n: list(p) for n, p in self.survey["scales"].items()}
        name = next((n for n, p in named.items() if p == list(points)), question["key"])
        list_name = SCALE_LIST_PREFIX + name
        self.add_list(list_name, points)
        return list_name

    def builtin_list(self, scale: str) -> str:
        list_name = BUILTIN_LISTS[scale]
        self.add_list(list_name, [self.builtin_word(scale, n) for n in range(5)])
        return list_name

    def builtin_word(self, scale: str, index: int) -> dict[str, str]:
        given = self.builtin.get(scale)
        english = BUILTIN_SCALE_WORDS[scale][index]
        words = dict(given[index]) if given and index < len(given) else {}
        return {code: words.get(code, english) for code in self.languages}

    def add_list(self, list_name: str, points: Sequence[Mapping[str, str]]) -> None:
        if list_name in self.lists:
            return
        self.lists.add(list_name)
        labels = [*points, self.builtin_word("dont_know", 0)]
        names = [str(n) for n in range(1, len(points) + 1)] + [DONT_KNOW]
        for name, label in zip(names, labels):
            self.choice_rows.append({"list_name": list_name, "name": name, "label": label})


def _getter(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(name)


def _text_getter(name: str, code: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: (row.get(name) or {}).get(code)


class _SheetWriter:
    """One sheet of plain cells: text is always written as text, never as a formula."""

    def __init__(self, book: Any) -> None:
        self.book = book
        # quote_prefix: Excel keeps "=..." text as text even when the cell is edited.
        self.quoted = book.add_format({"quote_prefix": True})
        self.bold = book.add_format({"bold": True})

    def write(self, name: str, columns: list[tuple[str, Callable[[dict[str, Any]], Any]]],
              rows: list[dict[str, Any]]) -> None:
        sheet = self.book.add_worksheet(name)
        for column, (header, _) in enumerate(columns):
            sheet.write_string(0, column, header, self.bold)
            sheet.set_column(column, column, 40 if "::" in header else 14)
        for number, row in enumerate(rows, start=1):
            for column, (_, get) in enumerate(columns):
                self.cell(sheet, number, column, get(row))
        sheet.freeze_panes(1, 0)

    def cell(self, sheet: Any, row: int, column: int, value: Any) -> None:
        if value is None or value == "":
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, column, value)
        elif str(value).startswith(FORMULA_START):
            sheet.write_string(row, column, str(value), self.quoted)
        else:
            sheet.write_string(row, column, str(value))
