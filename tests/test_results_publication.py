"""Results back to citizens: a coordinator publishes what citizens see of a round, and those who
asked on the thank-you page are told once, by a real SMTP server, then forgotten.

The sign-ups are the one place CommonGround keeps an address next to a survey people answered
anonymously; the tests hold it to keeping nothing that could join the two.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import inspect, select

from app import tasks
from app.extensions import db
from app.models import (
    AuditEvent, ResultsPublication, ResultsSubscriber, Role, RoundKind, RoundStatus, utcnow,
)
from app.public import routes as public_routes
from app.services import report_releases, responding, results
from app.services.results import PublicationRefused, ResultsChoices, SignUpRefused
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import csrf_token, log_in
from tests.report_data import publish_report, seed_round
from tests.test_answering_flow import answer_all, submit

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from tests.integration.test_invitation_mail import Inbox, body, free_port  # noqa: E402  the same SMTP inbox

BASE_URL = "http://commonground.test"
INVALID = "Noa at example dot org"


# --- A coordinator publishes ------------------------------------------------------------------


@pytest.fixture
def seeded(app):
    """A round with 51 responses, still open, and its coordinator."""
    data = seed_round()
    make_user("coordinator@example.org", memberships=[(data.round.community, Role.COORDINATOR)])
    db.session.commit()
    return data


def close(survey_round) -> None:
    """Closed, with its final release made as the build after a closing makes it."""
    survey_round.status, survey_round.closed_at = RoundStatus.CLOSED, utcnow()
    report_releases.build_and_release(survey_round.id, utcnow())
    db.session.commit()


def coordinator_client(app):
    client = app.test_client()
    log_in(client, "coordinator@example.org")
    return client


def post_results_form(client, round_id: int, action: str, **fields):
    url = f"/coordinate/rounds/{round_id}/results?lang=en"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), "action": action, **fields})


def test_publishing_is_refused_while_the_round_has_no_release(app, seeded):
    coordinator = make_user("other@example.org")
    db.session.commit()
    with pytest.raises(PublicationRefused) as refused:
        results.publish(seeded.round, coordinator, ResultsChoices(), utcnow())
    assert refused.value.code == "no_release"
    assert results.publication_of(seeded.round) is None

    client = coordinator_client(app)
    page = client.get(f"/coordinate/rounds/{seeded.round.id}/results?lang=en").get_data(as_text=True)
    assert "the round has no release" in page and 'value="publish"' not in page
    response = post_results_form(client, seeded.round.id, "publish", show_needs="y", before_closing="y")
    assert response.status_code == 400
    assert "There is nothing to publish yet" in response.get_data(as_text=True)
    assert not results.is_published(seeded.round)


def test_a_coordinator_publishes_after_closing_with_the_choices_made(app, seeded):
    close(seeded.round)
    client = coordinator_client(app)
    response = post_results_form(
        client, seeded.round.id, "publish", show_needs="y", show_profile="y",  # turnout left out
        note_need_language_en="  Evening  classes start in March. ", note_need_language_he="שיעורי ערב מתחילים במרץ.",
        note_unknown_en="dropped")
    assert response.status_code == 303
    publication = results.publication_of(seeded.round)
    assert publication.published_at is not None and results.is_published(seeded.round)
    assert publication.published_by_id is not None
    assert (publication.show_needs, publication.show_turnout, publication.show_profile) == (True, False, True)
    assert publication.notes == {"need_language": {"en": "Evening classes start in March.",
                                                   "he": "שיעורי ערב מתחילים במרץ."}}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results_published"))
    assert event.round_id == seeded.round.id and event.details["show_turnout"] is False
    assert event.details["notes_on"] == ["need_language"]
    page = client.get(f"/coordinate/rounds/{seeded.round.id}/results?lang=en").get_data(as_text=True)
    assert f"/results/{seeded.round.id}" in page and 'value="withdraw"' in page


def test_before_closing_publishing_asks_for_a_tick_and_shows_the_interim_release(app, seeded):
    publish_report(seeded.round.id)  # the figures so far, as "Publish the figures so far" makes them
    db.session.commit()
    client = coordinator_client(app)
    page = client.get(f"/coordinate/rounds/{seeded.round.id}/results?lang=en").get_data(as_text=True)
    assert "Interim report, published" in page and "The round is still open" in page
    refused = post_results_form(client, seeded.round.id, "publish", show_needs="y")
    assert refused.status_code == 400
    assert "tick this to publish its figures so far" in refused.get_data(as_text=True)
    assert not results.is_published(seeded.round)
    assert post_results_form(client, seeded.round.id, "publish", show_needs="y", before_closing="y").status_code == 303
    assert results.is_published(seeded.round)


def test_choices_and_notes_are_saved_without_publishing(app, seeded):
    client = coordinator_client(app)
    too_long = "x" * (results.MAX_NOTE_LENGTH + 1)
    refused = post_results_form(client, seeded.round.id, "save", show_needs="y", note_need_language_en=too_long)
    assert refused.status_code == 400
    assert too_long in refused.get_data(as_text=True)  # what was typed comes back
    assert results.publication_of(seeded.round) is None

    assert post_results_form(client, seeded.round.id, "save", show_turnout="y",
                             note_need_language_he="בקרוב").status_code == 303
    publication = results.publication_of(seeded.round)
    assert publication.published_at is None
    assert (publication.show_needs, publication.show_turnout, publication.show_profile) == (False, True, False)
    assert publication.notes == {"need_language": {"he": "בקרוב"}}
    page = client.get(f"/coordinate/rounds/{seeded.round.id}/results?lang=en").get_data(as_text=True)
    assert "בקרוב</textarea>" in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "results_choices_saved"))


def test_withdrawing_takes_the_page_down_and_keeps_the_choices(app, seeded):
    close(seeded.round)
    client = coordinator_client(app)
    post_results_form(client, seeded.round.id, "publish", show_needs="y", note_need_language_en="Soon.")
    assert post_results_form(client, seeded.round.id, "withdraw").status_code == 303
    publication = results.publication_of(seeded.round)
    assert publication.published_at is None and not results.is_published(seeded.round)
    assert publication.notes == {"need_language": {"en": "Soon."}} and publication.show_needs
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "results_withdrawn"))


def test_a_named_panel_has_no_results_for_citizens(app, seeded):
    seeded.round.kind = RoundKind.NAMED_PANEL
    db.session.commit()
    client = coordinator_client(app)
    assert client.get(f"/coordinate/rounds/{seeded.round.id}/results").status_code == 404
    with pytest.raises(SignUpRefused):
        results.subscribe(seeded.round, "noa@example.org")


# --- Signing up on the thank-you page ---------------------------------------------------------


@pytest.fixture
def open_round(app):
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he"))
    youth = make_group(community, "youth", name="Young people")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth])
    link = make_link(survey_round)
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    return link


def sign_up(client, link, email: str, lang: str = "en"):
    thanks = client.get(f"/s/{link.token}/thanks?lang={lang}").get_data(as_text=True)
    return client.post(f"/s/{link.token}/notify?lang={lang}",
                       data={"csrf_token": csrf_token(thanks), "email": email})


def stored_sign_ups() -> list[dict]:
    table = ResultsSubscriber.__table__
    return [dict(row._mapping) for row in db.session.execute(select(table))]


def test_the_sign_up_table_has_no_column_that_could_lead_to_a_response(app):
    """Exactly these: a column added later (a time, a language, a response, a cookie) fails here
    until someone has thought about what it could join."""
    columns = {column["name"] for column in inspect(db.engine).get_columns("results_subscribers")}
    assert columns == {"id", "round_id", "email"}


def test_the_thank_you_page_says_when_and_where_results_appear(app, client, open_round):
    survey_round = open_round.round
    survey_round.closes_at = utcnow().replace(year=2031, month=3, day=14, hour=10, minute=0)
    db.session.commit()
    page = client.get(f"/s/{open_round.token}/thanks?lang=en").get_data(as_text=True)
    assert "The results will be published here after the round closes on Mar 14, 2031" in page
    assert f"http://localhost/results/{survey_round.id}" in page
    assert f'action="/s/{open_round.token}/notify?lang=en"' in page

    survey_round.closes_at = None
    db.session.commit()
    page = client.get(f"/s/{open_round.token}/thanks?lang=en").get_data(as_text=True)
    assert "The results will be published here when the round closes" in page


def test_once_results_are_out_the_thank_you_page_links_to_them(app, client, open_round):
    db.session.add(ResultsPublication(round_id=open_round.round_id, published_at=utcnow(), notes={}))
    db.session.commit()
    page = client.get(f"/s/{open_round.token}/thanks?lang=en").get_data(as_text=True)
    assert "The results of this survey are published" in page
    assert f'href="/results/{open_round.round_id}"' in page
    assert 'name="email"' not in page


def test_without_a_mail_server_no_address_is_asked_for(app, client, open_round):
    app.config["MAIL_SERVER"] = None
    page = client.get(f"/s/{open_round.token}/thanks?lang=en").get_data(as_text=True)
    assert "The results will be published here" in page and 'name="email"' not in page


def test_the_sign_up_ignores_who_answered(app, open_round, monkeypatch):
    """One phone has just sent its answers (it holds the resume and done cookies), another has
    answered nothing: what is stored for each cannot tell them apart."""
    answered = app.test_client()
    answer_all(answered, open_round)
    submit(answered, open_round)
    assert any(cookie.key.startswith("cg_resume_") for cookie in answered._cookies.values())
    stranger = app.test_client()
    thanks = answered.get(f"/s/{open_round.token}/thanks?lang=en").get_data(as_text=True)

    def looked_for_the_response(*args, **kwargs):
        raise AssertionError("the sign-up looked for the respondent's response")

    monkeypatch.setattr(responding, "find_by_resume_code", looked_for_the_response)
    monkeypatch.setattr(public_routes, "resume_code_of", looked_for_the_response)
    done = answered.post(f"/s/{open_round.token}/notify?lang=en",
                         data={"csrf_token": csrf_token(thanks), "email": "Noa@Example.org"})
    monkeypatch.undo()  # the thank-you page itself does look: it shows the receipt
    assert done.status_code == 200
    assert "We will write to you once, when the results are published, then delete your address." in \
        done.get_data(as_text=True)
    assert sign_up(stranger, open_round, "dan@example.org").status_code == 200
    assert sign_up(stranger, open_round, "noa@example.org").status_code == 200  # the same address: kept once

    rows = stored_sign_ups()
    assert sorted(row["email"] for row in rows) == ["dan@example.org", "noa@example.org"]
    assert {tuple(sorted(row)) for row in rows} == {("email", "id", "round_id")}
    assert {row["round_id"] for row in rows} == {open_round.round_id}
    assert all(re.fullmatch(r"[0-9a-f]{32}", row["id"]) for row in rows)
    assert len({row["id"] for row in rows}) == 2


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_bad_address_comes_back_with_what_was_typed(app, client, open_round, language):
    response = sign_up(client, open_round, INVALID, lang=language)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'value="{INVALID}"' in html
    # In the page's language: Hebrew once the catalogue has it, the English words until then.
    with app.test_request_context(), force_locale(language):
        message = gettext("This does not look like an email address. Please check it.")
    assert str(escape(message)) in html
    assert f'<html lang="{language}" dir="{"rtl" if language == "he" else "ltr"}"' in html
    assert stored_sign_ups() == []


def test_a_form_left_open_too_long_keeps_the_address(app, client, open_round):
    response = client.post(f"/s/{open_round.token}/notify?lang=en", data={"csrf_token": "stale", "email": "a@b.org"})
    assert response.status_code == 400
    assert 'value="a@b.org"' in response.get_data(as_text=True)
    assert stored_sign_ups() == []


def test_no_sign_up_once_the_results_are_out_and_those_who_asked_were_told(app, client, open_round):
    now = utcnow()
    db.session.add(ResultsPublication(round_id=open_round.round_id, published_at=now - timedelta(minutes=5),
                                      notified_at=now, notes={}))
    db.session.commit()
    welcome = client.get(f"/s/{open_round.token}?lang=en").get_data(as_text=True)  # the thanks page has no form now
    response = client.post(f"/s/{open_round.token}/notify?lang=en",
                           data={"csrf_token": csrf_token(welcome), "email": "late@example.org"})
    assert response.status_code == 409
    assert f'href="/results/{open_round.round_id}"' in response.get_data(as_text=True)
    assert stored_sign_ups() == []


def test_sign_ups_are_rate_limited_like_codes(app, client, open_round):
    app.config["CODE_ATTEMPTS_LIMIT"] = "2 per minute"
    statuses = [sign_up(client, open_round, f"person{n}@example.org").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


# --- Telling them, through a real SMTP server -------------------------------------------------


class RefusingInbox(Inbox):
    """Refuses some addresses every time, counting the tries."""

    def __init__(self, refuse_always: set[str]):
        super().__init__(refuse_once=set())
        self.refuse_always = refuse_always

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_always:
            with self.lock:
                self.refused.append(address)
            return "550 5.1.1 No such user"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def smtp(app):
    inbox = RefusingInbox(refuse_always={"gone@example.org"})
    server = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USERNAME=None,
                      PUBLIC_BASE_URL=BASE_URL, MAIL_DEFAULT_SENDER="Harbour Quarter <results@commonground.test>")
    yield inbox
    server.stop()


def test_publishing_writes_once_to_each_address_then_deletes_it(app, client, open_round, smtp):
    for address in ("noa@example.org", "dan@example.org", "gone@example.org"):
        assert sign_up(client, open_round, address).status_code == 200
    survey_round = open_round.round
    survey_round.title_translations = {"he": "סבב האביב"}
    publish_report(survey_round.id)
    db.session.commit()

    published = post_results_form(coordinator_client(app), survey_round.id, "publish",
                                  show_needs="y", before_closing="y")
    assert published.status_code == 303  # the mails went out in the request (no broker: tasks run in-process)

    received = smtp.received()
    assert sorted(received) == ["dan@example.org", "noa@example.org"]
    assert len(smtp.messages) == 2  # one each
    # Refused on every try: tried once per run, then forgotten after the last.
    assert smtp.refused == ["gone@example.org"] * (tasks.MAIL_MAX_RETRIES + 1)
    message = received["noa@example.org"]
    english, hebrew = message["Subject"].split(" / ")
    assert english == "Harbour Quarter: the results of Spring round" and "סבב האביב" in hebrew
    text = body(message, "plain")
    for language in ("en", "he"):
        assert f"{BASE_URL}/results/{survey_round.id}?lang={language}" in text
        assert f'href="{BASE_URL}/results/{survey_round.id}?lang={language}"' in body(message, "html")
    assert "we delete your address now that it is sent" in text
    assert '<div lang="he" dir="rtl">' in body(message, "html")

    assert stored_sign_ups() == []  # used once, then erased
    assert results.publication_of(survey_round).notified_at is not None
    assert not any("@" in str(event.details) for event in db.session.scalars(select(AuditEvent)))

    tasks.notify_results.delay(survey_round.id)  # again: nobody is left to write to
    assert len(smtp.messages) == 2


def test_a_withdrawn_publication_keeps_the_addresses_for_the_next(app, client, open_round, smtp):
    sign_up(client, open_round, "noa@example.org")
    db.session.add(ResultsPublication(round_id=open_round.round_id, published_at=None, notes={}))
    db.session.commit()
    assert tasks.notify_results.delay(open_round.round_id).get() == "not_published"
    assert smtp.messages == [] and len(stored_sign_ups()) == 1

