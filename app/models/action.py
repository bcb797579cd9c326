"""What a community does about what a survey round found: actions against needs, and their
dated updates. The rules (statuses, what a valid action needs) are in app.domain.actions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import actions as action_rules
from app.extensions import db
from app.models.community import Community
from app.models.round import Round
from app.models.types import UTCDateTime, str_enum, utcnow


class ActionStatus(enum.Enum):
    PLANNED = action_rules.PLANNED
    UNDER_WAY = action_rules.UNDER_WAY
    DONE = action_rules.DONE
    DROPPED = action_rules.DROPPED  # with the reason, in dropped_reason

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {
    ActionStatus.PLANNED: _l("planned"),
    ActionStatus.UNDER_WAY: _l("under way"),
    ActionStatus.DONE: _l("done"),
    ActionStatus.DROPPED: _l("dropped"),
}


class PartnerSector(enum.Enum):
    """Who carries an action: the potential partners of a learning city and what each has to
    offer (Learn for Life, "Learning cities", table 8)."""

    EXECUTIVE_AND_COUNCIL = "executive_and_council"
    GOVERNMENT = "government"
    COMPANIES = "companies"
    EDUCATIONAL_CENTRES = "educational_centres"
    METHOD_DEVELOPERS = "method_developers"
    WELFARE_AND_HEALTH = "welfare_and_health"
    WORK_STUDY_COMPANIES = "work_study_companies"
    EDUCATIONAL_INSTITUTES = "educational_institutes"
    NGOS = "ngos"
    TRADE_UNIONS = "trade_unions"
    CITIZENS = "citizens"
    CITIZEN_INITIATIVES = "citizen_initiatives"

    @property
    def label(self) -> str:
        return str(_SECTOR_LABELS[self])


_SECTOR_LABELS = {
    PartnerSector.EXECUTIVE_AND_COUNCIL: _l("Executive committee and city council"),
    PartnerSector.GOVERNMENT: _l("Government organisations"),
    PartnerSector.COMPANIES: _l("Companies"),
    PartnerSector.EDUCATIONAL_CENTRES: _l("Educational centres"),
    PartnerSector.METHOD_DEVELOPERS: _l("Developers of educational methods"),
    PartnerSector.WELFARE_AND_HEALTH: _l("Welfare and health sector"),
    PartnerSector.WORK_STUDY_COMPANIES: _l("Work-study companies"),
    PartnerSector.EDUCATIONAL_INSTITUTES: _l("Educational institutes"),
    PartnerSector.NGOS: _l("Non-governmental organisations"),
    PartnerSector.TRADE_UNIONS: _l("Trade unions"),
    PartnerSector.CITIZENS: _l("Citizens and participants"),
    PartnerSector.CITIZEN_INITIATIVES: _l("Citizen initiatives"),
}


class Action(db.Model):
    """One action a community takes in answer to the needs (or criteria) a round measured.

    Texts are {language: text} in the community's languages, its main language always filled in.
    Needs, criteria and groups are kept by key (question, criterion and group keys), so that the
    next round of the same survey, which asks the same keys, can measure them again."""

    __tablename__ = "actions"
    __table_args__ = (CheckConstraint("progress >= 0 AND progress <= 100", name="progress_0_to_100"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)  # importance/current question keys
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)  # criterion keys
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # group keys; none: everyone
    carried_by: Mapped[str] = mapped_column(String(200), default="")  # the organisation, as typed
    sector: Mapped[PartnerSector | None] = mapped_column(str_enum(PartnerSector))
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), default=ActionStatus.PLANNED)
    dropped_reason: Mapped[dict[str, str] | None] = mapped_column(JSON)
    progress: Mapped[int] = mapped_column(default=0)  # per cent, as last said
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    community: Mapped[Community] = relationship()
    round: Mapped[Round] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan",
        order_by="(ActionUpdate.on.desc(), ActionUpdate.id.desc())",
    )

    @property
    def shown_progress(self) -> int:
        """The progress readers see: a done action is 100 % done, whatever was typed before."""
        return action_rules.shown_progress(self.status.value, self.progress)

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status.value}>"


class ActionUpdate(db.Model):
    """A dated note on how an action goes ("The first course started with 14 people")."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)  # the day it is about, on the community's calendar
    text: Mapped[dict[str, str]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
