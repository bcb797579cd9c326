"""Versioned survey definitions: the bank's, loaded from the files in surveys/, and those a
community writes itself in the editor (an AuthoredSurvey: its working draft and its versions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.models.framework import Criterion
from app.models.types import UTCDateTime, utcnow


_PARSED_CACHE_SIZE = 64
_PARSED_BY_FINGERPRINT: dict[str, SurveyDefinition] = {}


class Survey(db.Model):
    """One version of a survey. A changed file (or a published draft) becomes a new row;
    rounds pin the row. A community's own survey keeps the key it was copied with, so rounds of
    it compare with earlier rounds of the bank's survey, as long as questions are asked alike."""

    __tablename__ = "surveys"
    __table_args__ = (
        # Versions are counted per bank survey (key) and per community survey (authored_survey_id).
        Index("uq_bank_survey_version", "key", "version", unique=True,
              postgresql_where=text("authored_survey_id IS NULL"), sqlite_where=text("authored_survey_id IS NULL")),
        UniqueConstraint("authored_survey_id", "version", name="uq_authored_survey_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int]
    audience: Mapped[str] = mapped_column(String(20))
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The whole parsed definition: what respondents saw in this version, forever.
    # Deferred: pages read the parsed copy cached by fingerprint instead (see parsed()).
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    source_path: Mapped[str] = mapped_column(String(300))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set for a version of a community's own survey; None for the bank's.
    authored_survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("authored_surveys.id", ondelete="CASCADE"), index=True)
    # languages (above) are those with every text, which a round can be asked in; a community's
    # survey may have more, still being translated (they are in definition["languages"]).

    authored: Mapped[AuthoredSurvey | None] = relationship(back_populates="versions", foreign_keys=[authored_survey_id])

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Question.position"
    )

    def parsed(self) -> SurveyDefinition:
        """The definition as domain objects. A version never changes, so the parsed copy is
        kept per fingerprint for the life of the process."""
        definition = _PARSED_BY_FINGERPRINT.get(self.fingerprint)
        if definition is None:
            definition = SurveyDefinition.from_dict(self.definition)
            if len(_PARSED_BY_FINGERPRINT) >= _PARSED_CACHE_SIZE:
                _PARSED_BY_FINGERPRINT.pop(next(iter(_PARSED_BY_FINGERPRINT)))
            _PARSED_BY_FINGERPRINT[self.fingerprint] = definition
        return definition

    def __repr__(self) -> str:
        return f"<Survey {self.key} v{self.version}>"


class Question(db.Model):
    """A question of one survey version, as a row so answers and reports can join on it."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    page_key: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(20))
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id"), index=True)
    required: Mapped[bool]
    text: Mapped[dict[str, str]] = mapped_column(JSON)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    criterion: Mapped[Criterion | None] = relationship()


class AuthoredSurvey(db.Model):
    """A survey a community writes itself: its working draft (app.domain.survey_drafts) and,
    once published, its versions (Survey rows). Its community's learning communities (those
    within it) may ask it too."""

    __tablename__ = "authored_surveys"
    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The draft as it was last published, to tell whether there are changes to publish.
    published_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # What it was copied from, as words ("citizen_needs v3"): a version may be deleted later.
    copied_from: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped["Community"] = relationship()  # noqa: F821 (app.models.community)
    versions: Mapped[list[Survey]] = relationship(
        back_populates="authored", order_by="Survey.version", foreign_keys="Survey.authored_survey_id",
        passive_deletes=True)

    @property
    def latest(self) -> Survey | None:
        return self.versions[-1] if self.versions else None

    @property
    def source_language(self) -> str:
        return self.draft["languages"][0]

    def __repr__(self) -> str:
        return f"<AuthoredSurvey {self.key} of community {self.community_id}>"
