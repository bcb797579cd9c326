"""Who may see what. Every coordinator and stakeholder view goes through these checks."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db, login_manager
from app.models import Community, Membership, Role, User

MANAGING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
READING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.STAKEHOLDER})


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def communities_of(user: User, roles: Iterable[Role]) -> list[Community]:
    query = (
        select(Community)
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user.id, Membership.role.in_(list(roles)))
        .order_by(Community.name)
    )
    return list(db.session.scalars(query))


def require_community(community_id: int, roles: Iterable[Role]) -> Community:
    """The community, if the current user holds one of `roles` in it; 404 otherwise.

    404 rather than 403, so that nobody learns which communities exist.
    """
    community = db.session.get(Community, community_id)
    if community is None or current_user.role_in(community_id) not in set(roles):
        abort(404)
    return community
