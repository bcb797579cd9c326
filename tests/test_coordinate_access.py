"""Every coordinator route, walked as someone who may not use it: 403 or 404, never the page.

The routes come from the app's URL map, so a route added later is walked too; a route with a
parameter this test cannot fill fails the test until the parameter is added here.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Invitation, LinkKind, Role
from app.services import actions, survey_authoring
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import csrf_token, log_in

ALLOWED = {403, 404}


@pytest.fixture
def north(app):
    """A community with everything a route can point at, and people with no right to it."""
    community = make_community("north", name="North")
    youth = make_group(community, "youth")
    bank = load_fixture_bank()
    survey_round = make_round(community, bank, groups=[youth])
    own_survey = survey_authoring.create_copy(community, bank)  # the survey editor's routes
    own_version, _new = survey_authoring.publish(own_survey)
    link = make_link(survey_round, youth)
    personal = make_link(survey_round, youth, kind=LinkKind.INVITATION)
    invitation = Invitation(round=survey_round, group=youth, link=personal, email="a@example.org", language="en")
    db.session.add(invitation)
    action = actions.create(survey_round, actions.ActionSpec(title={"en": "Courses"}, needs=["need_language"]),
                            actor_id=None)
    south = make_community("south", name="South")
    admin = make_user("north-admin@example.org", memberships=[(community, Role.ADMIN)])
    make_user("south-admin@example.org", memberships=[(south, Role.ADMIN)])
    make_user("north-reader@example.org", memberships=[(community, Role.STAKEHOLDER)])
    db.session.commit()
    return {"community_id": community.id, "round_id": survey_round.id, "group_id": youth.id,
            "link_id": link.id, "invitation_id": invitation.id, "membership_id": admin.memberships[0].id,
            "language": survey_round.languages[-1], "authored_id": own_survey.id, "page_key": "needs",
            "key": "hours", "survey_id": own_version.id, "action_id": action.id}


def coordinator_routes(app) -> list[tuple[str, str, list[str]]]:
    """(endpoint, rule, methods) of the coordinate blueprint, with the converters' choices."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("coordinate."):
            methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
            routes.append((rule.endpoint, rule, methods))
    return routes


def urls_of(app, rule, ids: dict[str, int]) -> list[str]:
    """Every URL of the rule for the north community's objects (one per `any()` choice)."""
    combinations: list[dict[str, object]] = [{}]
    for argument in sorted(rule.arguments):
        converter = rule._converters[argument]
        if hasattr(converter, "items"):  # any(...): every choice
            choices = list(converter.items)
        elif argument in ids:
            choices = [ids[argument]]
        else:
            pytest.fail(f"{rule.rule}: the access test does not know how to fill <{argument}>")
        combinations = [{**values, argument: choice} for values in combinations for choice in choices]
    adapter = app.url_map.bind("localhost")
    return [adapter.build(rule.endpoint, values) for values in combinations]


@pytest.mark.parametrize("outsider", ["south-admin@example.org", "north-reader@example.org"])
def test_no_coordinator_route_opens_for_another_community_or_a_reader(client, app, north, outsider):
    log_in(client, outsider)
    token = csrf_token(client.get("/coordinate/").get_data(as_text=True))  # a valid one: access must refuse
    own_pages = {"coordinate.index", "coordinate.new_community"}
    walked = 0
    for endpoint, rule, methods in coordinator_routes(app):
        if endpoint in own_pages:
            continue
        for url in urls_of(app, rule, north):
            for method in methods:
                response = client.open(url, method=method, data={"csrf_token": token})
                assert response.status_code in ALLOWED, f"{outsider}: {method} {url} gave {response.status_code}"
                walked += 1
    assert walked >= 20  # the walk really went through the routes


def test_the_walk_itself_reaches_the_pages_for_their_own_admin(client, app, north):
    """The same URLs do open for the community's admin, so the 404s above are about access."""
    log_in(client, "north-admin@example.org")
    opened = 0
    for endpoint, rule, methods in coordinator_routes(app):
        if "GET" not in methods or rule.arguments & {"action"}:
            continue
        for url in urls_of(app, rule, north):
            status = client.get(url).status_code
            assert status < 500, f"GET {url} gave {status}"
            opened += status == 200
    assert opened >= 8
