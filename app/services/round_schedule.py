"""Rounds close by themselves when their closing time has passed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Round, RoundStatus


def close_due_rounds(now: datetime) -> list[int]:
    """Close open or paused rounds whose closing time has passed; return their ids."""
    due = db.session.scalars(
        select(Round).where(
            Round.status.in_([RoundStatus.OPEN, RoundStatus.PAUSED]),
            Round.closes_at.is_not(None),
            Round.closes_at <= now,
        )
    ).all()
    for survey_round in due:
        survey_round.status = RoundStatus.CLOSED
    db.session.flush()
    return [r.id for r in due]
