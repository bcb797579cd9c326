"""How much of CommonGround is translated into each shipped language.

Two kinds of text: interface strings (Babel catalogues: counted by the caller from the .po
files) and survey texts (every translated field of the criteria catalogue and of each survey).
A text counts as translated in a language when it has a non-empty text in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from app.domain.survey_format import Catalogue, SurveyDefinition

Translated = Mapping[str, str]


@dataclass(frozen=True)
class Coverage:
    translated: int
    total: int

    @property
    def share(self) -> float:
        return 1.0 if self.total == 0 else self.translated / self.total

    @property
    def complete(self) -> bool:
        return self.translated == self.total


def survey_texts(definition: SurveyDefinition) -> Iterator[Translated]:
    """Every text a respondent can read in the survey."""
    yield definition.title
    yield definition.intro
    for points in definition.scales.values():
        yield from points
    for page in definition.pages:
        yield page.title
        for question in page.questions:
            yield question.text
            yield from (t for t in (question.help, question.unit) if t is not None)
            yield from (option.label for option in question.options)
            yield from question.scale or ()


def catalogue_texts(catalogue: Catalogue) -> Iterator[Translated]:
    for framework in catalogue.frameworks:
        yield framework.name
        if framework.description:
            yield framework.description
        for criterion in framework.criteria:
            yield criterion.name
            if criterion.description:
                yield criterion.description


def text_coverage(texts: Iterable[Translated], languages: Sequence[str]) -> dict[str, Coverage]:
    counted = list(texts)
    return {lang: Coverage(sum(1 for t in counted if (t.get(lang) or "").strip()), len(counted))
            for lang in languages}


def catalogue_coverage(messages: Iterable[tuple[str, Sequence[str], bool]], expected: set[str]) -> Coverage:
    """Interface strings of one language: (msgid, translations, fuzzy) from its .po file,
    against the msgids the code uses now. A fuzzy or partly empty entry is not translated."""
    done = {msgid for msgid, strings, fuzzy in messages
            if msgid in expected and not fuzzy and strings and all(s.strip() for s in strings)}
    return Coverage(len(done), len(expected))
