"""The welcome page on a phone, in English and in Hebrew."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


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
