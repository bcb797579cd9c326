from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import RoundStatus, utcnow
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round


@pytest.fixture
def open_link(app):
    survey = load_fixture_bank()
    community = make_community(languages=("en", "he"))
    youth = make_group(community, "youth", name="Youth", name_translations={"he": "צעירים"})
    link = make_link(make_round(community, survey, groups=[youth]), youth)
    db.session.commit()
    return link


def test_a_public_link_opens_the_welcome_page_of_its_round(client, open_link):
    response = client.get(f"/s/{open_link.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A short survey" in html
    assert "Three minutes about learning." in html
    assert 'lang="en" dir="ltr"' in html


def test_lang_in_the_url_switches_to_hebrew_right_to_left_and_is_remembered(client, open_link):
    response = client.get(f"/s/{open_link.token}?lang=he")
    html = response.get_data(as_text=True)
    assert 'lang="he" dir="rtl"' in html
    assert "סקר קצר" in html and "צעירים" in html
    again = client.get(f"/s/{open_link.token}").get_data(as_text=True)
    assert 'lang="he" dir="rtl"' in again


def test_the_browser_language_is_used_when_nothing_was_chosen(client, open_link):
    html = client.get(f"/s/{open_link.token}", headers={"Accept-Language": "he,en;q=0.5"})
    assert 'lang="he"' in html.get_data(as_text=True)


def test_a_language_the_round_does_not_offer_falls_back_to_the_community_default(client, open_link):
    html = client.get(f"/s/{open_link.token}?lang=hu", headers={"Accept-Language": "hu"})
    assert 'lang="en"' in html.get_data(as_text=True)


def test_an_unknown_link_is_a_404_page(client, app):
    response = client.get("/s/no-such-token")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_closed_round_is_410(client, open_link):
    open_link.round.status = RoundStatus.CLOSED
    db.session.commit()
    assert client.get(f"/s/{open_link.token}").status_code == 410


def test_a_round_that_opens_later_says_so(client, open_link):
    open_link.round.opens_at = utcnow() + timedelta(days=3)
    db.session.commit()
    response = client.get(f"/s/{open_link.token}")
    assert response.status_code == 403
    assert "not open right now" in response.get_data(as_text=True)


def test_a_round_that_opens_later_gives_the_time_on_the_community_s_clocks(client, open_link):
    open_link.round.community.timezone = "Europe/Amsterdam"
    open_link.round.opens_at = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # 9:00 in Amsterdam in winter
    db.session.commit()
    page = client.get(f"/s/{open_link.token}?lang=en").get_data(as_text=True)
    assert "It opens on Jan 11, 2027, 9:00\u202fAM." in page


def test_the_start_page_is_served(client, app):
    assert client.get("/").status_code == 200


def test_survey_pages_offer_no_login_link_to_citizens(client, open_link):
    assert "/auth/login" not in client.get(f"/s/{open_link.token}").get_data(as_text=True)


def test_the_welcome_page_costs_one_query(client, open_link, app):
    from sqlalchemy import event

    url = f"/s/{open_link.token}"
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1, [s[:60] for s in statements]


def test_pages_go_out_gzip_compressed_to_browsers_that_accept_it(client, open_link):
    import gzip

    response = client.get(f"/s/{open_link.token}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "A short survey" in gzip.decompress(response.get_data()).decode()
