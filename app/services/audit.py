"""The audit log: who created, launched, paused, closed, exported or invited what, and when.

Views and tasks call record() with the acting user's id (None for the scheduler); it flushes,
the caller's commit keeps the event with the change it describes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, utcnow


def record(action: str, *, community_id: int | None, user_id: int | None = None, round_id: int | None = None,
           group_id: int | None = None, **details: Any) -> AuditEvent:
    event = AuditEvent(action=action, community_id=community_id, user_id=user_id, round_id=round_id,
                       group_id=group_id, details=details, at=utcnow())
    db.session.add(event)
    db.session.flush()
    return event


def events_of(community_id: int, limit: int = 200, before_id: int | None = None) -> list[AuditEvent]:
    """The community's latest events, newest first (page on with `before_id`)."""
    query = select(AuditEvent).where(AuditEvent.community_id == community_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def actions_done(round_id: int, actions: set[str]) -> set[tuple[str, int | None]]:
    """Which of `actions` were done in the round, and for which group: (action, group_id)."""
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.group_id)
        .where(AuditEvent.round_id == round_id, AuditEvent.action.in_(actions))
        .distinct()
    )
    return {(action, group_id) for action, group_id in rows}
