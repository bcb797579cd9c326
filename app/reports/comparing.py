"""One round's report against another's: what changed since the previous round of the same
survey, where another audience sees things differently, and group by group.

Each round is read as the reader may read it (app.reports.presenting.load_report with the
reader's live_for): a stakeholder compares releases, a coordinator may compare live reports.
Differences are judged together with the other rows of their table (report_maths.beyond_chance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import exists, or_, select

from app.domain import report_maths
from app.domain.report_maths import Difference, change
from app.domain.remeasure import ActionAim, Remeasured, remeasure
from app.domain.report_model import Need, Score
from app.extensions import db
from app.models import Action, ReportRelease, ReportSnapshot, Round, Survey
from app.reports.presenting import Report, load_report
from app.services.actions import actions_of_round


def matching_criteria(a: Report, b: Report, same_survey: bool) -> list[str]:
    """Criteria both reports score. Between rounds of one survey, only criteria whose questions
    are the same in both (same signatures), so a reworded question never poses as a change."""
    shared = [c for c in a.criteria() if c in b.criteria()]
    if not same_survey:
        return shared
    return [c for c in shared if _criterion_signatures(a, c) == _criterion_signatures(b, c)]


def matching_items(a: Report, b: Report) -> list[str]:
    theirs = {i.key: i.signature for i in b.figures.items}
    return [i.key for i in a.figures.items if theirs.get(i.key) == i.signature]


@dataclass(frozen=True)
class Compared:
    """One figure of all respondents in two reports, and how far apart they are."""

    name: str
    mine: Score | Need | None
    theirs: Score | Need | None
    change: Difference | None  # None unless both reports show the figure
    beyond_chance: bool = False  # judged with the other rows of its table (see judged_together)


def compared_criteria(a: Report, b: Report, criteria: list[str]) -> list[Compared]:
    """The criterion scores of all respondents in `a` and `b`, and a minus b."""
    mine = a.everyone.criteria if a.everyone else {}
    theirs = b.everyone.criteria if b.everyone else {}
    return judged_together([_compared(a.criterion_names.get(c, c), mine.get(c), theirs.get(c), "score", "se")
                            for c in criteria])


def compared_needs(a: Report, b: Report, items: list[str]) -> list[Compared]:
    """The gaps of the needs both reports show (for all respondents), in a's order of priority."""
    theirs = {n.item: n for n in (b.everyone.needs if b.everyone else ())}
    return judged_together([_compared(a.item_texts.get(n.item, n.item), n, theirs[n.item], "gap", "gap_se")
                            for n in (a.everyone.needs if a.everyone else ()) if n.item in items and n.item in theirs])


def judged_together(rows: list[Compared]) -> list[Compared]:
    """The rows of one table, each marked beyond chance or not with the others in view: a
    table of 21 criteria tested one by one would name one by luck (report_maths.beyond_chance)."""
    verdicts = report_maths.beyond_chance([row.change for row in rows])
    return [replace(row, beyond_chance=verdict) for row, verdict in zip(rows, verdicts, strict=True)]


def beyond_chance(rows: list[Compared]) -> list[Compared] | None:
    """The rows whose difference is beyond chance; None when there is nothing to judge (no
    figure in both reports: "no difference" would mislead), or when a report cannot tell,
    having been built before standard errors were kept (the next periodic build adds them)."""
    compared = [row for row in rows if row.change is not None]
    if not compared or any(row.change.ci_low is None for row in compared):  # type: ignore[union-attr]
        return None
    return [row for row in compared if row.beyond_chance]


@dataclass(frozen=True)
class GroupChange:
    """One group in two rounds of a survey: its people in each, and its criterion scores that
    moved beyond chance (judged with every other group's, see compared_by_group)."""

    key: str
    respondents: int
    respondents_before: int
    moved: list[Compared]


def compared_by_group(a: Report, b: Report, criteria: list[str]) -> list[GroupChange] | None:
    """Each group shown in both reports against itself, on the given criteria; every group x
    criterion judged together, as on the groups page. None when there is nothing to judge (no
    group shown in both, or a report too old to know its errors)."""
    theirs = {s.key: s for s in b.group_sections()}
    pairs = [(mine, theirs[mine.key]) for mine in a.group_sections() if mine.key in theirs]
    rows = [(mine.key, _compared(a.criterion_names.get(c, c), mine.criteria.get(c), other.criteria.get(c), "score", "se"))
            for mine, other in pairs for c in criteria]
    judged = judged_together([row for _key, row in rows])
    if beyond_chance(judged) is None:
        return None
    moved: dict[str, list[Compared]] = {}
    for key, row in zip([key for key, _row in rows], judged, strict=True):
        if row.beyond_chance:
            moved.setdefault(key, []).append(row)
    return [GroupChange(mine.key, mine.respondents, other.respondents, moved.get(mine.key, []))
            for mine, other in pairs]


def load_report_exists(survey_round: Round, live_for: Callable[[Round], bool]) -> bool:
    """Whether the reader has a report of the round to read (load_report would find one)."""
    kept = ReportSnapshot if live_for(survey_round) else ReportRelease
    return db.session.scalar(select(exists().where(kept.round_id == survey_round.id))) or False


