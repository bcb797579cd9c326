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
    N_,
    FieldReader,
    LineDict,
    Phrase,
    Problem,
    What,
    is_number,
    lined,
    one_of,
    phrase,
    suggesting,
    unknown_field,
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
        return content_hash(content)


def content_hash(data: Mapping[str, Any]) -> str:
    """A hash of JSON-like content, the same whatever the order of its fields."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
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
    root = reader.root(text, phrase(
        N_("the file should describe the criteria catalogue with the fields %(fields)s"),
        fields=", ".join(CATALOGUE_FIELDS),
    ))
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
    root = reader.root(text, phrase(
        N_("the file should describe a survey with the fields %(fields)s"),
        fields=", ".join(SURVEY_FIELDS),
    ))
    definition = reader.survey(root) if root is not None else None
    return reader.result(definition)


def check_survey_fields(
    root: LineDict, path: str, criterion_keys: Collection[str] | None, partial: bool = False
) -> tuple[SurveyDefinition | None, list[Problem]]:
    """The same rules as parse_survey() for a survey already read into LineDicts (the editor's
    draft and imports build them, with a "line" per field so each problem finds its field)."""
    reader = _SurveyReader(path, criterion_keys, partial)
    return reader.result(reader.survey(root))


@dataclass(frozen=True)
class _Kind:
    """How messages name one kind of mapping that has a key: a whole sentence per use, so
    translators never have to fit a lone noun into a sentence. %(what)s, in an option's
    templates, is the question the option belongs to."""

    keyless: str  # the problem: the mapping has no key
    at_line: str  # naming a mapping without a key, by its %(line)s ...
    unlined: str  # ... or, where lines mean nothing, by its kind alone
    keyed: str  # naming a mapping by its %(key)s
    not_snake_case: str  # the problem: its %(key)s is not snake_case


_KINDS = {
    "survey": _Kind(
        N_("this survey has no key"), N_("the survey on line %(line)s"), N_("the survey"),
        N_("survey '%(key)s'"),
        N_("survey key '%(key)s' is not snake_case: use lowercase letters, digits and single "
           "underscores, starting with a letter"),
    ),
    "page": _Kind(
        N_("this page has no key"), N_("the page on line %(line)s"), N_("the page"),
        N_("page '%(key)s'"),
        N_("page key '%(key)s' is not snake_case: use lowercase letters, digits and single "
           "underscores, starting with a letter"),
    ),
    "question": _Kind(
        N_("this question has no key"), N_("the question on line %(line)s"), N_("the question"),
        N_("question '%(key)s'"),
        N_("question key '%(key)s' is not snake_case: use lowercase letters, digits and single "
           "underscores, starting with a letter"),
    ),
    "option": _Kind(
        N_("this option of %(what)s has no key"), N_("the option on line %(line)s"), N_("the option"),
        N_("option '%(key)s' of %(what)s"),
        N_("option key '%(key)s' is not snake_case: use lowercase letters, digits and single "
           "underscores, starting with a letter"),
    ),
    "framework": _Kind(
        N_("this framework has no key"), N_("the framework on line %(line)s"), N_("the framework"),
        N_("framework '%(key)s'"),
        N_("framework key '%(key)s' is not snake_case: use lowercase letters, digits and single "
           "underscores, starting with a letter"),
    ),
    "criterion": _Kind(
        N_("this criterion has no key"), N_("the criterion on line %(line)s"), N_("the criterion"),
        N_("criterion '%(key)s'"),
        N_("criterion key '%(key)s' is not snake_case: use lowercase letters, digits and single "
           "underscores, starting with a letter"),
    ),
}


# The problem that a key was used before (on line %(first_line)s), and the same said without
# the line; an option's key need only be unique within %(what)s, its question.
_DUPLICATES = {
    "page": (N_("duplicate page key '%(key)s': already used on line %(first_line)s"),
             N_("duplicate page key '%(key)s'")),
    "question": (N_("duplicate question key '%(key)s': already used on line %(first_line)s"),
                 N_("duplicate question key '%(key)s'")),
    "option": (N_("duplicate option key '%(key)s' in %(what)s: already used on line %(first_line)s"),
               N_("duplicate option key '%(key)s' in %(what)s")),
    "framework": (N_("duplicate framework key '%(key)s': already used on line %(first_line)s"),
                  N_("duplicate framework key '%(key)s'")),
    "criterion": (N_("duplicate criterion key '%(key)s': already used on line %(first_line)s"),
                  N_("duplicate criterion key '%(key)s'")),
}


def _field_of(what: What, name: str) -> Phrase:
    """A field of a thing, as messages name it: "question 'age_band' text"."""
    return phrase(N_("%(what)s %(field)s"), what=what, field=name)


def _within(what: What | None) -> dict[str, What]:
    return {} if what is None else {"what": what}


class _Reader(FieldReader):
    """Adds what both kinds of file share: keys, and texts translated into `languages:`."""

    # Said when a text is given in a language the file does not list, per `owner`.
    NOT_ONE_OF_THE_LANGUAGES = {
        "catalogue": N_("%(label)s: translation in %(language)s, which is not one of the catalogue's "
                        "languages (%(languages)s)"),
        "survey": N_("%(label)s: translation in %(language)s, which is not one of the survey's "
                     "languages (%(languages)s)"),
    }

    def __init__(self, path: str, owner: str, partial: bool = False) -> None:
        super().__init__(path)
        self.owner = owner  # whose `languages:` translations must match, for messages
        self.languages: tuple[str, ...] | None = None  # None until they are known to be valid
        self.partial = partial  # only the first language's texts are required

    def named(self, data: LineDict, kind: str, within: What | None = None) -> tuple[str, What]:
        """The key of a mapping that needs one, and how messages should name the mapping.
        `within`: what an option belongs to (its question)."""
        words, of = _KINDS[kind], _within(within)
        value = data.get("key")
        if value is None:
            self.report(data.line, words.keyless, **of)
            return "", lined(words.at_line, words.unlined, line=data.line)
        key = str(value)
        if not isinstance(value, str) or not SNAKE_CASE.fullmatch(value):
            self.report(data.line_of("key"), words.not_snake_case, key=key)
        return key, phrase(words.keyed, key=key, **of)

    def unique(
        self, first_lines: dict[str, int], key: str, line: int, kind: str, within: What | None = None
    ) -> None:
        if key in first_lines:
            template, unlined = _DUPLICATES[kind]
            self.report(line, lined(template, unlined, key=key, first_line=first_lines[key], **_within(within)))
        elif key:
            first_lines[key] = line

    def language_list(self, data: LineDict, what: What) -> tuple[str, ...] | None:
        value, line = data.get("languages"), data.line_of("languages")
        if value is None:
            self.report(line, N_("%(what)s has no languages: list their codes, for example [en, he]"),
                        what=what)
            return None
        if not isinstance(value, list) or not value:
            self.report(line, N_("languages should be a list of language codes, for example [en, he]"))
            return None
        codes: list[str] = []
        for code in value:
            if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
                self.report(line, N_("'%(code)s' is not a language code such as en or he"), code=code)
            elif code in codes:
                self.report(line, N_("language %(code)s is listed twice"), code=code)
            else:
                codes.append(code)
        return tuple(codes) if len(codes) == len(value) else None

    def translated(
        self, data: LineDict, name: str, what: What, required: bool = True
    ) -> dict[str, str] | None:
        value = data.get(name)
        if value is None:
            if required:
                self.report(data.line, N_("%(what)s has no %(name)s"), what=what, name=name)
            return None
        return self.translation(value, data.line_of(name), _field_of(what, name))

    def translation(self, value: object, line: int, label: What) -> dict[str, str]:
        """A translated text; `label` names it in messages ("question 'age_band' text")."""
        if not isinstance(value, LineDict):
            self.report(line, N_("%(label)s should give the text per language, for example {en: ...}"),
                        label=label)
            return {}
        text: dict[str, str] = {}
        for language, words in value.items():
            where = value.line_of(language)
            if self.languages is not None and language not in self.languages:
                self.report(where, self.NOT_ONE_OF_THE_LANGUAGES[self.owner],
                            label=label, language=language, languages=", ".join(self.languages))
            elif words is None or (isinstance(words, str) and not words.strip()):
                self.report(where, N_("%(label)s: the %(language)s text is empty"),
                            label=label, language=language)
            elif not isinstance(words, str):
                self.report(where, N_("%(label)s: the %(language)s text should be text, not %(value)s"),
                            label=label, language=language, value=repr(words))
            else:
                text[str(language)] = words
        required = (self.languages or ())[:1] if self.partial else self.languages or ()
        missing = [code for code in required if code not in value]
        if missing:
            self.report(line, N_("%(label)s: missing translation for %(languages)s"),
                        label=label, languages=", ".join(missing))
        return text


class _CatalogueReader(_Reader):
    def __init__(self, path: str) -> None:
        super().__init__(path, "catalogue")
        self.framework_lines: dict[str, int] = {}
        self.criterion_lines: dict[str, int] = {}

    def catalogue(self, root: LineDict) -> Catalogue:
        what = phrase(N_("the catalogue"))
        self.fields(root, CATALOGUE_FIELDS, what)
        self.languages = self.language_list(root, what)
        items = self.items(root, "frameworks", what)
        if not items:
            self.report(root.line_of("frameworks"), N_("the catalogue has no frameworks"))
        frameworks = (self.framework(item, root.line_of("frameworks")) for item in items)
        return Catalogue(self.languages or (), tuple(f for f in frameworks if f is not None))

    def framework(self, item: object, line: int) -> Framework | None:
        data = self.mapping(item, line, phrase(N_("each framework")))
        if data is None:
            return None
        key, what = self.named(data, "framework")
        self.unique(self.framework_lines, key, data.line_of("key"), "framework")
        self.fields(data, FRAMEWORK_FIELDS, what)
        items = self.items(data, "criteria", what)
        if not items:
            self.report(data.line_of("criteria"), N_("%(what)s has no criteria"), what=what)
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
        data = self.mapping(item, line, phrase(N_("each criterion")))
        if data is None:
            return None
        key, what = self.named(data, "criterion")
        # Unique across frameworks: a survey question names its criterion by key alone.
        self.unique(self.criterion_lines, key, data.line_of("key"), "criterion")
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

    def minutes(self, root: LineDict, what: What) -> int | float:
        value = root.get("minutes")
        if value is None:
            self.report(
                root.line,
                N_("%(what)s has no minutes: give an honest estimate of the answering time on a "
                   "phone, for example minutes: 5"),
                what=what,
            )
            return 0
        if not is_number(value) or not value > 0:
            self.report(root.line_of("minutes"), N_("minutes should be a positive number, not %(value)s"),
                        value=repr(value))
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
                self.report(line, N_("scale name '%(name)s' is not snake_case"), name=name)
            if not isinstance(points, list) or len(points) < 2:
                self.report(line, N_("scale '%(name)s' should be a list of at least 2 labels"), name=name)
                continue
            scales[str(name)] = tuple(
                self.translation(point, getattr(point, "line", line),
                                 phrase(N_("scale '%(name)s' point %(number)s"), name=name, number=n))
                for n, point in enumerate(points, start=1)
            )
        return scales

    def pages(self, root: LineDict, what: What) -> tuple[Page, ...]:
        items = self.items(root, "pages", what)
        if not items:
            self.report(root.line_of("pages"), N_("%(what)s has no pages"), what=what)
        pages: list[Page] = []
        for item in items:
            first = sum(len(p.questions) for p in pages)
            page = self.page(item, root.line_of("pages"), first)
            if page is not None:
                pages.append(page)
        return tuple(pages)

    def page(self, item: object, line: int, first_position: int) -> Page | None:
        data = self.mapping(item, line, phrase(N_("each page")))
        if data is None:
            return None
        key, what = self.named(data, "page")
        self.unique(self.page_lines, key, data.line_of("key"), "page")
        self.fields(data, PAGE_FIELDS, what)
        title = self.translated(data, "title", what) or {}
        items = self.items(data, "questions", what)
        if not items:
            self.report(data.line_of("questions"), N_("%(what)s has no questions"), what=what)
        questions: list[Question] = []
        for item in items:
            position = first_position + len(questions)
            question = self.question(item, data.line_of("questions"), key, position)
            if question is not None:
                questions.append(question)
        return Page(key, title, tuple(questions))

    def question(self, item: object, line: int, page_key: str, position: int) -> Question | None:
        data = self.mapping(item, line, phrase(N_("each question")))
        if data is None:
            return None
        key, what = self.named(data, "question")
        self.unique(self.question_lines, key, data.line_of("key"), "question")
        if keyword.iskeyword(key):
            self.report(data.line_of("key"), N_("'%(key)s' cannot be a question key: conditions use that word"),
                        key=key)
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

    def question_fields(self, data: LineDict, question_type: str, what: What) -> None:
        # With an unknown type, any type's field is fine: the type is what is wrong.
        allowed = COMMON_QUESTION_FIELDS + TYPE_FIELDS.get(question_type, QUESTION_FIELDS)
        for name in data:
            if name in allowed:
                continue
            if name in QUESTION_FIELDS:
                self.report(data.line_of(name), N_("%(what)s: %(name)s does not apply to %(type)s questions"),
                            what=what, name=name, type=question_type)
            else:
                self.report(data.line_of(name), unknown_field(what, name, QUESTION_FIELDS))

    def type_settings(self, data: LineDict, question_type: str, what: What) -> dict[str, Any]:
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

    def scale(self, data: LineDict, what: What) -> tuple[Translated, ...] | None:
        name = data.get("scale")
        if name is None:
            return None
        if not isinstance(name, str) or name not in self.scales:
            if self.scales:
                self.report(data.line_of("scale"),
                            N_("%(what)s uses the unknown scale '%(name)s'; the survey defines %(scales)s"),
                            what=what, name=name, scales=one_of(self.scales))
            else:
                self.report(data.line_of("scale"),
                            N_("%(what)s uses the unknown scale '%(name)s'; define it under scales:"),
                            what=what, name=name)
            return ()
        return self.scales[name]

    def option_source(self, data: LineDict, what: What) -> str | None:
        source = data.get("options_from")
        if source is None:
            return None
        if source not in OPTION_SOURCES:
            self.report(data.line_of("options_from"),
                        N_("%(what)s: options_from can be %(sources)s, not %(value)s"),
                        what=what, sources=one_of(OPTION_SOURCES), value=repr(source))
            return None
        return str(source)

    def options(self, data: LineDict, what: What, minimum: int = 2) -> tuple[Option, ...]:
        items = self.items(data, "options", what)
        if len(items) < minimum:
            self.report(data.line_of("options"), N_("%(what)s needs at least 2 options, it has %(count)s"),
                        what=what, count=len(items))
        first_lines: dict[str, int] = {}
        options: list[Option] = []
        for item in items:
            option = self.mapping(item, data.line_of("options"), phrase(N_("each option of %(what)s"), what=what))
            if option is None:
                continue
            key, option_what = self.named(option, "option", within=what)
            self.unique(first_lines, key, option.line_of("key"), "option", within=what)
            self.fields(option, OPTION_FIELDS, option_what)
            options.append(Option(key, self.translated(option, "label", option_what) or {}))
        return tuple(options)

    def max_choices(self, data: LineDict, what: What, option_count: int) -> int | None:
        value = self.count(data, "max", what, default=None)
        if value is not None and option_count >= 2 and value > option_count:
            self.report(data.line_of("max"), N_("%(what)s: max is %(max)s, more than its %(count)s options"),
                        what=what, max=value, count=option_count)
        return value

    def number_settings(self, data: LineDict, what: What) -> dict[str, Any]:
        low, high = self.number(data, "min", what), self.number(data, "max", what)
        if low is not None and high is not None and low > high:
            self.report(data.line_of("min"), N_("%(what)s: min (%(min)s) is more than max (%(max)s)"),
                        what=what, min=low, max=high)
        return {
            "min": low,
            "max": high,
            "integer": self.boolean(data, "integer", what, default=True),
            "unit": self.translated(data, "unit", what, required=False),
        }

    def criterion(self, data: LineDict, question_type: str, role: str, what: What) -> str | None:
        value = data.get("criterion")
        if value is None:
            if role == "item" and question_type in SCALE_TYPES:
                self.report(
                    data.line,
                    N_("%(what)s has no criterion: every %(type)s item question names the criterion "
                       "it serves"),
                    what=what, type=question_type,
                )
            return None
        line = data.line_of("criterion")
        if role in ("group", "consent"):
            self.report(line, N_("%(what)s is a %(role)s question, which serves no criterion; remove criterion"),
                        what=what, role=role)
        elif not isinstance(value, str):
            self.report(line, N_("%(what)s: criterion should be a criterion key, not %(value)s"),
                        what=what, value=repr(value))
        elif self.criterion_keys is not None and value not in self.criterion_keys:
            self.report(line, suggesting(
                N_("%(what)s names the unknown criterion '%(criterion)s'"),
                N_("%(what)s names the unknown criterion '%(criterion)s' (did you mean '%(suggestion)s'?)"),
                value, self.criterion_keys, what=what, criterion=value,
            ))
        return str(value)

    def show_if(self, data: LineDict, what: What, position: int) -> str | None:
        value = data.get("show_if")
        if value is None:
            return None
        if not isinstance(value, str):
            self.report(
                data.line_of("show_if"),
                N_("%(what)s: show_if should be a condition such as took_part == 'yes', not %(value)s"),
                what=what, value=repr(value),
            )
            return None
        self.show_if_lines[position] = data.line_of("show_if")
        return value

    def check_consent(self, question: Question, what: What) -> None:
        if question.role == "consent" and (
            question.type != "single_choice" or sorted(question.option_keys) != CONSENT_OPTIONS
        ):
            self.report(
                question.line,
                N_("%(what)s is a consent question, so it must be a single_choice with exactly the "
                   "options yes and no"),
                what=what,
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
        line = self.show_if_lines[question.position]
        what = phrase(N_("question '%(key)s' show_if"), key=question.key)
        try:
            condition = parse_condition(question.show_if or "")
        except ConditionError as error:
            # The condition reader's own words (app.domain.conditions), in English.
            self.report(line, N_("%(what)s: %(problem)s"), what=what, problem=str(error))
            return
        for name in sorted(condition.names):
            if name == question.key:
                self.report(line, N_("%(what)s refers to the question itself; use earlier ones only"),
                            what=what)
            elif name not in all_keys:
                self.report(line, suggesting(
                    N_("%(what)s refers to the unknown question '%(name)s'"),
                    N_("%(what)s refers to the unknown question '%(name)s' (did you mean '%(suggestion)s'?)"),
                    name, all_keys, what=what, name=name,
                ))
            elif name not in earlier:
                self.report(
                    line,
                    N_("%(what)s refers to '%(name)s', which comes later in the survey; use earlier "
                       "ones only"),
                    what=what, name=name,
                )
        misuses = [_operator_misuse(c, earlier) for c in condition.comparisons] + [
            _literal_misuse(earlier[name], literal)
            for name, literal in condition.compared_literals()
            if name in earlier
        ]
        for misuse in filter(None, misuses):
            self.report(line, N_("%(what)s: %(problem)s"), what=what, problem=misuse)


def _operator_misuse(comparison: Comparison, earlier: Mapping[str, Question]) -> Phrase | None:
    """Why this comparison makes no sense for the question it tests, if it does not."""
    for side, operand in (("left", comparison.left), ("right", comparison.right)):
        if not isinstance(operand, Name) or operand.key not in earlier:
            continue
        key, question_type, op = operand.key, earlier[operand.key].type, comparison.op
        tests_membership = op in MEMBERSHIP and side == "right"
        if question_type == "importance_current":
            return phrase(
                N_("'%(key)s' has two answers (importance and current state), so it cannot be used"),
                key=key,
            )
        if question_type == "multiple_choice" and not tests_membership:
            return phrase(
                N_("'%(key)s' is a multiple choice question: test it with 'option' in %(key)s or "
                   "'option' not in %(key)s"),
                key=key,
            )
        if question_type != "multiple_choice" and tests_membership:
            return phrase(
                N_("only a multiple choice question can come after '%(operator)s', and '%(key)s' is "
                   "a %(type)s question"),
                operator=op, key=key, type=question_type,
            )
        if question_type == "single_choice" and op in ORDERINGS:
            return phrase(
                N_("'%(operator)s' compares by order, but the options of '%(key)s' have no order; "
                   "use ==, != or in"),
                operator=op, key=key,
            )
    return None


def _literal_misuse(question: Question, literal: LiteralValue) -> Phrase | None:
    """Why this value cannot be an answer to the question it is compared with, if it cannot."""
    key, question_type = question.key, question.type
    if question_type in CHOICE_TYPES:
        options = ", ".join(question.option_keys)
        if not isinstance(literal, str):
            return phrase(
                N_("'%(key)s' is a choice question: compare it with one of its options "
                   "(%(options)s), not the number %(value)s"),
                key=key, options=options, value=literal,
            )
        if literal not in question.option_keys:
            if question.options_from and options:
                return phrase(
                    N_("'%(key)s' takes its options from the community's %(source)s, so a condition "
                       "can only name the survey's own options (%(options)s)"),
                    key=key, source=question.options_from, options=options,
                )
            if question.options_from:
                return phrase(
                    N_("'%(key)s' takes its options from the community's %(source)s, so a condition "
                       "can only name the survey's own options (none)"),
                    key=key, source=question.options_from,
                )
            return phrase(
                N_("'%(value)s' is not an option of '%(key)s' (its options are %(options)s)"),
                value=literal, key=key, options=options,
            )
    if question_type in ("number", "agreement") and isinstance(literal, str):
        return phrase(
            N_("'%(key)s' is answered with a number: compare it with a number, not '%(value)s'"),
            key=key, value=literal,
        )
    if question_type == "text" and not isinstance(literal, str):
        return phrase(
            N_("'%(key)s' is a text question: compare it with text in quotes, not %(value)s"),
            key=key, value=literal,
        )
    return None
