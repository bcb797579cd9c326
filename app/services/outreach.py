"""Who answered so far: counts that coordinators watch during a round."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Response, ResponseStatus


def response_counts_by_group(round_id: int) -> dict[int | None, int]:
    """Complete responses per group id (None: not yet attributed to a group)."""
    rows = db.session.execute(
        select(Response.group_id, func.count())
        .where(Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE)
        .group_by(Response.group_id)
    )
    return {group_id: count for group_id, count in rows}


def complete_responses_per_round(round_ids: list[int]) -> dict[int, int]:
    """Complete responses of each round, in one query (a community's list of rounds)."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(Response.round_id, func.count())
        .where(Response.round_id.in_(round_ids), Response.status == ResponseStatus.COMPLETE)
        .group_by(Response.round_id)
    )
    return {round_id: count for round_id, count in rows}
