"""Personal invitations to a round: import a list, queue invitation and reminder mails, write
each mail, unsubscribe, and erase contact details once the round is long closed.

Flushes, never commits: the view or the task commits once. An import adds every invitation
and its link in one flush, so a failure leaves nothing half-written once the caller rolls back.

A mail is one MailLog row and one task (app.tasks.send_invitation_mail); the log names the
invitation, never the address. An invitation counts as invited once its mail went out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from babel import Locale
from app.domain.dates import moment_text
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from app.domain.mail_failures import FailureReason, reasons_counted
from app.domain.invitation_csv import Existing, GroupChoice, InvitationRow, ParsedList, parse_invitation_list
from app.extensions import db
from app.models import (
    AccessLink,
    Group,
    Invitation,
    LinkKind,
    MailKind,
    MailLog,
    MailStatus,
    Round,
    RoundStatus,
)
from app.services import audit, mail

MAX_REMINDERS = 2
# A reminder goes to people invited (or last reminded) at least this long ago.
REMINDER_GAP = timedelta(days=1)
# A mail still queued after this long is taken for lost (a worker died): it may be queued again.
# Longer than every retry of a task together (see app.tasks.mail_retry_countdown).
STALE_QUEUED = timedelta(hours=2)
UNSUBSCRIBE_SALT = "unsubscribe"
TEMPLATES = {MailKind.INVITATION: "invitation", MailKind.REMINDER: "reminder"}
# SMTP errors quote addresses ("550 <noa@...>: no such user"); the log must name none.
ADDRESS_IN_TEXT = re.compile(r"[^\s'\"<>(),:;\[\]]+@[^\s'\"<>(),:;\[\]]+")


class InvitationError(ValueError):
    """Something the round's state does not allow now; `code` names it for the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- Importing a list -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def read_list(survey_round: Round, data: bytes, language: str = "en") -> ParsedList:
    """The uploaded file checked against the round: its languages, groups and invitations.
    Messages name groups as the pages shown in `language` do."""
    return parse_invitation_list(
        data, languages=survey_round.languages, groups=group_choices(survey_round, language),
        existing=existing_invitations(survey_round.id), names_required=survey_round.is_panel,
    )


def group_choices(survey_round: Round, language: str) -> list[GroupChoice]:
    """The round's groups by every name they have in the community's languages."""
    return [GroupChoice(group.key, (group.name, *group.name_translations.values()), group.display_name(language))
            for group in survey_round.groups]


def existing_invitations(round_id: int) -> dict[str, Existing]:
    rows = db.session.execute(
        select(Invitation.email, Invitation.language, Group.key, AccessLink.used_at, Invitation.name)
        .join(AccessLink, Invitation.access_link_id == AccessLink.id)
        .outerjoin(Group, Invitation.group_id == Group.id)
        .where(Invitation.round_id == round_id, Invitation.email.is_not(None))
    )
    return {email: Existing(language, group_key, answered=used_at is not None, name=name)
            for email, language, group_key, used_at, name in rows}


def rater_of(link: AccessLink) -> str | None:
    """The name a named panel's rater was invited with (their ratings are shown with it)."""
    return db.session.scalar(select(Invitation.name).where(Invitation.access_link_id == link.id))


def import_rows(survey_round: Round, rows: Sequence[InvitationRow], user_id: int | None = None) -> ImportSummary:
    """New invitations (each with its personal link) and updates of existing ones, in one flush."""
    group_ids = {group.key: group.id for group in survey_round.groups}
    updates = [row for row in rows if row.update]
    known = invitations_by_email(survey_round.id, [row.email for row in updates])
    for row in rows:
        group_id = group_ids.get(row.group_key) if row.group_key else None
        if row.update:
            invitation = known[row.email]
            invitation.language, invitation.group_id, invitation.name = row.language, group_id, row.name
            invitation.link.group_id = group_id  # what the invitee answers for
        else:
            link = AccessLink(round_id=survey_round.id, group_id=group_id, kind=LinkKind.INVITATION)
            db.session.add(Invitation(round_id=survey_round.id, group_id=group_id, link=link,
                                      email=row.email, language=row.language, name=row.name))
    db.session.flush()
    record_per_group("invitations_imported", survey_round, user_id,
                     Counter(group_ids.get(row.group_key) if row.group_key else None for row in rows))
    return ImportSummary(created=len(rows) - len(updates), updated=len(updates))


def invitations_by_email(round_id: int, emails: list[str]) -> dict[str, Invitation]:
    if not emails:
        return {}
    found = db.session.scalars(
        select(Invitation).options(joinedload(Invitation.link))
        .where(Invitation.round_id == round_id, Invitation.email.is_not(None))
    )
    wanted = set(emails)
    return {invitation.email: invitation for invitation in found if invitation.email in wanted}


