"""Communities and their groups: create, change, move within the tree of communities (the
rules in app.domain.community_rules), and the groups of people each wants to reach. Flushes;
callers commit (and write the audit event in the same transaction), as in services.rounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select

from app.auth.access import role_over
from app.domain.community_rules import check_move
from app.domain.naming import free_key, neighbourhood_list
from app.extensions import db
from app.models import Community, CommunityKind, Group, GroupKind, Membership, Response, Role, User


@dataclass(frozen=True)
class CommunitySpec:
    """What an admin chooses for a community."""

    name: str
    name_translations: dict[str, str]
    kind: CommunityKind
    languages: Sequence[str]  # in the order of the app's languages
    default_language: str
    timezone: str
    min_group_size: int
    neighbourhoods: Sequence[str]  # names in the main language, one per neighbourhood
    neighbourhood_translations: Mapping[str, Sequence[str]]  # language -> names, line by line


@dataclass(frozen=True)
class GroupSpec:
    """What a coordinator chooses for a group."""

    name: str
    name_translations: dict[str, str]
    kind: GroupKind
    population: int | None
    target_responses: int | None
    position: int


class GroupHasAnswers(Exception):
    """People of the group have answered: their answers need it."""


def slug_taken(slug: str) -> bool:
    return bool(db.session.scalar(select(exists().where(Community.slug == slug))))


def create(spec: CommunitySpec, slug: str, parent: Community | None, creator: User) -> Community:
    """A new community; whoever creates it administers it."""
    community = Community(slug=slug, parent=parent)
    _apply(community, spec)
    db.session.add(community)
    db.session.add(Membership(user=creator, role=Role.ADMIN, community=community))
    db.session.flush()
    return community


def update(community: Community, spec: CommunitySpec, slug: str) -> None:
    community.slug = slug
    _apply(community, spec)
    db.session.flush()


def _apply(community: Community, spec: CommunitySpec) -> None:
    community.name = spec.name.strip()
    community.name_translations = spec.name_translations
    community.kind = spec.kind
    community.languages = list(spec.languages)
    community.default_language = spec.default_language
    community.timezone = spec.timezone
    community.min_group_size = spec.min_group_size
    community.neighbourhoods = neighbourhood_list(
        spec.neighbourhoods, community.default_language, community.neighbourhoods or [],
        spec.neighbourhood_translations)


def create_group(community: Community, spec: GroupSpec) -> Group:
    group = Group(community=community, key=free_key(spec.name, {g.key for g in community.groups}))
    _apply_group(group, spec)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(group: Group, spec: GroupSpec) -> None:
    _apply_group(group, spec)
    db.session.flush()


def _apply_group(group: Group, spec: GroupSpec) -> None:
    group.name = spec.name.strip()
    group.kind = spec.kind
    group.population = spec.population
    group.target_responses = spec.target_responses
    group.position = spec.position
    group.name_translations = spec.name_translations


def delete_group(group: Group) -> None:
    """Raises GroupHasAnswers when people of the group have answered."""
    if db.session.scalar(select(exists().where(Response.group_id == group.id))):
        raise GroupHasAnswers()
    db.session.delete(group)
    db.session.flush()


def groups_with_answers(community: Community) -> set[int]:
    return set(db.session.scalars(
        select(Response.group_id).where(Response.group_id.in_([g.id for g in community.groups])).distinct()))


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


def with_ancestors(community: Community) -> list[Community]:
    """The community and those it is part of, nearest first (whose surveys it may ask)."""
    chain, seen = [], set()
    current: Community | None = community
    while current is not None and current.id not in seen:
        chain.append(current)
        seen.add(current.id)
        current = current.parent
    return chain


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
