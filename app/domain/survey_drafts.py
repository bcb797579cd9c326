"""A community's own survey while it is being written: the draft, its edits, and its check.

A draft is a plain dict of the shape SurveyDefinition.to_dict() gives (so it can be stored as
JSON, exported, imported and published without conversion), except that texts may be missing
in every language but the first (the source language): translators fill them in later.

check_draft() runs the very rules the survey files are held to (app.domain.survey_format), so
files, the editor and imports share one validator. To let every problem find its field, the
draft is read into LineDicts whose "lines" are numbers standing for paths in the draft.

The edits (add, change, move, remove a page or a question) return a new draft and refuse, with a
code, what would break it: a question other questions' display conditions depend on cannot be
removed, and no condition can be made to look at itself or at a later question.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.conditions import Comparison, ConditionError, Literal, Name, parse_condition
from app.domain.naming import free_key
from app.domain.survey_texts import text_slots
from app.domain.survey_format import (
    CHOICE_TYPES,
    LONG_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    SurveyDefinition,
    check_survey_fields,
    content_hash,
)
from app.domain.yaml_lines import N_, LineDict, Phrase, Translate, phrase

Draft = dict[str, Any]
TEXT_MAX = 2000  # characters of one text in one language
Path = tuple[str | int, ...]

# A new question's fields, before the coordinator fills them in: every field a question has.
QUESTION_DEFAULTS: dict[str, Any] = {
    "key": "", "type": "agreement", "text": {}, "role": "item", "required": False, "help": None,
    "criterion": None, "show_if": None, "options": [], "other": False, "max_choices": None,
    "long": False, "max_length": None, "min": None, "max": None, "integer": True, "unit": None,
    "scale": None, "line": 0,
}


class EditRefused(Exception):
    """An edit that would break the draft; `code` says why (the web layer words it)."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


# --- Making a draft ---------------------------------------------------------------------------


def empty_draft(key: str, title: str, languages: Sequence[str], audience: str = "citizens") -> Draft:
    """A new survey: a title in the source language (the first) and one empty page."""
    source = languages[0]
    return {
        "key": key, "audience": audience, "languages": list(languages), "title": {source: title},
        "intro": {source: title}, "minutes": 3, "scales": {},
        "pages": [{"key": "page_1", "title": {source: title}, "questions": []}],
    }


def draft_of(definition: SurveyDefinition, languages: Sequence[str] | None = None) -> Draft:
    """A copy of a published survey to edit. `languages` (the source first) may reorder or
    narrow the survey's own; texts in other languages are dropped."""
    draft = definition.to_dict()
    if languages:
        draft = with_languages(draft, languages)
    for page in draft["pages"]:
        for question in page["questions"]:
            question["line"] = 0
    return draft


def with_languages(draft: Draft, languages: Sequence[str]) -> Draft:
    """The draft asked in these languages (the first is the source); texts in others go."""
    keep = list(dict.fromkeys(languages))
    result = copy.deepcopy(draft)
    result["languages"] = keep
    for text in _all_texts(result):
        for language in [lang for lang in text if lang not in keep]:
            del text[language]
    return result


