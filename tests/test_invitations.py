"""Personal invitations: importing a list, queueing and sending mails, unsubscribing, erasing."""

from __future__ import annotations

import codecs
import io
import re
import smtplib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import tasks
from app.celery_app import BEAT_SCHEDULE
from app.domain.invitation_csv import MAX_FILE_BYTES
from app.extensions import db
from app.models import (
    AccessLink,
    AuditEvent,
    Community,
    Group,
    Invitation,
    LinkKind,
    MailKind,
    MailLog,
    MailStatus,
    Role,
    Round,
    RoundStatus,
    utcnow,
)
from app.services import invitations, mail
from tests.factories import load_fixture_bank, make_community, make_group, make_round, make_user
from tests.helpers import csrf_token, log_in


@dataclass
class Setting:
    community: Community
    youth: Group
    seniors: Group
    round: Round


@pytest.fixture
def setting(app) -> Setting:
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he", "nl"))
    youth = make_group(community, "youth", name="Young people", name_translations={"he": "צעירים"})
    seniors = make_group(community, "seniors", name="Older residents", name_translations={"nl": "Ouderen"})
    survey_round = make_round(community, load_fixture_bank(), groups=[youth, seniors])
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    return Setting(community, youth, seniors, survey_round)


@pytest.fixture
def coordinator(client, setting):
    log_in(client, "noa@example.org")
    return client


@pytest.fixture
def sent_mails(monkeypatch) -> list:
    """Mails the tasks deliver (eager in these tests), kept instead of sent."""
    delivered: list = []
    monkeypatch.setattr(mail, "deliver", lambda message, config: delivered.append(message))
    return delivered


def page_url(setting: Setting) -> str:
    return f"/coordinate/rounds/{setting.round.id}/invitations"


