"""Keys from names: stable, unique in their list, never reused."""

from app.domain.naming import free_key, neighbourhood_list, slugify


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
