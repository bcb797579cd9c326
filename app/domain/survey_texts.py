"""The texts a respondent of a survey reads, each with a stable id: what translators translate,
what counts towards a language being complete, and what becomes outdated when its source
words change. One enumeration for the translation page, the translators' spreadsheet and the
check that lets a round be asked in a language.

The id stays the same while the wording changes: title, intro, scales.NAME.N (point N of a named
scale, from 1), pages.KEY.title, questions.KEY.text, questions.KEY.help, questions.KEY.unit,
questions.KEY.options.OPTION.label, and questions.KEY.scale.N for a question's own scale.
Questions are named by key alone, so an id stays valid when its question moves.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple


class TranslatableText(NamedTuple):
    id: str
    what: str  # a short description in English, for the sheet and for the web page
    text: Mapping[str, str]  # language -> text; partial where translations are missing


def translatable_texts(survey: Mapping[str, Any]) -> list[TranslatableText]:
    """Every text a respondent sees, in the order they meet them (the scales first)."""
    return [TranslatableText(id, what, slots[0]) for id, what, slots in text_slots(survey)]


def text_slots(survey: Mapping[str, Any]) -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    """(id, what, the dicts holding that text). A named scale's point is held both by
    survey["scales"] and by each question using the scale: a translation goes into all."""
    questions = [q for page in survey["pages"] for q in page["questions"]]
    yield "title", "Survey title", [survey["title"]]
    yield "intro", "Welcome page text", [survey["intro"]]
    for name, points in survey["scales"].items():
        users = [q for q in questions if q.get("scale") == points]
        for n, point in enumerate(points, start=1):
            held = [point] + [q["scale"][n - 1] for q in users]
            if users:  # a scale no question uses is never seen
                yield f"scales.{name}.{n}", f"Answer scale '{name}', point {n} of {len(points)}", held
    for page in survey["pages"]:
        yield f"pages.{page['key']}.title", f"Title of page '{page['key']}'", [page["title"]]
        for question in page["questions"]:
            yield from _question_slots(question, survey["scales"])


def _question_slots(
    question: Mapping[str, Any], scales: Mapping[str, Any]
) -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    key, kind = question["key"], question["type"]
    prefix = f"questions.{key}"
    yield f"{prefix}.text", f"Question '{key}'", [question["text"]]
    if question.get("help"):
        yield f"{prefix}.help", f"Help under question '{key}'", [question["help"]]
    if kind == "number" and question.get("unit"):
        yield f"{prefix}.unit", f"Unit of the answer to question '{key}'", [question["unit"]]
    if kind in ("single_choice", "multiple_choice"):
        for option in question["options"]:  # with options_from, the survey's own ones still show
            what = f"Option '{option['key']}' of question '{key}'"
            yield f"{prefix}.options.{option['key']}.label", what, [option["label"]]
    scale = question.get("scale")
    if kind == "agreement" and scale and scale not in scales.values():
        for n, point in enumerate(scale, start=1):
            yield f"{prefix}.scale.{n}", f"Answer scale of question '{key}', point {n}", [point]


def missing_texts(survey: Mapping[str, Any], language: str) -> list[str]:
    """The ids of the texts without words in `language`."""
    return [t.id for t in translatable_texts(survey) if not (t.text.get(language) or "").strip()]


def complete_languages(survey: Mapping[str, Any]) -> list[str]:
    """The survey's languages a round can be asked in: those with every text."""
    return [language for language in survey["languages"] if not missing_texts(survey, language)]


def set_text(survey: Mapping[str, Any], text_id: str, language: str, words: str) -> dict[str, Any]:
    """The survey with one text set in one language (removed when `words` is empty), in every
    place that holds it (a named scale's point is held by each question using the scale too).
    A translator's text is no longer outdated once set."""
    result = copy.deepcopy(dict(survey))
    for found_id, _what, held in text_slots(result):
        if found_id != text_id:
            continue
        for text in held:
            if words.strip():
                text[language] = words.strip()
            else:
                text.pop(language, None)
    if "outdated" in result:
        outdated = {i: [lang for lang in langs if lang != language or i != text_id]
                    for i, langs in result["outdated"].items()}
        result["outdated"] = {i: langs for i, langs in outdated.items() if langs}
    return result


def with_outdated(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """`after`, noting which translations may no longer fit: where the source language's words
    of a text changed, its texts in other languages are kept but marked outdated until a
    translator sets them again."""
    source = after["languages"][0]
    old = {t.id: t.text.get(source) for t in translatable_texts(before)}
    kept = after["outdated"] if "outdated" in after else before.get("outdated")
    outdated = {i: list(langs) for i, langs in (kept or {}).items()}
    current = {t.id: t for t in translatable_texts(after)}
    for text_id, text in current.items():
        if text_id in old and old[text_id] != text.text.get(source):
            stale = [lang for lang in after["languages"][1:] if text.text.get(lang)]
            outdated[text_id] = sorted(set(outdated.get(text_id, [])) | set(stale))
    result = dict(after)
    outdated = {i: langs for i, langs in outdated.items() if i in current and langs}
    if outdated or "outdated" in result:
        result["outdated"] = outdated
    return result


def outdated_texts(survey: Mapping[str, Any], language: str) -> list[str]:
    """The ids of the texts whose `language` words were written for older source words."""
    return [i for i, langs in (survey.get("outdated") or {}).items() if language in langs]
