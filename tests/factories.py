"""Build rows for tests. Each factory adds to the session and flushes; tests commit if needed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.extensions import db
from app.models import (
    AccessLink,
    Community,
    CommunityKind,
    Group,
    GroupKind,
    LinkKind,
    Membership,
    Role,
    Round,
    RoundStatus,
    Survey,
    User,
    utcnow,
)
from app.services.survey_bank import load_bank

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "bank"


def load_fixture_bank() -> Survey:
    """The small test survey 'mini' (every question type), loaded and flushed."""
    result = load_bank(FIXTURE_BANK)
    return next(s for s in result.new_versions + result.unchanged if s.key == "mini")


def make_community(slug: str = "riverside", languages: tuple[str, ...] = ("en", "he"),
                   parent: Community | None = None, **fields) -> Community:
    community = Community(slug=slug, name=fields.pop("name", slug.title()),
                          kind=fields.pop("kind", CommunityKind.NEIGHBOURHOOD),
                          languages=list(languages), default_language=languages[0],
                          parent=parent, **fields)
    db.session.add(community)
    db.session.flush()
    return community


def make_group(community: Community, key: str = "youth", **fields) -> Group:
    group = Group(community=community, key=key, name=fields.pop("name", key.title()),
                  kind=fields.pop("kind", GroupKind.CITIZENS), **fields)
    db.session.add(group)
    db.session.flush()
    return group


def make_round(community: Community, survey: Survey, status: RoundStatus = RoundStatus.OPEN,
               groups: list[Group] | None = None, **fields) -> Round:
    now = utcnow()
    survey_round = Round(
        community=community, survey=survey, title=fields.pop("title", "Spring round"),
        languages=fields.pop("languages", list(community.languages)), status=status,
        opens_at=fields.pop("opens_at", now - timedelta(days=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=30)),
        groups=groups or [], **fields,
    )
    db.session.add(survey_round)
    db.session.flush()
    return survey_round


def make_link(survey_round: Round, group: Group | None = None,
              kind: LinkKind = LinkKind.PUBLIC) -> AccessLink:
    link = AccessLink(round=survey_round, group=group, kind=kind)
    db.session.add(link)
    db.session.flush()
    return link


def make_user(email: str = "coordinator@example.org", password: str = "correct horse battery",
              memberships: list[tuple[Community, Role]] = ()) -> User:
    user = User(email=email, name=email.split("@")[0])
    user.set_password(password)
    for community, role in memberships:
        user.memberships.append(Membership(community=community, role=role))
    db.session.add(user)
    db.session.flush()
    return user
