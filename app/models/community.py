"""Communities and the groups of people a round reaches in them."""

from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.survey_format import Option, SurveyDefinition, resolve_option_sources
from app.extensions import db
from app.models.types import UTCDateTime, str_enum, utcnow


class CommunityKind(enum.Enum):
    CITY = "city"
    NEIGHBOURHOOD = "neighbourhood"
    REGION = "region"
    PARTNERSHIP = "partnership"
    COMMUNITY = "community"


class GroupKind(enum.Enum):
    CITIZENS = "citizens"
    STAKEHOLDERS = "stakeholders"


# Surveys as each community asks them, by (survey fingerprint, the community's lists).
_RESOLVED: dict[tuple[str, str], SurveyDefinition] = {}
_RESOLVED_CACHE_SIZE = 256


class Community(db.Model):
    """A learning city, neighbourhood, region or partnership; a city rolls up its children."""

    __tablename__ = "communities"
    __table_args__ = (CheckConstraint("min_group_size >= 3", name="min_group_size_at_least_3"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_translations: Mapped[dict[str, str] | None] = mapped_column(JSON)  # the name in its other languages
    kind: Mapped[CommunityKind] = mapped_column(str_enum(CommunityKind))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # Opening and closing times are typed and shown in the community's own time zone.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # k: figures resting on fewer respondents are suppressed everywhere.
    min_group_size: Mapped[int] = mapped_column(default=5)
    # The community's own list for survey questions that ask where people live
    # (`options_from: neighbourhoods`): [{"key": "harbour", "name": {"en": "Harbour", ...}}].
    neighbourhoods: Mapped[list[dict]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Community | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Community]] = relationship(back_populates="parent", order_by="Community.name")
    groups: Mapped[list[Group]] = relationship(
        back_populates="community", cascade="all, delete-orphan", order_by="Group.position"
    )

    def asks(self, definition: SurveyDefinition, fingerprint: str | None = None) -> SurveyDefinition:
        """The survey as this community asks it: lists the community keeps (its neighbourhoods)
        filled in where a question takes its options from them. Kept per survey fingerprint
        and list, as every page of the answering flow asks for it."""
        listed = self.neighbourhoods or []
        key = (fingerprint or definition.fingerprint(), json.dumps(listed, sort_keys=True, ensure_ascii=False))
        resolved = _RESOLVED.get(key)
        if resolved is None:
            neighbourhoods = tuple(Option(n["key"], dict(n["name"])) for n in listed)
            resolved = resolve_option_sources(definition, {"neighbourhoods": neighbourhoods})
            if len(_RESOLVED) >= _RESOLVED_CACHE_SIZE:
                _RESOLVED.pop(next(iter(_RESOLVED)))
            _RESOLVED[key] = resolved
        return resolved

    def display_name(self, language: str) -> str:
        """The name in `language` where the community gave one, else the name it was given."""
        return (self.name_translations or {}).get(language) or self.name

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"


class Group(db.Model):
    """A citizen group (youth, seniors, newcomers...) or a stakeholder sector of a community."""

    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("community_id", "key"),
        CheckConstraint("population IS NULL OR population >= 0", name="population_not_negative"),
        CheckConstraint(
            "target_responses IS NULL OR target_responses >= 0", name="target_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind))
    name: Mapped[str] = mapped_column(String(200))
    # Names shown to respondents in other languages than the community's default.
    name_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Answers everyone reaching the survey through this group's link shares, such as
    # {"age_band": "age_16_25"} for a youth group: asked of nobody, filled in for everyone.
    fixed_answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    population: Mapped[int | None]
    target_responses: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    community: Mapped[Community] = relationship(back_populates="groups")

    def display_name(self, language: str) -> str:
        return self.name_translations.get(language) or self.name

    def __repr__(self) -> str:
        return f"<Group {self.key} of community {self.community_id}>"
