"""The public results pages in Chromium, as citizens read them: on a phone in Hebrew after
answering, and the demo's pages in English, Hebrew and Arabic on a phone and a laptop. Every
page fits the screen, reads right to left where it should, and axe-core finds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ActionStatus, Round, RoundStatus, utcnow
from app.services import actions, report_releases, results
from app.services.demo import create_demo
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.browser.test_answering import answer_screens
from tests.conftest import ROOT
from tests.factories import make_user

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_citizen_answers_in_hebrew_then_reads_the_results_at_the_same_link(phone, live_server, link):
    """The thank-you page says where results will appear; once the round has closed and its
    results are published, the link the citizen used (the poster's QR code) leads to them."""
    phone.goto(f"{live_server}/s/{link.token}?lang=he")
    phone.locator("button.primary").click()
    answer_screens(phone, "הבא")
    phone.locator("button.primary").click()
    assert "/thanks" in phone.url
    assert phone.locator(f'a[href$="/results/{link.round_id}"]').is_visible()
    assert_accessible(phone, "thank-you page with the results promise (he)")
    screenshot(phone, "results-thanks-he")

    survey_round = db.session.get(Round, link.round_id)
    survey_round.status = RoundStatus.CLOSED  # the coordinator closes it; its final release follows
    report_releases.build_and_release(survey_round.id, utcnow())
    actions.create(survey_round, actions.ActionSpec(
        title={"en": "Evening language courses", "he": "קורסי שפה בערב"}, needs=["need_language"],
        status=ActionStatus.UNDER_WAY, progress=30), actor_id=None)
    results.publish(survey_round, make_user(), results.ResultsChoices(), utcnow())
    db.session.commit()

    phone.goto(f"{live_server}/s/{link.token}")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("h1").inner_text() != ""
    assert phone.get_by_text("קורסי שפה בערב").first.is_visible()
    assert fits(phone)
    assert_accessible(phone, "results at the round's short link (he)")
    screenshot(phone, "results-short-link-he")


@pytest.fixture
def demo(app):
    create_demo(ROOT / "surveys", responses=240, seed=3)
    db.session.commit()
    rounds = db.session.scalars(select(Round).where(Round.title.like("Learning needs %")).order_by(Round.id)).all()
    harbour = [r for r in rounds if r.community.slug == "lakeside-harbour"]
    return {r.title: r.id for r in harbour}


@pytest.mark.parametrize("language", ["en", "he", "ar"])
def test_the_demo_s_results_pages_on_a_phone_and_a_laptop(browser, live_server, demo, language):
    for size, viewport in (("phone", {"width": 390, "height": 844}), ("laptop", LAPTOP)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for title, path in (("2025", f"/results/{demo['Learning needs 2025']}"),
                            ("2026", f"/results/{demo['Learning needs 2026']}"),
                            ("poster", f"/results/{demo['Learning needs 2025']}/poster")):
            page.goto(f"{live_server}{path}?lang={language}")
            assert page.locator("html").get_attribute("dir") == ("rtl" if language in ("he", "ar") else "ltr")
            assert fits(page), f"{title} is too wide on a {size} ({language})"
            assert_accessible(page, f"results {title} on a {size} ({language})")
            screenshot(page, f"results-{title}-{size}-{language}")
        page.goto(f"{live_server}/results/{demo['Learning needs 2026']}?lang={language}")
        assert page.locator("#helped").is_visible()  # last year's actions, measured again
        context.close()


FILL_EVERY_QUESTION = """() => {
  const seen = new Set();
  for (const radio of document.querySelectorAll('input[type=radio]')) {
    if (!seen.has(radio.name)) { seen.add(radio.name); radio.checked = true; }
  }
  for (const box of document.querySelectorAll('input[type=checkbox]')) { box.checked = true; break; }
  for (const field of document.querySelectorAll('input.number')) { field.value = '3'; }
}"""


def answer_whatever_is_asked(page) -> None:
    """Answer every screen of whatever survey the link asks (the first answer of each choice),
    as far as the review page."""
    for _screen in range(40):
        if "/review" in page.url:
            return
        page.evaluate(FILL_EVERY_QUESTION)
        with page.expect_navigation():
            page.locator('button[name="move"][value="next"]').click()
    raise AssertionError("the survey never reached its review page")


def test_the_demo_survey_answered_in_hebrew_then_what_was_heard_done_and_whether_it_helped(phone, live_server, demo):
    """The issue's walk: a citizen answers this year's demo survey on a phone in Hebrew, reads
    on the thank-you page where results will appear, and once the round has closed and its
    results are published, opens the same link again: what the community heard, what it did,
    and whether last year's actions helped."""
    survey_round = db.session.get(Round, demo["Learning needs 2026"])
    link = next(link for link in survey_round.links if link.group is not None)
    phone.goto(f"{live_server}/s/{link.token}?lang=he")
    phone.locator("button.primary").click()
    answer_whatever_is_asked(phone)
    with phone.expect_navigation():
        phone.locator("button.primary").click()
    assert "/thanks" in phone.url
    assert phone.locator(f'a[href$="/results/{survey_round.id}"]').is_visible()
    assert_accessible(phone, "demo thank-you page (he)")

    survey_round.status = RoundStatus.CLOSED  # closing makes the final release, counting this answer
    report_releases.build_and_release(survey_round.id, utcnow())
    db.session.commit()
    phone.goto(f"{live_server}/s/{link.token}")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("#heard").is_visible() and phone.locator("#helped").is_visible()
    assert phone.locator("section[aria-labelledby=helped] .verdict").count() >= 3
    assert fits(phone)
    assert_accessible(phone, "demo results at the short link (he)")
    screenshot(phone, "results-demo-short-link-he")
