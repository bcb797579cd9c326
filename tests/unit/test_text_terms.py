"""Frequent terms of free-text answers: stop words of eight languages, normalisation, counting."""

from __future__ import annotations

from importlib import resources

import pytest

from app.domain.text_terms import SUPPORTED_LANGUAGES, TermCounter, normalise, stop_words, terms


@pytest.mark.parametrize(("language", "text", "kept", "dropped"), [
    ("en", "I would like evening courses near my home", {"evening", "courses", "home"}, {"would", "like", "my"}),
    ("nl", "Ik wil graag meer taallessen in de avond", {"taallessen", "avond"}, {"wil", "graag", "meer", "de"}),
    ("es", "Me ayudaría tener más cursos de idiomas por la tarde", {"cursos", "idiomas", "tarde"},
     {"ayudaría", "más", "por"}),
    ("it", "Vorrei più corsi d'italiano per gli adulti", {"corsi", "italiano", "adulti"}, {"vorrei", "più", "gli"}),
    ("hu", "Több magyar nyelvtanfolyam kellene esténként", {"magyar", "nyelvtanfolyam", "esténként"},
     {"több", "kellene"}),
    ("el", "Θα ήθελα περισσότερα μαθήματα υπολογιστών για ενήλικες", {"μαθηματα", "υπολογιστων", "ενηλικες"},
     {"θα", "για"}),
    ("he", "אני רוצה קורסים בערב ליד הבית", {"קורסים", "בערב", "הבית"}, {"אני", "רוצה"}),
    ("ar", "أريد دورات في اللغة مع رعاية للأطفال", {"دورات", "اللغه", "رعايه"}, {"اريد", "في", "مع"}),
])  # fmt: skip
def test_content_words_stay_and_stop_words_go_in_every_language(language, text, kept, dropped):
    found = set(terms(text, language))
    assert kept <= found
    assert not (dropped & found)


def test_greek_accents_and_case_fold_into_one_term():
    assert normalise("Μάθηση", "el") == normalise("ΜΑΘΗΣΗ", "el") == "μαθηση"
    assert normalise("ενήλικες", "el").endswith("ς")  # the final sigma keeps its form


def test_arabic_vowel_marks_alef_forms_and_ta_marbuta_are_unified():
    assert normalise("تعلُّم", "ar") == "تعلم"
    assert normalise("إنسان", "ar") == normalise("أنسان", "ar") == "انسان"
    assert normalise("مدرسة", "ar") == "مدرسه"
    assert terms("تعلُّم اللغة", "ar") == ["تعلم", "اللغه"]  # a mark does not split a word


def test_hebrew_niqqud_goes_and_a_prefixed_stop_word_is_still_a_stop_word():
    assert normalise("שָׁלוֹם", "he") == "שלום"
    assert terms("ושלי קורס", "he") == ["קורס"]  # ו + שלי ("and mine")


def test_links_numbers_and_short_words_are_not_terms():
    assert terms("See www.example.org or mail a@b.example in 2025: ok courses", "en") == ["see", "mail", "courses"]


def test_a_word_repeated_in_one_answer_counts_once():
    counter = TermCounter()
    counter.add("childcare childcare childcare childcare childcare", "en")
    counter.add("childcare in the evening", "en")
    assert counter.top("en") == [("childcare", 2)]


def test_terms_used_by_one_answer_only_are_left_out_by_default():
    counter = TermCounter()
    counter.add("Mrs Kovacs at the library", "en")
    counter.add("the library please", "en")
    assert counter.top("en") == [("library", 2)]
    assert ("kovacs", 1) in counter.top("en", min_count=1)


def test_top_terms_are_ordered_by_count_then_alphabetically_and_limited():
    counter = TermCounter()
    for text in ["bus park", "bus park", "bus zoo", "zoo art", "art"]:
        counter.add(text, "en")
    assert counter.top("en", limit=3) == [("bus", 3), ("art", 2), ("park", 2)]


def test_counters_merge_and_keep_languages_apart():
    youth, seniors = TermCounter(), TermCounter()
    youth.add("evening courses", "en")
    seniors.add("evening walks", "en")
    seniors.add("קורסים בערב", "he")
    youth.merge(seniors)
    assert youth.languages() == ["en", "he"]
    assert youth.answers("en") == 2 and youth.answers("he") == 1
    assert youth.top("en") == [("evening", 2)]


def test_an_unknown_language_has_no_stop_words_but_still_counts():
    assert stop_words("pt") == frozenset()
    assert terms("cursos de noite", "pt") == ["cursos", "noite"]


def test_empty_text_has_no_terms():
    assert terms("", "en") == [] and terms("   !!! ", "he") == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_stop_word_file_loads_without_duplicates_or_spaces(language):
    path = resources.files("app.domain").joinpath("stopwords", f"{language}.txt")
    lines = [line.strip() for line in path.read_text("utf-8").splitlines()]
    words = [line for line in lines if line and not line.startswith("#")]
    assert len(words) >= 60
    assert not any(" " in word for word in words)
    normalised = [normalise(word, language) for word in words]
    assert len(normalised) == len(set(normalised)), "duplicates after normalisation"
    assert stop_words(language) == frozenset(normalised)


def test_terms_are_counted_normalised_but_shown_as_people_spell_them():
    counter = TermCounter()
    for text in ("دروس لغة مسائية", "لغة عربية للكبار", "لغه سهلة"):
        counter.add(text, "ar")
    assert ("لغة", 3) in counter.top("ar")  # counted as one term, shown with its taa marbuta
    greek = TermCounter()
    for text in ("Μαθήματα το βράδυ", "μαθηματα για ενήλικες"):
        greek.add(text, "el")
    assert greek.top("el") == [("μαθήματα", 2)]
