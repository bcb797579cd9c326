"""Survey rounds and the links that lead people into them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.models.community import Community, Group
from app.models.survey import Survey
from app.models.types import UTCDateTime, str_enum, utcnow


class RoundStatus(enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # launched, waiting for its opening time (beat opens it)
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class RoundKind(enum.Enum):
    """Whom a round's answers are about, and so how its report treats them."""

    ANONYMOUS = "anonymous"  # citizens, organisations: nothing names them; small groups are protected
    # A coordinating team or a few partner representatives who act for their organisations:
    # invited by name, told their answers are attributed, shown side by side with their names.
    NAMED_PANEL = "named_panel"


class LinkKind(enum.Enum):
    PUBLIC = "public"  # shared on posters and QR codes; many people answer through it
    INVITATION = "invitation"  # a personal, single-use link



round_groups = Table(
    "round_groups",
    db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class Round(db.Model):
    """One survey, pinned to one version, asked in one community over a period."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    title_translations: Mapped[dict[str, str] | None] = mapped_column(JSON)  # the title in other languages
    languages: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus), default=RoundStatus.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    one_response_per_browser: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[RoundKind] = mapped_column(str_enum(RoundKind), default=RoundKind.ANONYMOUS,
                                            server_default=RoundKind.ANONYMOUS.value)
    # A named panel's ratings are read by the community's coordinators and admins; by its
    # stakeholders too only when a coordinator says so.
    panel_shared: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The round this one repeats ("same survey again next year"), for comparisons over time.
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # contact details are erased after it
    # The coordinator's own opening words of the invitation mail, per language ({} or None: the
    # standard wording); the fixed parts (link, anonymity, unsubscribe) are always added.
    invitation_texts: Mapped[dict[str, str] | None] = mapped_column(JSON)

    community: Mapped[Community] = relationship()
    survey: Mapped[Survey] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=round_groups, order_by="Group.position")
    links: Mapped[list[AccessLink]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    def display_title(self, language: str) -> str:
        """The title in `language` where the coordinator gave one, else the title."""
        return (self.title_translations or {}).get(language) or self.title

    def definition(self) -> SurveyDefinition:
        """The survey as this round's community asks it (Community.asks)."""
        return self.community.asks(self.survey.parsed(), self.survey.fingerprint)

    @hybrid_property
    def began_at(self) -> datetime:
        """When the round ran, to put rounds in time order: its launch, else its opening time,
        else (a draft) when it was made. Not creation alone: last year's round may well be
        entered after this year's."""
        return self.launched_at or self.opens_at or self.created_at

    @began_at.inplace.expression
    @classmethod
    def _began_at_expression(cls) -> ColumnElement[datetime]:
        return func.coalesce(cls.launched_at, cls.opens_at, cls.created_at)

    @property
    def is_panel(self) -> bool:
        return self.kind is RoundKind.NAMED_PANEL

    def accepts_answers(self, now: datetime) -> bool:
        if self.status is not RoundStatus.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.status.value}>"


def new_token() -> str:
    """Short enough to type from a poster, long enough not to be guessed (about 60 bits)."""
    return secrets.token_urlsafe(8)


class AccessLink(db.Model):
    __tablename__ = "access_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind), default=LinkKind.PUBLIC)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(back_populates="links")
    group: Mapped[Group | None] = relationship()
