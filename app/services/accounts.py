"""Accounts: the password rule, password changes and resets, and who holds which role where.

Views, tasks and the CLI call these. They flush and never commit: the caller commits once.

A reset link (and the link in the "account" mail of a new member) is a signed token, not a
stored row: it carries the user's id and a fingerprint of the current password hash, signed
with the SECRET_KEY and a timestamp. Setting a password changes the hash, so the link works
once; the timestamp makes it work for PASSWORD_RESET_HOURS only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Community, Login, MailKind, MailLog, MailStatus, Membership, Role, User, utcnow
from app.services import audit, mail

MIN_PASSWORD_LENGTH = 10
RESET_SALT = "password-reset"

# Passwords long enough for the length rule that are still among the first few tried by anyone
# guessing. A short list on purpose: it catches the obvious, the length rule does the rest.
COMMON_PASSWORDS = frozenset({
    "0000000000", "0123456789", "0987654321", "1111111111", "1234567890", "12345678910",
    "123456789a", "123456789q", "1234512345", "1234567891", "1q2w3e4r5t", "1qaz2wsx3edc",
    "a123456789", "aaaaaaaaaa", "abc1234567", "abcd123456", "abcdefghij", "administrator",
    "admin12345", "admin123456", "asdfghjkl1", "asdfghjkl;", "baseball12", "changeme123",
    "commonground", "commonground1", "correcthorsebatterystaple", "correct horse battery staple",
    "dragon1234", "football12", "football123", "iloveyou12", "iloveyou123", "letmein123",
    "monkey1234", "p@ssw0rd12", "p@ssw0rd123", "passw0rd12", "passw0rd123", "password01",
    "password10", "password11", "password12", "password123", "password1234", "password2024",
    "password2025", "password2026", "princess12", "q1w2e3r4t5", "qazwsxedc1", "qazwsxedcrfv",
    "qwerty1234", "qwerty12345", "qwerty123456", "qwertyuiop", "qwertyuiop1", "starwars12",
    "sunshine12", "superman12", "trustno123", "welcome123", "welcome1234", "zaq12wsxcde",
})

ROLE_LABELS = {
    Role.ADMIN: _l("Admin"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.STAKEHOLDER: _l("Stakeholder (reads reports)"),
}


# --- The password rule ------------------------------------------------------------------------


def password_problem(password: str, email: str | None = None) -> LazyString | None:
    """What is wrong with `password` for the account `email`, or None if it is acceptable.

    The one rule for every place a password is chosen (web forms and `flask users create`).
    The message is a lazy translation: str() it in the reader's language.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    folded = password.strip().casefold()
    if email:
        address = email.strip().casefold()
        if folded in {address, address.partition("@")[0]}:
            return _l("Do not use your email address as your password.")
    if folded in COMMON_PASSWORDS or " ".join(folded.split()) in COMMON_PASSWORDS:
        return _l("This password is one of the first that anyone guessing would try. Choose another.")
    return None


def normalized_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account for an address, whatever the case it was typed in."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalized_email(email)))


def set_password(user: User, password: str) -> None:
    """Callers check password_problem() first; changing the hash voids every reset link, and
    ends every login of the account (a device that should go on logs in again: begin_login)."""
    user.set_password(password)
    end_logins(user)
    db.session.flush()


# --- Logins: one per device, kept on the server -----------------------------------------------


def begin_login(user: User, remember: bool) -> str:
    """Start a login for `user` (its token is what the session and the remember cookie will
    hold: user.get_id()); the token."""
    token = secrets.token_urlsafe(32)
    db.session.add(Login(user_id=user.id, token_hash=login_token_hash(token), remember=remember))
    db.session.flush()
    user.login_token = token
    return token


def user_of_login(token: str) -> User | None:
    """The active user whose login this token is, if the login has not ended."""
    login = db.session.scalar(select(Login).where(Login.token_hash == login_token_hash(token),
                                                  Login.ended_at.is_(None)))
    if login is None:
        return None
    user = db.session.get(User, login.user_id)
    if user is None or not user.active:
        return None
    user.login_token = token
    return user


def end_login(token: str | None) -> None:
    """Log one device out: its session and remember cookie, and any copy of them, open nothing."""
    if token:
        db.session.execute(update(Login).where(Login.token_hash == login_token_hash(token), Login.ended_at.is_(None))
                           .values(ended_at=utcnow()))


def end_logins(user: User) -> None:
    """Log the account out everywhere (a new password, deactivation)."""
    db.session.execute(update(Login).where(Login.user_id == user.id, Login.ended_at.is_(None)).values(ended_at=utcnow()))


def deactivate(user: User) -> None:
    """The account can no longer log in, and every login it has ends now."""
    user.active = False
    end_logins(user)
    db.session.flush()


def device_cookie(email: str) -> str:
    """A device's proof that it has logged in to this address before: a random device id,
    signed with the address (so it vouches for that account only)."""
    device = secrets.token_urlsafe(12)
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="login-device").sign(
        f"{device}:{normalized_email(email)}").decode()


