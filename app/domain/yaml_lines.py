"""YAML that remembers where things are, so every problem can name its line.

load_yaml() parses with two departures from PyYAML's safe loader, both to protect authors:
- only true/false are booleans: YAML 1.1 would turn the option keys `yes` and `no` (and the
  language code `no`) into booleans;
- a key repeated in one mapping is reported instead of silently keeping the last value.

FieldReader reads fields out of the parsed mappings and collects a Problem for each wrong one,
so one pass reports everything.

A problem's words are a Phrase: an English template marked with N_() (so that pybabel extracts
it for translators) and the values to fill in. str() gives the English the command line prints;
words(translate) gives them in another language, for the web editor, without this module
knowing of Flask or Babel. Keys, codes and values quoted from the file are filled in as they
are, never translated.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"
MAP_TAG = "tag:yaml.org,2002:map"
MERGE_TAG = "tag:yaml.org,2002:merge"

T = TypeVar("T")


Translate = Callable[[str], str]


def N_(template: str) -> str:
    """Marks a message template for extraction (pybabel's keyword N_); translated when shown."""
    return template


@dataclass(frozen=True)
class Phrase:
    """Words to show: a %-format template (%(name)s placeholders) and the values to fill in.

    A value may be a Phrase itself (translated in its turn), a list or tuple of Phrases (joined
    with ", "), or anything else (shown as it is: a key, a code, a value from the file).
    `unlined` is the template to use where line numbers mean nothing (the web editor), when the
    template names a line; see without_lines().
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    unlined: str | None = None

    def words(self, translate: Translate) -> str:
        text = translate(self.template)
        if not self.params:  # as gettext does: a template without values is not %-formatted
            return text
        values = {name: _words(value, translate) for name, value in self.params.items()}
        try:
            return text % values
        except (KeyError, TypeError, ValueError):  # a translation with broken placeholders
            return self.template % values

    def without_lines(self) -> Phrase:
        """The same words with no reference to a line, in this phrase and the phrases in it."""
        template = self.unlined or self.template
        return Phrase(template, {
            name: _without_lines(value) for name, value in self.params.items()
            if self.unlined is None or f"%({name})s" in template  # the line goes
        })

    def __str__(self) -> str:
        return self.words(_english)

    def __hash__(self) -> int:
        return hash((self.template, tuple(self.params), self.unlined))  # values may be unhashable


What = Phrase | str  # how messages name the thing being read: a phrase, or a field's name


def phrase(template: str, /, **params: object) -> Phrase:
    """Phrase(template, params), written as a call: phrase(N_("... %(key)s ..."), key=key)."""
    return Phrase(template, params)


def lined(template: str, unlined: str, /, **params: object) -> Phrase:
    """A phrase naming a line, and its variant without it (see Phrase.without_lines)."""
    return Phrase(template, params, unlined)


def _english(template: str) -> str:
    return template


def _words(value: object, translate: Translate) -> object:
    if isinstance(value, Phrase):
        return value.words(translate)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Phrase) for v in value):
        return ", ".join(v.words(translate) for v in value)
    return value


def _without_lines(value: object) -> object:
    if isinstance(value, Phrase):
        return value.without_lines()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Phrase) for v in value):
        return tuple(v.without_lines() for v in value)
    return value


@dataclass(frozen=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when the problem concerns the whole file (a missing file, say)
    phrase: Phrase  # plain text is accepted too, and kept as a phrase without values

    def __post_init__(self) -> None:
        if not isinstance(self.phrase, Phrase):
            object.__setattr__(self, "phrase", Phrase(str(self.phrase)))

    @property
    def message(self) -> str:
        """The problem in English."""
        return str(self.phrase)

    def words(self, translate: Translate) -> str:
        return self.phrase.words(translate)

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping with the 1-based line of the mapping itself and of each of its keys."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Hashable, int] = {}

    def line_of(self, key: Hashable) -> int:
        """The line of `key`, or of the whole mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int
    first_line: int


@dataclass(frozen=True)
class LoadedYaml:
    data: object
    duplicate_keys: tuple[DuplicateKey, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, words: Phrase) -> None:
        super().__init__(str(words))
        self.line = line
        self.phrase = words
        self.message = str(words)


class LineLoader(yaml.SafeLoader):
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[DuplicateKey] = []

    def construct_line_dict(self, node: yaml.MappingNode):  # type: ignore[no-untyped-def]
        data = LineDict(node.start_mark.line + 1)
        yield data  # first, so that anchors referring back to this mapping work
        self.note_duplicates(node)
        data.update(self.construct_mapping(node))
        for key_node, _ in node.value:  # merged (<<) keys come first, so the mapping's own win
            data.key_lines[self.construct_object(key_node)] = key_node.start_mark.line + 1

    def note_duplicates(self, node: yaml.MappingNode) -> None:
        first_lines: dict[object, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE_TAG:
                continue
            key, line = self.construct_object(key_node), key_node.start_mark.line + 1
            if key in first_lines:
                self.duplicate_keys.append(DuplicateKey(str(key), line, first_lines[key]))
            else:
                first_lines[key] = line


LineLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
LineLoader.add_constructor(MAP_TAG, LineLoader.construct_line_dict)


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document; its mappings come back as LineDicts.

    Raises YamlSyntaxError with the line of the problem and a readable message.
    """
    loader = LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise YamlSyntaxError(mark.line + 1 if mark else 1, _explain(error)) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, phrase(N_("this is not valid YAML: %(error)s"), error=str(error))) from None
    finally:
        loader.dispose()
    return LoadedYaml(data, tuple(loader.duplicate_keys))


def _explain(error: yaml.MarkedYAMLError) -> Phrase:
    # PyYAML's own words (error.problem) are English and are shown as they are.
    if error.context and "flow" in error.context:
        # PyYAML ends an unquoted text inside { } or [ ] at ? or :, so "{en: Why?}" fails.
        return phrase(
            N_("this is not valid YAML: %(error)s; inside { } or [ ], put a text containing ? : , "
               'or # in double quotes, for example {en: "Why not?"}'),
            error=str(error.problem),
        )
    if error.problem and "expected <block end>, but found '<scalar>'" in error.problem:
        # The classic: show_if: 'a' in b  (YAML reads 'a' as the whole value).
        return phrase(
            N_("this is not valid YAML: %(error)s; if a value starts with a quote or a bracket, "
               "put the whole value in double quotes, for example show_if: \"'option' in question\""),
            error=str(error.problem),
        )
    return phrase(N_("this is not valid YAML: %(error)s"), error=str(error.problem))


class FieldReader:
    """Reads the fields of one file's mappings, collecting problems instead of stopping.

    The read methods always return something (a placeholder when the input is wrong), so that
    reading goes on; result() throws the value away when any problem was found. `what` arguments
    name the thing being read in messages, e.g. phrase(N_("question '%(key)s'"), key="age_band"),
    or a field's name as it is in the file ("scales").
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int, template: str | Phrase, /, **params: object) -> None:
        """A problem: a marked template and its values, or a Phrase made already."""
        words = template if isinstance(template, Phrase) else Phrase(template, params)
        self.problems.append(Problem(self.path, line, words))

    def result(self, value: T | None) -> tuple[T | None, list[Problem]]:
        problems = sorted(self.problems, key=lambda p: p.line)
        return (None if problems else value), problems

    def root(self, text: str, not_a_mapping: Phrase) -> LineDict | None:
        """The file's top mapping, or None (with problems) when there is none to read.
        `not_a_mapping` says what the file should describe, when it is no mapping at all."""
        try:
            loaded = load_yaml(text)
        except YamlSyntaxError as error:
            self.report(error.line, error.phrase)
            return None
        for duplicate in loaded.duplicate_keys:
            self.report(duplicate.line, lined(
                N_("'%(key)s' is given twice in the same place (first on line %(first_line)s); only "
                   "one can count, so remove the other"),
                N_("'%(key)s' is given twice in the same place; only one can count, so remove the other"),
                key=duplicate.key, first_line=duplicate.first_line,
            ))
        if loaded.data is None:
            self.report(1, N_("the file is empty"))
            return None
        if not isinstance(loaded.data, LineDict):
            self.report(1, not_a_mapping)
            return None
        return loaded.data

    def mapping(self, value: object, line: int, what: What) -> LineDict | None:
        if isinstance(value, LineDict):
            return value
        self.report(line, N_("%(what)s should be a set of fields (name: value), not %(value)s"),
                    what=what, value=repr(value))
        return None

    def fields(self, data: LineDict, allowed: Collection[str], what: What) -> None:
        for name in data:
            if name not in allowed:
                self.report(data.line_of(name), unknown_field(what, name, allowed))

    def items(self, data: LineDict, name: str, what: What) -> list[object]:
        """A list field; empty when absent (callers say in their own words if that is wrong)."""
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.report(data.line_of(name), N_("%(what)s %(name)s should be a list (lines with -)"),
                        what=what, name=name)
            return []
        return value

    def choice(
        self, data: LineDict, name: str, allowed: tuple[str, ...], what: What,
        default: str | None = None,
    ) -> str:
        value = data.get(name, default)
        if value is None:
            self.report(data.line, N_("%(what)s has no %(name)s: use %(choices)s"),
                        what=what, name=name, choices=one_of(allowed))
            return ""
        if value not in allowed:
            self.report(data.line_of(name), suggesting(
                N_("%(what)s has an unknown %(name)s '%(value)s'; use %(choices)s"),
                N_("%(what)s has an unknown %(name)s '%(value)s' (did you mean '%(suggestion)s'?); "
                   "use %(choices)s"),
                str(value), allowed, what=what, name=name, value=value, choices=one_of(allowed),
            ))
            return ""
        return str(value)

    def boolean(self, data: LineDict, name: str, what: What, default: bool) -> bool:
        value = data.get(name, default)
        if isinstance(value, bool):
            return value
        self.report(data.line_of(name), N_("%(what)s: %(name)s should be true or false, not %(value)s"),
                    what=what, name=name, value=repr(value))
        return default

    def number(self, data: LineDict, name: str, what: What) -> int | float | None:
        value = data.get(name)
        if value is None or is_number(value):
            return value
        self.report(data.line_of(name), N_("%(what)s: %(name)s should be a number, not %(value)s"),
                    what=what, name=name, value=repr(value))
        return None

    def count(self, data: LineDict, name: str, what: What, default: int | None) -> int | None:
        value = data.get(name, default)
        if value is None or (is_number(value) and isinstance(value, int) and value >= 1):
            return value
        self.report(data.line_of(name), N_("%(what)s: %(name)s should be a whole number of at least 1"),
                    what=what, name=name)
        return default


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def one_of(choices: Iterable[str]) -> Phrase | str:
    """'a, b or c' (the choices are keys, shown as they are; "or" is translated)."""
    choices = tuple(choices)
    if len(choices) == 1:
        return choices[0]
    return phrase(N_("%(choices)s or %(last)s"), choices=", ".join(choices[:-1]), last=choices[-1])


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word `word` is most likely a typo of, if any."""
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggesting(
    template: str, with_suggestion: str, word: str, known: Iterable[str], /, **params: object
) -> Phrase:
    """phrase(template, **params), or, when `word` looks like a typo of a known word, the
    variant of the sentence that suggests that word as %(suggestion)s."""
    match = closest(word, known)
    if match is None:
        return Phrase(template, params)
    return Phrase(with_suggestion, {**params, "suggestion": match})


def unknown_field(what: What, name: object, allowed: Iterable[str]) -> Phrase:
    return suggesting(
        N_("%(what)s has an unknown field '%(name)s'"),
        N_("%(what)s has an unknown field '%(name)s' (did you mean '%(suggestion)s'?)"),
        str(name), allowed, what=what, name=name,
    )