def record_per_group(action: str, survey_round: Round, user_id: int | None, counts: Counter) -> None:
    """One audit event per group: the outreach dashboard reads which channels each group got."""
    for group_id, count in sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        audit.record(action, community_id=survey_round.community_id, user_id=user_id,
                     round_id=survey_round.id, group_id=group_id, count=count)


# --- Queueing mails ---------------------------------------------------------------------------


def reachable():
    """Invitees a mail may go to: an address, not unsubscribed, not answered, link not revoked."""
    return and_(
        Invitation.email.is_not(None),
        Invitation.contact_erased_at.is_(None),
        Invitation.unsubscribed_at.is_(None),
        AccessLink.used_at.is_(None),
        AccessLink.revoked_at.is_(None),
    )


def queued_recently(kind: MailKind, now: datetime):
    log = aliased(MailLog)
    return exists().where(
        log.invitation_id == Invitation.id, log.kind == kind, log.status == MailStatus.QUEUED,
        log.created_at > now - STALE_QUEUED,
    )


def queue_invitations(round_id: int, group_id: int | None = None, *, now: datetime,
                      user_id: int | None = None) -> list[int]:
    """A queued invitation mail for everyone not yet invited (in the group, if one is given);
    returns the mail log ids, one task each once the caller has committed."""
    survey_round = round_taking_answers(round_id, now)
    query = (
        select(Invitation.id, Invitation.group_id, Invitation.language)
        .join(AccessLink, Invitation.access_link_id == AccessLink.id)
        .where(Invitation.round_id == round_id, Invitation.invited_at.is_(None), reachable(),
               ~queued_recently(MailKind.INVITATION, now))
        .order_by(Invitation.id)
    )
    if group_id is not None:
        query = query.where(Invitation.group_id == group_id)
    return queue_mails(survey_round, MailKind.INVITATION, db.session.execute(query).all(), now, user_id)


def queue_reminders(round_id: int, *, now: datetime, user_id: int | None = None) -> list[int]:
    """A reminder for invitees who have not answered, invited (and last reminded) at least a day
    ago, reminded fewer than MAX_REMINDERS times; returns the mail log ids."""
    survey_round = round_taking_answers(round_id, now)
    before = now - REMINDER_GAP
    query = (
        select(Invitation.id, Invitation.group_id, Invitation.language)
        .join(AccessLink, Invitation.access_link_id == AccessLink.id)
        .where(Invitation.round_id == round_id, reachable(),
               Invitation.invited_at <= before,
               or_(Invitation.reminded_at.is_(None), Invitation.reminded_at <= before),
               Invitation.reminders < MAX_REMINDERS,
               ~queued_recently(MailKind.REMINDER, now))
        .order_by(Invitation.id)
    )
    return queue_mails(survey_round, MailKind.REMINDER, db.session.execute(query).all(), now, user_id)


def round_taking_answers(round_id: int, now: datetime) -> Round:
    """The round, locked against a second coordinator queueing the same mails at once."""
    survey_round = db.session.scalar(select(Round).where(Round.id == round_id).with_for_update())
    if survey_round is None:
        raise InvitationError("no_round")
    if not survey_round.accepts_answers(now):
        raise InvitationError("round_not_open")
    return survey_round


def queue_mails(survey_round: Round, kind: MailKind, invitees: Sequence, now: datetime,
                user_id: int | None) -> list[int]:
    logs = [MailLog(kind=kind, invitation_id=invitation_id, round_id=survey_round.id, language=language,
                    status=MailStatus.QUEUED, created_at=now)
            for invitation_id, _group_id, language in invitees]
    db.session.add_all(logs)
    db.session.flush()
    action = "invitations_sent" if kind is MailKind.INVITATION else "reminders_sent"
    record_per_group(action, survey_round, user_id, Counter(group_id for _id, group_id, _lang in invitees))
    return [log.id for log in logs]


def forget_queued(mail_log_ids: Sequence[int], error: str) -> None:
    """Mails that never reached the queue (the broker was down): failed, so they may be queued again."""
    if mail_log_ids:
        db.session.execute(
            update(MailLog).where(MailLog.id.in_(list(mail_log_ids)), MailLog.status == MailStatus.QUEUED)
            .values(status=MailStatus.FAILED, last_error=error[:300])
        )


# --- Sending one mail (called by the task) ----------------------------------------------------


@dataclass
class Attempt:
    log: MailLog
    invitation: Invitation


