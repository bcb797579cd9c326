"""A real Celery worker sends invitation mails to a real SMTP server (aiosmtpd) started here.

The worker is a separate process on Redis and PostgreSQL, configured through the environment as
in production (MAIL_SERVER, MAIL_PORT, PUBLIC_BASE_URL, SECRET_KEY). The SMTP server refuses the
first try of one address, so the retry is seen to happen and to be logged.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Invitation, MailLog, MailStatus, utcnow
from app.services import invitations
from tests.conftest import celery_settings, empty_all_tables, make_app
from tests.factories import load_fixture_bank, make_community, make_group, make_round
from tests.helpers import wait_for
from tests.integration.workers import start_worker

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

BASE_URL = "http://commonground.test"
SECRET = "test-secret"  # the test app's, so that this side can read the worker's unsubscribe links


class Inbox:
    """An aiosmtpd handler that keeps every mail, and refuses some addresses once."""

    def __init__(self, refuse_once: set[str]):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: list[str] = []
        self.refuse_once = set(refuse_once)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.refuse_once:
                self.refuse_once.discard(address)
                self.refused.append(address)
                return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def received(self) -> dict[str, email.message.EmailMessage]:
        with self.lock:
            return {message["To"]: message for message in self.messages}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def body(message, kind: str) -> str:
    return message.get_body((kind,)).get_content()


def test_a_worker_mails_each_invitee_in_their_language_and_retries_a_refused_delivery(on_postgres, redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(on_postgres, tmp_path, REDIS_URL=redis_url, CELERY=celery_settings(redis_url, queue),
                   SECRET_KEY=SECRET, PUBLIC_BASE_URL=BASE_URL)
    inbox = Inbox(refuse_once={"dana@example.org"})
    smtp = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    log_path = tmp_path / "worker.log"
    try:
        with log_path.open("w") as log, app.app_context():
            worker = start_worker(
                on_postgres, redis_url, queue, log, SECRET_KEY=SECRET, MAIL_SERVER="127.0.0.1",
                MAIL_PORT=str(smtp.port), MAIL_USE_TLS="", MAIL_USERNAME="", PUBLIC_BASE_URL=BASE_URL,
                MAIL_DEFAULT_SENDER="Harbour Quarter <survey@commonground.test>")
            try:
                send_and_check(app, inbox, log_path)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
    finally:
        smtp.stop()
        with app.app_context():
            empty_all_tables()
            db.engine.dispose()


def send_and_check(app, inbox: Inbox, log_path) -> None:
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he", "nl"))
    youth = make_group(community, "youth", name="Young people")
    survey = load_fixture_bank()
    survey.title = {**survey.title, "nl": "Een korte vragenlijst"}
    survey_round = make_round(community, survey, groups=[youth])
    parsed = invitations.read_list(survey_round, b"email;language;group\ndana@example.org;he;youth\ndaan@example.org;nl;\n")
    invitations.import_rows(survey_round, parsed.rows)
    log_ids = invitations.queue_invitations(survey_round.id, now=utcnow())
    db.session.commit()
    assert len(log_ids) == 2
    for log_id in log_ids:  # one task per mail
        app.extensions["celery"].send_task("app.tasks.send_invitation_mail", args=[log_id])

    assert wait_for(lambda: len(inbox.received()) == 2), (
        f"mails received: {list(inbox.received())}\n" + log_path.read_text())
    invited = {i.email: i for i in db.session.scalars(select(Invitation))}
    hebrew, dutch = inbox.received()["dana@example.org"], inbox.received()["daan@example.org"]

    assert hebrew["Content-Language"] == "he" and dutch["Content-Language"] == "nl"
    assert hebrew["Subject"] == "הזמנה מ־Harbour Quarter: סקר קצר"
    assert dutch["Subject"] == "Harbour Quarter nodigt je uit: Een korte vragenlijst"
    assert "זה לוקח בערך 3 דקות." in body(hebrew, "plain")
    assert "Het duurt ongeveer 3 minuten." in body(dutch, "plain")
    assert '<html lang="he" dir="rtl">' in body(hebrew, "html")
    for message, address, language in ((hebrew, "dana@example.org", "he"), (dutch, "daan@example.org", "nl")):
        text = body(message, "plain")
        assert f"{BASE_URL}/s/{invited[address].link.token}?lang={language}" in text
        assert f'href="{BASE_URL}/s/{invited[address].link.token}?lang={language}"' in body(message, "html")
        token = re.search(rf"{re.escape(BASE_URL)}/unsubscribe/([\w.-]+)\?lang={language}", text).group(1)
        assert invitations.invitation_for_token(token).id == invited[address].id
        assert message["List-Unsubscribe"].strip() == f"<{BASE_URL}/unsubscribe/{token}?lang={language}>"

    def both_logged_sent() -> bool:
        db.session.expire_all()
        return all(db.session.get(MailLog, log_id).status is MailStatus.SENT for log_id in log_ids)

    assert wait_for(both_logged_sent, timeout=15), log_path.read_text()
    logs = {db.session.get(MailLog, log_id).invitation_id: db.session.get(MailLog, log_id) for log_id in log_ids}
    retried, direct = logs[invited["dana@example.org"].id], logs[invited["daan@example.org"].id]
    assert inbox.refused == ["dana@example.org"]
    assert retried.attempts == 2 and "SMTPRecipientsRefused" in retried.last_error
    assert "dana@" not in retried.last_error  # the log names no address
    assert direct.attempts == 1 and direct.last_error is None
    assert all(invitation.invited_at is not None for invitation in invited.values())
    assert "Retry in 5s" in log_path.read_text()
