"""A round's results as its citizens read them: what the community heard, what it did, whether
it helped (the public results page and its poster).

A reader of the report like the stakeholders' pages, with the same protection: it reads the
round's latest release (app.services.report_releases), never the live snapshot, and shows only
figures that release shows, chosen by the coordinator's publication (app.models.ResultsPublication).
The actions come from app.services.actions; the re-measure from app.domain.remeasure, on the
releases of both rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.domain.remeasure import Remeasured
from app.domain.report_model import EVERYONE, GroupLine, Need, Section
from app.extensions import db
from app.i18n import pick_translation
from app.models import Action, ActionStatus, ResultsPublication, Round, RoundStatus
from app.reports.comparing import followed_up
from app.reports.presenting import Report, load_report
from app.services import results
from app.services.actions import actions_of_round

TOP_NEEDS = 3


def released_only(survey_round: Round) -> bool:
    """How the public reads every round: its releases, never the live report."""
    return False


@dataclass(frozen=True)
class ActionShown:
    """An action as a citizen reads it: in the page language, with its status and latest news."""

    id: int
    title: str
    description: str
    status: str  # the ActionStatus value
    status_label: str
    progress: int
    carried_by: str
    sector: str
    dropped_reason: str
    latest_news: tuple[date, str] | None
    needs: tuple[str, ...]  # the needs it answers (question keys)
    groups: tuple[str, ...]  # the groups it is for; none: everyone

    def answers(self, need: str, group: str) -> bool:
        """Whether it is shown beside `need` of `group` (EVERYONE: of everyone who answered): an
        action for everyone beside everyone's need and every group's, an action for some groups
        beside theirs."""
        return need in self.needs and (not self.groups or group in self.groups)


@dataclass(frozen=True)
class NeedHeard:
    """"You said": one of a group's most pressing needs, how strongly, and what was done."""

    key: str
    wording: str
    need: Need
    points: int  # the length of the scale the need was asked on
    note: str  # the coordinator's note beside it, in the page language ("" without one)
    actions: list[ActionShown]
    released_at: datetime | None = None  # held back in this release: as an earlier one showed it


@dataclass(frozen=True)
class GroupHeard:
    key: str
    name: str
    respondents: int
    needs: list[NeedHeard]


@dataclass(frozen=True)
class Turnout:
    name: str
    line: GroupLine


@dataclass(frozen=True)
class Helped:
    """An action of the previous round, with each need it aimed at measured again now."""

    action: ActionShown
    rows: list[tuple[str, str, Remeasured]]  # need wording, for whom, the re-measure


@dataclass(frozen=True)
class CitizensResults:
    survey_round: Round
    report: Report
    publication: ResultsPublication
    released_at: datetime
    heard: list[GroupHeard] | None  # None: the coordinator left the needs off the page
    turnout: list[Turnout] | None
    profile: list[tuple[str, float]] | None
    other_actions: list[ActionShown]  # actions not shown beside a need above
    previous: Round | None
    helped: list[Helped] | None
    measured_again_in: Round | None  # a later round whose published results measure this one's actions

    @property
    def respondents(self) -> int | None:
        return self.report.figures.respondents

    @property
    def k(self) -> int:
        return self.report.figures.k


def is_public(survey_round: Round) -> bool:
    return not survey_round.is_panel and results.is_published(survey_round)