def begin_attempt(mail_log_id: int, now: datetime) -> Attempt | None:
    """The mail to try now, counted as an attempt; None when there is nothing to send (already
    done, or skipped: unsubscribed, answered, erased, invited already, round closed)."""
    log = db.session.get(MailLog, mail_log_id)
    if log is None or log.status is not MailStatus.QUEUED:
        return None  # a task delivered twice by the broker sends once
    invitation = db.session.get(Invitation, log.invitation_id) if log.invitation_id else None
    reason = skip_reason(log, invitation, now)
    if reason is not None:
        log.status, log.last_error = MailStatus.SKIPPED, reason
        db.session.flush()
        return None
    log.attempts += 1
    db.session.flush()
    return Attempt(log, invitation)  # type: ignore[arg-type]


def skip_reason(log: MailLog, invitation: Invitation | None, now: datetime) -> str | None:
    if invitation is None or invitation.email is None or invitation.contact_erased_at is not None:
        return "erased"
    if invitation.unsubscribed_at is not None:
        return "unsubscribed"
    if invitation.link.used_at is not None:
        return "answered"
    if invitation.link.revoked_at is not None:
        return "link_revoked"
    if not invitation.round.accepts_answers(now):
        return "round_not_open"
    if log.kind is MailKind.INVITATION and invitation.invited_at is not None:
        return "already_invited"
    if log.kind is MailKind.REMINDER and (
        invitation.reminders >= MAX_REMINDERS
        or (invitation.reminded_at is not None and invitation.reminded_at > now - REMINDER_GAP)
    ):
        return "already_reminded"
    return None


def message_for(attempt: Attempt) -> EmailMessage:
    """The invitation or reminder, written in the invitee's language, with their links."""
    invitation, config = attempt.invitation, current_app.config
    language = invitation.language
    subject, text, html = mail.render(TEMPLATES[attempt.log.kind], language, **mail_context(invitation))
    message = mail.build_message(
        sender=config["MAIL_DEFAULT_SENDER"], to=invitation.email or "", subject=subject, text=text,
        html=html, language=language, headers={"List-Unsubscribe": f"<{unsubscribe_url(invitation)}>"},
    )
    return message


def mail_context(invitation: Invitation) -> dict[str, object]:
    """What the invitee's mail says: the round's words, their own link and unsubscribe link."""
    return round_mail_context(
        invitation.round, invitation.language, group=invitation.group,
        survey_url=public_url(f"/s/{invitation.link.token}?lang={invitation.language}"),
        unsubscribe_url=unsubscribe_url(invitation),
        rater_name=invitation.name if invitation.round.is_panel else None)


def preview_context(survey_round: Round, language: str) -> dict[str, object]:
    """The mail as an invitee would get it, with example links that lead nowhere (a coordinator's
    preview before sending: no invitation is made, nothing is queued)."""
    example = public_url("/s/EXAMPLE-LINK")
    return round_mail_context(survey_round, language, group=None, survey_url=example,
                              unsubscribe_url=example + "/unsubscribe",
                              rater_name="…" if survey_round.is_panel else None)


def round_mail_context(survey_round: Round, language: str, *, group, survey_url: str, unsubscribe_url: str,
                       rater_name: str | None) -> dict[str, object]:
    survey = survey_round.survey
    definition = survey.parsed()
    fallback = [survey_round.community.default_language, *survey.languages]
    return {
        "community_name": survey_round.community.display_name(language),
        "survey_title": survey.title,  # translated in the template, in the mail's language
        "survey_intro": definition.intro,
        "fallback": fallback,
        "group_name": group.display_name(language) if group else None,
        "minutes": max(1, round(definition.minutes)),
        "closes_on": local_date_time(survey_round, language),
        "retention_days": current_app.config["CONTACT_RETENTION_DAYS"],
        "max_reminders": MAX_REMINDERS,
        "survey_url": survey_url,
        "unsubscribe_url": unsubscribe_url,
        "text_direction": "rtl" if language in current_app.config["RTL_LANGUAGES"] else "ltr",
        # A named panel's rater is told their answers are shown with their name, not that they are anonymous.
        "rater_name": rater_name,
        "panel_shared": survey_round.panel_shared,
        # The coordinator's own opening words, split into paragraphs (escaped by the templates).
        "own_paragraphs": own_paragraphs((survey_round.invitation_texts or {}).get(language)),
    }