def known_device(cookie: str | None, email: str, max_days: int = 180) -> str | None:
    """The device id, if the cookie is one we signed for this address (and not too old)."""
    if not cookie:
        return None
    try:
        value = TimestampSigner(current_app.config["SECRET_KEY"], salt="login-device").unsign(
            cookie, max_age=max_days * 24 * 3600).decode()
    except BadData:
        return None
    device, _, address = value.partition(":")
    return device if address == normalized_email(email) else None


def login_token_hash(token: str) -> str:
    """Tokens are kept as keyed hashes: a copy of the database opens no session."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


# --- Reset links ------------------------------------------------------------------------------


class ResetLinkExpired(Exception):
    """The link is older than PASSWORD_RESET_HOURS."""


class ResetLinkInvalid(Exception):
    """The link was used already (the password changed since), is incomplete, or its account is gone."""


class _ClockedSigner(TimestampSigner):
    """A timestamp signer whose clock can be set, so tests (and callers) can pass `now`."""

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp()) if self.now is not None else super().get_timestamp()


def _serializer(now: datetime | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT,
                                  signer=_ClockedSigner, signer_kwargs={"now": now})


def reset_token(user: User, now: datetime | None = None) -> str:
    return _serializer(now).dumps({"user": user.id, "mark": user.password_mark()})


def user_for_reset_token(token: str, now: datetime | None = None) -> User:
    """The account a reset link is for; raises ResetLinkExpired or ResetLinkInvalid."""
    max_age = current_app.config["PASSWORD_RESET_HOURS"] * 3600
    try:
        payload = _serializer(now).loads(token, max_age=max_age)
    except SignatureExpired as expired:
        raise ResetLinkExpired() from expired
    except BadData as bad:
        raise ResetLinkInvalid() from bad
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        raise ResetLinkInvalid()
    user = db.session.get(User, payload["user"])
    if user is None or not user.active:
        raise ResetLinkInvalid()
    if not hmac.compare_digest(str(payload.get("mark", "")), user.password_mark()):
        raise ResetLinkInvalid()  # the password changed since: the link has done its work
    return user


def reset_url(user: User, config: Mapping[str, Any], now: datetime | None = None) -> str:
    return config["PUBLIC_BASE_URL"].rstrip("/") + "/auth/reset/" + reset_token(user, now)


# --- Account mails ----------------------------------------------------------------------------


def mail_language(user: User, asked_in: str) -> str:
    """The user's own language if they chose one, else the language of the page that asked."""
    languages = current_app.config["LANGUAGES"]
    if user.locale in languages:
        return user.locale
    return asked_in if asked_in in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_account_mail(user: User, kind: MailKind, asked_in: str) -> MailLog:
    """A mail log row for app.tasks.send_account_mail to send once the caller has committed."""
    log = MailLog(kind=kind, user_id=user.id, language=mail_language(user, asked_in),
                  status=MailStatus.QUEUED)
    db.session.add(log)
    db.session.flush()
    return log


def request_password_reset(email: str, asked_in: str) -> MailLog | None:
    """Queue a reset mail if the address belongs to an active account; None otherwise.

    The page answers the same either way, so nobody learns which addresses have accounts.
    """
    user = find_user(email)
    if user is None or not user.active:
        return None
    return queue_account_mail(user, MailKind.PASSWORD_RESET, asked_in)


def send_account_mail(mail_log_id: int, config: Mapping[str, Any], *, final_attempt: bool) -> MailStatus:
    """Send a password-reset or account mail and note the outcome on its log row.

    Returns the row's status: SENT, SKIPPED (no such active account any more), FAILED (the
    mail server failed on the final attempt) or QUEUED (it failed, try again later). A row
    already sent is not sent twice, so a task delivered twice mails once.
    """
    log = db.session.get(MailLog, mail_log_id)
    if log is None:
        return MailStatus.SKIPPED
    if log.status is not MailStatus.QUEUED:
        return log.status
    user = db.session.get(User, log.user_id) if log.user_id else None
    if user is None or not user.active:
        log.status = MailStatus.SKIPPED
        db.session.flush()
        return log.status
    message = account_message(log, user, config)
    log.attempts += 1
    try:
        mail.deliver(message, config)
    except (OSError, smtplib.SMTPException) as error:
        # Without a mail server, trying again cannot help: the first failure is the last.
        note_failure(log, error, final=final_attempt or isinstance(error, mail.MailNotConfigured))
    else:
        log.status, log.sent_at, log.last_error = MailStatus.SENT, utcnow(), None
    db.session.flush()
    return log.status


def note_failure(log: MailLog, error: Exception, *, final: bool) -> None:
    log.last_error = f"{type(error).__name__}: {error}"[:300]
    if final:
        log.status = MailStatus.FAILED
    db.session.flush()