def citizens_results(survey_round: Round, language: str) -> CitizensResults | None:
    """The page of a round whose results are published; None when they are not (or the round
    has no release to show)."""
    publication = results.publication_of(survey_round)
    if publication is None or publication.published_at is None or survey_round.is_panel:
        return None
    report = load_report(survey_round, released_only)
    if report is None or report.release is None:
        return None
    fallback = [language, survey_round.community.default_language, *survey_round.languages]
    previous = next(iter(_same_survey_rounds(survey_round, later=False)), None)
    shown_before = previous if previous is not None and is_public(previous) else None
    actions = [_shown(a, fallback) for a in actions_of_round(survey_round.id)]
    # Beside a need: what was done about it after this round, and after the previous one (still
    # under way, say): "nothing was done yet" must not hide last year's action on the same need.
    earlier = [_shown(a, fallback) for a in actions_of_round(previous.id)] if previous else []
    heard = _heard(report, publication, [*actions, *earlier], fallback) if publication.show_needs else None
    beside_needs = {a.id for group in heard or [] for need in group.needs for a in need.actions}
    return CitizensResults(
        survey_round=survey_round, report=report, publication=publication, released_at=report.release.released_at,
        heard=heard,
        turnout=[Turnout(report.name_of(g.key), g) for g in report.groups()] if publication.show_turnout else None,
        profile=_profile(report) if publication.show_profile else None,
        other_actions=[a for a in actions if a.id not in beside_needs],
        previous=shown_before,
        helped=_helped(report, shown_before, fallback) if shown_before is not None else None,
        measured_again_in=next((r for r in _same_survey_rounds(survey_round, later=True) if is_public(r)), None),
    )


def _heard(report: Report, publication: ResultsPublication, actions: list[ActionShown],
           fallback: list[str]) -> list[GroupHeard]:
    """Everyone's most pressing needs, then each shown group's, each with the actions for it."""
    points = {i.key: i.points or 5 for i in report.items_of_type("importance_current")}
    heard = []
    for section in _sections(report):
        needs = [NeedHeard(n.item, report.item_texts.get(n.item, n.item), n, points.get(n.item, 5),
                           pick_translation(publication.notes.get(n.item), fallback),
                           [a for a in actions if a.answers(n.item, section.key)], released_at)
                 for n, released_at in section.needs_as_released()[:TOP_NEEDS]]
        if needs:
            heard.append(GroupHeard(section.key, report.name_of(section.key), section.respondents, needs))
    return heard


def _sections(report: Report) -> list[Section]:
    everyone = report.everyone
    return [*([everyone] if everyone else []), *report.group_sections()]


def _profile(report: Report) -> list[tuple[str, float]] | None:
    everyone = report.everyone
    if everyone is None:
        return None
    return [(report.criterion_names.get(c, c), everyone.criteria[c].score) for c in report.criteria()
            if c in everyone.criteria]


def _helped(report: Report, previous: Round, fallback: list[str]) -> list[Helped] | None:
    """The previous round's actions against needs, measured again in this round's release (as
    the stakeholders' report measures them: comparing.followed_up)."""
    followed = followed_up(report, load_report(previous, released_only))
    if followed is None:
        return None
    return [Helped(_shown(item.action, fallback),
                   [(report.item_texts.get(row.need, row.need), whom(report, row.group), row) for row in item.rows])
            for item in followed]


def _same_survey_rounds(survey_round: Round, later: bool) -> list[Round]:
    """The community's other launched rounds of the same survey, before this one (latest
    first) or after it (earliest first)."""
    when = Round.began_at > survey_round.began_at if later else Round.began_at < survey_round.began_at
    rounds = db.session.scalars(
        select(Round).where(Round.community_id == survey_round.community_id, Round.id != survey_round.id, when,
                            Round.status != RoundStatus.DRAFT)
        .order_by(Round.began_at if later else Round.began_at.desc())).all()
    return [r for r in rounds if r.survey.key == survey_round.survey.key]


def whom(report: Report, section_key: str) -> str:
    """Who a figure is of, as a citizen reads it."""
    return _("everyone who answered") if section_key == EVERYONE else report.name_of(section_key)


def _shown(action: Action, fallback: list[str]) -> ActionShown:
    news = action.updates[0] if action.updates else None
    return ActionShown(
        id=action.id, title=pick_translation(action.title, fallback),
        description=pick_translation(action.description, fallback),
        status=action.status.value, status_label=action.status.label, progress=action.shown_progress,
        carried_by=action.carried_by, sector=action.sector.label if action.sector else "",
        dropped_reason=pick_translation(action.dropped_reason, fallback) if action.status is ActionStatus.DROPPED else "",
        latest_news=(news.on, pick_translation(news.text, fallback)) if news else None,
        needs=tuple(action.needs), groups=tuple(action.groups),
    )
