"""Who may see what. Every coordinator and stakeholder view goes through these checks."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db, login_manager
from app.models import Community, Membership, Role, Round, User

MANAGING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
READING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.STAKEHOLDER})


@login_manager.user_loader
def load_user(login_token: str) -> User | None:
    """The user a session or remember cookie names (User.get_id: a login's token), if that
    login has not ended (logout, a new password, deactivation) and the user is active."""
    from app.services.accounts import user_of_login  # services import this module's models only

    return user_of_login(login_token)


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


def role_over(user: User, community: Community) -> Role | None:
    """The user's role in the community, or else in the nearest community above it.

    A city's stakeholders read the reports of the city's learning communities too; members of
    a learning community see only their own.
    """
    seen: set[int] = set()
    current: Community | None = community
    while current is not None and current.id not in seen:
        role = user.role_in(current.id)
        if role is not None:
            return role
        seen.add(current.id)
        current = current.parent
    return None


def nearest_membership(user: User, community: Community) -> Membership | None:
    """The user's membership of the community, or else of the nearest community above it (the
    one role_over reads the role from)."""
    seen: set[int] = set()
    current: Community | None = community
    while current is not None and current.id not in seen:
        membership = next((m for m in user.memberships if m.community_id == current.id), None)
        if membership is not None:
            return membership
        seen.add(current.id)
        current = current.parent
    return None


def may_record_actions(user: User, community: Community) -> bool:
    """Coordinators and admins, and the stakeholders they let record actions against needs (a
    partner organisation's people). The nearest membership decides, as for roles: a city's
    partner records in its learning communities."""
    if not user.is_authenticated:
        return False
    membership = nearest_membership(user, community)
    if membership is None:
        return False
    if membership.role in MANAGING_ROLES:
        return True
    return membership.role is Role.STAKEHOLDER and membership.may_record_actions


def require_reader(community: Community | None, roles: Iterable[Role] = READING_ROLES) -> Community:
    """The community, if the current user may read it in one of `roles`; 404 otherwise."""
    if community is None or role_over(current_user, community) not in set(roles):
        abort(404)
    return community


def require_managed(community: Community | None) -> Community:
    """The community, if the current user coordinates it (or a community above it); 404 otherwise."""
    return require_reader(community, MANAGING_ROLES)


def require_admin(community: Community | None) -> Community:
    """The community, if the current user administers it (or a community above it); 404 otherwise."""
    return require_reader(community, {Role.ADMIN})


def require_round(round_id: int) -> Round:
    """A round the current user coordinates; 404 for anyone else, and for no such round."""
    survey_round = db.session.get(Round, round_id)
    require_managed(survey_round.community if survey_round else None)
    return survey_round  # type: ignore[return-value]


def communities_read_by(user: User) -> list[Community]:
    """The communities whose reports the user can read: their own and everything below them."""
    found: dict[int, Community] = {}
    pending = communities_of(user, READING_ROLES)
    while pending:
        community = pending.pop()
        if community.id not in found:
            found[community.id] = community
            pending.extend(community.children)
    return sorted(found.values(), key=lambda c: c.name)
