"""Releases and named panels in Chromium, on a phone and a laptop, in English, Hebrew and Arabic:
the held-back figures of a release, the coordinator's previews before publishing and closing,
and a panel's ratings side by side. Every page fits the screen and axe-core finds nothing."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Round, utcnow
from app.services import report_releases
from app.services.demo import LOGINS, create_demo, simulate_round
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot, watch_for_refusals
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

ACCOUNTS = {role.value: (email, password) for role, email, _, password in LOGINS}


@pytest.fixture
def demo(app):
    """The demo, then five more answers in two groups of one round, published again: the new
    release holds figures back."""
    create_demo(ROOT / "surveys", responses=240, seed=3)
    survey_round = db.session.scalars(select(Round).where(Round.title == "Learning needs 2026")).first()
    links = [link for link in survey_round.links if link.group is not None]
    simulate_round(survey_round, [(links[0], 3), (links[1], 2)], random.Random(5))
    db.session.flush()
    report_releases.request_release(survey_round.id, None, utcnow())
    report_releases.build_and_release(survey_round.id, utcnow())
    db.session.commit()
    panel = db.session.scalars(select(Round).where(Round.title == "UNESCO self-assessment 2026")).one()
    return survey_round.id, panel.id


def log_in(page, base: str, role: str, language: str) -> None:
    email, password = ACCOUNTS[role]
    page.goto(f"{base}/auth/login?lang={language}")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("button.primary").click()
    page.wait_for_load_state()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("language", ["en", "he", "ar"])
def test_a_stakeholder_reads_what_a_release_holds_back(phone, live_server, demo, language):
    round_id, _ = demo
    log_in(phone, live_server, "stakeholder", language)
    phone.goto(f"{live_server}/reports/rounds/{round_id}")
    held = phone.locator("section.held-back").first
    assert held.is_visible()
    summary = held.locator("summary")
    summary.click()  # a long list opens on demand
    assert held.locator("li").first.is_visible()
    # A group whose needs this release holds back still leads with what it needed, dated.
    assert phone.locator(".needs-summary > li").count() >= 5
    assert fits(phone)
    assert_accessible(phone, f"release overview ({language})")
    screenshot(phone, f"release-overview-{language}")
    phone.locator(".needs-summary > li a").first.click()
    phone.wait_for_load_state()
    assert fits(phone)
    assert_accessible(phone, f"release group page ({language})")
    screenshot(phone, f"release-group-{language}")


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_coordinator_sees_what_publishing_and_closing_would_hold_back(phone, live_server, demo, language):
    round_id, _ = demo
    log_in(phone, live_server, "coordinator", language)
    for action in ("publish", "close"):
        phone.goto(f"{live_server}/coordinate/rounds/{round_id}/{action}")
        assert phone.locator(".notice li").count() >= 1  # group by group, what would be held back
        assert fits(phone)
        assert_accessible(phone, f"{action} preview ({language})")
        screenshot(phone, f"release-{action}-preview-{language}")
    phone.goto(f"{live_server}/reports/rounds/{round_id}")
    assert phone.locator(".notice").first.is_visible()  # the live view says what stakeholders see instead
    assert_accessible(phone, f"live view ({language})")


@pytest.mark.parametrize("language", ["en", "he", "ar"])
def test_a_panel_s_ratings_side_by_side_read_on_a_phone_and_a_laptop(browser, live_server, demo, language):
    _, panel_id = demo
    for width, height in ((390, 844), (1366, 768)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        refused = watch_for_refusals(page)
        log_in(page, live_server, "admin", language)
        page.goto(f"{live_server}/reports/rounds/{panel_id}")
        table = page.locator("table.panel")
        assert table.is_visible()
        assert table.locator("thead th").count() == 1 + 4 + 2  # what is rated, four raters, median, spread
        assert fits(page)
        assert_accessible(page, f"panel ({language}, {width})")
        screenshot(page, f"panel-{language}-{width}")
        context.close()
        assert not refused, f"the Content-Security-Policy refused: {refused}"
