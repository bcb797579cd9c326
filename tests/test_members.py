"""Who has access to a community: its admins add people, change their roles and remove them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, MailKind, MailLog, MailStatus, Membership, Role, User
from app.services import mail
from tests.factories import make_community, make_user
from tests.helpers import PASSWORD, csrf_token, log_in

RESET_LINK = re.compile(r"https?://[^/\s]+(/auth/reset/[\w.-]+)")


@pytest.fixture
def outbox(monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "deliver", lambda message, config: sent.append(message))
    return sent


@pytest.fixture
def harbour(app):
    community = make_community("harbour", name="Harbour Quarter")
    make_user("ada@example.org", memberships=[(community, Role.ADMIN)])
    make_user("ben@example.org", memberships=[(community, Role.COORDINATOR)])
    make_user("cy@example.org")  # an account, with no access here
    db.session.commit()
    return community


def members_url(community) -> str:
    return f"/coordinate/communities/{community.id}/members"


def membership(email: str, community) -> Membership | None:
    return db.session.scalar(select(Membership).join(User).where(
        User.email == email, Membership.community_id == community.id))


def events(action: str) -> list[dict]:
    return [e.details for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def add(client, community, **data):
    token = csrf_token(client.get(members_url(community)).get_data(as_text=True))
    return client.post(members_url(community), data={"csrf_token": token, "role": "coordinator", **data})


def set_role(client, community, member: Membership, role: str):
    token = csrf_token(client.get(members_url(community)).get_data(as_text=True))
    prefix = f"member-{member.id}"
    return client.post(f"{members_url(community)}/{member.id}/role",
                       data={f"{prefix}-csrf_token": token, f"{prefix}-role": role})


def remove(client, community, member: Membership):
    token = csrf_token(client.get(members_url(community)).get_data(as_text=True))
    return client.post(f"{members_url(community)}/{member.id}/remove", data={"csrf_token": token})


def test_an_admin_sees_who_has_which_role(client, harbour):
    log_in(client, "ada@example.org")
    response = client.get(members_url(harbour))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ada@example.org" in html and "ben@example.org" in html and "cy@example.org" not in html
    ben = membership("ben@example.org", harbour)
    row = html[html.index(f'id="member-{ben.id}"'):]
    assert re.search(r'<option selected value="coordinator">|<option value="coordinator" selected>', row)


@pytest.mark.parametrize("who", ["ben@example.org", "reader@example.org", "other-admin@example.org"])
def test_nobody_but_its_admins_can_see_or_change_the_members(client, harbour, who):
    elsewhere = make_community("elsewhere")
    make_user("reader@example.org", memberships=[(harbour, Role.STAKEHOLDER)])
    make_user("other-admin@example.org", memberships=[(elsewhere, Role.ADMIN)])
    db.session.commit()
    ben = membership("ben@example.org", harbour)
    log_in(client, who)
    token = csrf_token(client.get("/auth/password").get_data(as_text=True))
    assert client.get(members_url(harbour)).status_code == 404
    assert client.post(members_url(harbour), data={"csrf_token": token, "email": "x@example.org",
                                                   "role": "admin"}).status_code == 404
    assert client.post(f"{members_url(harbour)}/{ben.id}/role", data={
        "csrf_token": token, f"member-{ben.id}-csrf_token": token,
        f"member-{ben.id}-role": "admin"}).status_code == 404
    assert client.post(f"{members_url(harbour)}/{ben.id}/remove", data={"csrf_token": token}).status_code == 404
    assert membership("ben@example.org", harbour).role is Role.COORDINATOR
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_the_members_page_needs_a_login(client, harbour):
    response = client.get(members_url(harbour))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_admin_of_the_city_manages_its_learning_communities_too(client, app):
    city = make_community("lakeside")
    quarter = make_community("quarter", parent=city)
    make_user("mayor@example.org", memberships=[(city, Role.ADMIN)])
    db.session.commit()
    log_in(client, "mayor@example.org")
    assert client.get(members_url(quarter)).status_code == 200


def test_adding_an_existing_account_gives_it_the_role_and_sends_no_mail(client, harbour, outbox):
    log_in(client, "ada@example.org")
    response = add(client, harbour, email="CY@example.org", role="stakeholder")
    assert response.status_code == 303
    assert membership("cy@example.org", harbour).role is Role.STAKEHOLDER
    assert outbox == [] and db.session.scalar(select(MailLog)) is None
    assert db.session.scalars(select(User).where(User.email == "cy@example.org")).all()  # still one account
    ada = db.session.scalar(select(User).where(User.email == "ada@example.org"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member_added"))
    assert (event.community_id, event.user_id) == (harbour.id, ada.id)
    assert event.details["email"] == "cy@example.org" and event.details["role"] == "stakeholder"
    assert event.details["new_account"] is False


def test_adding_a_new_address_makes_an_account_whose_mail_sets_its_password(client, app, harbour, outbox):
    log_in(client, "ada@example.org")
    response = add(client, harbour, email="dana@example.org", name="Dana Levi", role="coordinator")
    assert response.status_code == 303
    dana = db.session.scalar(select(User).where(User.email == "dana@example.org"))
    assert dana.name == "Dana Levi" and dana.role_in(harbour.id) is Role.COORDINATOR
    assert not dana.check_password("") and not dana.check_password(PASSWORD)
    assert events("member_added")[0]["new_account"] is True

    log = db.session.scalar(select(MailLog))
    assert (log.kind, log.status, log.user_id) == (MailKind.ACCOUNT, MailStatus.SENT, dana.id)
    [message] = outbox
    assert message["To"] == "dana@example.org"
    text = message.get_body(("plain",)).get_content()
    assert "Harbour Quarter: Coordinator" in text
    path = RESET_LINK.search(text).group(1)

    newcomer = app.test_client()
    page = newcomer.get(path).get_data(as_text=True)
    set_password = newcomer.post(path, data={"csrf_token": csrf_token(page), "new_password": "tide tables 1987",
                                             "new_password_again": "tide tables 1987"})
    assert set_password.status_code == 302
    assert log_in(newcomer, "dana@example.org", "tide tables 1987").status_code == 302
    assert newcomer.get(f"/coordinate/communities/{harbour.id}").status_code == 200
    assert app.test_client().get(path).status_code == 400  # the link worked once


def test_a_new_member_added_while_the_broker_is_down_keeps_the_access_and_the_admin_is_told(
        client, harbour, outbox, broker_down):
    log_in(client, "ada@example.org")
    response = add(client, harbour, email="dana@example.org", name="Dana Levi", role="coordinator")
    assert response.status_code == 303
    page = client.get(members_url(harbour)).get_data(as_text=True)
    assert "the mail to choose a password could not be sent just now" in page
    assert membership("dana@example.org", harbour).role is Role.COORDINATOR
    log = db.session.scalar(select(MailLog))
    assert log.status is MailStatus.FAILED and log.last_error.startswith("not queued")


def test_adding_someone_twice_or_a_wrong_address_is_refused_keeping_what_was_typed(client, harbour, outbox):
    log_in(client, "ada@example.org")
    again = add(client, harbour, email="Ben@example.org", name="Ben B", role="admin")
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "has access already" in html and "Please check the following" in html
    assert 'value="Ben@example.org"' in html and 'value="Ben B"' in html
    assert membership("ben@example.org", harbour).role is Role.COORDINATOR

    wrong = add(client, harbour, email="dana at example", role="boss")
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert 'value="dana at example"' in html and html.count('class="error"') == 2
    assert db.session.scalar(select(User).where(User.email.like("dana%"))) is None
    assert outbox == [] and events("member_added") == []


def test_an_admin_changes_a_role(client, harbour):
    log_in(client, "ada@example.org")
    ben = membership("ben@example.org", harbour)
    response = set_role(client, harbour, ben, "stakeholder")
    assert response.status_code == 303
    assert response.headers["Location"] == members_url(harbour)
    assert membership("ben@example.org", harbour).role is Role.STAKEHOLDER
    [details] = events("member_role_changed")
    assert (details["email"], details["role"], details["previous_role"]) == (
        "ben@example.org", "stakeholder", "coordinator")


def test_an_unknown_role_is_a_400_with_a_message(client, harbour):
    log_in(client, "ada@example.org")
    ben = membership("ben@example.org", harbour)
    response = set_role(client, harbour, ben, "owner")
    assert response.status_code == 400
    assert f'id="member-{ben.id}-role-error"' in response.get_data(as_text=True)
    assert membership("ben@example.org", harbour).role is Role.COORDINATOR


def test_the_last_admin_can_neither_step_down_nor_be_removed(client, harbour):
    log_in(client, "ada@example.org")
    ada = membership("ada@example.org", harbour)
    for response in (set_role(client, harbour, ada, "coordinator"), remove(client, harbour, ada)):
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "the only admin of Harbour Quarter" in html
        assert f'href="#member-{ada.id}-role"' in html  # in the summary, linked to the row
    assert membership("ada@example.org", harbour).role is Role.ADMIN
    assert events("member_role_changed") == [] and events("member_removed") == []


def test_with_another_admin_an_admin_may_step_down(client, harbour):
    log_in(client, "ada@example.org")
    set_role(client, harbour, membership("ben@example.org", harbour), "admin")
    response = set_role(client, harbour, membership("ada@example.org", harbour), "coordinator")
    assert response.status_code == 303
    assert response.headers["Location"] == "/coordinate/"  # the members page is no longer theirs
    assert membership("ada@example.org", harbour).role is Role.COORDINATOR
    assert client.get(members_url(harbour)).status_code == 404


def test_removing_a_member_takes_their_access_but_keeps_their_account(client, harbour):
    log_in(client, "ada@example.org")
    response = remove(client, harbour, membership("ben@example.org", harbour))
    assert response.status_code == 303
    assert membership("ben@example.org", harbour) is None
    assert db.session.scalar(select(User).where(User.email == "ben@example.org")) is not None
    [details] = events("member_removed")
    assert (details["email"], details["role"]) == ("ben@example.org", "coordinator")
    ben = app_client_logged_in_as(client, "ben@example.org")
    assert ben.get(f"/coordinate/communities/{harbour.id}").status_code == 404


def app_client_logged_in_as(client, email: str):
    other = client.application.test_client()
    log_in(other, email)
    return other


def test_a_membership_of_another_community_is_not_reachable_through_this_one(client, harbour):
    elsewhere = make_community("elsewhere")
    stranger = make_user("dee@example.org", memberships=[(elsewhere, Role.COORDINATOR)])
    db.session.commit()
    log_in(client, "ada@example.org")
    stranger_membership = membership(stranger.email, elsewhere)
    assert set_role(client, harbour, stranger_membership, "admin").status_code == 404
    assert remove(client, harbour, stranger_membership).status_code == 404
    assert membership(stranger.email, elsewhere).role is Role.COORDINATOR


@pytest.mark.parametrize("action", ["add", "role", "remove"])
def test_every_members_form_refuses_a_post_without_its_csrf_token(client, harbour, action):
    log_in(client, "ada@example.org")
    ben = membership("ben@example.org", harbour)
    url = {"add": members_url(harbour), "role": f"{members_url(harbour)}/{ben.id}/role",
           "remove": f"{members_url(harbour)}/{ben.id}/remove"}[action]
    response = client.post(url, data={"email": "dana@example.org", "role": "admin",
                                      f"member-{ben.id}-role": "admin"})
    assert response.status_code == 400
    assert "Please press again" in response.get_data(as_text=True)
    assert membership("ben@example.org", harbour).role is Role.COORDINATOR
    assert db.session.scalar(select(AuditEvent)) is None


def test_a_new_member_added_without_a_mail_server_keeps_the_access_and_the_admin_is_told_the_truth(
        client, app, harbour, outbox):
    app.config["MAIL_SERVER"] = None
    log_in(client, "ada@example.org")
    assert add(client, harbour, email="dana@example.org", name="Dana Levi", role="coordinator").status_code == 303
    page = client.get(members_url(harbour)).get_data(as_text=True)
    assert "cannot send mail yet" in page and "We sent them a mail" not in page
    assert membership("dana@example.org", harbour).role is Role.COORDINATOR and outbox == []
