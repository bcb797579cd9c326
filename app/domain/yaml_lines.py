"""YAML that remembers where things are, so every problem can name its line.

load_yaml() parses with two departures from PyYAML's safe loader, both to protect authors:
- only true/false are booleans: YAML 1.1 would turn the option keys `yes` and `no` (and the
  language code `no`) into booleans;
- a key repeated in one mapping is reported instead of silently keeping the last value.

FieldReader reads fields out of the parsed mappings and collects a Problem for each wrong one,
so one pass reports everything.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"
MAP_TAG = "tag:yaml.org,2002:map"
MERGE_TAG = "tag:yaml.org,2002:merge"

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when the problem concerns the whole file (a missing file, say)
    message: str

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
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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
        raise YamlSyntaxError(1, f"this is not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return LoadedYaml(data, tuple(loader.duplicate_keys))


def _explain(error: yaml.MarkedYAMLError) -> str:
    message = f"this is not valid YAML: {error.problem}"
    if error.context and "flow" in error.context:
        # PyYAML ends an unquoted text inside { } or [ ] at ? or :, so "{en: Why?}" fails.
        message += (
            "; inside { } or [ ], put a text containing ? : , or # in double quotes, "
            'for example {en: "Why not?"}'
        )
    elif error.problem and "expected <block end>, but found '<scalar>'" in error.problem:
        # The classic: show_if: 'a' in b  (YAML reads 'a' as the whole value).
        message += (
            "; if a value starts with a quote or a bracket, put the whole value in double quotes, "
            "for example show_if: \"'option' in question\""
        )
    return message


class FieldReader:
    """Reads the fields of one file's mappings, collecting problems instead of stopping.

    The read methods always return something (a placeholder when the input is wrong), so that
    reading goes on; result() throws the value away when any problem was found. `what` arguments
    name the thing being read in messages, e.g. "question 'age_band'".
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def result(self, value: T | None) -> tuple[T | None, list[Problem]]:
        problems = sorted(self.problems, key=lambda p: p.line)
        return (None if problems else value), problems

    def root(self, text: str, kind: str, fields: Collection[str]) -> LineDict | None:
        """The file's top mapping, or None (with problems) when there is none to read."""
        try:
            loaded = load_yaml(text)
        except YamlSyntaxError as error:
            self.report(error.line, error.message)
            return None
        for duplicate in loaded.duplicate_keys:
            self.report(
                duplicate.line,
                f"'{duplicate.key}' is given twice in the same place (first on line "
                f"{duplicate.first_line}); only one can count, so remove the other",
            )
        if loaded.data is None:
            self.report(1, "the file is empty")
            return None
        if not isinstance(loaded.data, LineDict):
            self.report(1, f"the file should describe {kind} with the fields {', '.join(fields)}")
            return None
        return loaded.data

    def mapping(self, value: object, line: int, what: str) -> LineDict | None:
        if isinstance(value, LineDict):
            return value
        self.report(line, f"{what} should be a set of fields (name: value), not {value!r}")
        return None

    def fields(self, data: LineDict, allowed: Collection[str], what: str) -> None:
        for name in data:
            if name not in allowed:
                self.report(
                    data.line_of(name),
                    f"{what} has an unknown field '{name}'{did_you_mean(str(name), allowed)}",
                )

    def items(self, data: LineDict, name: str, what: str) -> list[object]:
        """A list field; empty when absent (callers say in their own words if that is wrong)."""
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.report(data.line_of(name), f"{what} {name} should be a list (lines with -)")
            return []
        return value

    def choice(
        self, data: LineDict, name: str, allowed: tuple[str, ...], what: str,
        default: str | None = None,
    ) -> str:
        value = data.get(name, default)
        if value is None:
            self.report(data.line, f"{what} has no {name}: use {one_of(allowed)}")
            return ""
        if value not in allowed:
            self.report(
                data.line_of(name),
                f"{what} has an unknown {name} '{value}'{did_you_mean(str(value), allowed)}; "
                f"use {one_of(allowed)}",
            )
            return ""
        return str(value)

    def boolean(self, data: LineDict, name: str, what: str, default: bool) -> bool:
        value = data.get(name, default)
        if isinstance(value, bool):
            return value
        self.report(data.line_of(name), f"{what}: {name} should be true or false, not {value!r}")
        return default

    def number(self, data: LineDict, name: str, what: str) -> int | float | None:
        value = data.get(name)
        if value is None or is_number(value):
            return value
        self.report(data.line_of(name), f"{what}: {name} should be a number, not {value!r}")
        return None

    def count(self, data: LineDict, name: str, what: str, default: int | None) -> int | None:
        value = data.get(name, default)
        if value is None or (is_number(value) and isinstance(value, int) and value >= 1):
            return value
        self.report(data.line_of(name), f"{what}: {name} should be a whole number of at least 1")
        return default


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def one_of(choices: tuple[str, ...]) -> str:
    """'a, b or c'."""
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