def give_up_on(mail_log_id: int, error: Exception) -> None:
    """Mark a mail FAILED after an error that another try would not cure (a bug, not the server)."""
    log = db.session.get(MailLog, mail_log_id)
    if log is not None and log.status is MailStatus.QUEUED:
        note_failure(log, error, final=True)


def account_message(log: MailLog, user: User, config: Mapping[str, Any]) -> EmailMessage:
    """The mail itself, with a link made now (so its hours count from sending)."""
    template = "password_reset" if log.kind is MailKind.PASSWORD_RESET else "account"
    access = [(m.community.name, ROLE_LABELS[m.role])
              for m in sorted(user.memberships, key=lambda m: m.community.name)]
    subject, text, html = mail.render(
        template, log.language, user=user, link=reset_url(user, config), access=access,
        hours=config["PASSWORD_RESET_HOURS"],
        base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
    )
    return mail.build_message(sender=config["MAIL_DEFAULT_SENDER"], to=user.email, subject=subject,
                              text=text, html=html, language=log.language)


# --- Members of a community -------------------------------------------------------------------


class MemberError(Exception):
    """A change to a community's members that cannot be made; `message` says why (translated)."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class NoSuchMember(LookupError):
    """No such membership in this community (any more)."""


@dataclass
class AddedMember:
    membership: Membership
    new_account: bool
    account_mail: MailLog | None  # send it once the caller has committed


def memberships_of(community: Community) -> list[Membership]:
    """The community's members: admins first, then coordinators, then stakeholders, by name."""
    order = {Role.ADMIN: 0, Role.COORDINATOR: 1, Role.STAKEHOLDER: 2}
    rows = db.session.scalars(
        select(Membership).join(User).where(Membership.community_id == community.id)
    ).all()
    return sorted(rows, key=lambda m: (order[m.role], m.user.name.casefold(), m.user.email))


def add_member(community: Community, email: str, role: Role, *, name: str = "", actor_id: int,
               asked_in: str) -> AddedMember:
    """Give an address a role in the community; an address without an account gets one.

    A new account has a random password nobody knows: its "account" mail carries a link to
    choose one (the same kind of link as a password reset).
    """
    email = normalized_email(email)
    user = find_user(email)
    if user is not None and user.role_in(community.id) is not None:
        raise MemberError(_l("%(email)s has access already: change their role in the list.", email=email))
    new_account = user is None
    if user is None:
        user = User(email=email, name=name.strip() or email.partition("@")[0])
        user.set_password(secrets.token_urlsafe(32))
        db.session.add(user)
    membership = Membership(user=user, community=community, role=role)
    db.session.add(membership)
    db.session.flush()
    account_mail = queue_account_mail(user, MailKind.ACCOUNT, asked_in) if new_account else None
    audit.record("member_added", community_id=community.id, user_id=actor_id, member_id=user.id,
                 email=user.email, role=role.value, new_account=new_account)
    return AddedMember(membership, new_account, account_mail)


def change_role(community: Community, membership_id: int, role: Role, *, actor_id: int) -> Membership:
    membership = _locked_membership(community, membership_id)
    if membership.role is role:
        return membership
    _keep_an_admin(community, membership, leaving=role is not Role.ADMIN)
    previous, membership.role = membership.role, role
    db.session.flush()
    audit.record("member_role_changed", community_id=community.id, user_id=actor_id,
                 member_id=membership.user_id, email=membership.user.email, role=role.value,
                 previous_role=previous.value)
    return membership


def remove_member(community: Community, membership_id: int, *, actor_id: int) -> None:
    """Take away the person's access to the community; their account stays."""
    membership = _locked_membership(community, membership_id)
    _keep_an_admin(community, membership, leaving=True)
    audit.record("member_removed", community_id=community.id, user_id=actor_id,
                 member_id=membership.user_id, email=membership.user.email, role=membership.role.value)
    db.session.delete(membership)
    db.session.flush()


def _locked_membership(community: Community, membership_id: int) -> Membership:
    """The membership, read after locking the community's row.

    Two admins demoting each other at the same moment would otherwise both see two admins and
    both succeed; the lock makes the second wait and then see the first's change.
    """
    db.session.execute(select(Community.id).where(Community.id == community.id).with_for_update())
    membership = db.session.get(Membership, membership_id, populate_existing=True)
    if membership is None or membership.community_id != community.id:
        raise NoSuchMember(membership_id)
    return membership


def _keep_an_admin(community: Community, membership: Membership, *, leaving: bool) -> None:
    """Refuse to take away the last admin of a community (nobody could manage it any more)."""
    if not leaving or membership.role is not Role.ADMIN:
        return
    admins = db.session.scalar(
        select(func.count()).select_from(Membership)
        .where(Membership.community_id == community.id, Membership.role == Role.ADMIN)
    )
    if admins <= 1:
        raise MemberError(_l(
            "%(name)s is the only admin of %(community)s. Make someone else admin first.",
            name=membership.user.name, community=community.name))
