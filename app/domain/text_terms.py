"""The words people use most in free-text answers, per language, for the needs report.

A stakeholder skimming "what would help you most?" wants the recurring themes (evening,
childcare, language course), not every answer. So answers are cut into words, normalised
(case, accents, Hebrew and Arabic vowel marks), stripped of stop words, and counted once per
answer: one person repeating a word does not make it a theme.

Stop words live in stopwords/<language>.txt, one per line, already normalised. Plain standard
library: no stemming, no language models; counting is all the report needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from functools import cache
from importlib import resources

SUPPORTED_LANGUAGES = ("en", "he", "ar", "nl", "es", "it", "el", "hu")
SHORT_WORD_LANGUAGES = frozenset({"he", "ar"})  # their words are short: keep 2 letters and up
HEBREW_PREFIXES = "והבלמשכ"
ARABIC_PREFIXES = ("وال", "بال", "لل", "ال", "و")

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_LINK = re.compile(r"\S+@\S+|https?://\S+|www\.\S+", re.IGNORECASE)
_HEBREW_MARKS = re.compile("[\u0591-\u05c7]")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


@cache
def stop_words(language: str) -> frozenset[str]:
    """The language's stop words, normalised; none for a language we ship no list for."""
    if language not in SUPPORTED_LANGUAGES:
        return frozenset()
    text = resources.files("app.domain").joinpath("stopwords", f"{language}.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(normalise(line, language) for line in lines if line and not line.startswith("#"))


def normalise(word: str, language: str) -> str:
    """One spelling per word: NFKC, case folded; Greek without accents; Hebrew without niqqud;
    Arabic without harakat or tatweel, with one alef, ى as ي and ة as ه (as people type them)."""
    return _fold(_clean(word, language), language)


def _clean(text: str, language: str) -> str:
    """What a reader would still call the same spelling: NFKC, lower case, no vowel marks."""
    text = unicodedata.normalize("NFKC", text)
    if language == "el":  # lower(), not casefold(): casefold would turn a final ς into σ
        return text.lower()
    text = text.casefold()
    if language == "he":
        return _HEBREW_MARKS.sub("", text)
    if language == "ar":
        return _ARABIC_MARKS.sub("", text)
    return text


def _fold(word: str, language: str) -> str:
    """The letters people type interchangeably, made one (Greek accents, Arabic alef forms)."""
    if language == "el":
        decomposed = unicodedata.normalize("NFD", word)
        return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    if language == "ar":
        return word.translate(_ARABIC_LETTERS)
    return word


def terms(text: str, language: str) -> list[str]:
    """The meaningful words of one answer, normalised, in order (repeats kept)."""
    return [term for term, _ in spelled_terms(text, language)]


def spelled_terms(text: str, language: str) -> list[tuple[str, str]]:
    """(normalised term, the spelling used) for each meaningful word of one answer.

    Terms are counted by their normalised form but shown as people spelled them: "لغة", not
    "لغه"; "μαθήματα", not "μαθηματα".
    """
    # Cleaned before cutting: a vowel mark is not a letter, and would split a word in two.
    text = _clean(_LINK.sub(" ", text), language)
    minimum = 2 if language in SHORT_WORD_LANGUAGES else 3
    stops = stop_words(language)
    found = []
    for raw in _WORD.findall(text):
        spelling = _after_elision(raw)
        word = _fold(spelling, language)
        if len(word) < minimum or word in stops or _prefixed_stop_word(word, language, stops):
            continue
        found.append((word, spelling))
    return found


def _after_elision(word: str) -> str:
    """Italian, French-style elision: "l'italiano" counts as "italiano"; "zo'n" stays whole."""
    head, sep, tail = word.replace("’", "'").rpartition("'")
    if sep and len(head) <= 2 and len(tail) >= 3:
        return tail
    return word


def _prefixed_stop_word(word: str, language: str, stops: frozenset[str]) -> bool:
    """Hebrew and Arabic glue short words to the next one ("and-with", "the-..."): a token that
    is a stop word once such a prefix is taken off is a stop word too. Nothing is stemmed."""
    if language == "he" and len(word) >= 4 and word[0] in HEBREW_PREFIXES:
        return word[1:] in stops
    if language == "ar":
        for prefix in ARABIC_PREFIXES:
            rest = word.removeprefix(prefix)
            if rest != word and len(rest) >= 2 and rest in stops:
                return True
    return False


MIN_TERM_ANSWERS = 2  # a word in one answer only (a name, a street) is not shown


class TermCounter:
    """How many answers use each term, per language. Holds the vocabulary, never the texts."""

    def __init__(self) -> None:
        self._terms: dict[str, Counter[str]] = {}
        self._spellings: dict[str, dict[str, Counter[str]]] = {}
        self._answers: Counter[str] = Counter()

    def add(self, text: str, language: str) -> None:
        """One answer."""
        self.add_answers(language, 1)
        for token in set(text.split()):
            self.add_token(token, language, 1)

    def add_answers(self, language: str, answers: int) -> None:
        self._answers[language] += answers

    def add_token(self, token: str, language: str, answers: int) -> None:
        """A word as written (between spaces) and how many answers use it.

        This is how the report builder feeds the counter: the database splits and counts the
        words, so the texts never travel. A term is counted once per answer for each way it is
        written there ("evening" and "evening," in one answer count twice; rare enough).
        """
        counts = self._terms.setdefault(language, Counter())
        spellings = self._spellings.setdefault(language, {})
        for term, spelling in dict(spelled_terms(token, language)).items():
            counts[term] += answers
            spellings.setdefault(term, Counter())[spelling] += answers

    def merge(self, other: TermCounter, languages: Collection[str] | None = None, min_count: int = 1) -> None:
        """Add another counter's answers (a group's into everyone's): all of them, or only
        those in the given languages, and only the terms used in at least `min_count` of them."""
        def wanted(language: str) -> bool:
            return languages is None or language in languages

        for language, counts in other._terms.items():
            if wanted(language):
                self._terms.setdefault(language, Counter()).update(
                    {term: n for term, n in counts.items() if n >= min_count})
        for language, terms_spelled in other._spellings.items():
            if wanted(language):
                spellings = self._spellings.setdefault(language, {})
                counts = other._terms.get(language, Counter())
                for term, spelled in terms_spelled.items():
                    if counts[term] >= min_count:
                        spellings.setdefault(term, Counter()).update(spelled)
        self._answers.update({language: n for language, n in other._answers.items() if wanted(language)})

    def remove(self, other: TermCounter) -> None:
        """Take away another counter's answers (people who withdrew), which this one counted."""
        for language, counts in other._terms.items():
            _subtract(self._terms.get(language, Counter()), counts)
        for language, terms_spelled in other._spellings.items():
            spellings = self._spellings.get(language, {})
            for term, counts in terms_spelled.items():
                _subtract(spellings.get(term, Counter()), counts)
                if not spellings.get(term):
                    spellings.pop(term, None)
        _subtract(self._answers, other._answers)
        for language in [lang for lang in self._terms if not self._terms[lang] and not self._answers[lang]]:
            del self._terms[language]
            self._spellings.pop(language, None)

    def to_json(self) -> dict[str, dict]:
        """Answers per language and, per term, how many answers spelled it which way; a term's
        count is the sum of its spellings' (add_token counts both alike)."""
        return {
            "answers": dict(sorted(self._answers.items())),
            "spellings": {language: {term: dict(sorted(spellings.items())) for term, spellings in sorted(terms.items())}
                          for language, terms in sorted(self._spellings.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, dict]) -> TermCounter:
        counter = cls()
        counter._answers.update(data["answers"])
        for language, terms_spelled in data["spellings"].items():
            counts = counter._terms.setdefault(language, Counter())
            spellings = counter._spellings.setdefault(language, {})
            for term, spelled in terms_spelled.items():
                spellings[term] = Counter(spelled)
                counts[term] = sum(spelled.values())
        return counter

    def languages(self) -> list[str]:
        return sorted(self._answers)

    def answers(self, language: str) -> int:
        return self._answers[language]

    def top(self, language: str, limit: int = 10, min_count: int = MIN_TERM_ANSWERS) -> list[tuple[str, int]]:
        """The most used terms, in their most common spelling, most answers first, ties
        alphabetically.

        A term used in a single answer is left out by default (min_count 2): a rare word, a
        name or a street, can point at the one person who wrote it.
        """
        counts = self._terms.get(language, Counter())
        ranked = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda tc: (-tc[1], tc[0]))
        return [(self._spelling(language, term), n) for term, n in ranked[:limit]]

    def _spelling(self, language: str, term: str) -> str:
        spellings = self._spellings.get(language, {}).get(term)
        if not spellings:
            return term
        return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def _subtract(counts: Counter[str], taken: Counter[str]) -> None:
    """counts less taken, in place; what comes to nothing is dropped, as if never counted."""
    for key, n in taken.items():
        left = counts[key] - n
        if left < 0:
            raise ValueError("cannot take away answers that were not counted")
        if left:
            counts[key] = left
        else:
            del counts[key]
