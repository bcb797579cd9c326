"""Every other public page type, in English and Hebrew: accessible, and as wide as a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import LinkKind, RoundStatus, utcnow
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.factories import load_fixture_bank, make_community, make_link, make_round

pytestmark = pytest.mark.browser


@pytest.fixture
def links(app):
    survey = load_fixture_bank()
    community = make_community("harbour", languages=("en", "he"), name="Harbour Quarter")
    open_round = make_round(community, survey)
    later_round = make_round(community, survey, opens_at=utcnow() + timedelta(days=5))
    closed_round = make_round(community, survey, status=RoundStatus.CLOSED)
    used = make_link(open_round, kind=LinkKind.INVITATION)
    used.used_at = utcnow()
    links = {"open": make_link(open_round), "later": make_link(later_round),
             "closed": make_link(closed_round), "used": used}
    db.session.commit()
    return {name: link.token for name, link in links.items()}


PAGES = {
    "resume": ("/s/{open}/resume", 200),
    "withdraw": ("/withdraw", 200),
    "already-answered": ("/s/{used}", 200),
    "not-open-yet": ("/s/{later}", 403),
    "closed": ("/s/{closed}", 410),
    "unknown-link": ("/s/no-such-link", 404),
}


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_is_accessible_and_fits_a_phone(phone, live_server, links, name, language):
    path, status = PAGES[name]
    response = phone.goto(f"{live_server}{path.format(**links)}?lang={language}")
    assert response.status == status
    assert phone.locator("html").get_attribute("dir") == ("rtl" if language == "he" else "ltr")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, f"{name} ({language})")
    screenshot(phone, f"page-{name}-{language}")
