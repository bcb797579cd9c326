"""Rounds: create, edit, launch, pause, resume, close, reopen, duplicate, move to a newer version
of their survey, and the clock.

The rules of what may happen when are in app.domain.round_rules; this module applies them to
rows, creates the public links a launched round needs, and flushes. Callers commit (and write
the audit event in the same transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy import update as sql_update

from app.domain import round_rules, survey_drafts
from app.domain.naming import repeat_title
from app.domain.round_rules import RoundRuleError, RoundState
from app.extensions import db
from app.models import (
    AccessLink, Answer, Community, Group, LinkKind, Question, Response, Round, RoundKind, RoundStatus, Survey, utcnow,
)
from app.services.survey_authoring import usable_surveys
from app.services.survey_bank import latest_version


@dataclass(frozen=True)
class RoundSpec:
    """What a coordinator chooses for a round."""

    title: str
    survey_id: int
    group_ids: Sequence[int]
    languages: Sequence[str]
    opens_at: datetime | None
    closes_at: datetime | None
    one_response_per_browser: bool = True
    kind: RoundKind = RoundKind.ANONYMOUS
    panel_shared: bool = False
    title_translations: dict[str, str] | None = None  # the title in the community's other languages


def create(community: Community, spec: RoundSpec) -> Round:
    survey_round = Round(community=community, status=RoundStatus.DRAFT)
    with db.session.no_autoflush:  # not a row until it has its survey and title
        _apply_spec(survey_round, spec)
    db.session.add(survey_round)
    db.session.flush()
    return survey_round


def update(survey_round: Round, spec: RoundSpec) -> Round:
    """Change a round's settings. Once anyone has answered, its questions (the survey version)
    stay as they are, and no group with answers can be taken out."""
    answered = has_responses(survey_round.id)
    if answered and spec.survey_id != survey_round.survey_id:
        raise RoundRuleError("survey_fixed_after_answers")
    if answered and spec.kind is not survey_round.kind:  # answers given anonymously stay so
        raise RoundRuleError("kind_fixed_after_answers")
    removed = {g.id for g in survey_round.groups} - set(spec.group_ids)
    if removed and _groups_with_answers(survey_round.id, removed):
        raise RoundRuleError("group_has_answers")
    _apply_spec(survey_round, spec)
    if survey_round.status is not RoundStatus.DRAFT:
        ensure_links(survey_round)
    db.session.flush()
    return survey_round


def act(survey_round: Round, action: str, now: datetime) -> RoundStatus:
    """Launch, pause, resume, close or reopen the round; its new status."""
    new_status = RoundStatus(round_rules.next_status(state_of(survey_round), action, now))
    if action == "launch":
        survey_round.launched_at = now
        ensure_links(survey_round)
    _set_status(survey_round, new_status, now)
    db.session.flush()
    return new_status


def duplicate(survey_round: Round) -> Round:
    """The same survey again ("next year"): its latest version, the same groups and languages,
    a draft without times, remembering which round it repeats so results can be compared."""
    pinned = survey_round.survey
    latest = pinned.authored.latest if pinned.authored is not None else latest_version(pinned.key)
    survey = latest or pinned
    languages = [lang for lang in survey_round.languages if lang in survey.languages]
    copy = Round(
        community=survey_round.community, survey=survey, status=RoundStatus.DRAFT,
        title=repeat_title(survey_round.title, set(db.session.scalars(
            select(Round.title).where(Round.community_id == survey_round.community_id)))),
        title_translations={language: repeat_title(title, set())
                            for language, title in (survey_round.title_translations or {}).items()} or None,
        languages=languages, groups=list(survey_round.groups),
        one_response_per_browser=survey_round.one_response_per_browser, previous_round_id=survey_round.id,
        kind=survey_round.kind, panel_shared=survey_round.panel_shared,
    )
    db.session.add(copy)
    db.session.flush()
    return copy


def newer_version(survey_round: Round) -> Survey | None:
    """A later published version of the round's survey, if there is one."""
    pinned = survey_round.survey
    if pinned.authored is None:
        latest = latest_version(pinned.key)
    else:
        latest = pinned.authored.latest
    return latest if latest is not None and latest.version > pinned.version else None


def can_adopt(survey_round: Round, survey: Survey) -> bool:
    """Before anyone answers, any version; after, one that changes only wording."""
    if not has_responses(survey_round.id):
        return True
    return survey_drafts.wording_only(survey_round.survey.parsed(), survey.parsed())


