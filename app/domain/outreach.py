"""Live outreach during a round: who is behind, what to try next, where people stop.

Pure Python: the service (app.services.outreach_dashboard) hands in counts that the database
made with GROUP BY, and gets plain dataclasses back. Nothing here grows with the number of
responses; it grows with the number of groups, pages and days.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

# Where an unfinished response stands when it is on no page of the survey.
REVIEW = "_review"  # every screen saved, but not sent
UNKNOWN = "_unknown"  # a saved position this version of the survey does not have

FURTHEST_BEHIND = 3  # how many groups the dashboard highlights


# -- progress of a group -----------------------------------------------------------------------


@dataclass(frozen=True)
class GroupProgress:
    """How far one group has come: its responses against its target and its population."""

    group_id: int | None
    complete: int = 0
    in_progress: int = 0
    population: int | None = None
    target: int | None = None

    @property
    def started(self) -> int:
        return self.complete + self.in_progress

    @property
    def completion_rate(self) -> float | None:
        """Complete among started; None when nobody started."""
        return self.complete / self.started if self.started else None

    @property
    def coverage(self) -> float | None:
        """Complete responses as a share of the people in the group, when that is known."""
        return self.complete / self.population if self.population else None

    @property
    def share_of_target(self) -> float | None:
        return self.complete / self.target if self.target else None

    @property
    def gap_to_target(self) -> int | None:
        return max(self.target - self.complete, 0) if self.target else None

    @property
    def reached_target(self) -> bool:
        return bool(self.target) and self.complete >= self.target


def total_progress(groups: Iterable[GroupProgress], unassigned: GroupProgress | None = None) -> GroupProgress:
    """Everyone together, with the responses of no group; the population and the target are
    the groups' sums, when every group has one."""
    groups = list(groups)
    everyone = [*groups, unassigned] if unassigned else groups
    populations = [g.population for g in groups]
    targets = [g.target for g in groups]
    return GroupProgress(
        group_id=None,
        complete=sum(g.complete for g in everyone),
        in_progress=sum(g.in_progress for g in everyone),
        population=sum(populations) if groups and None not in populations else None,  # type: ignore[arg-type]
        target=sum(targets) if groups and None not in targets else None,  # type: ignore[arg-type]
    )


# -- who is furthest behind, and what to try ----------------------------------------------------


class Channel(enum.Enum):
    """Ways of reaching a group, in the order worth trying them."""

    POSTER = "poster"  # print the group's public link as a QR poster
    INVITATIONS = "invitations"  # personal invitation mails
    REMINDERS = "reminders"  # remind those invited who have not answered
    LANGUAGES = "languages"  # offer the survey in more of the community's languages
    PARTNER = "partner"  # ask a partner organisation of that sector or neighbourhood


@dataclass(frozen=True)
class ChannelsUsed:
    """What the coordinators have done for one group so far."""

    has_public_link: bool = False
    poster_or_qr: bool = False  # a poster opened or a QR code downloaded for its link
    invitations: int = 0
    reminders: bool = False


@dataclass(frozen=True)
class Suggestion:
    channel: Channel
    languages: tuple[str, ...] = ()  # for Channel.LANGUAGES: which to add


@dataclass(frozen=True)
class Behind:
    progress: GroupProgress
    suggestion: Suggestion


def suggest_channel(used: ChannelsUsed, languages_not_offered: Sequence[str] = ()) -> Suggestion:
    """The first channel not tried yet for the group; a partner organisation when all were."""
    if used.has_public_link and not used.poster_or_qr:
        return Suggestion(Channel.POSTER)
    if not used.invitations:
        return Suggestion(Channel.INVITATIONS)
    if not used.reminders:
        return Suggestion(Channel.REMINDERS)
    if languages_not_offered:
        return Suggestion(Channel.LANGUAGES, tuple(languages_not_offered))
    return Suggestion(Channel.PARTNER)


def behind_order(groups: Iterable[GroupProgress]) -> list[GroupProgress]:
    """Groups still short of their goal, furthest behind first.

    Groups with a target come first, by the share of the target reached; then groups with only
    a population, by coverage. A group that reached its target is not behind, and one with
    neither figure cannot be judged, so both are left out. Ties: fewer responses first, then
    the order given (the groups' own order).
    """
    with_target = [g for g in groups if g.target and not g.reached_target]
    population_only = [g for g in groups if not g.target and g.population]
    return (sorted(with_target, key=lambda g: (g.share_of_target, g.complete))
            + sorted(population_only, key=lambda g: (g.coverage, g.complete)))


