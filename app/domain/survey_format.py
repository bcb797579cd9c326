"""Survey definition files (docs/survey-format.md): the immutable model and its validator.

parse_catalogue() and parse_survey() read YAML text and report every problem they can find, each
with its line; they return a definition only when there is no problem at all.
SurveyDefinition.to_dict() and from_dict() are how a definition is stored as JSON and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from app.domain.conditions import (
    MEMBERSHIP,
    Comparison,
    Condition,
    ConditionError,
    LiteralValue,
    Name,
    parse_condition,
)
from app.domain.yaml_lines import (
    FieldReader,
    LineDict,
    Problem,
    did_you_mean,
    is_number,
    one_of,
)

__all__ = [
    "Catalogue", "Criterion", "Framework", "Option", "Page", "Problem", "Question",
    "SurveyDefinition", "Translated", "parse_catalogue", "parse_survey",
]

Translated = Mapping[str, str]  # language code -> text

AUDIENCES = ("citizens", "organisations", "coordinators")
ROLES = ("item", "group", "consent")
QUESTION_TYPES = (
    "agreement", "importance_current", "single_choice", "multiple_choice", "text", "number",
)
SCALE_TYPES = frozenset({"agreement", "importance_current"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
ORDERINGS = frozenset({"<", "<=", ">", ">="})
CONSENT_OPTIONS = ["no", "yes"]  # sorted
TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 2000

CATALOGUE_FIELDS = ("languages", "frameworks")
FRAMEWORK_FIELDS = ("key", "name", "description", "criteria")
CRITERION_FIELDS = ("key", "name", "description")
SURVEY_FIELDS = ("key", "audience", "languages", "title", "intro", "minutes", "scales", "pages")
PAGE_FIELDS = ("key", "title", "questions")
OPTION_FIELDS = ("key", "label")
# Lists a community keeps itself, which a single choice can offer as its options
# (`options_from: neighbourhoods`); the survey's own options come after them.
OPTION_SOURCES = ("neighbourhoods",)
COMMON_QUESTION_FIELDS = ("key", "type", "role", "required", "text", "help", "criterion", "show_if")
TYPE_FIELDS = {
    "agreement": ("scale",),
    "importance_current": (),
    "single_choice": ("options", "options_from"),
    "multiple_choice": ("options", "other", "max"),  # max: how many options may be ticked
    "text": ("long", "max_length"),
    "number": ("min", "max", "integer", "unit"),
}
QUESTION_FIELDS = COMMON_QUESTION_FIELDS + tuple(
    sorted({name for names in TYPE_FIELDS.values() for name in names})
)

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")


# --- The criteria catalogue -------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    framework_key: str
    name: Translated
    description: Translated | None
    position: int  # in its framework, from 0


@dataclass(frozen=True)
class Framework:
    key: str
    name: Translated
    description: Translated | None
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Catalogue:
    languages: tuple[str, ...]
    frameworks: tuple[Framework, ...]

    @property
    def criterion_keys(self) -> frozenset[str]:
        return frozenset(c.key for f in self.frameworks for c in f.criteria)


# --- A survey ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    key: str
    label: Translated


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: Translated
    page_key: str
    position: int  # in the whole survey, from 0
    role: str = "item"
    required: bool = False
    help: Translated | None = None
    criterion: str | None = None
    show_if: str | None = None
    options: tuple[Option, ...] = ()
    other: bool = False
    max_choices: int | None = None
    long: bool = False
    max_length: int | None = None
    min: int | float | None = None
    max: int | float | None = None
    integer: bool = True
    unit: Translated | None = None
    scale: tuple[Translated, ...] | None = None  # None: the built-in 5-point agreement scale
    options_from: str | None = None  # one of OPTION_SOURCES: options come from the community
    # Where the question starts in its file; not content, so equal questions may differ here.
    line: int = field(default=0, compare=False)

    @cached_property
    def condition(self) -> Condition | None:
        return None if self.show_if is None else parse_condition(self.show_if)

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def to_dict(self) -> dict[str, Any]:
        """Every field but those given by the question's place (page_key, position)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _PLACE}
        if self.options_from is None:
            del data["options_from"]  # surveys without it keep the fingerprint they had
        return data | {
            "text": dict(self.text),
            "help": _optional_dict(self.help),
            "unit": _optional_dict(self.unit),
            "options": [{"key": o.key, "label": dict(o.label)} for o in self.options],
            "scale": None if self.scale is None else [dict(point) for point in self.scale],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], page_key: str, position: int) -> Question:
        return cls(**{
            **data,
            "text": dict(data["text"]),
            "help": _optional_dict(data["help"]),
            "unit": _optional_dict(data["unit"]),
            "options": tuple(Option(o["key"], dict(o["label"])) for o in data["options"]),
            "scale": None if data["scale"] is None else tuple(map(dict, data["scale"])),
            "page_key": page_key,
            "position": position,
        })


