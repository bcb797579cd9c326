"""Releases: a round's report as its readers other than the coordinators see it.

Coordinators read their round's live snapshot (app.services.report_build), exact and current:
they are trusted with the responses themselves. Everyone else reads releases. A release is
made when a round closes (its final report, counting everyone who answered), and while it is
open only when a coordinator publishes one (an interim report). Each new release is judged
against every earlier one by the release rule (app.domain.privacy.releases): a figure whose
change since then rests on 1 to k-1 people is withheld, and shows its last released value,
dated. Before closing or publishing, a coordinator sees what would be withheld (preview).

A release is made at the end of a build, in its transaction, from the tallies the build just
brought up to date: build_and_release() is the one way a report is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app.domain.privacy.releases import (
    EVERYONE,
    RESPONDENTS,
    Figure,
    ReleaseRecord,
    Withheld,
    changes_since,
    figure_id,
    figure_of,
    leaks,
    withheld_for_release,
)
from app.domain.privacy.exposure import release_families, release_views
from app.domain.report import GroupMeta, build_report
from app.domain.report_model import PAYLOAD_FORMAT, HeldBackEntry, ReportFigures
from app.domain.report_tallies import Tallies, basis_of
from app.extensions import db
from app.models import ReleaseKind, ReportBuild, ReportRelease, ReportSnapshot, Response, ResponseStatus, Round, RoundStatus
from app.services import report_build, report_queue


class ReleaseRuleBroken(RuntimeError):
    """A composed release still singles someone out against an earlier one: a bug, never shown."""


def build_and_release(round_id: int, now: datetime) -> ReportSnapshot:
    """Build the round's live report, then release it where a release is due (the round has
    closed since its last final release, or a coordinator asked to publish)."""
    snapshot = report_build.build_and_store(round_id, now)
    survey_round = db.session.get(Round, round_id)
    kind = release_due(survey_round)
    if kind is not None:
        publish(survey_round, kind, now)
    return snapshot


def release_due(survey_round: Round) -> ReleaseKind | None:
    """The release a build should make now, if any. A named panel has none: its ratings are
    attributed, and its readers read its live report."""
    if survey_round.is_panel:
        return None
    latest = latest_release(survey_round.id)
    if survey_round.status is RoundStatus.CLOSED:
        closed_at = survey_round.closed_at
        if latest is None or latest.kind is not ReleaseKind.FINAL or (closed_at and latest.released_at < closed_at):
            return ReleaseKind.FINAL
    asked = db.session.scalar(select(ReportBuild.release_requested_at).where(ReportBuild.round_id == survey_round.id))
    if asked is not None and (latest is None or latest.released_at < asked):
        return ReleaseKind.FINAL if survey_round.status is RoundStatus.CLOSED else ReleaseKind.INTERIM
    return None


def request_release(round_id: int, user_id: int | None, now: datetime) -> None:
    """Note that a coordinator wants the figures published as they stand: the next build does it."""
    report_queue.request_build(round_id, now)
    state = db.session.get(ReportBuild, round_id)
    state.release_requested_at = now
    state.release_requested_by_id = user_id
    db.session.flush()


def latest_release(round_id: int) -> ReportRelease | None:
    return db.session.scalar(select(ReportRelease).where(ReportRelease.round_id == round_id)
                             .order_by(ReportRelease.number.desc()).limit(1))


def latest_releases(round_ids: Sequence[int]) -> dict[int, ReportRelease]:
    """Each round's latest release, in one query."""
    latest = (select(ReportRelease.round_id, func.max(ReportRelease.number).label("number"))
              .where(ReportRelease.round_id.in_(list(round_ids))).group_by(ReportRelease.round_id).subquery())
    rows = db.session.scalars(select(ReportRelease).join(
        latest, and_(latest.c.round_id == ReportRelease.round_id, latest.c.number == ReportRelease.number)))
    return {release.round_id: release for release in rows}


