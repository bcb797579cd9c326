"""The welcome page on a phone, in English and in Hebrew."""

import pytest

from app.extensions import db
from tests.browser.conftest import screenshot
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round

pytestmark = pytest.mark.browser


@pytest.fixture
def link(app):
    community = make_community("harbour", languages=("en", "he"), name="Harbour Quarter")
    youth = make_group(community, "youth", name="Young people", name_translations={"he": "צעירים"})
    link = make_link(make_round(community, load_fixture_bank(), groups=[youth]), youth)
    db.session.commit()
    return link


def test_welcome_page_in_english_fits_a_phone(phone, live_server, link):
    phone.goto(f"{live_server}/s/{link.token}")
    assert phone.locator("html").get_attribute("dir") == "ltr"
    assert phone.locator("h1").inner_text() == "A short survey"
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "welcome-en-phone")


def test_welcome_page_in_hebrew_is_right_to_left(phone, live_server, link):
    phone.goto(f"{live_server}/s/{link.token}?lang=he")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("html").get_attribute("lang") == "he"
    assert phone.locator("h1").inner_text() == "סקר קצר"
    heading = phone.locator("h1").bounding_box()
    # Right to left: the heading hugs the right edge of the screen.
    assert 390 - (heading["x"] + heading["width"]) < 40
    screenshot(phone, "welcome-he-phone")


def test_the_language_switcher_changes_the_page_language(phone, live_server, link):
    phone.goto(f"{live_server}/s/{link.token}")
    phone.select_option("#lang-select", "he")
    phone.click(".language-switcher button")
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "he"
