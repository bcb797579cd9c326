"""Computed results of a round."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ReportSnapshot(db.Model):
    """The latest report of a round. One row per round, replaced in a single transaction,
    so a reader sees the previous report or the new one, never half of one."""

    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_count: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The payload's format (app.domain.report.PAYLOAD_FORMAT) beside it, so that finding the
    # snapshots an earlier version made does not read every payload (0: made before this).
    payload_format: Mapped[int] = mapped_column(default=0, server_default="0")


class ReportBuild(db.Model):
    """Whether a round's report is being built: the lock that keeps builds one at a time.

    A worker takes the lock by setting started_at with a conditional UPDATE (atomic on every
    backend), so two workers can never build the same round at once; a lock older than the
    stale limit is taken over, so a crashed worker does not block a round forever.
    requested_at records that someone asked for a newer build (a refresh, a closing round).

    The row also keeps the round's tallies (app.domain.report_tallies): the sums over the
    responses counted so far, stamped with batch numbers up to tally_batches, so the next build
    only adds the responses completed since.
    """

    __tablename__ = "report_builds"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_token: Mapped[str | None] = mapped_column(String(32))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    tally_batches: Mapped[int] = mapped_column(default=0, server_default="0")
    tallies: Mapped[dict[str, Any] | None] = mapped_column(JSON)
