"""Keys from names: stable, unique in their list, never reused."""

from app.domain.naming import free_key, neighbourhood_list, repeat_title, slugify


def test_a_slug_keeps_ascii_letters_and_digits():
    assert slugify("Harbour Quarter 2") == "harbour-quarter-2"
    assert slugify("עברית") == "item"  # nothing typable in an address: a placeholder to edit


def test_a_free_key_is_numbered_when_taken():
    assert free_key("Young people", set()) == "young_people"
    assert free_key("Young people", {"young_people", "young_people_2"}) == "young_people_3"


def test_an_edited_list_keeps_the_keys_of_unchanged_names_and_keys_stay_unique():
    first = neighbourhood_list(["Dockside", "North Pier"], "en")
    assert first == [{"key": "dockside", "name": {"en": "Dockside"}},
                     {"key": "north_pier", "name": {"en": "North Pier"}}]
    first[0]["name"]["he"] = "הרציף"
    second = neighbourhood_list(["Dockside", "Dockside East", "Pier"], "en", first)
    assert second[0] == {"key": "dockside", "name": {"en": "Dockside", "he": "הרציף"}}
    assert [entry["key"] for entry in second[1:]] == ["dockside_east", "pier"]
    # A name that comes back gets the key its name makes: the same place, the same answers.
    assert neighbourhood_list(["North Pier"], "en", second)[0]["key"] == "north_pier"


def test_a_repeated_round_moves_its_year_on_and_never_takes_a_title_in_use():
    assert repeat_title("Learning needs 2026", {"Learning needs 2026"}) == "Learning needs 2027"
    assert repeat_title("Learning needs 2026", {"Learning needs 2026", "Learning needs 2027"}) == "Learning needs 2028"
    assert repeat_title("Survey 2026.", set()) == "Survey 2027."


def test_a_round_without_a_year_gets_the_next_free_number():
    assert repeat_title("Spring round", {"Spring round"}) == "Spring round (2)"
    assert repeat_title("Spring round", {"Spring round", "Spring round (2)"}) == "Spring round (3)"
    assert repeat_title("Spring round (2)", {"Spring round", "Spring round (2)"}) == "Spring round (3)"
    assert repeat_title("סקר אביב", {"סקר אביב"}) == "סקר אביב (2)"


def test_neighbourhood_names_in_other_languages_go_line_by_line_and_an_empty_line_leaves_one_out():
    existing = neighbourhood_list(["Dockside", "North Pier"], "en")
    both = neighbourhood_list(["Dockside", "North Pier", "Fishermen's Row"], "en", existing,
                              {"he": ["רציף", "", "שורת הדייגים"], "ar": ["الرصيف"]})
    assert [entry["key"] for entry in both] == [entry["key"] for entry in existing] + ["fishermen_s_row"]
    assert both[0]["name"] == {"en": "Dockside", "he": "רציף", "ar": "الرصيف"}
    assert both[1]["name"] == {"en": "North Pier"}  # no Hebrew given: Hebrew readers see the English name
    assert both[2]["name"] == {"en": "Fishermen's Row", "he": "שורת הדייגים"}
    cleared = neighbourhood_list(["Dockside"], "en", both, {"he": [""]})
    assert cleared[0]["name"] == {"en": "Dockside", "ar": "الرصيف"}  # a language not sent keeps its names
