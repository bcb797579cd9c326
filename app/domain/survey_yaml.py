"""A survey dict (SurveyDefinition.to_dict()'s shape) written as a survey file of the bank.

The text reads like the hand-written files in surveys/: fields in the order those files use,
block style, one text per language per line, a blank line between questions, unicode as it is.
Only what differs from the format's defaults is written (docs/survey-format.md), so
parse_survey() gives back a survey with the same fingerprint().

Translations may be partial: each text is written with the languages it has. A question whose
scale is not one of the survey's named scales (only possible in a dict built by hand) gets a
named scale of its own, since the file format names every custom scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from app.domain.survey_drafts import question_fields, with_question_scales

__all__ = ["survey_yaml"]

HEADER = "# Format: docs/survey-format.md\n"
INDENT = "  "

# The order of the bank's files: what a question is first, then what it serves, then its words.
QUESTION_ORDER = (
    "key", "type", "role", "required", "options_from", "scale", "long", "max_length", "integer",
    "min", "other", "max", "criterion", "show_if", "text", "help", "unit", "options",
)


def survey_yaml(survey: Mapping[str, Any]) -> str:
    languages = list(survey["languages"])
    scales = with_question_scales(survey)
    out = [HEADER]
    out += [_field("key", survey["key"]), _field("audience", survey["audience"])]
    out.append(f"languages: [{', '.join(_scalar(code) for code in languages)}]\n")
    out += [_field("minutes", survey["minutes"]), "\n"]
    out += _translated("title", survey["title"], languages, 0) + ["\n"]
    out += _translated("intro", survey["intro"], languages, 0) + ["\n"]
    if scales:
        out += _scales(scales, languages) + ["\n"]
    out.append("pages:\n")
    for number, page in enumerate(survey["pages"]):
        out += (["\n"] if number else []) + _page(page, languages, scales)
    return "".join(out)


def _scales(scales: Mapping[str, Sequence[Mapping[str, str]]], languages: Sequence[str]) -> list[str]:
    out = ["scales:\n"]
    for name, points in scales.items():
        out.append(f"{INDENT}{_scalar(name)}:\n")
        for point in points:
            out += _list_item_text(point, languages, 3)
    return out


def _page(page: Mapping[str, Any], languages: Sequence[str], scales: Mapping[str, Any]) -> list[str]:
    out = [f"{INDENT}- key: {_scalar(page['key'])}\n"]
    out += _translated("title", page["title"], languages, 2)
    out.append(f"{INDENT * 2}questions:\n")
    for number, question in enumerate(page["questions"]):
        out += (["\n"] if number else []) + _question(question, languages, scales)
    return out


def _question(question: Mapping[str, Any], languages: Sequence[str], scales: Mapping[str, Any]) -> list[str]:
    """The question's fields as a file gives them (survey_drafts.question_fields decides which),
    in the bank's order."""
    depth = 4
    fields = question_fields(question, scales)
    lines: list[str] = []
    for name in QUESTION_ORDER:
        value = fields.get(name)
        if value is None:
            continue
        if name in ("text", "help", "unit"):
            lines += _translated(name, value, languages, depth)
        elif name == "options":
            lines += _options(value, languages, depth) if value else []
        else:
            lines.append(_field(name, value, depth))
    first = lines[0]  # always the key
    return [f"{INDENT * (depth - 1)}- {first.lstrip()}"] + lines[1:]


def _options(options: Sequence[Mapping[str, Any]], languages: Sequence[str], depth: int) -> list[str]:
    out = [f"{INDENT * depth}options:\n"]
    for option in options:
        out.append(f"{INDENT * (depth + 1)}- key: {_scalar(option['key'])}\n")
        out += _translated("label", option["label"], languages, depth + 2)
    return out


def _translated(name: str, text: Mapping[str, str], languages: Sequence[str], depth: int) -> list[str]:
    return [f"{INDENT * depth}{name}:\n"] + _texts(text, languages, depth + 1)


def _list_item_text(text: Mapping[str, str], languages: Sequence[str], depth: int) -> list[str]:
    lines = _texts(text, languages, depth)
    if not lines:
        return [f"{INDENT * (depth - 1)}- {{}}\n"]
    return [f"{INDENT * (depth - 1)}- {lines[0].lstrip()}"] + lines[1:]


def _texts(text: Mapping[str, str], languages: Sequence[str], depth: int) -> list[str]:
    order = [code for code in languages if code in text] + [c for c in text if c not in languages]
    return [f"{INDENT * depth}{_scalar(code)}: {_scalar(text[code])}\n" for code in order]


def _field(name: str, value: Any, depth: int = 0) -> str:
    return f"{INDENT * depth}{name}: {_scalar(value)}\n"


def _scalar(value: Any) -> str:
    """One value as YAML writes it: plain where that reads back the same, quoted otherwise.
    Text with line breaks is double-quoted with \\n, so it stays on one line."""
    style = '"' if isinstance(value, str) and ("\n" in value or "\r" in value) else None
    text = yaml.safe_dump(
        value, allow_unicode=True, width=float("inf"), default_style=style, explicit_end=False
    )
    return text.removesuffix("\n").removesuffix("\n...").rstrip("\n")