def adopt(survey_round: Round, survey: Survey) -> None:
    """Move the round to `survey` (a later version of its survey). Answers given already are
    moved to the new version's questions, which ask the same things in other words."""
    if not can_adopt(survey_round, survey):
        raise RoundRuleError("not_wording_only")
    missing = [lang for lang in survey_round.languages if lang not in survey.languages]
    if missing:
        raise RoundRuleError("language_not_offered")
    old_ids = dict(db.session.execute(
        select(Question.key, Question.id).where(Question.survey_id == survey_round.survey_id)).all())
    new_ids = dict(db.session.execute(
        select(Question.key, Question.id).where(Question.survey_id == survey.id)).all())
    answered = select(Response.id).where(Response.round_id == survey_round.id).scalar_subquery()
    for key, old_id in old_ids.items():
        if key in new_ids:
            db.session.execute(sql_update(Answer).where(Answer.question_id == old_id, Answer.response_id.in_(answered))
                               .values(question_id=new_ids[key]))
    survey_round.survey = survey
    db.session.flush()


def apply_clock(now: datetime) -> tuple[list[int], list[int]]:
    """Open scheduled rounds whose time has come and close those whose closing time passed.

    Returns (opened ids, closed ids). Run every minute by beat (app.tasks.apply_round_schedule).
    """
    running = db.session.scalars(
        select(Round).where(Round.status.in_([RoundStatus.SCHEDULED, RoundStatus.OPEN, RoundStatus.PAUSED]))
        # Should two runs meet (a second beat started by mistake, or a manual run beside beat),
        # each round is changed by one of them: the other skips the rows it finds locked, and
        # later finds them changed. NO KEY UPDATE: citizens' answers, which refer to a round,
        # go on being saved meanwhile. (SQLite has one writer at a time and ignores this.)
        .with_for_update(skip_locked=True, key_share=True)
    ).all()
    opened, closed = [], []
    for survey_round in running:
        new_status = RoundStatus(round_rules.status_at(state_of(survey_round), now))
        if new_status is survey_round.status:
            continue
        _set_status(survey_round, new_status, now)
        (closed if new_status is RoundStatus.CLOSED else opened).append(survey_round.id)
    db.session.flush()
    return opened, closed


def ensure_links(survey_round: Round, now: datetime | None = None) -> None:
    """A public link for each of the round's groups, and one for everyone (no group); none for
    a named panel, whose raters answer only through their personal invitations (a public link
    it had before it became one stops working)."""
    public = [link for link in survey_round.links if link.kind is LinkKind.PUBLIC]
    if survey_round.is_panel:
        for link in public:
            link.revoked_at = link.revoked_at or now or utcnow()
        return
    have = {link.group_id for link in public if link.revoked_at is None}
    for group_id in [None, *(g.id for g in survey_round.groups)]:
        if group_id not in have:
            survey_round.links.append(AccessLink(kind=LinkKind.PUBLIC, group_id=group_id))


def state_of(survey_round: Round) -> RoundState:
    return RoundState(survey_round.status.value, survey_round.opens_at, survey_round.closes_at,
                      len(survey_round.groups), len(survey_round.languages))


def has_responses(round_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Response.round_id == round_id))))


def surveys_to_choose(community: Community) -> list[Survey]:
    """For a new round: the community's own surveys (and those of the communities it is part
    of), then the latest version of every survey in the bank."""
    keys = db.session.scalars(
        select(Survey.key).where(Survey.authored_survey_id.is_(None)).distinct().order_by(Survey.key)).all()
    bank = [survey for key in keys if (survey := latest_version(key)) is not None]
    return [*usable_surveys(community), *bank]


def _apply_spec(survey_round: Round, spec: RoundSpec) -> None:
    round_rules.check_times(spec.opens_at, spec.closes_at)
    survey = db.session.get(Survey, spec.survey_id)
    if survey is None:
        raise RoundRuleError("unknown_survey")
    community = survey_round.community
    groups = db.session.scalars(
        select(Group).where(Group.community_id == community.id, Group.id.in_(list(spec.group_ids)))
    ).all()
    if len(groups) != len(set(spec.group_ids)):
        raise RoundRuleError("unknown_group")
    offered = [lang for lang in spec.languages if lang in survey.languages and lang in community.languages]
    if len(offered) != len(set(spec.languages)):
        raise RoundRuleError("language_not_offered")
    survey_round.title = spec.title.strip()
    if spec.title_translations is not None:
        survey_round.title_translations = spec.title_translations
    survey_round.survey = survey
    survey_round.groups = sorted(groups, key=lambda g: g.position)
    survey_round.languages = offered
    survey_round.opens_at = spec.opens_at
    survey_round.closes_at = spec.closes_at
    survey_round.one_response_per_browser = spec.one_response_per_browser
    survey_round.kind = spec.kind
    survey_round.panel_shared = spec.kind is RoundKind.NAMED_PANEL and spec.panel_shared


def _groups_with_answers(round_id: int, group_ids: set[int]) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Response.round_id == round_id, Response.group_id.in_(list(group_ids))))))


def _set_status(survey_round: Round, status: RoundStatus, now: datetime) -> None:
    if status is RoundStatus.CLOSED:
        survey_round.closed_at = now
    elif survey_round.status is RoundStatus.CLOSED:
        survey_round.closed_at = None  # reopened: contact details are kept again
    survey_round.status = status
