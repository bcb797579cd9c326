"""Actions against needs, through the web pages: coordinators (and partners they let in) record
what the community does about a round's needs, change its status and progress, add dated
updates; every change is in the audit log; nobody else reaches the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Action, ActionStatus, ActionUpdate, AuditEvent, Membership, PartnerSector, Role, User
from app.services import actions as action_service
from tests.factories import load_fixture_bank, make_community, make_group, make_round, make_user
from tests.helpers import csrf_token, log_in


@pytest.fixture
def harbour(app):
    """A community in English and Hebrew, a round of the mini survey (one need: need_language;
    scored criteria: needs, participation) for two groups, and people in every position."""
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he"))
    youth = make_group(community, "youth", name="Young people")
    newcomers = make_group(community, "newcomers", name="Newcomers")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth, newcomers],
                              title="Learning needs 2026")
    elsewhere = make_community("elsewhere")
    make_user("ada@example.org", memberships=[(community, Role.ADMIN)])
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    partner = make_user("pia@example.org", memberships=[(community, Role.STAKEHOLDER)])
    partner.memberships[0].may_record_actions = True
    make_user("rea@example.org", memberships=[(community, Role.STAKEHOLDER)])
    make_user("out@example.org", memberships=[(elsewhere, Role.ADMIN)])
    db.session.commit()
    return survey_round


def action_fields(**fields) -> dict:
    return {"title_en": "Free language courses", "title_he": "", "description_en": "", "description_he": "",
            "needs": ["need_language"], "groups": ["newcomers"], "carried_by": "City library",
            "sector": "educational_institutes", "status": "planned", "progress": "0", "dropped_reason_en": "",
            "dropped_reason_he": "", **fields}


LAST_MONTH = (date.today() - timedelta(days=30)).isoformat()
LAST_WEEK = (date.today() - timedelta(days=7)).isoformat()


def post(client, url: str, data: dict, page: str | None = None):
    shown = client.get(page or url)
    assert shown.status_code == 200, (page or url, shown.status_code)
    return client.post(url, data={"csrf_token": csrf_token(shown.get_data(as_text=True)), **data})


def new_action(client, survey_round, **fields):
    return post(client, f"/coordinate/rounds/{survey_round.id}/actions/new", action_fields(**fields))


def edit(client, action: Action, **fields):
    return post(client, f"/coordinate/actions/{action.id}/edit", action_fields(**fields))


def only_action() -> Action:
    return db.session.scalars(select(Action)).one()


def events(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


def add_update(client, action: Action, on: str, text: str):
    page = f"/coordinate/actions/{action.id}"
    return post(client, f"{page}/updates", {"on": on, "text_en": text, "text_he": ""}, page)


def recorded(survey_round, **fields) -> Action:
    fields = {"title": {"en": "Free language courses"}, "needs": ["need_language"], **fields}
    action = action_service.create(survey_round, action_service.ActionSpec(**fields), actor_id=None)
    db.session.commit()
    return action


# -- coordinators ------------------------------------------------------------------------------


def test_a_coordinator_records_an_action_against_a_need_and_sees_it_listed(client, harbour):
    log_in(client, "noa@example.org")
    form = client.get(f"/coordinate/rounds/{harbour.id}/actions/new").get_data(as_text=True)
    assert "Learning a language" in form  # the need by its wording, not its key
    assert "Participation" in form and "Newcomers" in form

    reply = new_action(client, harbour, title_he="קורסי שפה בחינם",
                       description_en="Two evenings a week.\nAt the library.")

    assert reply.status_code == 303
    action = only_action()
    assert action.title == {"en": "Free language courses", "he": "קורסי שפה בחינם"}
    assert action.needs == ["need_language"] and action.criteria == [] and action.groups == ["newcomers"]
    assert action.sector is PartnerSector.EDUCATIONAL_INSTITUTES and action.carried_by == "City library"
    assert action.status is ActionStatus.PLANNED and action.round_id == harbour.id
    assert action.created_by_id == db.session.scalar(select(User.id).where(User.email == "noa@example.org"))
    listed = client.get(f"/coordinate/rounds/{harbour.id}/actions").get_data(as_text=True)
    assert "Free language courses" in listed and "planned" in listed and "Learning a language" in listed
    assert events("action_created")[0].details["title"] == "Free language courses"


def test_the_rounds_page_links_to_its_actions(client, harbour):
    log_in(client, "noa@example.org")
    page = client.get(f"/coordinate/rounds/{harbour.id}").get_data(as_text=True)
    assert f"/coordinate/rounds/{harbour.id}/actions" in page


def test_an_action_against_a_criterion_alone_is_fine_but_one_against_nothing_is_refused(client, harbour):
    log_in(client, "noa@example.org")
    refused = new_action(client, harbour, needs=[], criteria=[])
    assert refused.status_code == 400
    assert "Choose at least one need or criterion" in refused.get_data(as_text=True)
    assert new_action(client, harbour, needs=[], criteria=["participation"]).status_code == 303
    assert only_action().criteria == ["participation"]


def test_the_title_is_needed_in_the_main_language(client, harbour):
    log_in(client, "noa@example.org")
    reply = new_action(client, harbour, title_en="", title_he="קורסי שפה")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Give the title in English" in html and "קורסי שפה" in html  # what was typed is kept
    assert db.session.scalars(select(Action)).first() is None


def test_a_coordinator_moves_an_action_on_and_done_shows_100_percent(client, harbour):
    log_in(client, "noa@example.org")
    new_action(client, harbour)
    action = only_action()

    assert edit(client, action, status="under_way", progress="40").status_code == 303
    assert (only_action().status, only_action().progress) == (ActionStatus.UNDER_WAY, 40)
    assert "40%" in client.get(f"/coordinate/actions/{action.id}").get_data(as_text=True)

    assert edit(client, action, status="done", progress="80").status_code == 303
    page = client.get(f"/coordinate/actions/{action.id}").get_data(as_text=True)
    assert "100%" in page and 'value="100"' in page
    changes = [e.details for e in events("action_edited")]
    assert [(c.get("previous_status"), c.get("status")) for c in changes] == [("planned", "under_way"),
                                                                              ("under_way", "done")]


def test_a_done_action_cannot_be_dropped(client, harbour):
    log_in(client, "noa@example.org")
    action = recorded(harbour, status=ActionStatus.DONE)
    reply = edit(client, action, status="dropped", dropped_reason_en="Changed our minds")
    assert reply.status_code == 400
    assert only_action().status is ActionStatus.DONE


def test_dropping_needs_a_reason_and_keeps_what_was_typed_until_it_is_given(client, harbour):
    log_in(client, "noa@example.org")
    action = recorded(harbour)

    refused = edit(client, action, title_en="Evening courses for newcomers", status="dropped", progress="25")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Say why the action was dropped" in html
    assert "Evening courses for newcomers" in html and 'value="25"' in html
    assert only_action().status is ActionStatus.PLANNED and only_action().title["en"] == "Free language courses"

    accepted = edit(client, action, status="dropped", dropped_reason_en="The library closed for repairs.")
    assert accepted.status_code == 303
    assert only_action().status is ActionStatus.DROPPED
    assert only_action().dropped_reason == {"en": "The library closed for repairs."}
    page = client.get(f"/coordinate/actions/{action.id}").get_data(as_text=True)
    assert "The library closed for repairs." in page


@pytest.mark.parametrize("progress", ["150", "-5", "forty"])
def test_progress_outside_0_to_100_is_refused_with_a_message(client, harbour, progress):
    log_in(client, "noa@example.org")
    reply = new_action(client, harbour, title_en="Digital help desk", progress=progress)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Digital help desk" in html and f'value="{progress}"' in html
    assert "0 to 100" in html or "Not a valid integer" in html
    assert db.session.scalars(select(Action)).first() is None


def test_dated_updates_are_added_newest_first_and_a_future_date_is_refused(client, harbour):
    log_in(client, "noa@example.org")
    action = recorded(harbour)
    assert add_update(client, action, LAST_MONTH, "First course started").status_code == 303
    assert add_update(client, action, LAST_WEEK, "Fourteen people came").status_code == 303
    html = client.get(f"/coordinate/actions/{action.id}").get_data(as_text=True)
    assert html.index("Fourteen people came") < html.index("First course started")

    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    refused = add_update(client, action, tomorrow, "Will be great")
    assert refused.status_code == 400
    assert "Will be great" in refused.get_data(as_text=True)
    assert len(db.session.scalars(select(ActionUpdate)).all()) == 2
    assert [e.details["on"] for e in events("action_update_added")] == [LAST_MONTH, LAST_WEEK]


def test_an_update_needs_its_text_in_the_main_language(client, harbour):
    log_in(client, "noa@example.org")
    action = recorded(harbour)
    reply = post(client, f"/coordinate/actions/{action.id}/updates", {"on": LAST_MONTH, "text_en": "",
                                                                       "text_he": "התחלנו"},
                 f"/coordinate/actions/{action.id}")
    assert reply.status_code == 400
    assert "Write what happened, at least in English" in reply.get_data(as_text=True)


def test_a_coordinator_removes_an_action_with_its_updates(client, harbour):
    log_in(client, "noa@example.org")
    action = recorded(harbour)
    action_service.add_update(action, date(2026, 10, 1), {"en": "Started"}, actor_id=None)
    db.session.commit()

    reply = post(client, f"/coordinate/actions/{action.id}/delete", {}, f"/coordinate/actions/{action.id}")

    assert reply.status_code == 303
    assert db.session.scalars(select(Action)).first() is None
    assert db.session.scalars(select(ActionUpdate)).first() is None
    assert events("action_deleted")[0].details["title"] == "Free language courses"


# -- partners and everyone else ----------------------------------------------------------------


def test_a_partner_let_in_records_and_updates_actions_but_does_not_remove_them(client, harbour):
    log_in(client, "pia@example.org")
    listed = client.get(f"/coordinate/rounds/{harbour.id}/actions")
    assert listed.status_code == 200
    assert f"/coordinate/communities/{harbour.community_id}/groups" not in listed.get_data(as_text=True)

    assert new_action(client, harbour).status_code == 303
    action = only_action()
    assert edit(client, action, status="under_way", progress="10").status_code == 303
    page = f"/coordinate/actions/{action.id}"
    assert "Remove the action" not in client.get(page).get_data(as_text=True)
    assert add_update(client, action, LAST_MONTH, "Started").status_code == 303

    assert post(client, f"{page}/delete", {}, page).status_code == 403
    assert db.session.get(Action, action.id) is not None


@pytest.mark.parametrize("who", ["rea@example.org", "out@example.org"])
def test_a_stakeholder_not_let_in_and_an_outsider_get_404_everywhere(client, harbour, who):
    action = recorded(harbour)
    log_in(client, who)
    token = csrf_token(client.get("/auth/password").get_data(as_text=True))
    for url in (f"/coordinate/rounds/{harbour.id}/actions", f"/coordinate/rounds/{harbour.id}/actions/new",
                f"/coordinate/actions/{action.id}", f"/coordinate/actions/{action.id}/edit"):
        assert client.get(url).status_code == 404, url
    for url in (f"/coordinate/rounds/{harbour.id}/actions/new", f"/coordinate/actions/{action.id}/edit",
                f"/coordinate/actions/{action.id}/updates", f"/coordinate/actions/{action.id}/delete"):
        assert client.post(url, data={"csrf_token": token, **action_fields()}).status_code == 404, url
    assert len(db.session.scalars(select(Action)).all()) == 1


def test_an_admin_lets_a_stakeholder_record_actions_and_takes_it_back(client, harbour):
    reader = db.session.scalar(select(Membership).join(User).where(User.email == "rea@example.org"))
    members = f"/coordinate/communities/{harbour.community_id}/members"
    log_in(client, "ada@example.org")
    assert "Let them record actions" in client.get(members).get_data(as_text=True)

    assert post(client, f"{members}/{reader.id}/actions", {"allowed": "1"}, members).status_code == 303
    assert db.session.get(Membership, reader.id).may_record_actions is True
    assert "records actions" in client.get(members).get_data(as_text=True)
    assert post(client, f"{members}/{reader.id}/actions", {"allowed": "0"}, members).status_code == 303
    assert db.session.get(Membership, reader.id).may_record_actions is False
    assert [e.details["allowed"] for e in events("member_action_recording_changed")] == [True, False]


def test_a_stakeholder_let_in_reaches_the_actions(client, harbour):
    reader = db.session.scalar(select(Membership).join(User).where(User.email == "rea@example.org"))
    action_service.allow_recording(reader, True, actor_id=None)
    db.session.commit()
    log_in(client, "rea@example.org")
    assert client.get(f"/coordinate/rounds/{harbour.id}/actions").status_code == 200


def test_coordinators_and_admins_change_who_records_actions_and_only_for_stakeholders(app, client, harbour):
    coordinator = db.session.scalar(select(Membership).join(User).where(User.email == "noa@example.org"))
    reader = db.session.scalar(select(Membership).join(User).where(User.email == "rea@example.org"))
    members = f"/coordinate/communities/{harbour.community_id}/members"
    stranger = app.test_client()  # a stakeholder may not let themselves in
    log_in(stranger, "rea@example.org")
    token = csrf_token(stranger.get("/auth/password").get_data(as_text=True))
    refused = stranger.post(f"{members}/{reader.id}/actions", data={"csrf_token": token, "allowed": "1"})
    assert refused.status_code == 404
    assert db.session.get(Membership, reader.id).may_record_actions is False

    # The coordinator lets the partner in from the round's actions page, and comes back to it.
    log_in(client, "noa@example.org")
    actions_page = f"/coordinate/rounds/{harbour.id}/actions"
    page = client.get(actions_page).get_data(as_text=True)
    assert "rea@example.org" in page and "Let them record actions" in page
    reply = post(client, f"{members}/{reader.id}/actions", {"allowed": "1", "round": str(harbour.id)}, actions_page)
    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"{actions_page}#partners")
    assert db.session.get(Membership, reader.id).may_record_actions is True

    admin = app.test_client()
    log_in(admin, "ada@example.org")
    reply = post(admin, f"{members}/{coordinator.id}/actions", {"allowed": "1"}, members)
    assert reply.status_code == 303
    assert db.session.get(Membership, coordinator.id).may_record_actions is False  # coordinators record anyway


# -- what the pages show -----------------------------------------------------------------------


def test_typed_markup_is_shown_as_text_everywhere(client, harbour):
    log_in(client, "ada@example.org")
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert new_action(client, harbour, title_en=attack, carried_by=attack, description_en=attack).status_code == 303
    action = only_action()
    assert add_update(client, action, LAST_MONTH, attack).status_code == 303
    for url in (f"/coordinate/rounds/{harbour.id}/actions", f"/coordinate/actions/{action.id}",
                f"/coordinate/actions/{action.id}/edit", f"/coordinate/communities/{harbour.community_id}/audit"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


def test_the_audit_log_says_what_was_done_to_actions_in_words(client, harbour):
    log_in(client, "ada@example.org")
    new_action(client, harbour)
    action = only_action()
    edit(client, action, status="under_way", progress="30")
    add_update(client, action, LAST_MONTH, "Started")
    html = client.get(f"/coordinate/communities/{harbour.community_id}/audit").get_data(as_text=True)
    assert "recorded the action Free language courses for the round Learning needs 2026" in html
    assert "marked the action Free language courses under way" in html
    assert "added an update to the action Free language courses" in html


def test_the_pages_read_right_to_left_in_hebrew(client, harbour):
    log_in(client, "noa@example.org")
    action = recorded(harbour, title={"en": "Free language courses", "he": "קורסי שפה בחינם"})
    for url in (f"/coordinate/rounds/{harbour.id}/actions?lang=he", f"/coordinate/actions/{action.id}?lang=he",
                f"/coordinate/rounds/{harbour.id}/actions/new?lang=he"):
        reply = client.get(url)
        assert reply.status_code == 200 and 'dir="rtl"' in reply.get_data(as_text=True), url
    assert "קורסי שפה בחינם" in client.get(f"/coordinate/actions/{action.id}?lang=he").get_data(as_text=True)


def test_the_service_lists_a_communitys_actions_latest_round_first(app, harbour):
    earlier = make_round(harbour.community, harbour.survey, title="Learning needs 2025",
                         groups=list(harbour.groups), launched_at=harbour.began_at - timedelta(days=365))
    db.session.commit()
    old = recorded(earlier)
    new = recorded(harbour, status=ActionStatus.UNDER_WAY, progress=20)
    assert action_service.actions_of_community(harbour.community_id) == [new, old]
    assert action_service.actions_of_round(earlier.id) == [old]
    with pytest.raises(action_service.ActionRefused) as refused:
        action_service.create(harbour, action_service.ActionSpec(title={"en": "x"}, groups=["martians"]),
                              actor_id=None)
    assert {(p.field, p.code) for p in refused.value.problems} == {("needs", "nothing_answered"),
                                                                   ("groups", "unknown")}
