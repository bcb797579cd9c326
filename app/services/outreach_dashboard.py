"""The live outreach dashboard of a round: the counts, read with GROUP BY, and what they mean.

Every query here returns one row per group, page, language or hour, never one per response,
so the dashboard costs the same number of queries (and about the same memory) for 20 responses
as for 100,000. Only two of them read the round's responses (one pass for groups, statuses,
saved positions and languages; one for the hours of submission); the others read links,
invitations and the audit log. app.domain.outreach turns the counts into the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import case, func, select

from app.domain import answering, dates, outreach
from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.models import AccessLink, Group, Invitation, LinkKind, Response, ResponseStatus, Round, utcnow
from app.services.audit import actions_done

# Audit actions that show a channel was used for a group (see app.coordinate.posters).
POSTER_ACTIONS = frozenset({"poster_opened", "qr_downloaded"})
REMINDER_ACTION = "reminders_sent"


@dataclass(frozen=True)
class GroupLine:
    group: Group
    progress: outreach.GroupProgress
    behind: bool  # highlighted as one of the furthest behind


@dataclass(frozen=True)
class Dashboard:
    survey_round: Round
    definition: SurveyDefinition
    groups: list[GroupLine]
    unassigned: outreach.GroupProgress  # responses through the link for everyone (no group)
    total: outreach.GroupProgress
    drop_off: list[outreach.PageStanding]
    languages: list[outreach.LanguageUse]
    days: list[outreach.DayCount]
    behind: list[outreach.Behind]
    languages_not_offered: tuple[str, ...]
    as_of: datetime

    def group(self, group_id: int | None) -> Group | None:
        return next((line.group for line in self.groups if line.group.id == group_id), None)


def dashboard(survey_round: Round, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    definition = survey_round.survey.parsed()
    groups = list(survey_round.groups)
    counts = response_counts(survey_round.id)
    progress = group_progress(counts, groups)
    group_ids = {g.id for g in groups}
    unassigned = progress.pop(None, outreach.GroupProgress(None))
    for stray in [gid for gid in progress if gid not in group_ids]:  # a group taken out of the round
        unassigned = _merged(unassigned, progress.pop(stray))
    lines = [progress.get(g.id, outreach.GroupProgress(g.id, population=g.population, target=g.target_responses))
             for g in groups]
    not_offered = languages_not_offered(survey_round, definition)
    behind = outreach.furthest_behind(lines, channels_used(survey_round.id, group_ids), not_offered)
    behind_ids = {b.progress.group_id for b in behind}
    zone = community_zone(survey_round)
    return Dashboard(
        survey_round=survey_round,
        definition=definition,
        groups=[GroupLine(g, p, g.id in behind_ids) for g, p in zip(groups, lines, strict=True)],
        unassigned=unassigned,
        total=outreach.total_progress(lines, unassigned),
        drop_off=drop_off(counts.unfinished_positions, definition, groups),
        languages=outreach.languages_used(counts.by_language),
        days=outreach.per_day(complete_per_hour(survey_round.id), zone, until=now.astimezone(zone).date()),
        behind=behind,
        languages_not_offered=not_offered,
        as_of=now,
    )


# -- the counts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCounts:
    by_group: dict[tuple[int | None, ResponseStatus], int]
    unfinished_positions: dict[tuple[int | None, str | None], int]  # (group id, last screen saved)
    by_language: dict[tuple[str, bool], int]  # (language, complete?)


def response_counts(round_id: int) -> ResponseCounts:
    """Responses per group, status, saved position and language, in one pass over the round.

    One GROUP BY with every dimension costs one scan instead of three, and still returns a
    few hundred rows at most (groups x languages x screens). The saved position only matters
    for unfinished responses, so complete ones are grouped without it.
    """
    saved = case((Response.status == ResponseStatus.IN_PROGRESS, Response.current_page))
    rows = db.session.execute(
        select(Response.group_id, Response.status, saved, Response.language, func.count())
        .where(Response.round_id == round_id)
        .group_by(Response.group_id, Response.status, saved, Response.language)
    )
    counts = ResponseCounts({}, {}, {})
    for group_id, status, position, language, count in rows:
        _add(counts.by_group, (group_id, status), count)
        _add(counts.by_language, (language, status is ResponseStatus.COMPLETE), count)
        if status is ResponseStatus.IN_PROGRESS:
            _add(counts.unfinished_positions, (group_id, position), count)
    return counts


def _add(totals: dict, key: tuple, count: int) -> None:
    totals[key] = totals.get(key, 0) + count


def group_progress(counts: ResponseCounts, groups: list[Group]) -> dict[int | None, outreach.GroupProgress]:
    """Complete and in-progress responses per group id (None: no group)."""
    by_id = {g.id: g for g in groups}
    found = {group_id for group_id, _ in counts.by_group}
    return {
        group_id: outreach.GroupProgress(
            group_id,
            complete=counts.by_group.get((group_id, ResponseStatus.COMPLETE), 0),
            in_progress=counts.by_group.get((group_id, ResponseStatus.IN_PROGRESS), 0),
            population=by_id[group_id].population if group_id in by_id else None,
            target=by_id[group_id].target_responses if group_id in by_id else None,
        )
        for group_id in found
    }


def _merged(a: outreach.GroupProgress, b: outreach.GroupProgress) -> outreach.GroupProgress:
    return outreach.GroupProgress(None, a.complete + b.complete, a.in_progress + b.in_progress)


def drop_off(positions: dict[tuple[int | None, str | None], int], definition: SurveyDefinition,
             groups: list[Group]) -> list[outreach.PageStanding]:
    # A group's fixed answers take questions (and so maybe whole screens) out of its flow:
    # a saved screen index means a different page for each group.
    screen_pages_of = {
        g.id: [s.page_key for s in answering.screens_of(definition, skip=frozenset(g.fixed_answers or {}))]
        for g in groups
    }
    default_pages = [s.page_key for s in answering.screens_of(definition)]
    return outreach.where_unfinished_stand(positions, screen_pages_of, default_pages,
                                           [p.key for p in definition.pages])


def complete_per_hour(round_id: int) -> dict[datetime, int]:
    """Complete responses per hour of submission (UTC). Hours, not days, so that the days can
    be the community's own whatever its time zone, on SQLite as on PostgreSQL."""
    hour = _utc_hour(Response.submitted_at)
    rows = db.session.execute(
        select(hour, func.count())
        .where(Response.round_id == round_id, Response.status == ResponseStatus.COMPLETE,
               Response.submitted_at.is_not(None))
        .group_by(hour)
    )
    return {_as_utc_datetime(value): count for value, count in rows}