def upload(client, setting: Setting, data: bytes, filename: str = "list.csv"):
    page = client.get(page_url(setting)).get_data(as_text=True)
    return client.post(page_url(setting), data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def press(client, setting: Setting, action: str, **fields):
    page = client.get(page_url(setting)).get_data(as_text=True)
    return client.post(f"{page_url(setting)}/{action}", data={"csrf_token": csrf_token(page), **fields})


def invitations_of(setting: Setting) -> dict[str, Invitation]:
    found = db.session.scalars(select(Invitation).where(Invitation.round_id == setting.round.id))
    return {invitation.email: invitation for invitation in found}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def invite(setting: Setting, email: str, language: str = "en", group: Group | None = None, **fields) -> Invitation:
    link = AccessLink(round_id=setting.round.id, group_id=group.id if group else None, kind=LinkKind.INVITATION)
    invitation = Invitation(round_id=setting.round.id, group_id=group.id if group else None, link=link,
                            email=email, language=language, **fields)
    db.session.add(invitation)
    db.session.flush()
    return invitation


BROKEN_LIST = (
    codecs.BOM_UTF8
    + (
        "Email;Language;Group\r\n"  # row 1
        "dana@example.org;he;youth\r\n"  # 2: good
        "not-an-address;en;youth\r\n"  # 3: bad email
        "eli@example.org;fr;youth\r\n"  # 4: unknown language
        "\r\n"  # 5: empty, skipped
        "fatma@example.org;en;dancers\r\n"  # 6: unknown group
        "Gil@Example.org ;nl;Ouderen\r\n"  # 7: good, group by its Dutch name
        " gil@example.org;en;צעירים\r\n"  # 8: the same address again: merged, this row wins
        "hana@example.org;EN;\r\n"  # 9: good, no group
    ).encode()
)


# --- Importing --------------------------------------------------------------------------------


def test_good_rows_are_imported_and_bad_rows_reported_row_by_row(coordinator, setting):
    response = upload(coordinator, setting, BROKEN_LIST)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    found = invitations_of(setting)
    assert sorted(found) == ["dana@example.org", "gil@example.org", "hana@example.org"]
    gil = found["gil@example.org"]
    assert (gil.language, gil.group_id) == ("en", setting.youth.id)  # the later row won
    assert (found["hana@example.org"].language, found["hana@example.org"].group_id) == ("en", None)
    for invitation in found.values():
        assert invitation.link.kind is LinkKind.INVITATION and invitation.link.round_id == setting.round.id
        assert invitation.link.group_id == invitation.group_id and invitation.invited_at is None

    problems = html[html.index("Rows left out"):html.index("Rows imported with a remark")]
    assert "<th scope=\"row\">3</th><td>email</td><td>“not-an-address” is not an email address" in problems
    assert "<th scope=\"row\">4</th><td>language</td><td>“fr” is not one of this round&#39;s languages: en, he, nl." in problems
    assert "<th scope=\"row\">6</th><td>group</td><td>“dancers” is not one of this round&#39;s groups: Young people, Older residents." in problems
    assert ">5<" not in problems and ">2<" not in problems
    assert "3 rows were left out" in html and "3 people added to the list" in html
    notices = html[html.index("Rows imported with a remark"):]
    assert "<th scope=\"row\">8</th><td>email</td><td>The same address as in row 7" in notices

    imported = db.session.execute(select(AuditEvent.group_id, AuditEvent.details)
                                  .where(AuditEvent.action == "invitations_imported")).all()
    assert sorted((group_id or 0, details["count"]) for group_id, details in imported) == [
        (0, 1), (setting.youth.id, 2)]


def test_a_list_with_nothing_importable_is_a_400_and_writes_nothing(coordinator, setting):
    response = upload(coordinator, setting, b"email,language\nnobody,en\n,he\n")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "2 rows were left out" in html and "Nobody was added to the list." in html
    assert count(Invitation) == 0 and count(AccessLink) == 0 and count(AuditEvent) == 0


@pytest.mark.parametrize("data, message", [
    (b"address,language\na@example.org,en\n", "The column “email” is missing."),
    ("email,language\nzoë@example.org,nl\n".encode("latin-1"), "The file is not saved as UTF-8 text."),
    (b"PK\x03\x04 an xlsx workbook", "This is a spreadsheet file, not a CSV file."),
    (b"", "The file is empty."),
])
def test_a_file_that_cannot_be_read_is_a_400_with_the_reason_next_to_the_field(coordinator, setting, data, message):
    response = upload(coordinator, setting, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<div class="error-summary"' in html and message in html
    assert count(Invitation) == 0


def test_a_form_sent_without_a_file_asks_for_one(coordinator, setting):
    page = coordinator.get(page_url(setting)).get_data(as_text=True)
    response = coordinator.post(page_url(setting), data={"csrf_token": csrf_token(page)},
                                content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the CSV file with your list." in response.get_data(as_text=True)


def test_a_file_over_the_size_limit_is_refused_with_a_message(coordinator, setting):
    too_large = upload(coordinator, setting, b"email,language\n" + b"x" * MAX_FILE_BYTES)
    too_large.request.environ["wsgi.input"].close()  # the test client spooled the body to a file
    assert too_large.status_code == 400 and "larger than 2 MB" in too_large.get_data(as_text=True)
    assert count(Invitation) == 0


def test_an_address_already_on_the_list_is_updated_not_added_twice(coordinator, setting):
    invite(setting, "dana@example.org", "en")
    answered = invite(setting, "eli@example.org", "en")
    answered.link.used_at = utcnow()
    db.session.commit()

    response = upload(coordinator, setting, b"email,language,group\nDANA@example.org,he,youth\neli@example.org,he,\n")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    found = invitations_of(setting)
    assert len(found) == 2 and count(AccessLink) == 2
    dana = found["dana@example.org"]
    assert (dana.language, dana.group_id, dana.link.group_id) == ("he", setting.youth.id, setting.youth.id)
    assert found["eli@example.org"].language == "en"  # has answered: left as it was
    assert "Already on the list: language and group updated." in html
    assert "Already on the list and has answered: left as it was." in html


def test_nothing_is_half_written_when_the_import_fails_midway(coordinator, setting, monkeypatch):
    invite(setting, "dana@example.org")
    db.session.commit()
    # As if another upload had added dana@ just after this one read the list: the insert clashes.
    monkeypatch.setattr(invitations, "existing_invitations", lambda round_id: {})

    response = upload(coordinator, setting, b"email,language\nnew@example.org,en\ndana@example.org,he\nother@example.org,en\n")

    assert response.status_code == 409
    assert "nothing was imported" in response.get_data(as_text=True)
    assert sorted(invitations_of(setting)) == ["dana@example.org"]
    assert count(AccessLink) == 1 and count(AuditEvent) == 0


def test_a_closed_round_takes_no_list(coordinator, setting):
    setting.round.status = RoundStatus.CLOSED
    db.session.commit()
    response = upload(coordinator, setting, b"email,language\na@example.org,en\n")
    assert response.status_code == 409 and "This round is closed" in response.get_data(as_text=True)
    assert count(Invitation) == 0


# --- Who may see the page ---------------------------------------------------------------------


def test_a_coordinator_of_another_community_gets_404_everywhere(client, setting):
    other = make_community("old-town")
    make_user("omar@example.org", memberships=[(other, Role.COORDINATOR)])
    invite(setting, "dana@example.org")
    db.session.commit()
    log_in(client, "omar@example.org")
    token = csrf_token(client.get("/coordinate/").get_data(as_text=True))

    assert client.get(page_url(setting)).status_code == 404
    assert client.post(page_url(setting), data={"csrf_token": token, "file": (io.BytesIO(b"email,language\n"), "l.csv")},
                       content_type="multipart/form-data").status_code == 404
    assert client.post(page_url(setting) + "/send", data={"csrf_token": token}).status_code == 404
    assert client.post(page_url(setting) + "/remind", data={"csrf_token": token}).status_code == 404
    assert count(MailLog) == 0


def test_the_page_asks_a_visitor_to_log_in(client, setting):
    response = client.get(page_url(setting))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_page_shows_counts_per_group_and_the_mail_log_never_an_address(coordinator, setting):
    invite(setting, "dana@example.org", group=setting.youth, invited_at=utcnow())
    answered = invite(setting, "eli@example.org", group=setting.youth, invited_at=utcnow(), reminders=1)
    answered.link.used_at = utcnow()
    invite(setting, "fatma@example.org", group=setting.seniors, unsubscribed_at=utcnow())
    db.session.add(MailLog(kind=MailKind.INVITATION, round_id=setting.round.id, language="en", status=MailStatus.SENT))
    db.session.add(MailLog(kind=MailKind.REMINDER, round_id=setting.round.id, language="en", status=MailStatus.FAILED))
    db.session.commit()

    html = coordinator.get(page_url(setting)).get_data(as_text=True)

    def cells(row: str) -> dict[str, str]:  # each figure by the label a phone shows beside it
        return dict(re.findall(r'<td role="cell" data-label="([^"]+)">([^<]*)</td>', row[:row.index("</tr>")]))

    youth = cells(html[html.index('<bdi>Young people</bdi></th>'):])
    assert youth == {"On the list": "2", "Invited": "2", "Reminded": "1", "Answered": "1", "Unsubscribed": "0",
                     "Address deleted": "0"}
    assert not any(address in html for address in ("dana@", "eli@", "fatma@"))
    reminders = cells(html[html.index('role="rowheader">Reminders</th>'):])
    assert (reminders["Waiting to be sent"], reminders["Sent"], reminders["Failed"]) == ("0", "0", "1")


# --- Queueing and sending ---------------------------------------------------------------------


def test_invitations_go_once_to_everyone_reachable_in_their_language(coordinator, setting, sent_mails):
    invite(setting, "dana@example.org", "he", group=setting.youth)
    invite(setting, "gil@example.org", "nl", group=setting.seniors)
    invite(setting, "answered@example.org").link.used_at = utcnow()
    invite(setting, "gone@example.org", unsubscribed_at=utcnow())
    db.session.commit()

    response = press(coordinator, setting, "send", group="")
    assert response.status_code == 302
    assert "2 mails sent." in coordinator.get(page_url(setting)).get_data(as_text=True)

    by_address = {message["To"]: message for message in sent_mails}
    assert sorted(by_address) == ["dana@example.org", "gil@example.org"]
    hebrew, dutch = by_address["dana@example.org"], by_address["gil@example.org"]
    assert hebrew["Content-Language"] == "he" and dutch["Content-Language"] == "nl"
    assert "סקר קצר" in hebrew["Subject"] and "Harbour Quarter" in hebrew["Subject"]
    hebrew_text = hebrew.get_body(("plain",)).get_content()
    assert "זה לוקח בערך 3 דקות." in hebrew_text
    assert "Het duurt ongeveer 3 minuten." in dutch.get_body(("plain",)).get_content()
    assert 'lang="he" dir="rtl"' in hebrew.get_body(("html",)).get_content()
    found = invitations_of(setting)
    assert f"http://127.0.0.1:5000/s/{found['dana@example.org'].link.token}?lang=he" in hebrew_text
    assert "/unsubscribe/" in hebrew_text and hebrew["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")

    logs = db.session.scalars(select(MailLog)).all()
    assert [(log.kind, log.status, log.attempts) for log in logs] == [(MailKind.INVITATION, MailStatus.SENT, 1)] * 2
    assert all(log.invitation_id and log.sent_at for log in logs)
    assert found["dana@example.org"].invited_at is not None and found["answered@example.org"].invited_at is None
    sent_events = db.session.execute(select(AuditEvent.group_id).where(AuditEvent.action == "invitations_sent"))
    assert sorted(sent_events.scalars()) == sorted([setting.youth.id, setting.seniors.id])

    again = press(coordinator, setting, "send", group="")
    assert again.status_code == 302 and len(sent_mails) == 2
    assert "Everyone on the list has been invited already." in coordinator.get(page_url(setting)).get_data(as_text=True)


def test_invitations_can_go_to_one_group(coordinator, setting, sent_mails):
    invite(setting, "dana@example.org", group=setting.youth)
    invite(setting, "gil@example.org", group=setting.seniors)
    db.session.commit()
    press(coordinator, setting, "send", group=str(setting.youth.id))
    assert [message["To"] for message in sent_mails] == ["dana@example.org"]


def test_an_unknown_group_is_a_400_with_the_choice_kept(coordinator, setting, sent_mails):
    response = press(coordinator, setting, "send", group="999999")
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert count(MailLog) == 0


def test_no_mail_goes_out_while_the_round_is_not_open(coordinator, setting, sent_mails):
    invite(setting, "dana@example.org")
    setting.round.status = RoundStatus.PAUSED
    db.session.commit()
    for action in ("send", "remind"):
        response = press(coordinator, setting, action)
        assert response.status_code == 409
        assert "Mails can only be sent while the round is open" in response.get_data(as_text=True)
    assert count(MailLog) == 0 and sent_mails == []


def test_reminders_go_only_to_those_who_need_one_and_at_most_twice(coordinator, setting, sent_mails):
    long_ago = utcnow() - timedelta(days=3)
    invite(setting, "waiting@example.org", invited_at=long_ago)
    invite(setting, "answered@example.org", invited_at=long_ago).link.used_at = utcnow()
    invite(setting, "gone@example.org", invited_at=long_ago, unsubscribed_at=utcnow())
    invite(setting, "today@example.org", invited_at=utcnow() - timedelta(hours=2))
    invite(setting, "never@example.org")
    invite(setting, "twice@example.org", invited_at=long_ago, reminders=2, reminded_at=long_ago)
    invite(setting, "erased@example.org", invited_at=long_ago).email = None
    db.session.commit()

    assert press(coordinator, setting, "remind").status_code == 302
    assert [message["To"] for message in sent_mails] == ["waiting@example.org"]
    assert "Reminder from Harbour Quarter" in sent_mails[0]["Subject"]
    waiting = invitations_of(setting)["waiting@example.org"]
    assert waiting.reminders == 1 and waiting.reminded_at is not None

    press(coordinator, setting, "remind")  # the same day: nobody
    assert len(sent_mails) == 1
    waiting.reminded_at = utcnow() - timedelta(days=2)
    db.session.commit()
    press(coordinator, setting, "remind")
    waiting.reminded_at = utcnow() - timedelta(days=2)
    db.session.commit()
    press(coordinator, setting, "remind")  # two reminders were the last
    assert [message["To"] for message in sent_mails] == ["waiting@example.org"] * 2
    assert db.session.get(Invitation, waiting.id).reminders == 2
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "reminders_sent")).all() == [
        "reminders_sent"] * 2


def test_a_mail_queued_before_its_invitee_answered_or_unsubscribed_is_skipped(app, setting, sent_mails):
    answered = invite(setting, "answered@example.org")
    gone = invite(setting, "gone@example.org")
    db.session.commit()
    log_ids = invitations.queue_invitations(setting.round.id, now=utcnow())
    answered.link.used_at = utcnow()
    gone.unsubscribed_at = utcnow()
    db.session.commit()

    assert [tasks.send_invitation_mail.delay(log_id).get() for log_id in log_ids] == ["skipped", "skipped"]
    assert sent_mails == []
    assert sorted((log.status, log.last_error) for log in db.session.scalars(select(MailLog))) == [
        (MailStatus.SKIPPED, "answered"), (MailStatus.SKIPPED, "unsubscribed")]


def test_a_failing_mail_server_is_retried_then_the_mail_is_logged_failed_and_may_be_sent_again(
        app, setting, monkeypatch):
    invite(setting, "dana@example.org")
    db.session.commit()
    calls = []

    def refusing(message, config):
        calls.append(message["To"])
        raise smtplib.SMTPRecipientsRefused({"dana@example.org": (451, b"try again later")})

    monkeypatch.setattr(mail, "deliver", refusing)
    [log_id] = invitations.queue_invitations(setting.round.id, now=utcnow())
    db.session.commit()

    assert tasks.send_invitation_mail.delay(log_id).get() == "failed"  # eager: retried at once
    log = db.session.get(MailLog, log_id)
    assert len(calls) == 6 and log.attempts == 6 and log.status is MailStatus.FAILED
    assert "SMTPRecipientsRefused" in log.last_error and "dana@" not in log.last_error  # no address in the log
    assert invitations_of(setting)["dana@example.org"].invited_at is None

    again = invitations.queue_invitations(setting.round.id, now=utcnow())
    assert len(again) == 1 and again != [log_id]


def test_a_broker_that_is_down_leaves_the_mails_failed_to_be_queued_again(coordinator, setting, broker_down):
    invite(setting, "dana@example.org")
    db.session.commit()

    response = press(coordinator, setting, "send", group="")

    assert response.status_code == 302
    assert "could not be handed to the mail service" in coordinator.get(page_url(setting)).get_data(as_text=True)
    [log] = db.session.scalars(select(MailLog)).all()
    assert log.status is MailStatus.FAILED and "not queued" in log.last_error


def test_the_retry_waits_grow_and_stay_within_the_stale_limit():
    waits = [tasks.mail_retry_countdown(n) for n in range(tasks.MAIL_MAX_RETRIES)]
    assert waits == sorted(waits) and waits[0] <= 10
    assert timedelta(seconds=sum(waits)) < invitations.STALE_QUEUED


# --- Unsubscribing ----------------------------------------------------------------------------


def test_a_forged_or_unknown_unsubscribe_token_is_404(client, setting):
    invitation = invite(setting, "dana@example.org")
    db.session.commit()
    good = invitations.unsubscribe_token(invitation)
    assert client.get(f"/unsubscribe/{good[:-2]}xx").status_code == 404
    assert client.get(f"/unsubscribe/{invitation.id}").status_code == 404
    from itsdangerous import URLSafeSerializer

    wrong_key = URLSafeSerializer("not-our-key", salt="unsubscribe").dumps(invitation.id)
    assert client.get(f"/unsubscribe/{wrong_key}").status_code == 404
    no_such = URLSafeSerializer(app_secret(client), salt="unsubscribe").dumps(invitation.id + 1000)
    assert client.get(f"/unsubscribe/{no_such}").status_code == 404
    assert db.session.get(Invitation, invitation.id).unsubscribed_at is None


def app_secret(client) -> str:
    return client.application.config["SECRET_KEY"]


def test_unsubscribing_asks_first_then_works_in_the_invitees_language(client, setting, sent_mails):
    invitation = invite(setting, "dana@example.org", "he")
    db.session.commit()
    url = invitations.unsubscribe_url(invitation).removeprefix("http://127.0.0.1:5000")

    page = client.get(url, headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="he" dir="rtl"' in html
    assert db.session.get(Invitation, invitation.id).unsubscribed_at is None  # a GET only asks

    assert client.post(url, data={}).status_code == 400  # no CSRF token
    done = client.post(url, data={"csrf_token": csrf_token(html)})
    assert done.status_code == 200 and 'lang="he"' in done.get_data(as_text=True)
    assert db.session.get(Invitation, invitation.id).unsubscribed_at is not None

    assert invitations.queue_invitations(setting.round.id, now=utcnow()) == []


# --- Erasing contact details ------------------------------------------------------------------


def test_addresses_are_erased_only_when_their_round_closed_longer_than_the_retention_period(app, setting):
    survey, now = setting.round.survey, utcnow()
    days = app.config["CONTACT_RETENTION_DAYS"]
    expired = make_round(setting.community, survey, status=RoundStatus.CLOSED,
                         closed_at=now - timedelta(days=days, hours=1))
    recent = make_round(setting.community, survey, status=RoundStatus.CLOSED,
                        closed_at=now - timedelta(days=days - 1))
    rounds = {"expired": expired, "recent": recent, "open": setting.round}
    for name, survey_round in rounds.items():
        for n in range(2):
            link = AccessLink(round_id=survey_round.id, kind=LinkKind.INVITATION)
            db.session.add(Invitation(round_id=survey_round.id, link=link, email=f"{name}{n}@example.org",
                                      language="en"))
    db.session.commit()

    assert tasks.erase_expired_contacts.delay().get() == 2
    db.session.expire_all()
    emails = dict(db.session.execute(select(Invitation.email, Invitation.round_id)).all())
    assert sorted(email for email in emails if email) == [
        "open0@example.org", "open1@example.org", "recent0@example.org", "recent1@example.org"]
    erased = db.session.scalars(select(Invitation).where(Invitation.round_id == expired.id)).all()
    assert all(i.email is None and i.contact_erased_at is not None for i in erased)
    assert tasks.erase_expired_contacts.delay().get() == 0  # nothing left to erase
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contacts_erased"))
    assert event.round_id == expired.id and event.details == {"count": 2}


def test_erasing_is_a_daily_beat_job():
    job = next(job for job in BEAT_SCHEDULE.values() if job["task"] == "app.tasks.erase_expired_contacts")
    assert job["schedule"] == 24 * 3600


def test_without_a_mail_server_the_page_says_so_before_sending_and_sending_queues_nothing(app, coordinator, setting):
    app.config["MAIL_SERVER"] = None  # the embedded default: no mail server set
    invite(setting, "dana@example.org")
    db.session.commit()
    page = coordinator.get(page_url(setting)).get_data(as_text=True)
    assert "No mail server is set up, so no mail can be sent yet." in page and "MAIL_SERVER" in page
    for action in ("send", "remind"):
        refused = press(coordinator, setting, action, group="")
        assert refused.status_code == 409
        assert "nothing was sent" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MailLog)) == 0
    assert invitations_of(setting)["dana@example.org"].invited_at is None