def _all_texts(draft: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """Every translated text of the draft, shown or not (a scale no question uses, say)."""
    for _id, _what, held in text_slots(draft):
        yield from held
    for points in (draft.get("scales") or {}).values():
        yield from points


def fingerprint(draft: Mapping[str, Any]) -> str:
    """Whether two drafts are the same, whatever the order of their fields."""
    return content_hash(draft)


# --- Checking a draft -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldProblem:
    path: Path  # where in the draft: ("pages", 0, "questions", 2, "text"); () for the whole
    phrase: Phrase  # naming no line: the draft has none (plain text is kept as a phrase too)

    def __post_init__(self) -> None:
        if not isinstance(self.phrase, Phrase):
            object.__setattr__(self, "phrase", Phrase(str(self.phrase)))

    @property
    def message(self) -> str:
        """The problem in English."""
        return _without_lines(str(self.phrase))

    def words(self, translate: Translate) -> str:
        """The problem in another language: translate is gettext, say."""
        return self.phrase.words(translate)

    @property
    def question_position(self) -> tuple[int, int] | None:
        """(page index, question index) when the problem is in a question."""
        if len(self.path) >= 4 and self.path[0] == "pages" and self.path[2] == "questions":
            return int(self.path[1]), int(self.path[3])
        return None

    @property
    def field(self) -> str | None:
        """The question's (or page's, or survey's) field the problem is in, if one."""
        position = self.question_position
        rest = self.path[4:] if position else self.path[2:] if self.path[:1] == ("pages",) else self.path
        return str(rest[0]) if rest else None


@dataclass(frozen=True)
class DraftCheck:
    definition: SurveyDefinition | None  # None while there is any problem
    problems: tuple[FieldProblem, ...]

    def of_question(self, page_index: int, question_index: int) -> list[FieldProblem]:
        return [p for p in self.problems if p.question_position == (page_index, question_index)]

    def of_survey(self) -> list[FieldProblem]:
        return [p for p in self.problems if p.question_position is None]


def check_draft(draft: Mapping[str, Any], criterion_keys: Collection[str] | None) -> DraftCheck:
    """The survey files' rules applied to the draft, in partial-translation mode."""
    paths: list[Path] = []
    root = _line_tree(file_fields(draft), (), paths)
    if not isinstance(root, LineDict):
        return DraftCheck(None, (FieldProblem((), phrase(N_("the survey is empty"))),))
    definition, problems = check_survey_fields(root, "draft", criterion_keys, partial=True)
    # A file's problems name lines, which mean nothing in the editor: each says it without.
    found = tuple(
        FieldProblem(paths[p.line - 1] if 0 < p.line <= len(paths) else (), p.phrase.without_lines())
        for p in problems
    )
    return DraftCheck(definition, found)


def file_fields(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The draft in the survey files' own shape: only the fields a file would give (a scale by
    its name, `max` for a multiple choice's maximum, nothing that does not apply to the type).
    A question's scale of its own words becomes a named scale, as a file names every scale."""
    scales = with_question_scales(draft)
    result = {name: draft[name] for name in
              ("key", "audience", "languages", "title", "intro", "minutes") if name in draft}
    if scales:
        result["scales"] = scales
    result["pages"] = [
        {"key": page.get("key"), "title": page.get("title"),
         "questions": [question_fields(q, scales) for q in page.get("questions", [])]}
        for page in draft.get("pages", [])
    ]
    return result


def with_question_scales(draft: Mapping[str, Any]) -> dict[str, list]:
    """The survey's named scales, and one named after each question whose scale is none of them."""
    scales = {name: list(points) for name, points in (draft.get("scales") or {}).items()}
    for page in draft.get("pages", []):
        for question in page.get("questions", []):
            points = question.get("scale")
            if question.get("type") == "agreement" and points and list(points) not in scales.values():
                name, number = f"{question.get('key')}_scale", 2
                while name in scales:
                    name, number = f"{question.get('key')}_scale_{number}", number + 1
                scales[name] = list(points)
    return scales


def question_fields(question: Mapping[str, Any], scales: Mapping[str, Any]) -> dict[str, Any]:
    kind = question.get("type")
    fields: dict[str, Any] = {"key": question.get("key"), "type": kind, "text": question.get("text")}
    if question.get("role", "item") != "item":
        fields["role"] = question["role"]
    if question.get("required") != (question.get("role") == "group"):
        fields["required"] = bool(question.get("required"))
    for name in ("help", "criterion", "show_if"):
        if question.get(name) is not None:
            fields[name] = question[name]
    if kind == "agreement" and question.get("scale") is not None:
        fields["scale"] = next(name for name, points in scales.items() if list(points) == list(question["scale"]))
    if kind in CHOICE_TYPES:
        if question.get("options_from"):
            fields["options_from"] = question["options_from"]
        if question.get("options") or not question.get("options_from"):
            fields["options"] = question.get("options", [])
    if kind == "multiple_choice":
        if question.get("other"):
            fields["other"] = True
        if question.get("max_choices") is not None:
            fields["max"] = question["max_choices"]
    if kind == "text":
        if question.get("long"):
            fields["long"] = True
        default = LONG_TEXT_MAX_LENGTH if question.get("long") else TEXT_MAX_LENGTH
        if question.get("max_length") not in (None, default):
            fields["max_length"] = question["max_length"]
    if kind == "number":
        for name in ("min", "max", "unit"):
            if question.get(name) is not None:
                fields[name] = question[name]
        if question.get("integer") is False:
            fields["integer"] = False
    return fields


def _line_tree(value: object, path: Path, paths: list[Path]) -> object:
    """`value` with its mappings as LineDicts; the "line" of each mapping and key is the index
    (from 1) of its path in `paths`."""
    if isinstance(value, Mapping):
        paths.append(path)
        data = LineDict(len(paths))
        for key, item in value.items():
            paths.append((*path, key))
            data.key_lines[key] = len(paths)
            data[key] = _line_tree(item, (*path, key), paths)
        return data
    if isinstance(value, list):
        return [_line_tree(item, (*path, n), paths) for n, item in enumerate(value)]
    return value


_LINE_REFERENCE = re.compile(r" \(?(?:first |already used )?on line \d+\)?")


def _without_lines(message: str) -> str:
    """A file's message without its line references, which mean nothing in the editor."""
    return _LINE_REFERENCE.sub("", message)


# --- Editing pages and questions --------------------------------------------------------------


def question_keys(draft: Mapping[str, Any]) -> list[str]:
    return [q["key"] for page in draft["pages"] for q in page["questions"]]


def find_question(draft: Mapping[str, Any], key: str) -> tuple[int, int]:
    """(page index, index in the page) of the question; EditRefused("unknown_question")."""
    for p, page in enumerate(draft["pages"]):
        for q, question in enumerate(page["questions"]):
            if question["key"] == key:
                return p, q
    raise EditRefused("unknown_question")


def page_index(draft: Mapping[str, Any], key: str) -> int:
    for p, page in enumerate(draft["pages"]):
        if page["key"] == key:
            return p
    raise EditRefused("unknown_page")


def add_page(draft: Draft, title: str) -> tuple[Draft, str]:
    result = copy.deepcopy(draft)
    key = free_key(title, {page["key"] for page in result["pages"]})
    result["pages"].append({"key": key, "title": {result["languages"][0]: title.strip()}, "questions": []})
    return result, key


def retitle_page(draft: Draft, key: str, title: str) -> Draft:
    result = copy.deepcopy(draft)
    result["pages"][page_index(result, key)]["title"][result["languages"][0]] = title.strip()
    return result


def remove_page(draft: Draft, key: str) -> Draft:
    """Only an empty page goes: its questions must be moved or removed first, one by one, so
    nobody loses questions by accident."""
    index = page_index(draft, key)
    if draft["pages"][index]["questions"]:
        raise EditRefused("page_not_empty")
    if len(draft["pages"]) == 1:
        raise EditRefused("last_page")
    result = copy.deepcopy(draft)
    del result["pages"][index]
    return result


def move_page(draft: Draft, key: str, step: int) -> Draft:
    index = page_index(draft, key)
    target = index + step
    if not 0 <= target < len(draft["pages"]):
        return draft
    result = copy.deepcopy(draft)
    pages = result["pages"]
    pages[index], pages[target] = pages[target], pages[index]
    _refuse_broken_conditions(result)
    return result


def new_question_key(draft: Mapping[str, Any], text: str) -> str:
    return new_key(text, set(question_keys(draft)) | _RESERVED_KEYS, "question")


def new_key(words: str, taken: Collection[str], prefix: str) -> str:
    """A snake_case key from some words ("65 and over" → "option_65_and_over"): survey keys
    start with a letter, and words in other scripts give no letters at all ("שאלה" → "question")."""
    base = free_key(words[:40], ())
    if base == "item":  # nothing usable in the words
        base = prefix
    elif not base[0].isalpha():
        base = f"{prefix}_{base}"
    return free_key(base, taken)


_RESERVED_KEYS = frozenset({"and", "or", "not", "in", "is", "if", "else", "true", "false", "none"})


def save_question(draft: Draft, page_key: str, question: Mapping[str, Any], replacing: str | None = None) -> Draft:
    """The draft with `question` added at the end of the page, or put in the place of the
    question `replacing` (which may have moved to `page_key`'s page)."""
    result = copy.deepcopy(draft)
    new = {**QUESTION_DEFAULTS, **copy.deepcopy(dict(question))}
    if replacing is None:
        result["pages"][page_index(result, page_key)]["questions"].append(new)
    else:
        p, q = find_question(result, replacing)
        result["pages"][p]["questions"][q] = new
        _rename_in_conditions(result, replacing, new["key"])
    _refuse_broken_conditions(result)
    return result


def remove_question(draft: Draft, key: str) -> Draft:
    dependants = [q["key"] for page in draft["pages"] for q in page["questions"]
                  if q["key"] != key and key in _condition_names(q.get("show_if"))]
    if dependants:
        raise EditRefused("needed_by_conditions", questions=dependants)
    p, q = find_question(draft, key)
    result = copy.deepcopy(draft)
    del result["pages"][p]["questions"][q]
    return result


def move_question(draft: Draft, key: str, step: int) -> Draft:
    """One place up (step -1) or down (+1); from the top of a page up to the end of the page
    before, from the bottom down to the start of the next. Refused when a display condition
    would then look at a later question."""
    p, q = find_question(draft, key)
    result = copy.deepcopy(draft)
    pages = result["pages"]
    question = pages[p]["questions"].pop(q)
    if 0 <= q + step <= len(pages[p]["questions"]) and not (step > 0 and q == len(pages[p]["questions"])):
        pages[p]["questions"].insert(q + step, question)
    elif step < 0 and p > 0:
        pages[p - 1]["questions"].append(question)
    elif step > 0 and p + 1 < len(pages):
        pages[p + 1]["questions"].insert(0, question)
    else:
        return draft
    _refuse_broken_conditions(result)
    return result


def _refuse_broken_conditions(draft: Mapping[str, Any]) -> None:
    """Every display condition looks only at questions before it: a question can never depend
    on itself or on a later one, whatever is saved, moved or renamed."""
    earlier: set[str] = set()
    for page in draft["pages"]:
        for question in page["questions"]:
            names = _condition_names(question.get("show_if"))
            if question["key"] in names:
                raise EditRefused("condition_on_itself", question=question["key"])
            later = sorted(names - earlier)
            known = set(question_keys(draft))
            if any(name in known for name in later):
                raise EditRefused("condition_on_later", question=question["key"],
                                  on=[name for name in later if name in known])
            earlier.add(question["key"])


def _condition_names(show_if: str | None) -> frozenset[str]:
    if not show_if:
        return frozenset()
    try:
        return parse_condition(show_if).names
    except ConditionError:
        return frozenset()


def _rename_in_conditions(draft: Draft, old: str, new: str) -> None:
    if old == new:
        return
    pattern = re.compile(rf"(?<![\w'\"]){re.escape(old)}(?![\w'\"])")
    for page in draft["pages"]:
        for question in page["questions"]:
            if question.get("show_if") and old in _condition_names(question["show_if"]):
                question["show_if"] = pattern.sub(new, question["show_if"])


# --- Display conditions chosen from menus -----------------------------------------------------

# The comparisons a menu offers for each type of earlier question.
COMPARISONS = {
    "single_choice": ("==", "!="),
    "multiple_choice": ("in", "not in"),
    "agreement": ("==", "!=", ">=", "<="),
    "number": ("==", "!=", ">", ">=", "<", "<="),
    "text": ("==", "!="),
}


@dataclass(frozen=True)
class SimpleCondition:
    """"Show this question only when <question> <comparison> <value>"."""

    question: str
    comparison: str
    value: str | int | float

    def expression(self) -> str:
        literal = repr(self.value)
        if self.comparison in ("in", "not in"):
            return f"{literal} {self.comparison} {self.question}"
        return f"{self.question} {self.comparison} {literal}"


def simple_condition(show_if: str | None) -> SimpleCondition | None:
    """The condition as menus can show it, or None when it is more than one comparison (a
    bank survey's `a == 'x' and b == 'y'`, kept as it is unless replaced)."""
    if not show_if:
        return None
    try:
        condition = parse_condition(show_if)
    except ConditionError:
        return None
    comparison = condition.tree
    if not isinstance(comparison, Comparison):
        return None
    left, right = comparison.left, comparison.right
    if isinstance(left, Name) and isinstance(right, Literal):
        return SimpleCondition(left.key, comparison.op, right.value)
    if isinstance(left, Literal) and isinstance(right, Name) and comparison.op in ("in", "not in"):
        return SimpleCondition(right.key, comparison.op, left.value)
    return None


def condition_value(question: Mapping[str, Any], typed: str) -> str | int | float | None:
    """The value a menu's choice or typed text stands for, for this earlier question; None if
    it cannot be an answer to it."""
    typed = typed.strip()
    if question["type"] in CHOICE_TYPES:
        return typed if typed in {o["key"] for o in question.get("options", [])} else None
    if question["type"] in ("number", "agreement"):
        try:
            number = float(typed.replace(",", "."))
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return typed or None


def condition_sources(draft: Mapping[str, Any], key: str | None, page_key: str) -> list[Mapping[str, Any]]:
    """The questions a question's display condition may look at: those before it (for a new
    question: everything up to the end of its page) of a type a menu can compare."""
    sources = []
    for page in draft["pages"]:
        for question in page["questions"]:
            if question["key"] == key:
                return sources
            if question["type"] in COMPARISONS:
                sources.append(question)
        if key is None and page["key"] == page_key:
            return sources
    return sources


# --- Versions ---------------------------------------------------------------------------------


def wording_only(old: SurveyDefinition, new: SurveyDefinition) -> bool:
    """Whether `new` asks exactly what `old` asked, in other words: same questions (keys, types,
    roles, criteria, conditions, limits), same options and the same number of scale points. A
    running round may then move to it without its answers changing meaning."""
    return _structure(old) == _structure(new)


def _structure(definition: SurveyDefinition) -> list[tuple]:
    return [
        (q.key, q.type, q.role, q.required, q.criterion, q.show_if, q.option_keys, q.options_from,
         q.other, q.max_choices, q.long, q.max_length, q.min, q.max, q.integer,
         None if q.scale is None else len(q.scale))
        for q in definition.questions
    ]