def own_paragraphs(text: str | None) -> list[str]:
    return [" ".join(part.split()) for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


def local_date_time(survey_round: Round, language: str) -> str | None:
    """The closing date and time in the community's time zone, written the language's way."""
    if survey_round.closes_at is None:
        return None
    return moment_text(survey_round.closes_at, survey_round.community.timezone, Locale.parse(language))


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def mark_sent(attempt: Attempt, now: datetime) -> None:
    log, invitation = attempt.log, attempt.invitation
    log.status, log.sent_at = MailStatus.SENT, now  # last_error stays: why it took more than one try
    if log.kind is MailKind.INVITATION:
        invitation.invited_at = now
    else:
        invitation.reminders += 1
        invitation.reminded_at = now
    db.session.flush()


def mark_failed(mail_log_id: int, error: BaseException, *, final: bool) -> None:
    """Note the error; the last attempt marks the mail failed (it may be queued again later)."""
    log = db.session.get(MailLog, mail_log_id)
    if log is None:
        return
    log.last_error = ADDRESS_IN_TEXT.sub("<address>", f"{type(error).__name__}: {error}")[:300]
    if final:
        log.status = MailStatus.FAILED
    db.session.flush()


# --- Unsubscribing ----------------------------------------------------------------------------


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(invitation: Invitation) -> str:
    """Signed, so that nobody can unsubscribe others by counting ids."""
    return serializer().dumps(invitation.id)


def unsubscribe_url(invitation: Invitation) -> str:
    return public_url(f"/unsubscribe/{unsubscribe_token(invitation)}?lang={invitation.language}")


def invitation_for_token(token: str) -> Invitation | None:
    try:
        invitation_id = serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(invitation_id, int):
        return None
    return db.session.get(Invitation, invitation_id)


def unsubscribe(token: str, now: datetime) -> Invitation | None:
    """No more mails to this invitee; idempotent. None for a token that is not ours."""
    invitation = invitation_for_token(token)
    if invitation is not None and invitation.unsubscribed_at is None:
        invitation.unsubscribed_at = now
        db.session.flush()
    return invitation


# --- Erasing contact details ------------------------------------------------------------------


def erase_expired_contacts(now: datetime) -> int:
    """Forget the addresses of rounds closed longer than CONTACT_RETENTION_DAYS; how many."""
    cutoff = now - timedelta(days=current_app.config["CONTACT_RETENTION_DAYS"])
    expired = (
        select(Round.id)
        .where(Round.status == RoundStatus.CLOSED, Round.closed_at.is_not(None), Round.closed_at <= cutoff)
        .scalar_subquery()
    )
    per_round = db.session.execute(
        select(Invitation.round_id, Round.community_id, func.count())
        .join(Round, Invitation.round_id == Round.id)
        .where(Invitation.round_id.in_(expired), Invitation.email.is_not(None))
        .group_by(Invitation.round_id, Round.community_id)
    ).all()
    if not per_round:
        return 0
    db.session.execute(
        update(Invitation)
        .where(Invitation.round_id.in_([round_id for round_id, _, _ in per_round]),
               Invitation.email.is_not(None))
        .values(email=None, contact_erased_at=now)
        .execution_options(synchronize_session=False)
    )
    for round_id, community_id, count in per_round:
        audit.record("contacts_erased", community_id=community_id, round_id=round_id, count=count)
    return sum(count for _, _, count in per_round)


# --- What the coordinator's page shows --------------------------------------------------------


@dataclass(frozen=True)
class GroupCounts:
    group_id: int | None
    invited: int  # on the list
    mailed: int  # the invitation went out
    reminded: int
    answered: int
    unsubscribed: int
    erased: int


def counts_per_group(round_id: int) -> list[GroupCounts]:
    """Counts only: who in particular answered is nobody's business."""
    rows = db.session.execute(
        select(
            Invitation.group_id,
            func.count(),
            func.count(Invitation.invited_at),
            func.sum(case((Invitation.reminders > 0, 1), else_=0)),
            func.count(AccessLink.used_at),
            func.count(Invitation.unsubscribed_at),
            func.count(Invitation.contact_erased_at),
        )
        .join(AccessLink, Invitation.access_link_id == AccessLink.id)
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.group_id)
    )
    return [GroupCounts(group_id, *(int(value or 0) for value in values)) for group_id, *values in rows]


def outcomes_of(mail_log_ids: list[int]) -> dict[MailStatus, int]:
    """How many of these mails ended in each status (sent, failed, skipped, still queued)."""
    rows = db.session.execute(select(MailLog.status, func.count()).where(MailLog.id.in_(mail_log_ids))
                              .group_by(MailLog.status))
    return {status: count for status, count in rows}


def failure_reasons(round_id: int) -> list[tuple[FailureReason, int]]:
    """Why the round's failed mails failed, each reason with how many, the most frequent first."""
    return reasons_counted(db.session.scalars(
        select(MailLog.last_error).where(MailLog.round_id == round_id, MailLog.status == MailStatus.FAILED)))


def mail_summary(round_id: int) -> dict[tuple[str, str], int]:
    """(kind, status) -> how many mails, for the round."""
    rows = db.session.execute(
        select(MailLog.kind, MailLog.status, func.count())
        .where(MailLog.round_id == round_id)
        .group_by(MailLog.kind, MailLog.status)
    )
    return {(kind.value, status.value): count for kind, status, count in rows}
