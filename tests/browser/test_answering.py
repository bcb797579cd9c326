"""Answering on a phone in real Chromium: English and Hebrew, a lost connection, a double tap,
and axe-core on every page type."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Response, ResponseStatus
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def complete_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.status == ResponseStatus.COMPLETE))


def answer_screens(page, next_label: str = "Next", check=None) -> None:
    """Answer the four screens of the test survey by clicking as a person would."""
    page.locator('input[name="q_age_band"][value="age_26_64"]').check()
    check and check("screen-1")
    page.get_by_role("button", name=next_label).click()
    page.locator('input[name="q_need_language_importance"][value="5"]').check()
    page.locator('input[name="q_need_language_current"][value="2"]').check()
    page.locator('input[name="q_took_part"][value="no"]').check()
    check and check("screen-2")
    page.get_by_role("button", name=next_label).click()
    page.locator('input[name="q_barriers"][value="time"]').check()
    page.locator('input[name="q_heard_of_offer"][value="4"]').check()
    page.locator("#f_hours").fill("3")
    check and check("screen-3")
    page.get_by_role("button", name=next_label).click()
    page.locator("#f_help_most").fill("Classes in the evening")
    page.locator('input[name="q_may_quote"][value="yes"]').check()
    check and check("screen-4")
    page.get_by_role("button", name=next_label).click()


NEXT_LABEL = {"en": "Next", "he": "הבא"}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_whole_survey_on_a_phone_with_no_accessibility_violations(phone, live_server, link, language):
    next_label = NEXT_LABEL[language]

    def check(name):
        phone.wait_for_load_state()  # the URL changes before the new page is there
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, f"{name} is too wide"
        assert_accessible(phone, f"{name} ({language})")
        screenshot(phone, f"answer-{language}-{name}")

    phone.goto(f"{live_server}/s/{link.token}?lang={language}")
    assert phone.locator("html").get_attribute("dir") == ("rtl" if language == "he" else "ltr")
    check("welcome")
    phone.locator("button.primary").click()
    # An error first: the required question left empty, the message next to it.
    phone.get_by_role("button", name=next_label).click()
    assert phone.locator("#e_age_band").is_visible()
    check("screen-1-error")
    answer_screens(phone, next_label, check)
    assert "/review" in phone.url
    check("review")
    phone.locator("button.primary").click()
    assert "/thanks" in phone.url
    check("thanks")
    assert complete_responses() == 1


def test_a_lost_connection_loses_at_most_the_screen_being_typed(phone, live_server, link):
    phone.goto(f"{live_server}/s/{link.token}")
    phone.locator("button.primary").click()
    phone.locator('input[name="q_age_band"][value="age_16_25"]').check()
    phone.get_by_role("button", name="Next").click()
    phone.locator('input[name="q_took_part"][value="yes"]').check()
    phone.context.set_offline(True)
    with pytest.raises(Exception):
        phone.get_by_role("button", name="Next").click(timeout=3000)
        phone.wait_for_url("**/q/3", timeout=3000)
    phone.context.set_offline(False)
    # Back online, the respondent opens the link again from the poster.
    phone.goto(f"{live_server}/s/{link.token}")
    assert phone.locator("button.primary").inner_text() == "Continue where I stopped"
    phone.locator("button.primary").click()
    assert phone.url.endswith("/q/2")  # screen 1 was saved; screen 2 was lost in the air
    phone.goto(f"{live_server}/s/{link.token}/q/1")
    assert phone.locator('input[name="q_age_band"][value="age_16_25"]').is_checked()


def test_a_double_tap_on_send_counts_one_response(phone, live_server, link):
    phone.goto(f"{live_server}/s/{link.token}")
    phone.locator("button.primary").click()
    answer_screens(phone)
    send = phone.locator("button.primary")
    send.dblclick()
    phone.wait_for_url("**/thanks")
    phone.go_back()
    phone.reload()
    assert complete_responses() == 1
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_question_page_reflows_with_text_at_200_percent(phone, live_server, link):
    phone.goto(f"{live_server}/s/{link.token}")
    phone.locator("button.primary").click()
    phone.locator('input[name="q_age_band"][value="age_16_25"]').check()
    phone.get_by_role("button", name="Next").click()
    # As a reader's text-size setting does (a <style> added to the page is refused by the CSP).
    phone.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.get_by_role("button", name="Next").is_visible()
    screenshot(phone, "answer-en-screen-2-text-200")