def _utc_hour(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)  # SQLite keeps UTC text


def _as_utc_datetime(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def invitation_counts(round_id: int) -> dict[int | None, tuple[int, int]]:
    """Per group id: invitations made, and reminders sent for them."""
    rows = db.session.execute(
        select(Invitation.group_id, func.count(), func.coalesce(func.sum(Invitation.reminders), 0))
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.group_id)
    )
    return {group_id: (count, int(reminders)) for group_id, count, reminders in rows}


def groups_with_public_link(round_id: int) -> set[int | None]:
    return set(db.session.scalars(
        select(AccessLink.group_id).distinct()
        .where(AccessLink.round_id == round_id, AccessLink.kind == LinkKind.PUBLIC,
               AccessLink.revoked_at.is_(None))
    ))


def channels_used(round_id: int, group_ids: set[int]) -> dict[int | None, outreach.ChannelsUsed]:
    done = actions_done(round_id, POSTER_ACTIONS | {REMINDER_ACTION})
    invitations = invitation_counts(round_id)
    linked = groups_with_public_link(round_id)
    # Reminders sent for the whole round (no group) reached every group's invitees.
    reminded_all = (REMINDER_ACTION, None) in done
    return {
        group_id: outreach.ChannelsUsed(
            has_public_link=group_id in linked,
            poster_or_qr=any((action, group_id) in done for action in POSTER_ACTIONS),
            invitations=invitations.get(group_id, (0, 0))[0],
            reminders=reminded_all or (REMINDER_ACTION, group_id) in done
            or invitations.get(group_id, (0, 0))[1] > 0,
        )
        for group_id in group_ids
    }


def languages_not_offered(survey_round: Round, definition: SurveyDefinition) -> tuple[str, ...]:
    """The community's languages that the survey has but the round does not offer."""
    return tuple(lang for lang in survey_round.community.languages
                 if lang not in survey_round.languages and lang in definition.languages)


def community_zone(survey_round: Round) -> tzinfo:
    return dates.community_zone(getattr(survey_round.community, "timezone", None))
