"""Addresses and inputs the database cannot take: a clear 404 page, or cleaned and saved, never
a server error.

PostgreSQL refuses to compare an INTEGER column with a number beyond its range, and refuses
text holding a NUL character: without app.request_guards both were 500s there. The walks take
every route of the URL map, so a route added later is walked too.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Group, Role
from app.request_guards import LARGEST_ID, IdConverter
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import csrf_token, log_in


@pytest.fixture
def everything(app, on_postgres):
    """A site admin who may open every page, and a round with a link, so that only the
    unusable part of an address can make it fail."""
    community = make_community("north", name="North")
    youth = make_group(community, "youth")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth])
    link = make_link(survey_round, youth)
    admin = make_user("admin@example.org", memberships=[(community, Role.ADMIN)])
    admin.site_admin = True
    db.session.commit()
    return {"token": link.token, "key": youth.key, "community_id": community.id}


def walk(app, client, an_id: str, text_for) -> list[tuple[str, str, int]]:
    """(method, url, status) of every route with arguments: ids are `an_id`, other words
    text_for(argument name), an any(...) its first choice."""
    token = csrf_token(client.get("/coordinate/").get_data(as_text=True))
    seen = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        url = rule.rule
        for name in rule.arguments:
            converter = rule._converters[name]
            if hasattr(converter, "items"):
                value = sorted(converter.items)[0]
            else:
                value = an_id if isinstance(converter, IdConverter) else text_for(name)
            url = re.sub(rf"<(?:[^<>]*:)?{name}>", value, url)
        for method in sorted(m for m in rule.methods if m in ("GET", "POST")):
            response = client.open(url, method=method, data={"csrf_token": token}, buffered=True)
            seen.append((method, url, response.status_code))
    return seen


def test_an_id_beyond_the_database_range_is_not_found_on_every_route(app, client, everything):
    log_in(client, "admin@example.org")
    real = {"token": everything["token"]}
    beyond = walk(app, client, str(LARGEST_ID + 1), lambda name: real.get(name, everything["key"]))
    beyond = [s for s in beyond if str(LARGEST_ID + 1) in s[1]]
    # A POST to an address that a GET route shares is told the method is wrong (Werkzeug's
    # router answers 405 once a converter refuses): a clear page all the same.
    assert all(status == 404 or (method, status) == ("POST", 405) for method, _, status in beyond), \
        [s for s in beyond if s[2] != 404]
    assert sum(status == 404 for _, _, status in beyond) >= 25  # the walk really went through the routes


def test_the_largest_id_itself_is_looked_up_and_simply_not_found(client, everything):
    log_in(client, "admin@example.org")
    assert client.get(f"/reports/rounds/{LARGEST_ID}").status_code == 404
    assert client.get(f"/coordinate/communities/{LARGEST_ID}").status_code == 404


def test_a_nul_character_in_an_address_is_not_found_on_every_route(app, client, everything):
    log_in(client, "admin@example.org")
    with_nul = [s for s in walk(app, client, "1", lambda name: "%00") if "%00" in s[1]]
    assert len(with_nul) >= 10
    assert all(status == 404 for _, _, status in with_nul), [s for s in with_nul if s[2] != 404]


def test_a_nul_character_in_a_form_or_a_query_is_dropped_and_the_rest_kept(client, everything, app):
    log_in(client, "admin@example.org")
    url = f"/coordinate/communities/{everything['community_id']}/groups/new"
    page = client.get(url)
    response = client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                      "name": "Night\x00owls", "kind": "citizens"})
    assert response.status_code in (302, 303)
    assert db.session.scalar(select(Group.name).where(Group.name.like("Night%"))) == "Nightowls"
    assert 'lang="he"' in client.get(url + "?lang=h%00e").get_data(as_text=True)


def test_an_audit_page_asked_to_start_before_an_impossible_id_shows_the_latest(client, everything):
    log_in(client, "admin@example.org")
    page = client.get(f"/coordinate/communities/{everything['community_id']}/audit?before={LARGEST_ID + 1}")
    assert page.status_code == 200


def test_a_failed_database_statement_still_gets_the_error_page_in_the_readers_language(app, client, everything):
    from sqlalchemy import text

    app.add_url_rule("/broken", "broken", lambda: str(db.session.execute(text("SELECT 1 / 0")).scalar()))
    log_in(client, "admin@example.org")
    page = client.get("/broken?lang=nl")
    assert page.status_code == 500
    assert 'lang="nl"' in page.get_data(as_text=True)
    assert "/auth/logout" in page.get_data(as_text=True)  # the page still knows who is logged in
