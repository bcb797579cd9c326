"""A community's own surveys: copy one or start empty, keep the draft, publish versions (a round
moves to a newer version in app.services.rounds). The rules are in app.domain.survey_drafts; this module reads
and writes the rows and flushes. Callers commit (and write the audit event in the same
transaction).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.domain import survey_drafts, survey_texts
from app.domain.naming import free_key
from app.domain.survey_drafts import Draft, DraftCheck
from app.extensions import db
from app.models import AuthoredSurvey, Community, Criterion, Round, Survey, utcnow
from app.services import communities, survey_bank


class DraftInvalid(Exception):
    """The draft has problems, so it cannot be published."""

    def __init__(self, check: DraftCheck) -> None:
        super().__init__(f"{len(check.problems)} problem(s)")
        self.check = check


def criterion_keys() -> set[str]:
    return set(db.session.scalars(select(Criterion.key)))


def check(authored: AuthoredSurvey) -> DraftCheck:
    return survey_drafts.check_draft(authored.draft, criterion_keys())


def own_surveys(community: Community) -> list[AuthoredSurvey]:
    return list(db.session.scalars(
        select(AuthoredSurvey).where(AuthoredSurvey.community_id == community.id).order_by(AuthoredSurvey.key)))


def usable_surveys(community: Community) -> list[Survey]:
    """The latest published version of each survey of the community and of those it is part of."""
    ids = [c.id for c in communities.with_ancestors(community)]
    authored = db.session.scalars(
        select(AuthoredSurvey).where(AuthoredSurvey.community_id.in_(ids)).order_by(AuthoredSurvey.key)).all()
    return [a.latest for a in authored if a.latest is not None]


def create_copy(community: Community, survey: Survey, languages: Sequence[str] | None = None) -> AuthoredSurvey:
    """A community's own survey that starts as a copy of a published one (the bank's or its own).
    It keeps the key, so its rounds compare with rounds of the original."""
    draft = survey_drafts.draft_of(survey.parsed(), languages)
    key = _free_key(community, survey.key)
    if key != survey.key:
        draft["key"] = key
    authored = AuthoredSurvey(community=community, key=key, draft=draft,
                              copied_from=f"{survey.key} v{survey.version}")
    db.session.add(authored)
    db.session.flush()
    return authored


def create_empty(community: Community, title: str, languages: Sequence[str], audience: str) -> AuthoredSurvey:
    key = _free_key(community, survey_drafts.new_key(title, (), "survey"))
    authored = AuthoredSurvey(community=community, key=key,
                              draft=survey_drafts.empty_draft(key, title.strip(), languages, audience))
    db.session.add(authored)
    db.session.flush()
    return authored


def create_imported(community: Community, draft: Draft, filename: str) -> AuthoredSurvey:
    key = _free_key(community, draft["key"])
    authored = AuthoredSurvey(community=community, key=key, draft={**draft, "key": key},
                              copied_from=filename[:120] or None)
    db.session.add(authored)
    db.session.flush()
    return authored


def _free_key(community: Community, wanted: str) -> str:
    taken = set(db.session.scalars(select(AuthoredSurvey.key).where(AuthoredSurvey.community_id == community.id)))
    return free_key(wanted, taken)


def rounds_of(authored: AuthoredSurvey) -> list[Round]:
    """The rounds that ask a version of the survey, newest first."""
    return list(db.session.scalars(
        select(Round).join(Survey, Survey.id == Round.survey_id).where(Survey.authored_survey_id == authored.id)
        .order_by(Round.id.desc())))


def delete(authored: AuthoredSurvey) -> None:
    """The survey, its draft and its versions (no round may ask any of them)."""
    for version in authored.versions:
        db.session.delete(version)
    db.session.delete(authored)
    db.session.flush()


def save_draft(authored: AuthoredSurvey, draft: Draft) -> None:
    """The new draft, with the translations whose source words changed marked outdated."""
    authored.draft = survey_texts.with_outdated(authored.draft, draft)
    authored.updated_at = utcnow()
    db.session.flush()


def has_unpublished_changes(authored: AuthoredSurvey) -> bool:
    return authored.published_fingerprint != survey_drafts.fingerprint(authored.draft)


def publish(authored: AuthoredSurvey) -> tuple[Survey, bool]:
    """The draft frozen as the next version (or the latest, when nothing changed since);
    DraftInvalid when the survey has problems."""
    result = check(authored)
    if result.definition is None:
        raise DraftInvalid(result)
    survey, is_new = survey_bank.store_survey(
        result.definition, f"community:{authored.community.slug}", survey_bank.criterion_ids(),
        owner=authored, languages=survey_texts.complete_languages(authored.draft))
    authored.published_fingerprint = survey_drafts.fingerprint(authored.draft)
    db.session.flush()
    return survey, is_new


def missing_text_count(survey: Survey, language: str) -> int:
    """How many texts of a published version respondents would miss in `language`."""
    return len(survey_texts.missing_texts(survey.parsed().to_dict(), language))