def test_the_page_says_why_mails_failed_in_words_a_coordinator_can_act_on(app, coordinator, setting):
    from app.domain.mail_failures import NOT_CONFIGURED_ERROR

    for email, error in [("a@example.org", "ConnectionRefusedError: [Errno 111] Connection refused"),
                         ("b@example.org", "ConnectionRefusedError: [Errno 111] Connection refused"),
                         ("c@example.org", "SMTPAuthenticationError: (535, b'bad credentials')"),
                         ("d@example.org", NOT_CONFIGURED_ERROR)]:
        invitation = invite(setting, email)
        db.session.add(MailLog(kind=MailKind.INVITATION, invitation_id=invitation.id, round_id=setting.round.id,
                               language="en", status=MailStatus.FAILED, attempts=1, last_error=error))
    db.session.commit()
    page = coordinator.get(page_url(setting)).get_data(as_text=True)
    reasons = page[page.index("Why mails failed"):]
    assert "2 mails: the mail server did not answer: check MAIL_SERVER and MAIL_PORT" in reasons
    assert "1 mail: the mail server refused the login" in reasons
    assert "1 mail: no mail server was set up (MAIL_SERVER)" in reasons
    assert "Errno" not in page and "ConnectionRefusedError" not in page  # no Python for the coordinator