def releases_of(round_id: int) -> list[ReportRelease]:
    return list(db.session.scalars(select(ReportRelease).where(ReportRelease.round_id == round_id)
                                   .order_by(ReportRelease.number)))


# -- making a release --------------------------------------------------------------------------


@dataclass(frozen=True)
class Composed:
    """A release as it would be made now."""

    figures: ReportFigures
    withheld: Withheld
    record: ReleaseRecord
    response_count: int
    inputs: dict[str, Any]
    tallies: Tallies


def publish(survey_round: Round, kind: ReleaseKind, now: datetime) -> ReportRelease:
    """Make the round's next release from the tallies its build just brought up to date."""
    state = db.session.get(ReportBuild, survey_round.id)
    items = report_build.round_items(survey_round)
    tallies = Tallies.from_json(state.tallies, basis_of(items))
    if tallies is None:
        raise LookupError(f"round {survey_round.id} has no tallies: build it before releasing")
    counted = Response.tally_batch.is_not(None)  # after a build: every complete response
    composed = _compose(survey_round, tallies, state.tally_batches, counted,
                        lambda batch: and_(counted, Response.tally_batch > batch), now)
    release = ReportRelease(
        round_id=survey_round.id, number=composed.record.number, kind=kind, released_at=now,
        released_by_id=state.release_requested_by_id if kind is ReleaseKind.INTERIM else None,
        response_count=composed.response_count, payload=composed.figures.to_payload(),
        payload_format=composed.figures.format,
        record=composed.record.to_json(), withheld=_withheld_json(composed.withheld),
        tallies=composed.tallies.to_json(), inputs=composed.inputs,
    )
    db.session.add(release)
    db.session.flush()
    return release


@dataclass(frozen=True)
class HeldBack:
    """A figure a release would withhold for one section, and the release it last appeared in."""

    section: str
    figure: Figure
    last_release: int | None
    last_released_at: datetime | None


@dataclass(frozen=True)
class Preview:
    kind: ReleaseKind
    response_count: int
    held_back: list[HeldBack]
    earlier: int  # releases so far


def preview(survey_round: Round, kind: ReleaseKind) -> Preview:
    """What a release made now would withhold, counting every response sent so far (also those
    the last build did not count yet). Reads only: nothing is stamped or stored."""
    items = report_build.round_items(survey_round)
    tallies = report_build.tallies_now(survey_round, items)
    complete = Response.status == ResponseStatus.COMPLETE
    composed = _compose(survey_round, tallies, None, complete,
                        lambda batch: and_(complete, or_(Response.tally_batch.is_(None), Response.tally_batch > batch)),
                        None)
    held = []
    for section in composed.figures.sections:
        for name, entry in (section.held_back or {}).items():
            held.append(HeldBack(section.key, figure_of(name), entry.release, entry.released_at))
    return Preview(kind, composed.response_count, held, composed.record.number - 1)


def _compose(survey_round: Round, tallies: Tallies, batch: int | None, now_counted, counted_since, now: datetime | None
             ) -> Composed:
    """The next release of the round from `tallies` (the responses matching `now_counted`):
    withheld figures chosen against every earlier release, each with its last released value.
    `counted_since(batch)`: the condition for responses counted after an earlier release."""
    items = report_build.round_items(survey_round)
    k = survey_round.community.min_group_size
    groups = report_build.round_groups(survey_round, tallies.respondents)
    inputs = tallies.inputs(items, groups, k)
    keys = report_build.group_keys(survey_round)
    earlier = releases_of(survey_round.id)
    records = [ReleaseRecord.from_json(release.record) for release in earlier]
    people = report_build.contributors(survey_round, items, keys, now_counted)
    judged = [(record, changes_since(record, people, report_build.contributors(
        survey_round, items, keys, counted_since(record.batch)))) for record in records]

    listed, views = release_views(build_report(inputs))
    every_figure = {*views, *(figure for record in records for figure in record.views)}
    withheld = withheld_for_release(views, listed, judged, release_families(every_figure, items), k)
    figures = report_build.about(build_report(inputs, withheld), survey_round, now)
    listed, views = release_views(figures)
    found = leaks(views, listed, judged, k)
    if found:
        raise ReleaseRuleBroken(f"round {survey_round.id}: {found[:5]}")
    figures = with_earlier(figures, withheld, earlier)
    number = (records[-1].number if records else 0) + 1
    record = ReleaseRecord(number, listed, views, people, batch if batch is not None else -1, k)
    return Composed(figures, withheld, record, tallies.respondent_count,
                    {"k": k, "groups": [[g.key, g.kind, g.population, g.target] for g in groups]}, tallies)


