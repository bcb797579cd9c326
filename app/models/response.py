"""What respondents answered."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, str_enum, utcnow


class ResponseStatus(enum.Enum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class Response(db.Model):
    """One person's answers to one round; anonymous: nothing here names them."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_round_status_group", "round_id", "status", "group_id"),
        Index("ix_responses_round_tally_batch", "round_id", "tally_batch"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    access_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_links.id", ondelete="SET NULL")
    )
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus), default=ResponseStatus.IN_PROGRESS
    )
    current_page: Mapped[str | None] = mapped_column(String(80))
    may_quote: Mapped[bool] = mapped_column(default=False)
    # Keyed hashes of the codes the respondent keeps (app.domain.codes): one to resume on
    # another device, one to withdraw the answers later. The codes themselves are never stored.
    # A response made without a code (simulated) gets a random value no code hashes to.
    resume_code_hash: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_hex(32)
    )
    receipt_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_simulated: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which report build counted this complete response into the round's tallies (NULL: none
    # yet). See app.services.report_build.tallies_up_to_date.
    tally_batch: Mapped[int | None] = mapped_column()

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(db.Model):
    """One answer; a multiple choice is one row per ticked option, so counts are a GROUP BY.

    `value` holds a scale point or number (NULL: "don't know"), `value2` the current-state half
    of an importance/current pair, `option` the chosen option key ('' when there is none),
    `text` free text or the "other" text.
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id", "option"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    response_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"),
        ForeignKey("responses.id", ondelete="CASCADE"),
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    option: Mapped[str] = mapped_column(String(80), default="")
    value: Mapped[float | None] = mapped_column(Float)
    value2: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
