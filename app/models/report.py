"""Computed results of a round."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.report_model import ReportFigures
from app.extensions import db
from app.models.types import UTCDateTime, str_enum, utcnow


class ReportSnapshot(db.Model):
    """The latest report of a round. One row per round, replaced in a single transaction,
    so a reader sees the previous report or the new one, never half of one."""

    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_count: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The payload's format (app.domain.report_model.PAYLOAD_FORMAT) beside it, so that finding the
    # snapshots an earlier version made does not read every payload (0: made before this).
    payload_format: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def figures(self) -> ReportFigures:
        """The payload read as typed figures (app.domain.report_model): how every reader reads it."""
        return ReportFigures.from_payload(self.payload)


class ReportBuild(db.Model):
    """Whether a round's report is being built: the lock that keeps builds one at a time.

    A worker takes the lock by setting started_at with a conditional UPDATE (atomic on every
    backend), so two workers can never build the same round at once; it renews a short lease
    while it builds, and a lock whose lease has run out is taken over, so a worker that died
    mid-build holds nothing back for more than about a minute.
    requested_at records that someone asked for a newer build (a refresh, a closing round).

    The row also keeps the round's tallies (app.domain.report_tallies): the sums over the
    responses counted so far, stamped with batch numbers up to tally_batches, so the next build
    only adds the responses completed since.
    """

    __tablename__ = "report_builds"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The running build's lease: renewed while it builds; once past, the lock is free again
    # (its worker died) and beat asks for the build anew (app.services.report_queue).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_token: Mapped[str | None] = mapped_column(String(32))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    tally_batches: Mapped[int] = mapped_column(default=0, server_default="0")
    tallies: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A coordinator asked to publish the round's figures as they stand (an interim release):
    # the next build makes the release (app.services.report_releases).
    release_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    release_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReleaseKind(enum.Enum):
    INTERIM = "interim"  # published by a coordinator while the round runs
    FINAL = "final"  # made when the round closes


class ReportRelease(db.Model):
    """A round's report as published to its readers at one moment: what stakeholders see.

    The coordinators' snapshot (ReportSnapshot) is live and exact; a release is made when a
    round closes, or when a coordinator publishes one, and never changes after. A later release
    is judged against every earlier one (app.domain.privacy.releases): `record` keeps what this
    one showed and how many people each figure rested on. `tallies` and `withheld` keep what it
    was made from, so that a later version of the app can make its payload again, the same
    figures in a newer format (app.services.report_releases.refresh_format).
    """

    __tablename__ = "report_releases"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, 3 within the round
    kind: Mapped[ReleaseKind] = mapped_column(str_enum(ReleaseKind))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    response_count: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_format: Mapped[int]
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    withheld: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tallies: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # groups and k it was made with

    @property
    def figures(self) -> ReportFigures:
        """The payload read as typed figures (app.domain.report_model): how every reader reads it."""
        return ReportFigures.from_payload(self.payload)

    @property
    def built_at(self) -> datetime:
        """When its figures were made: pages print it as they print a snapshot's."""
        return self.released_at
