"""Versioned survey definitions, loaded from the files in surveys/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.models.framework import Criterion
from app.models.types import UTCDateTime, utcnow


_PARSED_CACHE_SIZE = 64
_PARSED_BY_FINGERPRINT: dict[str, SurveyDefinition] = {}


class Survey(db.Model):
    """One version of a survey. A changed file becomes a new row; rounds pin the row."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("key", "version"),)

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
