"""Personal invitations to a round, the mails sent for them, and what coordinators did (audit).

Contact details are the only personal data CommonGround keeps about respondents, and only for
as long as a round needs them: an invitation's email address is erased when the round has been
closed for the retention period (app.services.invitations.erase_expired_contacts). The mail
log names no address, so it can be kept.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.community import Group
from app.models.round import AccessLink, Round
from app.models.types import UTCDateTime, str_enum, utcnow


class Invitation(db.Model):
    """One person invited to one round, with a personal single-use link."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("round_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    access_link_id: Mapped[int] = mapped_column(ForeignKey("access_links.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))  # None once erased
    # A named panel's rater, as their ratings are shown; kept when the address is erased.
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(default=0)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    group: Mapped[Group | None] = relationship()
    link: Mapped[AccessLink] = relationship()


class MailKind(enum.Enum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    PASSWORD_RESET = "password_reset"
    ACCOUNT = "account"  # "you have been given access: set your password"


class MailStatus(enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # every retry used up
    SKIPPED = "skipped"  # unsubscribed, answered or erased before it went out


class MailLog(db.Model):
    """One mail CommonGround tried to send: what, for whom (by id, never by address), how it went."""

    __tablename__ = "mail_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(str_enum(MailKind))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(db.Model):
    """Who did what, when: created, launched, paused, closed, exported, invited..."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_community_at", "community_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
