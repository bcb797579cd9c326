"""A round's results published back to its citizens, and the addresses of those who asked to
be told when they appear."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class ResultsPublication(db.Model):
    """What a coordinator chose to show citizens of a round's results, and whether it is shown.

    The public page reads the round's latest release (app.models.report.ReportRelease), never
    the live report, so it shows nothing the stakeholders' report hides. One row per round,
    kept when the results are withdrawn (published_at None) so the choices come back.
    """

    __tablename__ = "results_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: not published, or withdrawn
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    show_needs: Mapped[bool] = mapped_column(default=True)  # the top needs of each group
    show_turnout: Mapped[bool] = mapped_column(default=True)  # who took part, against the population
    show_profile: Mapped[bool] = mapped_column(default=True)  # the criteria profile
    # {need question key: {language: note}}: a short note shown beside each need.
    notes: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the sign-ups were told


def random_subscriber_id() -> str:
    return secrets.token_hex(16)


class ResultsSubscriber(db.Model):
    """An address someone left on the thank-you page, to be told once when results appear.

    Kept apart from responses with nothing that could join the two: a random key (an id
    sequence would put sign-ups in the order of the responses), no time, no language (the
    message goes out in all the round's languages; a stored language could be matched to the
    one response in it), no response, cookie or network address. Deleted once its message was
    sent, or its last try failed.
    """

    __tablename__ = "results_subscribers"
    __table_args__ = (UniqueConstraint("round_id", "email"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_subscriber_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
