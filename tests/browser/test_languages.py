"""The shipped citizens' survey in Hebrew and Arabic: right to left in real Chromium, on a phone,
with no accessibility violation; the screenshots stay in test-artifacts/."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Community, CommunityKind, LinkKind, utcnow
from app.services import rounds
from app.services.survey_bank import latest_version, load_bank
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.conftest import ROOT
from tests.factories import make_group

pytestmark = pytest.mark.browser

LETTERS = {"he": ("\u0590", "\u05ff"), "ar": ("\u0600", "\u06ff")}


@pytest.fixture
def citizens_link(app):
    load_bank(ROOT / "surveys")
    community = Community(slug="akko", name="Akko", kind=CommunityKind.CITY, languages=["he", "ar", "en"],
                          default_language="he",
                          neighbourhoods=[{"key": "old_city", "name": {"he": "העיר העתיקה", "ar": "البلدة القديمة"}}])
    db.session.add(community)
    youth = make_group(community, "youth", name="צעירים", name_translations={"ar": "الشباب"})
    survey_round = rounds.create(community, rounds.RoundSpec(
        title="צרכי למידה", survey_id=latest_version("citizen_needs").id, group_ids=[youth.id],
        languages=["he", "ar", "en"], opens_at=None, closes_at=None))
    rounds.act(survey_round, "launch", utcnow())
    db.session.commit()
    return next(link for link in survey_round.links if link.group_id == youth.id and link.kind is LinkKind.PUBLIC)


def in_script(text: str, language: str) -> int:
    low, high = LETTERS[language]
    return sum(low <= char <= high for char in text)


def check_right_to_left(page, name: str, language: str) -> str:
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    text = page.locator("main").inner_text()
    assert in_script(text, language) > 40, f"{name} is not in {language}: {text[:200]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, f"citizens' survey {name} ({language})")
    screenshot(page, f"survey-{language}-{name}")
    return text


@pytest.mark.parametrize("language", ["he", "ar"])
def test_the_citizens_survey_reads_right_to_left_in_hebrew_and_arabic(phone, live_server, citizens_link, language):
    phone.goto(f"{live_server}/s/{citizens_link.token}?lang={language}")
    check_right_to_left(phone, "welcome", language)
    phone.locator("button.primary").click()
    phone.wait_for_load_state()
    first_screen = check_right_to_left(phone, "first-screen", language)
    # It asks who you are, in the language, offering the community's own neighbourhoods.
    assert {"he": "העיר העתיקה", "ar": "البلدة القديمة"}[language] in first_screen


PHONE_SCREEN = 844
ANSWER_EVERY_SCALE = """() => { const seen = new Set();
  for (const radio of document.querySelectorAll('input[type=radio]')) {
    if (!seen.has(radio.name)) { seen.add(radio.name); radio.checked = true; } } }"""
CUT_WORDS = """() => [...document.querySelectorAll('.scale .choice span')]
  .filter(span => span.scrollWidth > span.parentElement.clientWidth + 1).map(span => span.textContent)"""


@pytest.mark.parametrize("language", ["en", "he", "ar", "nl", "es", "it", "el", "hu"])
def test_no_screen_of_the_citizens_survey_is_taller_than_about_three_phone_screens(
        phone, live_server, citizens_link, language):
    """The two need screens ask five importance/how-well pairs each: side by side, each pair
    fits in two rows of taps, so a screen stays about three phone screens tall in every language."""
    citizens_link.round.languages = ["he", "ar", "en", "nl", "es", "it", "el", "hu"]
    citizens_link.round.community.languages = list(citizens_link.round.languages)
    db.session.commit()
    phone.goto(f"{live_server}/s/{citizens_link.token}?lang={language}")
    phone.locator("button.primary").click()
    heights, pairs_seen = [], 0
    while phone.locator("button[name=move][value=next]").count():
        phone.wait_for_load_state()
        heights.append(phone.evaluate("document.documentElement.scrollHeight"))
        pairs_seen += phone.locator("fieldset.pair").count()
        assert phone.evaluate(CUT_WORDS) == [], f"an answer is wider than its button in {language}"
        if phone.locator("fieldset.pair").count() == 5:
            assert_accessible(phone, f"a need screen ({language})")
            screenshot(phone, f"survey-needs-{language}")
        phone.evaluate(ANSWER_EVERY_SCALE)
        phone.locator("button[name=move][value=next]").first.click()
    assert pairs_seen == 10, pairs_seen  # both need screens were walked
    assert max(heights) <= 3.5 * PHONE_SCREEN, f"{language}: screens {heights} px tall"
