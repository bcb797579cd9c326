"""Who may move a community (no database)."""

from __future__ import annotations

import pytest

from app.domain.community_rules import MoveRefused, check_move

CITY, OTHER_CITY, HARBOUR, PIER = 1, 2, 10, 11  # the harbour quarter (10) is part of the city; the pier (11) of it


def move(new_parent, *, site_admin=False, administers=frozenset({CITY, HARBOUR, PIER}), old_parent=CITY):
    check_move(site_admin=site_admin, administers=administers, community=HARBOUR, below=frozenset({PIER}),
               old_parent=old_parent, new_parent=new_parent)


def refused(new_parent, **kwargs) -> str:
    with pytest.raises(MoveRefused) as raised:
        move(new_parent, **kwargs)
    return raised.value.code


def test_staying_where_it_is_is_no_move():
    move(CITY, administers=frozenset())


def test_an_admin_of_the_community_alone_cannot_detach_it_from_its_city():
    assert refused(None, administers=frozenset({HARBOUR})) == "top_level_site_admins_only"


def test_even_the_city_s_admin_cannot_make_it_top_level():
    assert refused(None) == "top_level_site_admins_only"


def test_moving_needs_the_admins_of_both_the_old_and_the_new_parent():
    assert refused(OTHER_CITY, administers=frozenset({HARBOUR, CITY})) == "not_admin_of_new_parent"
    assert refused(OTHER_CITY, administers=frozenset({HARBOUR, OTHER_CITY})) == "not_admin_of_old_parent"
    move(OTHER_CITY, administers=frozenset({HARBOUR, CITY, OTHER_CITY}))


def test_a_top_level_community_is_moved_by_site_admins_only():
    assert refused(CITY, old_parent=None, administers=frozenset({HARBOUR, CITY})) == "not_admin_of_old_parent"
    move(CITY, old_parent=None, site_admin=True, administers=frozenset())


def test_site_admins_may_move_anything_but_into_itself():
    move(None, site_admin=True, administers=frozenset())
    move(OTHER_CITY, site_admin=True, administers=frozenset())
    assert refused(PIER, site_admin=True) == "into_itself"
    assert refused(HARBOUR, site_admin=True) == "into_itself"
