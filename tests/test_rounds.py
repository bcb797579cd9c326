"""Coordinators set up communities and groups and steer rounds through their life."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services import report_queue
from app.models import (
    AuditEvent, Community, Group, LinkKind, Response, ResponseStatus, Role, Round, RoundStatus, utcnow,
)
from tests.factories import load_fixture_bank, make_community, make_group, make_round, make_user
from tests.helpers import csrf_token, log_in


@pytest.fixture
def harbour(app):
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he"))
    community.timezone = "Asia/Jerusalem"
    make_group(community, "youth", name="Young people", position=0)
    make_group(community, "seniors", name="Older residents", position=1)
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    make_user("ada@example.org", memberships=[(community, Role.ADMIN)])
    load_fixture_bank()
    db.session.commit()
    return community


def post(client, url: str, data: dict | None = None, page: str | None = None):
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def round_form(community: Community, **fields) -> dict:
    survey_id = db.session.scalar(select(Round.survey_id).limit(1)) or _survey_id()
    data = {"title": "Spring 2027", "survey_id": str(survey_id),
            "group_ids": [str(g.id) for g in community.groups], "languages": ["en", "he"],
            "opens_at": "", "closes_at": "", "one_response_per_browser": "y"}
    data.update(fields)
    return data


def _survey_id() -> int:
    from app.models import Survey

    return db.session.scalar(select(Survey.id).where(Survey.key == "mini"))


def actions(round_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.round_id == round_id)
                                   .order_by(AuditEvent.id)))


def test_a_coordinator_creates_a_draft_then_launching_makes_a_link_per_group_and_one_for_everyone(client, harbour):
    log_in(client, "noa@example.org")
    created = post(client, f"/coordinate/communities/{harbour.id}/rounds/new",
                   round_form(harbour, closes_at="2027-03-01T18:00"))
    assert created.status_code == 302
    survey_round = db.session.scalar(select(Round))
    assert survey_round.status is RoundStatus.DRAFT and survey_round.links == []
    # Typed in the community's time zone (Jerusalem, UTC+2 in March), stored in UTC.
    assert survey_round.closes_at == datetime(2027, 3, 1, 16, 0, tzinfo=UTC)

    launched = post(client, f"/coordinate/rounds/{survey_round.id}/launch", page=f"/coordinate/rounds/{survey_round.id}")
    assert launched.status_code == 303
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.OPEN and survey_round.launched_at is not None
    public = [link for link in survey_round.links if link.kind is LinkKind.PUBLIC]
    assert {link.group_id for link in public} == {None, *(g.id for g in harbour.groups)}
    assert actions(survey_round.id) == ["round_created", "round_launched"]


def test_a_round_with_an_opening_time_ahead_is_scheduled_and_cannot_be_answered_yet(client, harbour):
    log_in(client, "noa@example.org")
    later = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    post(client, f"/coordinate/communities/{harbour.id}/rounds/new", round_form(harbour, opens_at=later))
    survey_round = db.session.scalar(select(Round))
    post(client, f"/coordinate/rounds/{survey_round.id}/launch", page=f"/coordinate/rounds/{survey_round.id}")
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.SCHEDULED
    token = survey_round.links[0].token
    assert client.get(f"/s/{token}").status_code == 403  # "not open yet"


def test_pause_resume_close_and_reopen_each_leave_an_audit_event(client, harbour):
    survey_round = make_round(harbour, load_fixture_bank(), groups=list(harbour.groups))
    db.session.commit()
    log_in(client, "noa@example.org")
    page = f"/coordinate/rounds/{survey_round.id}"
    for action, status in [("pause", "paused"), ("resume", "open"), ("close", "closed")]:
        assert post(client, f"{page}/{action}", page=page).status_code == 303
        db.session.refresh(survey_round)
        assert survey_round.status.value == status
    assert survey_round.closed_at is not None
    reopened = post(client, f"{page}/reopen", {"closes_at": "2099-01-01T12:00"}, page=page)
    assert reopened.status_code == 303
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.OPEN and survey_round.closed_at is None
    assert actions(survey_round.id) == ["round_paused", "round_resumed", "round_closed", "round_reopened"]


def test_closing_a_round_while_the_broker_is_down_closes_it_and_keeps_its_final_report_asked_for(
        client, harbour, broker_down):
    survey_round = make_round(harbour, load_fixture_bank(), groups=list(harbour.groups))
    db.session.commit()
    log_in(client, "noa@example.org")
    page = f"/coordinate/rounds/{survey_round.id}"
    assert post(client, f"{page}/close", page=page).status_code == 303
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.CLOSED
    later = utcnow() + 2 * report_queue.UNSERVED_REQUEST
    assert report_queue.rounds_needing_refresh(later) == [survey_round.id]  # built once the broker is back


def test_a_step_out_of_order_is_refused_with_a_message_and_changes_nothing(client, harbour):
    survey_round = make_round(harbour, load_fixture_bank(), groups=list(harbour.groups), status=RoundStatus.CLOSED,
                              closes_at=utcnow() - timedelta(days=1))
    db.session.commit()
    log_in(client, "noa@example.org")
    page = f"/coordinate/rounds/{survey_round.id}"
    response = post(client, f"{page}/pause", page=page)
    assert response.status_code == 303
    assert "Only an open round can be paused." in client.get(page).get_data(as_text=True)
    post(client, f"{page}/reopen", {"closes_at": ""}, page=page)  # its closing time has passed
    assert "The closing time has passed" in client.get(page).get_data(as_text=True)
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.CLOSED


def newer_version_of_mini(tmp_path):
    """Version 2 of the test survey: the same file with another answering time."""
    from app.services.survey_bank import load_bank
    from tests.factories import FIXTURE_BANK

    bank = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, bank)
    mini = bank / "mini.yaml"
    mini.write_text(mini.read_text(encoding="utf-8").replace("minutes: 3", "minutes: 4"), encoding="utf-8")
    result = load_bank(bank)
    return next(s for s in result.new_versions if s.key == "mini")


def test_once_people_have_answered_the_survey_version_and_answered_groups_stay(client, harbour, tmp_path):
    survey = load_fixture_bank()
    survey_round = make_round(harbour, survey, groups=list(harbour.groups))
    youth = next(g for g in harbour.groups if g.key == "youth")
    db.session.add(Response(round_id=survey_round.id, group_id=youth.id, language="en",
                            status=ResponseStatus.IN_PROGRESS))
    newer = newer_version_of_mini(tmp_path)
    db.session.commit()
    log_in(client, "noa@example.org")
    url = f"/coordinate/rounds/{survey_round.id}/edit"
    other_survey = post(client, url, round_form(harbour, survey_id=str(newer.id)))
    assert other_survey.status_code == 400
    assert "its questions stay as they are" in other_survey.get_data(as_text=True)
    seniors_only = post(client, url, round_form(harbour, survey_id=str(survey.id),
                                                group_ids=[str(g.id) for g in harbour.groups if g.key != "youth"]))
    assert seniors_only.status_code == 400
    assert "cannot be taken out" in seniors_only.get_data(as_text=True)
    db.session.refresh(survey_round)
    assert survey_round.survey_id == survey.id and len(survey_round.groups) == 2


def test_a_form_with_mistakes_comes_back_with_messages_and_what_was_typed(client, harbour):
    log_in(client, "noa@example.org")
    response = post(client, f"/coordinate/communities/{harbour.id}/rounds/new",
                    round_form(harbour, title="Autumn listening", opens_at="2027-05-02T10:00",
                               closes_at="2027-05-01T10:00", group_ids=[]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The round must close after it opens." in html and "Choose at least one group." in html
    assert 'value="Autumn listening"' in html and 'value="2027-05-02T10:00"' in html
    assert db.session.scalar(select(Round)) is None


def test_duplicating_a_round_makes_a_draft_that_remembers_what_it_repeats(client, harbour):
    survey_round = make_round(harbour, load_fixture_bank(), groups=list(harbour.groups), status=RoundStatus.CLOSED)
    db.session.commit()
    log_in(client, "noa@example.org")
    page = f"/coordinate/rounds/{survey_round.id}"
    response = post(client, f"{page}/duplicate", page=page)
    assert response.status_code == 303
    copy = db.session.scalar(select(Round).where(Round.id != survey_round.id))
    assert copy.status is RoundStatus.DRAFT and copy.previous_round_id == survey_round.id
    assert [g.key for g in copy.groups] == [g.key for g in survey_round.groups]
    assert copy.opens_at is None and copy.closes_at is None
    assert copy.title == "Spring round (2)"  # never two rounds of one title
    post(client, f"{page}/duplicate", page=page)
    assert sorted(db.session.scalars(select(Round.title))) == ["Spring round", "Spring round (2)", "Spring round (3)"]


def test_groups_are_added_with_names_in_other_languages_and_a_group_with_answers_stays(client, harbour):
    log_in(client, "noa@example.org")
    created = post(client, f"/coordinate/communities/{harbour.id}/groups/new",
                   {"name": "Newcomers", "kind": "citizens", "population": "900", "target_responses": "80",
                    "position": "2", "name_he": "חדשים בעיר"})
    assert created.status_code == 302
    group = db.session.scalar(select(Group).where(Group.key == "newcomers"))
    assert group.population == 900 and group.name_translations == {"he": "חדשים בעיר"}

    bad = post(client, f"/coordinate/groups/{group.id}/edit", {"name": "", "kind": "citizens",
                                                                "population": "-3", "name_he": "חדשים"})
    assert bad.status_code == 400 and 'value="חדשים"' in bad.get_data(as_text=True)

    survey_round = make_round(harbour, load_fixture_bank(), groups=[group])
    db.session.add(Response(round_id=survey_round.id, group_id=group.id, language="en"))
    db.session.commit()
    post(client, f"/coordinate/groups/{group.id}/delete", page=f"/coordinate/communities/{harbour.id}/groups")
    assert db.session.get(Group, group.id) is not None


def test_an_admin_creates_a_learning_community_inside_their_city_and_administers_it(client, harbour):
    log_in(client, "ada@example.org")
    response = post(client, "/coordinate/communities/new",
                    {"name": "Harbour North", "slug": "", "kind": "neighbourhood", "parent_id": str(harbour.id),
                     "languages": ["en", "ar"], "default_language": "ar", "timezone": "Europe/Amsterdam",
                     "min_group_size": "5", "neighbourhoods": "Dockside\nNorth Pier\nDockside"}, page="/coordinate/communities/new")
    assert response.status_code == 302
    child = db.session.scalar(select(Community).where(Community.slug == "harbour-north"))
    assert child.parent_id == harbour.id and child.default_language == "ar"
    assert [n["key"] for n in child.neighbourhoods] == ["dockside", "north_pier"]
    assert child.neighbourhoods[1]["name"] == {"ar": "North Pier"}


def test_a_community_cannot_show_groups_smaller_than_three(client, harbour):
    log_in(client, "ada@example.org")
    url = f"/coordinate/communities/{harbour.id}/edit"
    response = post(client, url, {"name": "Harbour Quarter", "slug": "harbour", "kind": "neighbourhood",
                                  "parent_id": "0", "languages": ["en", "he"], "default_language": "nl",
                                  "timezone": "UTC", "min_group_size": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Between 3 and 50." in html and "The main language must be one of the languages" in html
    db.session.refresh(harbour)
    assert harbour.min_group_size == 5


def test_the_audit_log_is_for_the_community_s_admins(client, harbour):
    survey_round = make_round(harbour, load_fixture_bank(), groups=list(harbour.groups))
    db.session.commit()
    log_in(client, "noa@example.org")
    post(client, f"/coordinate/rounds/{survey_round.id}/pause", page=f"/coordinate/rounds/{survey_round.id}")
    assert client.get(f"/coordinate/communities/{harbour.id}/audit").status_code == 404
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/coordinate/").get_data(as_text=True))})
    log_in(client, "ada@example.org")
    html = client.get(f"/coordinate/communities/{harbour.id}/audit").get_data(as_text=True)
    assert "paused the round Spring round" in html and "noa" in html


def test_group_names_are_isolated_from_the_page_s_direction(client, harbour):
    """A name typed in another script keeps its own order ("65+" stays at its end on a Hebrew page)."""
    harbour.groups[1].name = "Older residents 65+"
    db.session.commit()
    log_in(client, "noa@example.org")
    form = client.get(f"/coordinate/communities/{harbour.id}/rounds/new?lang=he").get_data(as_text=True)
    groups = client.get(f"/coordinate/communities/{harbour.id}/groups?lang=he").get_data(as_text=True)
    edit = client.get(f"/coordinate/groups/{harbour.groups[1].id}/edit?lang=he").get_data(as_text=True)
    for page in (form, groups, edit):
        assert "<bdi>Older residents 65+</bdi>" in page
    # and the box it is typed in reads it in its own direction
    assert re.search(r'<input[^>]*dir="auto"[^>]*name="name"[^>]*value="Older residents 65\+"', edit)


def test_a_coordinator_makes_a_round_a_named_panel_shared_with_stakeholders(client, harbour):
    log_in(client, "noa@example.org")
    url = f"/coordinate/communities/{harbour.id}/rounds/new"
    page = client.get(url).get_data(as_text=True)
    assert 'value="named_panel"' in page and "A named panel" in page
    created = post(client, url, round_form(harbour, kind="named_panel", panel_shared="y"))
    assert created.status_code == 302
    survey_round = db.session.scalar(select(Round))
    assert survey_round.kind.value == "named_panel" and survey_round.panel_shared
    edit = client.get(f"/coordinate/rounds/{survey_round.id}/edit").get_data(as_text=True)
    assert '<input checked id="kind-1" name="kind" type="radio" value="named_panel">' in edit


def test_launch_asks_once_more_saying_when_to_whom_and_what_then_stays_fixed(client, harbour):
    survey_round = make_round(harbour, load_fixture_bank(), groups=list(harbour.groups), status=RoundStatus.DRAFT,
                              opens_at=None, closes_at=datetime(2027, 3, 1, 16, 0, tzinfo=UTC))
    db.session.commit()
    log_in(client, "noa@example.org")
    round_page = client.get(f"/coordinate/rounds/{survey_round.id}").get_data(as_text=True)
    assert f'href="/coordinate/rounds/{survey_round.id}/launch"' in round_page  # a link, not a one-tap form
    page = client.get(f"/coordinate/rounds/{survey_round.id}/launch")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Launch" in html
    assert "now" in html and "Mar 1, 2027, 6:00" in html  # closes in Jerusalem's time, the one date style
    assert all(group.display_name("en") in html for group in harbour.groups)
    assert "can no longer change" in html
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.DRAFT  # asking launched nothing
    launched = post(client, f"/coordinate/rounds/{survey_round.id}/launch", page=f"/coordinate/rounds/{survey_round.id}/launch")
    assert launched.status_code == 303
    db.session.refresh(survey_round)
    assert survey_round.status is RoundStatus.OPEN
    assert client.get(f"/coordinate/rounds/{survey_round.id}/launch").status_code == 302  # launched: back to the round


def test_names_a_coordinator_types_are_given_in_each_language_and_shown_in_the_reader_s(client, harbour):
    """The community's name, its neighbourhoods and a round's title in Hebrew: a Hebrew survey
    offers Hebrew neighbourhoods, and its pages and poster name the community and round in Hebrew."""
    from app.services.survey_bank import latest_version, load_bank
    from tests.conftest import ROOT

    load_bank(ROOT / "surveys")
    db.session.commit()
    log_in(client, "ada@example.org")
    url = f"/coordinate/communities/{harbour.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="name_he"' in form and 'name="neighbourhoods_he"' in form and 'dir="rtl"' in form
    assert '<option selected value="neighbourhood">' in form  # the community's own kind, not the first choice
    saved = post(client, url, {"name": "Harbour Quarter", "name_he": "רובע הנמל", "slug": "harbour",
                               "kind": "neighbourhood", "parent_id": "0", "languages": ["en", "he"],
                               "default_language": "en", "timezone": "Asia/Jerusalem", "min_group_size": "5",
                               "neighbourhoods": "Dockside\nNorth Pier", "neighbourhoods_he": "רציף\nמזח צפוני"})
    assert saved.status_code == 302
    db.session.refresh(harbour)
    assert harbour.display_name("he") == "רובע הנמל" and harbour.display_name("en") == "Harbour Quarter"
    assert [n["name"] for n in harbour.neighbourhoods] == [{"en": "Dockside", "he": "רציף"},
                                                          {"en": "North Pier", "he": "מזח צפוני"}]

    created = post(client, f"/coordinate/communities/{harbour.id}/rounds/new",
                   round_form(harbour, title="Learning needs 2027", title_he="צורכי למידה 2027",
                              survey_id=str(latest_version("citizen_needs").id)))
    assert created.status_code == 302
    survey_round = db.session.scalar(select(Round).where(Round.title == "Learning needs 2027"))
    assert survey_round.title_translations == {"he": "צורכי למידה 2027"}
    post(client, f"/coordinate/rounds/{survey_round.id}/launch", page=f"/coordinate/rounds/{survey_round.id}/launch")
    db.session.refresh(survey_round)
    link = next(link for link in survey_round.links if link.group_id is None)

    welcome = client.get(f"/s/{link.token}?lang=he").get_data(as_text=True)
    assert "רובע הנמל" in welcome and "Harbour Quarter" not in welcome
    definition = survey_round.definition()
    neighbourhood = next(q for q in definition.questions if q.options_from == "neighbourhoods")
    assert [o.label.get("he") for o in neighbourhood.options][:2] == ["רציף", "מזח צפוני"]
    poster = client.get(f"/coordinate/links/{link.id}/poster?language=he").get_data(as_text=True)
    assert "רובע הנמל" in poster
    round_page = client.get(f"/coordinate/rounds/{survey_round.id}?lang=he").get_data(as_text=True)
    assert "צורכי למידה 2027" in round_page
    copy = post(client, f"/coordinate/rounds/{survey_round.id}/duplicate", page=f"/coordinate/rounds/{survey_round.id}")
    assert copy.status_code == 303
    repeat = db.session.scalar(select(Round).where(Round.previous_round_id == survey_round.id))
    assert repeat.title == "Learning needs 2028" and repeat.title_translations == {"he": "צורכי למידה 2028"}