_PLACE = frozenset({"page_key", "position"})


@dataclass(frozen=True)
class Page:
    key: str
    title: Translated
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class SurveyDefinition:
    key: str
    audience: str
    languages: tuple[str, ...]
    title: Translated
    intro: Translated
    minutes: int | float
    scales: Mapping[str, tuple[Translated, ...]]
    pages: tuple[Page, ...]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in the order respondents meet them."""
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "audience": self.audience,
            "languages": list(self.languages),
            "title": dict(self.title),
            "intro": dict(self.intro),
            "minutes": self.minutes,
            "scales": {name: [dict(p) for p in points] for name, points in self.scales.items()},
            "pages": [
                {
                    "key": page.key,
                    "title": dict(page.title),
                    "questions": [q.to_dict() for q in page.questions],
                }
                for page in self.pages
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SurveyDefinition:
        pages: list[Page] = []
        for page in data["pages"]:
            first = sum(len(p.questions) for p in pages)
            questions = tuple(
                Question.from_dict(q, page["key"], first + n)
                for n, q in enumerate(page["questions"])
            )
            pages.append(Page(page["key"], dict(page["title"]), questions))
        return cls(
            key=data["key"],
            audience=data["audience"],
            languages=tuple(data["languages"]),
            title=dict(data["title"]),
            intro=dict(data["intro"]),
            minutes=data["minutes"],
            scales={name: tuple(map(dict, points)) for name, points in data["scales"].items()},
            pages=tuple(pages),
        )

    def fingerprint(self) -> str:
        """A hash of the content. Line numbers are left out, so editing only comments or layout
        does not make a new version."""
        content = self.to_dict()
        for page in content["pages"]:
            for question in page["questions"]:
                del question["line"]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def resolve_option_sources(
    definition: SurveyDefinition, sources: Mapping[str, Sequence[Option]]
) -> SurveyDefinition:
    """The survey as one community asks it: questions with `options_from` offer the community's
    list first, then the survey's own options. A community that keeps no such list is not asked
    the question at all (a page left empty goes too). Without such questions, the same object."""
    if not any(q.options_from for q in definition.questions):
        return definition
    pages = []
    for page in definition.pages:
        questions = tuple(
            replace(q, options=(*sources[q.options_from], *q.options)) if q.options_from else q
            for q in page.questions if not q.options_from or sources.get(q.options_from)
        )
        if questions:
            pages.append(replace(page, questions=questions))
    return replace(definition, pages=tuple(pages))


def _optional_dict(text: Translated | None) -> dict[str, str] | None:
    return None if text is None else dict(text)


# --- Parsing ----------------------------------------------------------------------------------


def parse_catalogue(text: str, path: str) -> tuple[Catalogue | None, list[Problem]]:
    reader = _CatalogueReader(path)
    root = reader.root(text, "the criteria catalogue", CATALOGUE_FIELDS)
    catalogue = reader.catalogue(root) if root is not None else None
    return reader.result(catalogue)


def parse_survey(
    text: str, path: str, criterion_keys: Collection[str] | None, partial: bool = False
) -> tuple[SurveyDefinition | None, list[Problem]]:
    """criterion_keys: the catalogue's keys, or None not to check criteria (when the catalogue
    itself has problems, every criterion would look unknown).

    partial: texts may be missing in every language but the first (the source language), as in
    a community's own survey whose translators are still at work. The bank's files are complete."""
    reader = _SurveyReader(path, criterion_keys, partial)
    root = reader.root(text, "a survey", SURVEY_FIELDS)
    definition = reader.survey(root) if root is not None else None
    return reader.result(definition)


def check_survey_fields(
    root: LineDict, path: str, criterion_keys: Collection[str] | None, partial: bool = False
) -> tuple[SurveyDefinition | None, list[Problem]]:
    """The same rules as parse_survey() for a survey already read into LineDicts (the editor's
    draft and imports build them, with a "line" per field so each problem finds its field)."""
    reader = _SurveyReader(path, criterion_keys, partial)
    return reader.result(reader.survey(root))


class _Reader(FieldReader):
    """Adds what both kinds of file share: keys, and texts translated into `languages:`."""

    def __init__(self, path: str, owner: str, partial: bool = False) -> None:
        super().__init__(path)
        self.owner = owner  # whose `languages:` translations must match, for messages
        self.languages: tuple[str, ...] | None = None  # None until they are known to be valid
        self.partial = partial  # only the first language's texts are required

    def named(self, data: LineDict, kind: str, within: str = "") -> tuple[str, str]:
        """The key of a mapping that needs one, and how messages should name the mapping."""
        value = data.get("key")
        if value is None:
            self.report(data.line, f"this {kind}{within} has no key")
            return "", f"the {kind} on line {data.line}"
        key = str(value)
        if not isinstance(value, str) or not SNAKE_CASE.fullmatch(value):
            self.report(
                data.line_of("key"),
                f"{kind} key '{key}' is not snake_case: use lowercase letters, digits and "
                "single underscores, starting with a letter",
            )
        return key, f"{kind} '{key}'{within}"

    def unique(self, first_lines: dict[str, int], key: str, line: int, description: str) -> None:
        if key in first_lines:
            self.report(line, f"duplicate {description}: already used on line {first_lines[key]}")
        elif key:
            first_lines[key] = line

    def language_list(self, data: LineDict, what: str) -> tuple[str, ...] | None:
        value, line = data.get("languages"), data.line_of("languages")
        if value is None:
            self.report(line, f"{what} has no languages: list their codes, for example [en, he]")
            return None
        if not isinstance(value, list) or not value:
            self.report(line, "languages should be a list of language codes, for example [en, he]")
            return None
        codes: list[str] = []
        for code in value:
            if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
                self.report(line, f"'{code}' is not a language code such as en or he")
            elif code in codes:
                self.report(line, f"language {code} is listed twice")
            else:
                codes.append(code)
        return tuple(codes) if len(codes) == len(value) else None

    def translated(
        self, data: LineDict, name: str, what: str, required: bool = True
    ) -> dict[str, str] | None:
        value = data.get(name)
        if value is None:
            if required:
                self.report(data.line, f"{what} has no {name}")
            return None
        return self.translation(value, data.line_of(name), f"{what} {name}")

    def translation(self, value: object, line: int, label: str) -> dict[str, str]:
        """A translated text; `label` names it in messages ("question 'age_band' text")."""
        if not isinstance(value, LineDict):
            self.report(line, f"{label} should give the text per language, for example {{en: ...}}")
            return {}
        text: dict[str, str] = {}
        for language, words in value.items():
            where = value.line_of(language)
            if self.languages is not None and language not in self.languages:
                self.report(
                    where,
                    f"{label}: translation in {language}, which is not one of the "
                    f"{self.owner}'s languages ({', '.join(self.languages)})",
                )
            elif words is None or (isinstance(words, str) and not words.strip()):
                self.report(where, f"{label}: the {language} text is empty")
            elif not isinstance(words, str):
                self.report(where, f"{label}: the {language} text should be text, not {words!r}")
            else:
                text[str(language)] = words
        required = (self.languages or ())[:1] if self.partial else self.languages or ()
        missing = [code for code in required if code not in value]
        if missing:
            self.report(line, f"{label}: missing translation for {', '.join(missing)}")
        return text


class _CatalogueReader(_Reader):
    def __init__(self, path: str) -> None:
        super().__init__(path, "catalogue")
        self.framework_lines: dict[str, int] = {}
        self.criterion_lines: dict[str, int] = {}

    def catalogue(self, root: LineDict) -> Catalogue:
        self.fields(root, CATALOGUE_FIELDS, "the catalogue")
        self.languages = self.language_list(root, "the catalogue")
        items = self.items(root, "frameworks", "the catalogue")
        if not items:
            self.report(root.line_of("frameworks"), "the catalogue has no frameworks")
        frameworks = (self.framework(item, root.line_of("frameworks")) for item in items)
        return Catalogue(self.languages or (), tuple(f for f in frameworks if f is not None))

    def framework(self, item: object, line: int) -> Framework | None:
        data = self.mapping(item, line, "each framework")
        if data is None:
            return None
        key, what = self.named(data, "framework")
        self.unique(self.framework_lines, key, data.line_of("key"), f"framework key '{key}'")
        self.fields(data, FRAMEWORK_FIELDS, what)
        items = self.items(data, "criteria", what)
        if not items:
            self.report(data.line_of("criteria"), f"{what} has no criteria")
        criteria = (
            self.criterion(item, data.line_of("criteria"), key, position)
            for position, item in enumerate(items)
        )
        return Framework(
            key=key,
            name=self.translated(data, "name", what) or {},
            description=self.translated(data, "description", what, required=False),
            criteria=tuple(c for c in criteria if c is not None),
        )

    def criterion(
        self, item: object, line: int, framework_key: str, position: int
    ) -> Criterion | None:
        data = self.mapping(item, line, "each criterion")
        if data is None:
            return None
        key, what = self.named(data, "criterion")
        # Unique across frameworks: a survey question names its criterion by key alone.
        self.unique(self.criterion_lines, key, data.line_of("key"), f"criterion key '{key}'")
        self.fields(data, CRITERION_FIELDS, what)
        return Criterion(
            key=key,
            framework_key=framework_key,
            name=self.translated(data, "name", what) or {},
            description=self.translated(data, "description", what, required=False),
            position=position,
        )


class _SurveyReader(_Reader):
    def __init__(self, path: str, criterion_keys: Collection[str] | None, partial: bool = False) -> None:
        super().__init__(path, "survey", partial)
        self.criterion_keys = criterion_keys
        self.scales: dict[str, tuple[Translated, ...]] = {}
        self.page_lines: dict[str, int] = {}
        self.question_lines: dict[str, int] = {}
        self.show_if_lines: dict[int, int] = {}  # question position -> line of its show_if

    def survey(self, root: LineDict) -> SurveyDefinition:
        key, what = self.named(root, "survey")
        self.fields(root, SURVEY_FIELDS, what)
        audience = self.choice(root, "audience", AUDIENCES, what)
        self.languages = self.language_list(root, what)
        title = self.translated(root, "title", what) or {}
        intro = self.translated(root, "intro", what) or {}
        minutes = self.minutes(root, what)
        self.scales = self.read_scales(root)
        pages = self.pages(root, what)
        self.check_conditions([q for page in pages for q in page.questions])
        return SurveyDefinition(
            key, audience, self.languages or (), title, intro, minutes, self.scales, pages
        )

    def minutes(self, root: LineDict, what: str) -> int | float:
        value = root.get("minutes")
        if value is None:
            self.report(
                root.line,
                f"{what} has no minutes: give an honest estimate of the answering time on a "
                "phone, for example minutes: 5",
            )
            return 0
        if not is_number(value) or not value > 0:
            self.report(
                root.line_of("minutes"), f"minutes should be a positive number, not {value!r}"
            )
            return 0
        return value

    def read_scales(self, root: LineDict) -> dict[str, tuple[Translated, ...]]:
        value = root.get("scales")
        data = None if value is None else self.mapping(value, root.line_of("scales"), "scales")
        if data is None:
            return {}
        scales: dict[str, tuple[Translated, ...]] = {}
        for name, points in data.items():
            line = data.line_of(name)
            if not isinstance(name, str) or not SNAKE_CASE.fullmatch(name):
                self.report(line, f"scale name '{name}' is not snake_case")
            if not isinstance(points, list) or len(points) < 2:
                self.report(line, f"scale '{name}' should be a list of at least 2 labels")
                continue
            scales[str(name)] = tuple(
                self.translation(point, getattr(point, "line", line), f"scale '{name}' point {n}")
                for n, point in enumerate(points, start=1)
            )
        return scales

    def pages(self, root: LineDict, what: str) -> tuple[Page, ...]:
        items = self.items(root, "pages", what)
        if not items:
            self.report(root.line_of("pages"), f"{what} has no pages")
        pages: list[Page] = []
        for item in items:
            first = sum(len(p.questions) for p in pages)
            page = self.page(item, root.line_of("pages"), first)
            if page is not None:
                pages.append(page)
        return tuple(pages)

    def page(self, item: object, line: int, first_position: int) -> Page | None:
        data = self.mapping(item, line, "each page")
        if data is None:
            return None
        key, what = self.named(data, "page")
        self.unique(self.page_lines, key, data.line_of("key"), f"page key '{key}'")
        self.fields(data, PAGE_FIELDS, what)
        title = self.translated(data, "title", what) or {}
        items = self.items(data, "questions", what)
        if not items:
            self.report(data.line_of("questions"), f"{what} has no questions")
        questions: list[Question] = []
        for item in items:
            position = first_position + len(questions)
            question = self.question(item, data.line_of("questions"), key, position)
            if question is not None:
                questions.append(question)
        return Page(key, title, tuple(questions))

    def question(self, item: object, line: int, page_key: str, position: int) -> Question | None:
        data = self.mapping(item, line, "each question")
        if data is None:
            return None
        key, what = self.named(data, "question")
        self.unique(self.question_lines, key, data.line_of("key"), f"question key '{key}'")
        if keyword.iskeyword(key):
            self.report(
                data.line_of("key"), f"'{key}' cannot be a question key: conditions use that word"
            )
        question_type = self.choice(data, "type", QUESTION_TYPES, what)
        self.question_fields(data, question_type, what)
        role = self.choice(data, "role", ROLES, what, default="item")
        question = Question(
            key=key,
            type=question_type,
            text=self.translated(data, "text", what) or {},
            page_key=page_key,
            position=position,
            role=role,
            required=self.boolean(data, "required", what, default=role == "group"),
            help=self.translated(data, "help", what, required=False),
            criterion=self.criterion(data, question_type, role, what),
            show_if=self.show_if(data, what, position),
            line=data.line,
            **self.type_settings(data, question_type, what),
        )
        self.check_consent(question, what)
        return question

    def question_fields(self, data: LineDict, question_type: str, what: str) -> None:
        # With an unknown type, any type's field is fine: the type is what is wrong.
        allowed = COMMON_QUESTION_FIELDS + TYPE_FIELDS.get(question_type, QUESTION_FIELDS)
        for name in data:
            if name in allowed:
                continue
            if name in QUESTION_FIELDS:
                message = f"{what}: {name} does not apply to {question_type} questions"
            else:
                suggestion = did_you_mean(str(name), QUESTION_FIELDS)
                message = f"{what} has an unknown field '{name}'{suggestion}"
            self.report(data.line_of(name), message)

    def type_settings(self, data: LineDict, question_type: str, what: str) -> dict[str, Any]:
        """The fields that belong to this type of question, as Question's keyword arguments."""
        if question_type == "agreement":
            return {"scale": self.scale(data, what)}
        if question_type == "single_choice":
            source = self.option_source(data, what)
            minimum = 0 if "options_from" in data else 2  # a wrong source is reported once, above
            return {"options": self.options(data, what, minimum), "options_from": source}
        if question_type == "multiple_choice":
            options = self.options(data, what)
            return {
                "options": options,
                "other": self.boolean(data, "other", what, default=False),
                "max_choices": self.max_choices(data, what, len(options)),
            }
        if question_type == "text":
            long = self.boolean(data, "long", what, default=False)
            default = LONG_TEXT_MAX_LENGTH if long else TEXT_MAX_LENGTH
            return {"long": long, "max_length": self.count(data, "max_length", what, default)}
        if question_type == "number":
            return self.number_settings(data, what)
        return {}

    def scale(self, data: LineDict, what: str) -> tuple[Translated, ...] | None:
        name = data.get("scale")
        if name is None:
            return None
        if not isinstance(name, str) or name not in self.scales:
            hint = f"the survey defines {one_of(tuple(self.scales))}" if self.scales else (
                "define it under scales:"
            )
            self.report(data.line_of("scale"), f"{what} uses the unknown scale '{name}'; {hint}")
            return ()
        return self.scales[name]

    def option_source(self, data: LineDict, what: str) -> str | None:
        source = data.get("options_from")
        if source is None:
            return None
        if source not in OPTION_SOURCES:
            self.report(data.line_of("options_from"),
                        f"{what}: options_from can be {one_of(OPTION_SOURCES)}, not {source!r}")
            return None
        return str(source)

    def options(self, data: LineDict, what: str, minimum: int = 2) -> tuple[Option, ...]:
        items = self.items(data, "options", what)
        if len(items) < minimum:
            self.report(
                data.line_of("options"), f"{what} needs at least 2 options, it has {len(items)}"
            )
        first_lines: dict[str, int] = {}
        options: list[Option] = []
        for item in items:
            option = self.mapping(item, data.line_of("options"), f"each option of {what}")
            if option is None:
                continue
            key, option_what = self.named(option, "option", within=f" of {what}")
            self.unique(first_lines, key, option.line_of("key"), f"option key '{key}' in {what}")
            self.fields(option, OPTION_FIELDS, option_what)
            options.append(Option(key, self.translated(option, "label", option_what) or {}))
        return tuple(options)

    def max_choices(self, data: LineDict, what: str, option_count: int) -> int | None:
        value = self.count(data, "max", what, default=None)
        if value is not None and option_count >= 2 and value > option_count:
            self.report(
                data.line_of("max"), f"{what}: max is {value}, more than its {option_count} options"
            )
        return value

    def number_settings(self, data: LineDict, what: str) -> dict[str, Any]:
        low, high = self.number(data, "min", what), self.number(data, "max", what)
        if low is not None and high is not None and low > high:
            self.report(data.line_of("min"), f"{what}: min ({low}) is more than max ({high})")
        return {
            "min": low,
            "max": high,
            "integer": self.boolean(data, "integer", what, default=True),
            "unit": self.translated(data, "unit", what, required=False),
        }

    def criterion(self, data: LineDict, question_type: str, role: str, what: str) -> str | None:
        value = data.get("criterion")
        if value is None:
            if role == "item" and question_type in SCALE_TYPES:
                self.report(
                    data.line,
                    f"{what} has no criterion: every {question_type} item question names the "
                    "criterion it serves",
                )
            return None
        line = data.line_of("criterion")
        if role in ("group", "consent"):
            self.report(
                line, f"{what} is a {role} question, which serves no criterion; remove criterion"
            )
        elif not isinstance(value, str):
            self.report(line, f"{what}: criterion should be a criterion key, not {value!r}")
        elif self.criterion_keys is not None and value not in self.criterion_keys:
            self.report(
                line,
                f"{what} names the unknown criterion '{value}'"
                f"{did_you_mean(value, self.criterion_keys)}",
            )
        return str(value)

    def show_if(self, data: LineDict, what: str, position: int) -> str | None:
        value = data.get("show_if")
        if value is None:
            return None
        if not isinstance(value, str):
            self.report(
                data.line_of("show_if"),
                f"{what}: show_if should be a condition such as took_part == 'yes', not {value!r}",
            )
            return None
        self.show_if_lines[position] = data.line_of("show_if")
        return value

    def check_consent(self, question: Question, what: str) -> None:
        if question.role == "consent" and (
            question.type != "single_choice" or sorted(question.option_keys) != CONSENT_OPTIONS
        ):
            self.report(
                question.line,
                f"{what} is a consent question, so it must be a single_choice with exactly the "
                "options yes and no",
            )

    # Conditions are checked once every question is known, to tell "later" from "unknown".

    def check_conditions(self, questions: list[Question]) -> None:
        all_keys = {q.key for q in questions}
        earlier: dict[str, Question] = {}
        for question in questions:
            if question.show_if is not None:
                self.check_condition(question, earlier, all_keys)
            earlier.setdefault(question.key, question)

    def check_condition(
        self, question: Question, earlier: Mapping[str, Question], all_keys: Collection[str]
    ) -> None:
        line, what = self.show_if_lines[question.position], f"question '{question.key}' show_if"
        try:
            condition = parse_condition(question.show_if or "")
        except ConditionError as error:
            self.report(line, f"{what}: {error}")
            return
        for name in sorted(condition.names):
            if name == question.key:
                self.report(line, f"{what} refers to the question itself; use earlier ones only")
            elif name not in all_keys:
                self.report(
                    line,
                    f"{what} refers to the unknown question '{name}'{did_you_mean(name, all_keys)}",
                )
            elif name not in earlier:
                self.report(
                    line,
                    f"{what} refers to '{name}', which comes later in the survey; "
                    "use earlier ones only",
                )
        misuses = [_operator_misuse(c, earlier) for c in condition.comparisons] + [
            _literal_misuse(earlier[name], literal)
            for name, literal in condition.compared_literals()
            if name in earlier
        ]
        for message in filter(None, misuses):
            self.report(line, f"{what}: {message}")


