"""A YAML loader that remembers where things are, so a problem can name its line.

Two departures from PyYAML's safe loader, both to protect survey authors:
- only true/false are booleans: YAML 1.1 would turn the option keys `yes` and `no` (and the
  language code `no`) into booleans;
- a key repeated in one mapping is reported instead of silently keeping the last value.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"
MAP_TAG = "tag:yaml.org,2002:map"


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
        for key_node, _ in node.value:  # merged (<<) keys first, so the mapping's own win
            data.key_lines[self.construct_object(key_node)] = key_node.start_mark.line + 1

    def note_duplicates(self, node: yaml.MappingNode) -> None:
        first_lines: dict[object, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
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
    """Parse one YAML document; mappings come back as LineDicts.

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
    elif error.problem and "expected <block end>" in error.problem:
        # The classic: show_if: 'a' in b  (YAML reads 'a' as the whole value).
        message += (
            "; if a value starts with a quote, put the whole value in double quotes, "
            "for example show_if: \"'option' in question\""
        )
    return message