def test_with_tasks_run_in_process_the_flash_says_what_happened_not_what_might(app, coordinator, setting, monkeypatch):
    def refusing(message, config):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(mail, "deliver", refusing)
    invite(setting, "dana@example.org")
    invite(setting, "gil@example.org")
    db.session.commit()
    press(coordinator, setting, "send", group="")
    page = coordinator.get(page_url(setting)).get_data(as_text=True)
    assert "2 mails could not be sent: the mail table below says why." in page
    assert "on their way" not in page and "mails sent" not in page
    assert "2 mails: the mail server did not answer" in page


def test_the_coordinator_previews_each_mail_in_each_language_and_nothing_is_sent(coordinator, setting, sent_mails):
    page = coordinator.get(page_url(setting)).get_data(as_text=True)
    base = f"{page_url(setting)}/preview"
    for kind in ("invitation", "reminder"):
        for language in ("en", "he", "nl"):
            assert f'href="{base}/{kind}/{language}"' in page
    hebrew = coordinator.get(f"{base}/invitation/he")
    html = hebrew.get_data(as_text=True)
    assert hebrew.status_code == 200 and 'lang="he" dir="rtl"' in html and "/s/EXAMPLE-LINK" in html
    assert "Harbour Quarter" in html  # the subject and the text, as the invitee gets them
    as_mail = coordinator.get(f"{base}/reminder/nl?as=html")
    assert as_mail.status_code == 200 and '<html lang="nl" dir="ltr">' in as_mail.get_data(as_text=True)
    assert "sandbox" in as_mail.headers["Content-Security-Policy"]  # the mail's inline styles, nothing that runs
    assert coordinator.get(f"{base}/invitation/ar").status_code == 404  # not a language of the round
    assert sent_mails == [] and db.session.scalar(select(func.count()).select_from(MailLog)) == 0