def _operator_misuse(comparison: Comparison, earlier: Mapping[str, Question]) -> str | None:
    """Why this comparison makes no sense for the question it tests, if it does not."""
    for side, operand in (("left", comparison.left), ("right", comparison.right)):
        if not isinstance(operand, Name) or operand.key not in earlier:
            continue
        key, question_type, op = operand.key, earlier[operand.key].type, comparison.op
        tests_membership = op in MEMBERSHIP and side == "right"
        if question_type == "importance_current":
            return f"'{key}' has two answers (importance and current state), so it cannot be used"
        if question_type == "multiple_choice" and not tests_membership:
            return (
                f"'{key}' is a multiple choice question: test it with 'option' in {key} "
                f"or 'option' not in {key}"
            )
        if question_type != "multiple_choice" and tests_membership:
            return (
                f"only a multiple choice question can come after '{op}', and '{key}' is a "
                f"{question_type} question"
            )
        if question_type == "single_choice" and op in ORDERINGS:
            return (
                f"'{op}' compares by order, but the options of '{key}' have no order; "
                "use ==, != or in"
            )
    return None


def _literal_misuse(question: Question, literal: LiteralValue) -> str | None:
    """Why this value cannot be an answer to the question it is compared with, if it cannot."""
    key, question_type = question.key, question.type
    if question_type in CHOICE_TYPES:
        options = ", ".join(question.option_keys)
        if not isinstance(literal, str):
            return (
                f"'{key}' is a choice question: compare it with one of its options ({options}), "
                f"not the number {literal}"
            )
        if literal not in question.option_keys:
            if question.options_from:
                return (f"'{key}' takes its options from the community's {question.options_from}, "
                        f"so a condition can only name the survey's own options ({options or 'none'})")
            return f"'{literal}' is not an option of '{key}' (its options are {options})"
    if question_type in ("number", "agreement") and isinstance(literal, str):
        return f"'{key}' is answered with a number: compare it with a number, not '{literal}'"
    if question_type == "text" and not isinstance(literal, str):
        return f"'{key}' is a text question: compare it with text in quotes, not {literal}"
    return None