def refresh_outdated() -> list[int]:
    """Make again, in this version's payload format, the releases an earlier version made (so
    that pages can read them): the same figures from the sums each release kept, with what it
    withheld. A figure the earlier version did not have is withheld in every section: it was
    never judged against the other releases. The ids of the releases made again; one whose
    sums are of a format this version cannot read is left as it is (and logged)."""
    outdated = db.session.scalars(select(ReportRelease).where(ReportRelease.payload_format < PAYLOAD_FORMAT)
                                  .order_by(ReportRelease.round_id, ReportRelease.number)).all()
    remade = []
    for release in outdated:
        survey_round = db.session.get(Round, release.round_id)
        items = report_build.round_items(survey_round)
        tallies = Tallies.from_json(release.tallies, basis_of(items))
        if tallies is None:
            current_app.logger.error("release %s of round %s keeps sums this version cannot read", release.number,
                                     release.round_id)
            continue
        groups = [GroupMeta(key, kind, population, target) for key, kind, population, target in release.inputs["groups"]]
        inputs = tallies.inputs(items, groups, release.inputs["k"])
        withheld = {section: frozenset(map(figure_of, figures)) for section, figures in release.withheld.items()}
        judged = ReleaseRecord.from_json(release.record).views
        listed, views = release_views(build_report(inputs, withheld))
        unjudged = frozenset(views) - frozenset(judged)
        if unjudged:
            withheld = {section: withheld.get(section, frozenset()) | unjudged for section in [*listed, EVERYONE]}
        figures = report_build.about(build_report(inputs, withheld), survey_round, release.released_at)
        figures = with_earlier(figures, withheld, [r for r in releases_of(release.round_id) if r.number < release.number])
        release.payload, release.payload_format = figures.to_payload(), figures.format
        remade.append(release.id)
    db.session.flush()
    return remade


def with_earlier(figures: ReportFigures, withheld: Withheld, earlier: list[ReportRelease]) -> ReportFigures:
    """The release with, for each figure a section withholds, its value in the latest earlier
    release that showed it, dated ("held_back"); None where no release showed it yet. Showing
    it again reveals nothing new."""
    records = [(release.figures, ReleaseRecord.from_json(release.record), release) for release in reversed(earlier)]
    sections = []
    for section in figures.sections:
        held: dict[str, HeldBackEntry] = {}
        for figure in sorted(withheld.get(section.key, ())):
            if figure == RESPONDENTS:  # not a figure of anyone's answers: its head count is shown
                continue
            entry = HeldBackEntry(None, None, None)
            for released, record, release in records:
                view = record.views.get(figure)
                shown = view is not None and (view.total if section.is_everyone else section.key in view.shown)
                before = released.section(section.key)
                if shown and before is not None:
                    entry = HeldBackEntry(release.number, release.released_at, before.shown(figure))
                    break
            held[figure_id(figure)] = entry
        sections.append(replace(section, held_back=held))
    return replace(figures, sections=tuple(sections))


def _withheld_json(withheld: Withheld) -> dict[str, list[str]]:
    return {section: sorted(figure_id(f) for f in figures) for section, figures in sorted(withheld.items())}
