"""Accounts: the password rule, changing and resetting a password, and sessions that end."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from app import tasks
from app.extensions import db
from app.models import MailKind, MailLog, MailStatus, Role, User, utcnow
from app.services import accounts, mail
from tests.factories import make_community, make_user
from tests.helpers import PASSWORD, csrf_token, log_in

EMAIL = "noa@example.org"
NEW_PASSWORD = "river stones at dusk"
RESET_LINK = re.compile(r"https?://[^/\s]+(/auth/reset/[\w.-]+)")


@pytest.fixture
def noa(app):
    community = make_community("harbour")
    user = make_user(EMAIL, memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    return user


@pytest.fixture
def outbox(monkeypatch):
    """Mails handed to the SMTP server, kept here instead (a unit-level stand-in)."""
    sent = []
    monkeypatch.setattr(mail, "deliver", lambda message, config: sent.append(message))
    return sent


def reset_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    path = RESET_LINK.search(text).group(1)
    assert path in html
    return path


def post_form(client, url: str, data: dict, page_url: str | None = None):
    """POST `data` with the CSRF token of the page at `page_url` (default: `url`)."""
    page = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def cookie_lifetime(client, name: str) -> timedelta:
    cookie = client.get_cookie(name)
    assert cookie is not None and cookie.expires is not None, f"{name} is not a lasting cookie"
    return cookie.expires - datetime.now(UTC)


def within_a_minute(actual: timedelta, expected_seconds: int) -> bool:
    return abs(actual.total_seconds() - expected_seconds) < 60


# --- The password rule ------------------------------------------------------------------------


@pytest.mark.parametrize("password, refused_because", [
    ("nine char", "at least 10 characters"),
    (EMAIL, "your email address"),
    ("NOA@Example.org", "your email address"),
    ("noa@example.org".partition("@")[0] + "1234567", None),  # containing the name is fine
    ("password123", "anyone guessing"),
    ("QwertyUiop", "anyone guessing"),
    ("correct  horse battery staple", "anyone guessing"),
    ("ten chars!", None),
    (NEW_PASSWORD, None),
])
def test_one_password_rule_for_every_form(app, password, refused_because):
    with force_locale("en"):
        problem = accounts.password_problem(password, EMAIL)
        if refused_because is None:
            assert problem is None
        else:
            assert refused_because in str(problem)


# --- Changing one's password ------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(client, noa):
    log_in(client, EMAIL)
    response = post_form(client, "/auth/password", {
        "current_password": "not my password", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This is not your current password." in html
    assert "Please check the following" in html  # the summary at the top too
    assert NEW_PASSWORD not in html and "not my password" not in html  # never sent back
    assert db.session.get(User, noa.id).check_password(PASSWORD)


@pytest.mark.parametrize("new, again, message", [
    ("too short", "too short", "at least 10 characters"),
    (EMAIL, EMAIL, "Do not use your email address"),
    ("password1234", "password1234", "anyone guessing"),
    (NEW_PASSWORD, NEW_PASSWORD + "!", "not the same"),
])
def test_a_weak_or_mistyped_new_password_is_refused(client, noa, new, again, message):
    log_in(client, EMAIL)
    response = post_form(client, "/auth/password", {
        "current_password": PASSWORD, "new_password": new, "new_password_again": again})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.get(User, noa.id).check_password(PASSWORD)


def test_a_changed_password_is_the_one_that_logs_in(client, app, noa):
    log_in(client, EMAIL)
    response = post_form(client, "/auth/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Your new password is saved" in client.get(response.headers["Location"]).get_data(as_text=True)
    other = app.test_client()
    assert log_in(other, EMAIL, PASSWORD).status_code == 400
    assert log_in(other, EMAIL, NEW_PASSWORD).status_code == 302


def test_a_new_password_logs_out_the_other_sessions_but_not_this_one(client, app, noa):
    phone = app.test_client()
    log_in(phone, EMAIL)
    log_in(client, EMAIL)
    post_form(client, "/auth/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert client.get("/coordinate/").status_code == 200
    assert phone.get("/coordinate/").status_code == 302


def log_in_to_stay(client) -> None:
    """Log in with "Keep me logged in on this device" ticked."""
    page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD,
                                     "remember": "y"})


def test_a_new_password_ends_keep_me_logged_in_elsewhere_but_renews_it_here(client, app, noa):
    phone = app.test_client()
    log_in_to_stay(phone)
    log_in_to_stay(client)
    post_form(client, "/auth/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    # Both browsers were closed: only their remember cookies are left.
    phone.delete_cookie("session")
    client.delete_cookie("session")
    assert phone.get("/coordinate/").status_code == 302  # a lost phone's cookie no longer opens it
    assert phone.get_cookie("remember_token") is None  # and is cleared, not tried again and again
    assert client.get("/coordinate/").status_code == 200  # this device's cookie was renewed


def test_the_password_page_needs_a_login(client, noa):
    assert client.get("/auth/password").status_code == 302


# --- Resetting a forgotten password -----------------------------------------------------------


def ask_for_reset(client, email: str, **request_args):
    page = client.get("/auth/reset", **request_args).get_data(as_text=True)
    return client.post("/auth/reset", data={"csrf_token": csrf_token(page), "email": email}, **request_args)


def test_a_reset_link_sets_a_new_password_once(client, app, noa, outbox):
    answer = ask_for_reset(client, "Noa@Example.org")
    assert answer.status_code == 200
    assert [m["To"] for m in outbox] == [EMAIL]
    log = db.session.scalar(select(MailLog))
    assert (log.kind, log.status, log.attempts, log.user_id) == (MailKind.PASSWORD_RESET, MailStatus.SENT, 1, noa.id)
    path = reset_path(outbox[0])
    assert outbox[0]["Subject"] == "Choose a new password for CommonGround"

    form = client.get(path)
    assert form.status_code == 200 and EMAIL in form.get_data(as_text=True)
    weak = post_form(client, path, {"new_password": "password123", "new_password_again": "password123"})
    assert weak.status_code == 400 and "anyone guessing" in weak.get_data(as_text=True)

    done = post_form(client, path, {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    assert log_in(app.test_client(), EMAIL, NEW_PASSWORD).status_code == 302

    used = client.get(path)
    assert used.status_code == 400
    html = used.get_data(as_text=True)
    assert "used already" in html and 'href="/auth/reset"' in html  # a way to ask again


def test_a_reset_link_stops_working_when_the_password_changes_otherwise(client, noa):
    path = "/auth/reset/" + accounts.reset_token(noa)
    assert client.get(path).status_code == 200
    accounts.set_password(noa, NEW_PASSWORD)
    db.session.commit()
    assert client.get(path).status_code == 400


def test_a_reset_link_expires_after_the_configured_hours(client, app, noa):
    hours = app.config["PASSWORD_RESET_HOURS"]
    fresh_enough = accounts.reset_token(noa, now=utcnow() - timedelta(hours=hours) + timedelta(minutes=5))
    too_old = accounts.reset_token(noa, now=utcnow() - timedelta(hours=hours, minutes=5))
    assert client.get("/auth/reset/" + fresh_enough).status_code == 200
    expired = client.get("/auth/reset/" + too_old)
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)
    with pytest.raises(accounts.ResetLinkExpired):
        accounts.user_for_reset_token(fresh_enough, now=utcnow() + timedelta(minutes=10))
    # posting to an expired link changes nothing
    post_form(client, "/auth/reset/" + too_old, {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
              page_url="/auth/reset")
    assert db.session.get(User, noa.id).check_password(PASSWORD)


def test_a_tampered_or_foreign_link_is_refused(client, noa):
    token = accounts.reset_token(noa)
    assert client.get("/auth/reset/" + token[:-3] + "abc").status_code == 400
    assert client.get("/auth/reset/nonsense").status_code == 400
    noa.active = False
    db.session.commit()
    assert client.get("/auth/reset/" + token).status_code == 400  # a switched-off account


def test_asking_for_an_unknown_address_answers_exactly_the_same(client, noa, outbox):
    known = ask_for_reset(client, EMAIL)
    unknown = ask_for_reset(client, "nobody@example.org")
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(outbox) == 1
    assert db.session.scalar(select(MailLog.user_id)) == noa.id


def test_a_mistyped_address_gets_a_message_and_keeps_what_was_typed(client, noa):
    answer = ask_for_reset(client, "noa at example")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'value="noa at example"' in html and 'class="error"' in html


def test_the_mail_is_in_the_users_language_else_the_pages(client, noa, outbox):
    ask_for_reset(client, EMAIL, query_string={"lang": "he"})
    noa.locale = "nl"
    db.session.commit()
    ask_for_reset(client, EMAIL, query_string={"lang": "he"})
    html = [m.get_body(("html",)).get_content() for m in outbox]
    assert 'lang="he" dir="rtl"' in html[0] and 'lang="nl" dir="ltr"' in html[1]
    assert [log.language for log in db.session.scalars(select(MailLog).order_by(MailLog.id))] == ["he", "nl"]


def test_asking_is_limited_per_address(client, noa, outbox):
    answers = [ask_for_reset(client, EMAIL, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code
               for n in range(1, 5)]
    assert answers == [200, 200, 200, 429]  # from four clients: the address's inbox is spared
    assert len(outbox) == 3
    assert "Too many requests" in ask_for_reset(client, "Noa@example.org ").get_data(as_text=True)


def test_guessing_a_password_is_limited_per_address_and_a_right_login_does_not_count(client, app, noa):
    for _ in range(5):
        assert log_in(app.test_client(), EMAIL).status_code == 302  # right logins: not counted
    guesses = [log_in(app.test_client(), " noa@EXAMPLE.org", f"guess-{n}",
                      environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code for n in range(11)]
    assert guesses == [400] * 10 + [429]  # from eleven clients, at one address
    page = log_in(app.test_client(), EMAIL, environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert page.status_code == 429 and "Please wait a moment" in page.get_data(as_text=True)


def test_guessing_passwords_is_limited_per_client(client, app, noa):
    guesses = [log_in(client, f"someone{n}@example.org", "wrong").status_code for n in range(11)]
    assert guesses == [400] * 10 + [429]
    assert log_in(app.test_client(), EMAIL, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_asking_is_limited_per_client(client, app, noa):
    answers = [ask_for_reset(client, f"someone{n}@example.org").status_code for n in range(6)]
    assert answers == [200] * 5 + [429]  # five a minute from one client, whatever the addresses
    assert ask_for_reset(app.test_client(), "fresh@example.org",
                         environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200


def test_a_mail_server_that_keeps_failing_is_retried_then_noted(client, noa, monkeypatch):
    def refuse(message, config):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail, "deliver", refuse)
    answer = ask_for_reset(client, EMAIL)
    assert answer.status_code == 200  # the person is not shown an error
    log = db.session.scalar(select(MailLog))
    assert (log.status, log.attempts) == (MailStatus.FAILED, 6)  # the first try and five retries
    assert "mail server down" in log.last_error


def test_a_reset_asked_while_the_broker_is_down_is_answered_as_usual_and_noted_as_not_sent(
        client, noa, outbox, broker_down):
    answer = ask_for_reset(client, EMAIL)
    assert answer.status_code == 200  # the same page as always: the person can simply ask again
    log = db.session.scalar(select(MailLog))
    assert log.status is MailStatus.FAILED and log.last_error.startswith("not queued")
    assert outbox == []


def test_the_task_sends_a_mail_once_and_skips_switched_off_accounts(app, noa, outbox):
    log = accounts.request_password_reset(EMAIL, "en")
    db.session.commit()
    tasks.send_account_mail.delay(log.id)
    tasks.send_account_mail.delay(log.id)  # delivered twice by the broker: mailed once
    assert len(outbox) == 1
    second = accounts.request_password_reset(EMAIL, "en")
    noa.active = False
    db.session.commit()
    tasks.send_account_mail.delay(second.id)
    db.session.expire_all()
    assert db.session.get(MailLog, second.id).status is MailStatus.SKIPPED
    assert len(outbox) == 1


def test_a_mail_that_cannot_be_made_is_marked_failed_at_once(app, noa, outbox, monkeypatch):
    def broken(log, user, config):
        raise KeyError("a template bug")

    monkeypatch.setattr(accounts, "account_message", broken)
    log = accounts.request_password_reset(EMAIL, "en")
    db.session.commit()
    with pytest.raises(KeyError):
        tasks.send_account_mail.delay(log.id)
    db.session.expire_all()
    failed = db.session.get(MailLog, log.id)
    assert failed.status is MailStatus.FAILED and "a template bug" in failed.last_error
    assert outbox == []


# --- Sessions ---------------------------------------------------------------------------------


def test_a_login_lasts_the_session_lifetime_and_no_longer(client, app, noa, monkeypatch):
    log_in(client, EMAIL)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    assert within_a_minute(cookie_lifetime(client, "session"), lifetime)
    assert client.get_cookie("remember_token") is None
    assert client.get("/coordinate/").status_code == 200

    # The server does not take the browser's word for it: a cookie older than the lifetime
    # is refused even if it is sent.
    later = int(time.time()) + lifetime + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get("/coordinate/").status_code == 302


def test_keep_me_logged_in_outlives_the_session(client, app, noa):
    page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD,
                                     "remember": "y"})
    remember = int(app.config["REMEMBER_COOKIE_DURATION"])
    assert within_a_minute(cookie_lifetime(client, "remember_token"), remember)
    client.delete_cookie("session")  # the browser was closed, or the session ran out
    assert client.get("/coordinate/").status_code == 200
    # from another network too: "basic" session protection keeps it
    assert client.get("/coordinate/", environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 200


def test_a_switched_off_account_is_logged_out_at_its_next_request(client, app, noa):
    page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD,
                                     "remember": "y"})
    assert client.get("/coordinate/").status_code == 200
    noa.active = False
    db.session.commit()
    assert client.get("/coordinate/").status_code == 302
    assert client.get_cookie("remember_token") is None
    noa.active = True  # switched on again: they log in again, the old session does not come back
    db.session.commit()
    assert client.get("/coordinate/").status_code == 302


def test_a_login_starts_a_new_session(client, app, noa):
    client.get("/auth/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    planted_cookie = client.get_cookie("session").value
    log_in(client, EMAIL)
    with client.session_transaction() as after:
        assert "planted" not in after and after.permanent
    someone_else = app.test_client()
    someone_else.set_cookie("session", planted_cookie)
    assert someone_else.get("/coordinate/").status_code == 302  # the old cookie did not log in


def test_a_deleted_account_is_logged_out(client, noa):
    log_in(client, EMAIL)
    db.session.delete(db.session.get(User, noa.id))
    db.session.commit()
    assert client.get("/coordinate/").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


# --- CSRF on every account form ---------------------------------------------------------------


@pytest.mark.parametrize("url, logged_in", [
    ("/auth/login", False),
    ("/auth/logout", True),
    ("/auth/password", True),
    ("/auth/reset", False),
    ("token", False),
])
def test_every_account_form_refuses_a_post_without_its_csrf_token(client, noa, url, logged_in):
    if logged_in:
        log_in(client, EMAIL)
    if url == "token":
        url = "/auth/reset/" + accounts.reset_token(noa)
    data = {"email": EMAIL, "password": PASSWORD, "current_password": PASSWORD,
            "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Please press again" in response.get_data(as_text=True)
    assert db.session.get(User, noa.id).check_password(PASSWORD)
    assert db.session.scalar(select(MailLog)) is None


def test_without_a_mail_server_nobody_is_promised_a_mail_that_will_never_arrive(app, client):
    from tests.helpers import csrf_token

    app.config["MAIL_SERVER"] = None
    page = client.get("/auth/reset")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot send mail yet" in html and 'name="email"' not in html
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))  # a form sent from an older page
    refused = client.post("/auth/reset", data={"csrf_token": token, "email": "noa@example.org"})
    assert refused.status_code == 409 and "cannot send mail yet" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MailLog)) == 0