def furthest_behind(groups: Iterable[GroupProgress], used: Mapping[int | None, ChannelsUsed],
                    languages_not_offered: Sequence[str] = (), limit: int = FURTHEST_BEHIND) -> list[Behind]:
    return [Behind(g, suggest_channel(used.get(g.group_id, ChannelsUsed()), languages_not_offered))
            for g in behind_order(groups)[:limit]]


# -- where unfinished responses stand ------------------------------------------------------------


@dataclass(frozen=True)
class PageStanding:
    page_key: str  # a page of the survey, REVIEW or UNKNOWN
    unfinished: int


def standing_page(saved: str | None, screen_pages: Sequence[str], page_keys: Sequence[str]) -> str:
    """The page where an unfinished response stands, from what it has saved.

    `saved` is the response's current_page: None before the first screen is saved, else the
    index of the last screen saved (a page key is accepted too). The respondent stands on the
    screen after it; `screen_pages` gives the page of each screen, in order, for the response's
    group (a group's fixed answers can remove screens). A later screen hidden by a condition is
    not known here, so the next screen in order is taken.
    """
    if saved is None:
        return screen_pages[0] if screen_pages else REVIEW
    if saved in page_keys:
        return saved
    if not saved.isdigit() or int(saved) >= len(screen_pages):
        return UNKNOWN
    following = int(saved) + 1
    return screen_pages[following] if following < len(screen_pages) else REVIEW


def where_unfinished_stand(saved_counts: Mapping[tuple[int | None, str | None], int],
                           screen_pages_of: Mapping[int | None, Sequence[str]],
                           default_screen_pages: Sequence[str],
                           page_keys: Sequence[str]) -> list[PageStanding]:
    """Unfinished responses per page, in survey order, then at the review, then unknown.

    `saved_counts` counts unfinished responses per (group id, saved position). Every page is
    listed, with 0 where nobody stands; REVIEW and UNKNOWN only when someone is there.
    """
    counts = {key: 0 for key in page_keys}
    for (group_id, saved), count in saved_counts.items():
        screens = screen_pages_of.get(group_id, default_screen_pages)
        page = standing_page(saved, screens, page_keys)
        counts[page] = counts.get(page, 0) + count
    standings = [PageStanding(key, counts[key]) for key in page_keys]
    return standings + [PageStanding(key, counts[key]) for key in (REVIEW, UNKNOWN) if counts.get(key)]


# -- responses over time -----------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    complete: int


def per_day(hour_counts: Mapping[datetime, int], zone: tzinfo = UTC,
            until: date | None = None) -> list[DayCount]:
    """Complete responses per local day, from counts per hour (UTC), with every day between
    the first and the last (or `until`) listed, 0 where none arrived.

    The database counts per UTC hour, on any backend and in any time zone; the day is then the
    community's own. (A zone half an hour off UTC puts up to half an hour in the next day.)
    """
    days: dict[date, int] = {}
    for hour, count in hour_counts.items():
        aware = hour if hour.tzinfo else hour.replace(tzinfo=UTC)
        day = aware.astimezone(zone).date()
        days[day] = days.get(day, 0) + count
    if not days:
        return []
    first, last = min(days), max(max(days), until or date.min)
    return [DayCount(first + timedelta(d), days.get(first + timedelta(d), 0))
            for d in range((last - first).days + 1)]


# -- languages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageUse:
    language: str
    started: int
    complete: int


def languages_used(status_counts: Mapping[tuple[str, bool], int]) -> list[LanguageUse]:
    """Per language, from counts per (language, complete?): most used first."""
    languages: dict[str, list[int]] = {}
    for (language, complete), count in status_counts.items():
        figures = languages.setdefault(language, [0, 0])
        figures[0] += count
        if complete:
            figures[1] += count
    uses = [LanguageUse(language, started, complete) for language, (started, complete) in languages.items()]
    return sorted(uses, key=lambda u: (-u.started, u.language))
