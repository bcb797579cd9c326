"""Results back to citizens on a phone, in real Chromium, left to right and right to left: the
thank-you page's sign-up (its problem and its confirmation) and the coordinator's page that
publishes; axe-core finds nothing, and nothing is wider than the phone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ResultsSubscriber, Role
from app.services import results
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import PASSWORD
from tests.report_data import publish_report

pytestmark = pytest.mark.browser

INVALID = "Noa at example dot org"


def stored_addresses() -> list[str]:
    return list(db.session.scalars(select(ResultsSubscriber.email)))


@pytest.fixture
def three_languages(app):
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he", "ar"))
    youth = make_group(community, "youth", name="Young people")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth])
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    publish_report(survey_round.id)  # an interim release, to publish from
    link = make_link(survey_round)
    db.session.commit()
    return link


def fits_and_is_accessible(page, name: str, direction: str) -> None:
    assert page.locator("html").get_attribute("dir") == direction
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{name} is wider than the phone"
    assert_accessible(page, name)
    screenshot(page, f"results-{name}")


@pytest.mark.parametrize("language", ["en", "he", "ar"])
def test_signing_up_on_a_phone(phone, live_server, three_languages, language):
    link = three_languages
    direction = "ltr" if language == "en" else "rtl"
    phone.goto(f"{live_server}/s/{link.token}/thanks?lang={language}")
    fits_and_is_accessible(phone, f"thanks-{language}", direction)
    phone.locator("#email").fill(INVALID)
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").last.click()
    assert phone.locator("#email").input_value() == INVALID
    fits_and_is_accessible(phone, f"sign-up-problem-{language}", direction)
    phone.locator("#email").fill("noa@example.org")
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").last.click()
    assert phone.locator(".flash").count() == 1
    fits_and_is_accessible(phone, f"sign-up-done-{language}", direction)
    assert stored_addresses() == ["noa@example.org"]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_coordinators_results_page_on_a_phone(phone, live_server, three_languages, language):
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("coordinator@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.locator("button.primary").click()
    phone.goto(f"{live_server}/coordinate/rounds/{three_languages.round_id}?lang={language}")
    with phone.expect_navigation():
        phone.locator(f'a[href="/coordinate/rounds/{three_languages.round_id}/results"]').click()
    fits_and_is_accessible(phone, f"coordinate-{language}", "ltr" if language == "en" else "rtl")
    arabic = phone.locator("#note_need_language_ar")
    assert not arabic.is_visible()  # the main language's box shows; the others open on demand
    arabic.locator("xpath=ancestor::details").locator("summary").click()
    arabic.fill("دروس مسائية")
    with phone.expect_navigation():
        phone.locator("button[value=publish]").click()  # the round is open: the tick is asked for
    assert phone.locator("#before_closing-error").count() == 1
    assert phone.locator("#note_need_language_ar").is_visible()  # a box with text comes back open
    fits_and_is_accessible(phone, f"coordinate-tick-{language}", "ltr" if language == "en" else "rtl")
    phone.locator("#before_closing").check()
    with phone.expect_navigation():
        phone.locator("button[value=publish]").click()
    assert phone.locator('button[value="withdraw"]').count() == 1
    assert results.publication_of(three_languages.round).notes == {"need_language": {"ar": "دروس مسائية"}}

