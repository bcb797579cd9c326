"""Who may move a community in its tree, tried through the community's settings form."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import CommunityKind, Role
from tests.factories import make_community, make_user
from tests.helpers import csrf_token, log_in


@pytest.fixture
def tree(app):
    city = make_community("lakeside", kind=CommunityKind.CITY, name="Lakeside")
    other_city = make_community("riverton", kind=CommunityKind.CITY, name="Riverton")
    harbour = make_community("harbour", parent=city, name="Harbour Quarter")
    make_user("harbour-admin@example.org", memberships=[(harbour, Role.ADMIN)])
    make_user("city-admin@example.org", memberships=[(city, Role.ADMIN)])
    make_user("both-admin@example.org", memberships=[(city, Role.ADMIN), (other_city, Role.ADMIN)])
    make_user("city-reader@example.org", memberships=[(city, Role.STAKEHOLDER)])
    site = make_user("site@example.org", memberships=[(harbour, Role.ADMIN)])
    site.site_admin = True
    db.session.commit()
    return city, other_city, harbour


def settings(community, parent_id: int) -> dict:
    return {"name": community.name, "slug": community.slug, "kind": community.kind.value,
            "parent_id": str(parent_id), "languages": list(community.languages),
            "default_language": community.default_language, "timezone": community.timezone,
            "min_group_size": str(community.min_group_size), "neighbourhoods": ""}


def post_settings(client, community, parent_id: int):
    url = f"/coordinate/communities/{community.id}/edit"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **settings(community, parent_id)})


@pytest.mark.parametrize("who", ["harbour-admin@example.org", "city-admin@example.org"])
def test_an_admin_cannot_detach_a_learning_community_from_its_city(client, tree, who):
    city, _, harbour = tree
    log_in(client, who)
    response = post_settings(client, harbour, 0)
    assert response.status_code == 400
    assert "Only a site admin can make a community one of its own." in response.get_data(as_text=True)
    db.session.refresh(harbour)
    assert harbour.parent_id == city.id  # still the city's: its admins and stakeholders keep it


def test_a_forged_parent_the_admin_does_not_administer_is_refused(client, tree):
    city, other_city, harbour = tree
    log_in(client, "city-admin@example.org")
    response = post_settings(client, harbour, other_city.id)
    assert response.status_code == 400  # not among the choices: the form refuses it
    db.session.refresh(harbour)
    assert harbour.parent_id == city.id


def test_an_admin_of_both_cities_may_move_it_and_a_site_admin_may_detach_it(client, tree):
    city, other_city, harbour = tree
    log_in(client, "both-admin@example.org")
    assert post_settings(client, harbour, other_city.id).status_code == 302
    db.session.refresh(harbour)
    assert harbour.parent_id == other_city.id
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/coordinate/").get_data(as_text=True))})
    log_in(client, "site@example.org")
    assert post_settings(client, harbour, 0).status_code == 302
    db.session.refresh(harbour)
    assert harbour.parent_id is None


# -- every other field of the coordinators' and admins' forms, forged -------------------------


def test_a_round_cannot_take_a_group_of_another_community(client, tree):
    from app.models import Group, GroupKind, Round
    from tests.factories import load_fixture_bank

    city, other_city, harbour = tree
    load_fixture_bank()
    mine = Group(community=harbour, key="youth", name="Youth", kind=GroupKind.CITIZENS)
    theirs = Group(community=other_city, key="river-youth", name="River youth", kind=GroupKind.CITIZENS)
    db.session.add_all([mine, theirs])
    db.session.commit()
    log_in(client, "harbour-admin@example.org")
    url = f"/coordinate/communities/{harbour.id}/rounds/new"
    token = csrf_token(client.get(url).get_data(as_text=True))
    survey_id = db.session.execute(db.text("SELECT id FROM surveys WHERE key = 'mini'")).scalar()
    response = client.post(url, data={"csrf_token": token, "title": "Forged", "survey_id": str(survey_id),
                                      "group_ids": [str(mine.id), str(theirs.id)], "languages": ["en"],
                                      "kind": "anonymous"})
    assert response.status_code == 400 and db.session.query(Round).count() == 0


@pytest.mark.parametrize("role", ["site_admin", "owner", ""])
def test_an_admin_cannot_grant_a_role_that_does_not_exist(client, tree, role):
    _, _, harbour = tree
    log_in(client, "harbour-admin@example.org")
    url = f"/coordinate/communities/{harbour.id}/members"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "email": "new@example.org", "role": role})
    assert response.status_code == 400


def test_a_community_s_smallest_group_cannot_go_below_three(client, tree):
    _, _, harbour = tree
    log_in(client, "harbour-admin@example.org")
    data = settings(harbour, harbour.parent_id) | {"min_group_size": "1"}
    url = f"/coordinate/communities/{harbour.id}/edit"
    response = client.post(url, data={"csrf_token": csrf_token(client.get(url).get_data(as_text=True)), **data})
    assert response.status_code == 400
    db.session.refresh(harbour)
    assert harbour.min_group_size == 5
