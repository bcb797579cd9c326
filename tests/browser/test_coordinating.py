"""A coordinator, on a phone in real Chromium: logs in, creates a round, launches it and opens
its poster; axe-core finds no violation on any coordinator page on the way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from app.models import GroupKind, Role, Round, RoundStatus
from app.services.survey_bank import load_bank
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.browser.page_checks import WORDS_COME_APART
from tests.conftest import ROOT
from tests.factories import make_community, make_group, make_user
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def harbour(app):
    load_bank(ROOT / "surveys")
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he", "ar"))
    for position, (key, name) in enumerate([("youth", "Young people"), ("seniors", "Older residents"),
                                            ("newcomers", "Newcomers")]):
        make_group(community, key, name=name, position=position, target_responses=50)
    make_group(community, "business", name="Business", kind=GroupKind.STAKEHOLDERS, position=3)
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    return community


def check(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{name} is wider than the phone"
    assert_accessible(page, name)
    screenshot(page, f"coordinate-{name}")


def test_a_coordinator_creates_launches_and_prints_a_round_on_a_phone(phone, live_server, harbour):
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("noa@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.locator("button.primary").click()
    phone.goto(f"{live_server}/coordinate/")
    check(phone, "communities")
    phone.get_by_role("link", name="Harbour Quarter").click()
    check(phone, "community")
    phone.get_by_role("link", name="Groups").click()
    check(phone, "groups")
    phone.get_by_role("link", name="Rounds").click()
    phone.get_by_role("link", name="New round").click()
    phone.get_by_label("Title").fill("Listening to the harbour 2027")
    phone.get_by_label("Survey").select_option(label="Learning where you live: what would help you? (v1)")
    check(phone, "new-round")
    phone.get_by_role("button", name="Save").click()
    assert phone.locator("h2").first.inner_text().startswith("Listening to the harbour 2027")
    check(phone, "draft-round")
    phone.get_by_role("link", name="Launch").click()  # one tap asks once more; nothing launched yet
    assert db.session.scalar(select(Round)).status is RoundStatus.DRAFT
    assert "Opens" in phone.locator("main").inner_text() and "Young people" in phone.locator("main").inner_text()
    check(phone, "launch-confirm")
    phone.get_by_role("button", name="Launch").click()
    assert "The round is now open." in phone.locator(".flash").inner_text()
    survey_round = db.session.scalar(select(Round))
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.OPEN
    assert [g.key for g in survey_round.groups] == ["youth", "seniors", "newcomers"]  # citizens by default
    check(phone, "open-round")
    phone.get_by_role("link", name="Live outreach").click()
    check(phone, "dashboard")
    phone.go_back()
    phone.get_by_role("link", name="Links, QR codes and posters").click()
    check(phone, "links")
    youth = phone.locator("section", has=phone.get_by_role("heading", name="Young people"))
    youth.get_by_role("link", name="עברית").click()
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator(".qr[role=img] svg").count() == 1
    assert "/s/" in phone.locator("main, body").first.inner_text()
    check(phone, "poster-he")


def test_in_every_language_the_community_s_pages_fit_the_phone(phone, live_server, harbour):
    """Italian and Greek words are long: the menu wraps and the groups' Edit links stay on screen."""
    harbour.languages = list(LANGUAGE_NAMES)
    db.session.commit()
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("noa@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.locator("button.primary").click()
    phone.goto(f"{live_server}/coordinate/communities/{harbour.id}/groups")
    tabs = phone.locator("nav.report-nav a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    for language in LANGUAGE_NAMES:
        for path in ["/coordinate/", *tabs]:
            phone.goto(f"{live_server}{path}?lang={language}")
            assert phone.locator("html").get_attribute("lang") == language
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} in {language}"
            assert phone.evaluate(WORDS_COME_APART) == [], f"words come apart on {path} in {language}"
            for link in phone.locator("main tbody a").all():  # Edit, Remove: in reach, not scrolled away
                box = link.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{link.inner_text()} on {path} in {language}"


# Where a string's first and last characters are drawn: in a link read left to right, the
# leading "/" is drawn left of the token's last character, whatever the page's direction.
DRAWN_LEFT_TO_RIGHT = """element => {
  const text = element.firstChild && element.firstChild.nodeType === 3 ? element.firstChild : null;
  const value = text ? text.data : element.value;
  if (!text) return getComputedStyle(element).direction === 'ltr';  // a field: its own direction
  const box = index => { const range = document.createRange(); range.setStart(text, index);
                         range.setEnd(text, index + 1); return range.getBoundingClientRect(); };
  return box(0).left < box(value.length - 1).left;
}"""


def test_short_links_and_addresses_read_left_to_right_on_arabic_and_hebrew_pages(phone, live_server, harbour):
    from app.models import LinkKind, utcnow
    from app.services import rounds
    from app.services.survey_bank import latest_version

    survey_round = rounds.create(harbour, rounds.RoundSpec(
        title="Listening 2027", survey_id=latest_version("citizen_needs").id,
        group_ids=[g.id for g in harbour.groups][:1], languages=["en", "he", "ar"], opens_at=None, closes_at=None))
    rounds.act(survey_round, "launch", utcnow())
    db.session.commit()
    link = next(link for link in survey_round.links if link.kind is LinkKind.PUBLIC)
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("noa@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.locator("button.primary").click()
    for language in ("ar", "he"):
        for path in (f"/coordinate/rounds/{survey_round.id}", f"/coordinate/rounds/{survey_round.id}/links",
                     f"/coordinate/links/{link.id}/poster?language={language}"):
            phone.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}")
            assert phone.locator("html").get_attribute("dir") == "rtl", path
            shown = phone.locator(".token, .url, main [dir=ltr]")
            assert shown.count() > 0, path
            for element in shown.all():
                assert element.evaluate(DRAWN_LEFT_TO_RIGHT), f"{element.inner_text()!r} on {path} in {language}"
        screenshot(phone, f"coordinate-round-links-{language}")


def test_the_invitations_page_fits_a_phone_with_every_figure_beside_its_name(phone, live_server, harbour):
    from app.models import Invitation, LinkKind, utcnow
    from app.models import AccessLink
    from app.services import rounds
    from app.services.survey_bank import latest_version

    survey_round = rounds.create(harbour, rounds.RoundSpec(
        title="Listening 2027", survey_id=latest_version("citizen_needs").id,
        group_ids=[g.id for g in harbour.groups], languages=["en", "he", "ar"], opens_at=None, closes_at=None))
    rounds.act(survey_round, "launch", utcnow())
    for group in harbour.groups:
        link = AccessLink(round=survey_round, group=group, kind=LinkKind.INVITATION)
        db.session.add(Invitation(round=survey_round, group=group, link=link, email=f"{group.key}@example.org",
                                  language="en"))
    db.session.commit()
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("noa@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.locator("button.primary").click()
    for language in ("en", "ar"):
        phone.goto(f"{live_server}/coordinate/rounds/{survey_round.id}/invitations?lang={language}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, language
        for cell in phone.locator("table.stack td[data-label]").all():  # nothing cut off at the edge
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, cell.get_attribute("data-label")
        assert_accessible(phone, f"invitations ({language})")
        screenshot(phone, f"coordinate-invitations-{language}")
