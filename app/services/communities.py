"""Communities: where one sits in a tree of communities (app.domain.community_rules decides)."""

from __future__ import annotations

from app.auth.access import role_over
from app.domain.community_rules import check_move
from app.models import Community, Role, User


def move(community: Community, new_parent: Community | None, actor: User) -> None:
    """Make `community` part of `new_parent` (None: a community of its own), if `actor` may;
    raises community_rules.MoveRefused otherwise. Flushes nothing: the caller commits."""
    old_parent = community.parent
    candidates = [c for c in (old_parent, new_parent) if c is not None]
    administers = {c.id for c in candidates if role_over(actor, c) is Role.ADMIN}
    check_move(site_admin=actor.site_admin, administers=administers, community=community.id,
               below=descendants(community), old_parent=old_parent.id if old_parent else None,
               new_parent=new_parent.id if new_parent else None)
    community.parent = new_parent


def descendants(community: Community) -> set[int]:
    """The ids of every community below this one."""
    found: set[int] = set()
    pending = list(community.children)
    while pending:
        child = pending.pop()
        if child.id not in found:
            found.add(child.id)
            pending.extend(child.children)
    return found