def test_a_round_s_own_invitation_words_replace_the_opening_and_keep_the_fixed_parts(coordinator, setting, sent_mails):
    page = coordinator.get(page_url(setting)).get_data(as_text=True)
    saved = coordinator.post(f"{page_url(setting)}/wording", data={
        "csrf_token": csrf_token(page), "text_en": "Dear neighbour,\n\nThe library <b>asks</b> you.",
        "text_he": "", "text_nl": "Beste buur,"})
    assert saved.status_code == 303
    db.session.refresh(setting.round)
    assert setting.round.invitation_texts == {"en": "Dear neighbour,\n\nThe library <b>asks</b> you.",
                                              "nl": "Beste buur,"}
    invite(setting, "dana@example.org", "en")
    invite(setting, "noa@example.org", "he")
    db.session.commit()
    press(coordinator, setting, "send", group="")
    by_address = {message["To"]: message for message in sent_mails}
    english = by_address["dana@example.org"].get_body(("html",)).get_content()
    assert "<p>Dear neighbour,</p>" in english and "The library &lt;b&gt;asks&lt;/b&gt; you." in english
    assert "invites you to take part" not in english  # the standard opening gave way
    assert "anonymous" in english and "/s/" in english and "/unsubscribe/" in english  # the fixed parts stay
    hebrew = by_address["noa@example.org"].get_body(("plain",)).get_content()
    assert "Harbour Quarter" in hebrew  # an empty box keeps the standard words

    too_long = coordinator.post(f"{page_url(setting)}/wording", data={
        "csrf_token": csrf_token(page), "text_en": "x" * 2001, "text_he": "שלום", "text_nl": ""})
    html = too_long.get_data(as_text=True)
    assert too_long.status_code == 400 and "2000" in html and "שלום" in html  # what was typed stays
    db.session.refresh(setting.round)
    assert setting.round.invitation_texts["en"].startswith("Dear neighbour")  # nothing saved half