def comparable_rounds(survey_round: Round, live_for: Callable[[Round], bool]) -> list[Round]:
    """Other rounds of the same community that have a report the reader may read (a live one,
    or a release, as `live_for` says of each): earlier rounds of the same survey (round against
    round) and rounds of a survey for another audience (perception gap)."""
    built = select(ReportSnapshot.round_id).scalar_subquery()
    released = select(ReportRelease.round_id).scalar_subquery()
    candidates = [r for r in db.session.scalars(
        select(Round)
        .join(Survey, Survey.id == Round.survey_id)
        .where(Round.community_id == survey_round.community_id, Round.id != survey_round.id,
               or_(Round.id.in_(built), Round.id.in_(released)))
        .order_by(Round.began_at.desc(), Round.id.desc())
    ).all() if load_report_exists(r, live_for)]
    return [
        r for r in candidates
        if (r.survey.key == survey_round.survey.key and r.began_at <= survey_round.began_at)
        or r.survey.audience != survey_round.survey.audience
    ]


@dataclass(frozen=True)
class FollowedUp:
    """An action taken after an earlier round, with each need and group it aimed at measured
    again in this round (app.domain.remeasure)."""

    action: Action
    rows: list[Remeasured]


def followed_up(report: Report, before: Report | None) -> list[FollowedUp] | None:
    """The actions recorded against `before` (the previous round of the same survey), each with
    its needs' gaps then and now; None without such a round or without actions against needs.
    Both rounds are read as the reader may read them, so nothing here is hidden from them."""
    if before is None:
        return None
    aimed = [a for a in actions_of_round(before.survey_round.id) if a.needs]
    if not aimed:
        return None
    rows = remeasure(before.figures, report.figures,
                     [ActionAim(a.id, tuple(a.needs), tuple(a.groups)) for a in aimed])
    return [FollowedUp(action, [row for row in rows if row.action_id == action.id]) for action in aimed]


@dataclass(frozen=True)
class Headlines:
    """What the overview (and the PDF) say against other rounds, each None when there is
    nothing to tell: the criteria beyond chance since the previous round of the same survey,
    the groups whose own scores moved since then, and the criteria beyond chance against the
    latest round of the other audience (organisations against citizens)."""

    previous: Round | None = None
    moved: list[Compared] | None = None
    other_audience: Round | None = None
    seen_differently: list[Compared] | None = None
    groups_moved: list[GroupChange] | None = None
    actions_measured: list[FollowedUp] | None = None  # the previous round's actions, measured again


def previous_round(report: Report, comparable: list[Round]) -> Round | None:
    """The latest earlier round of the same survey among `comparable` (newest first)."""
    return next((r for r in comparable if r.survey.key == report.survey_round.survey.key), None)


def headline_comparisons(report: Report | None, comparable: list[Round]) -> Headlines:
    if report is None:
        return Headlines()
    mine = report.survey_round.survey
    previous = previous_round(report, comparable)
    other_audience = next((r for r in comparable if r.survey.audience != mine.audience), None)
    before = load_report(previous, report.live_for) if previous else None
    theirs = load_report(other_audience, report.live_for) if other_audience else None
    return Headlines(previous, _beyond_chance_against(report, before, same_survey=True),
                     other_audience, _beyond_chance_against(report, theirs, same_survey=False),
                     _groups_moved(report, before), followed_up(report, before))


def _beyond_chance_against(report: Report, other: Report | None, same_survey: bool) -> list[Compared] | None:
    """The criteria of all respondents that differ beyond chance from another round's; None
    when there is nothing to tell (no such round, too few respondents, no criterion asked the
    same way in both, or a report too old to know its errors)."""
    if other is None or report.everyone is None or other.everyone is None:
        return None
    return beyond_chance(compared_criteria(report, other, matching_criteria(report, other, same_survey)))


def group_since_previous(report: Report, comparable: list[Round], key: str) -> tuple[Round, GroupChange] | None:
    """The previous round of the same survey and the group's own change since then (judged
    with every group's, as on the comparison page); None when there is no such round, the
    group is not shown in both, or there is nothing to judge."""
    previous = previous_round(report, comparable)
    before = load_report(previous, report.live_for) if previous else None
    change = next((c for c in _changes_since(report, before) or [] if c.key == key), None)
    return (previous, change) if change else None


def _groups_moved(report: Report, before: Report | None) -> list[GroupChange] | None:
    """The groups whose own criterion scores moved beyond chance since `before` (a round of
    the same survey); None when there is nothing to judge."""
    changes = _changes_since(report, before)
    return None if changes is None else [change for change in changes if change.moved]


def _changes_since(report: Report, before: Report | None) -> list[GroupChange] | None:
    """Each group against itself in `before`, a round of the same survey (compared_by_group)."""
    if before is None:
        return None
    return compared_by_group(report, before, matching_criteria(report, before, same_survey=True))


def _compared(name: str, mine: Score | Need | None, theirs: Score | Need | None, figure: str, error: str) -> Compared:
    """`figure` and `error`: the attributes compared ("score" and "se", or "gap" and "gap_se")."""
    moved = (change(getattr(mine, figure), getattr(mine, error), getattr(theirs, figure), getattr(theirs, error))
             if mine and theirs else None)  # snapshots made before errors were kept have none
    return Compared(name, mine, theirs, moved)


def _criterion_signatures(report: Report, criterion: str) -> set[str]:
    return {i.signature for i in report.figures.items if i.criterion == criterion}
