"""Stakeholders' pages: the reports of the rounds in their communities, and their exports."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import MANAGING_ROLES, communities_read_by, may_record_actions, require_reader, role_over
from app.domain.report import UNASSIGNED
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, format_decimal1, format_difference, format_score, format_share
from app.models import Community, ReportRelease, ReportSnapshot, Round, RoundStatus
from app.reports import bp, exports
from app.reports.comparing import (
    beyond_chance,
    comparable_rounds,
    compared_by_group,
    compared_criteria,
    compared_needs,
    group_since_previous,
    headline_comparisons,
    matching_criteria,
    matching_items,
)
from app.reports.presenting import load_report, low_score_figure, quadrant_labels
from app.reports import response_pages
from app.services import audit, response_browser, response_export
from app.services.report_queue import build_status, build_statuses
from app.services.report_releases import latest_release, latest_releases


@bp.app_context_processor
def report_helpers() -> dict[str, object]:
    return {"format_score": format_score, "format_share": format_share, "format_decimal1": format_decimal1,
            "format_difference": format_difference, "low_score_figure": low_score_figure,
            "quadrant_labels": quadrant_labels, "language_names": LANGUAGE_NAMES}


@bp.get("/")
@login_required
def index():
    communities = _in_tree_order(communities_read_by(current_user))
    rounds = db.session.scalars(
        select(Round)
        .where(Round.community_id.in_([c.id for c in communities]), Round.status != RoundStatus.DRAFT)
        .order_by(Round.began_at.desc(), Round.id.desc())
    ).all()
    rounds = [r for r in rounds if _may_read(r)]
    rounds_of: dict[int, list[Round]] = {c.id: [] for c in communities}
    for survey_round in rounds:
        rounds_of[survey_round.community_id].append(survey_round)
    sections = [(c, rounds_of[c.id]) for c in communities if rounds_of[c.id] or c.children]
    ids = [r.id for r in rounds]
    return render_template(
        "reports/index.html", sections=sections, statuses=build_statuses(ids), releases=latest_releases(ids),
        managed={r.id for r in rounds if _can_manage(r)},
    )


def _in_tree_order(communities: list[Community]) -> list[Community]:
    """Each community followed by the learning communities below it, as a reader of a city
    looks for them; names in order at each level."""
    readable = {c.id for c in communities}
    ordered: list[Community] = []

    def visit(community: Community) -> None:
        ordered.append(community)
        for child in community.children:
            if child.id in readable:
                visit(child)

    for community in communities:
        if community.parent_id not in readable:
            visit(community)
    return ordered


@bp.get("/rounds/<int:round_id>")
@login_required
def overview(round_id: int):
    survey_round = _readable_round(round_id)
    live = _reads_live(survey_round)
    report = load_report(survey_round, _reads_live)
    comparable = comparable_rounds(survey_round, _reads_live)
    return render_template(
        "reports/overview.html", round=survey_round, report=report, **_status_of(survey_round, live),
        comparable=comparable, headlines=headline_comparisons(report, comparable),
        records_actions=may_record_actions(current_user, survey_round.community) and not survey_round.is_panel,
    )


@bp.get("/rounds/<int:round_id>/groups/<key>")
@login_required
def group(round_id: int, key: str):
    survey_round = _readable_round(round_id)
    live = _reads_live(survey_round)
    report = load_report(survey_round, _reads_live) or abort(404)
    entry = report.group(key) or abort(404)
    return render_template(
        "reports/group.html", round=survey_round, report=report, group=entry,
        section=report.section(key), everyone=report.everyone, **_status_of(survey_round, live),
        since=group_since_previous(report, comparable_rounds(survey_round, _reads_live), key),
    )


@bp.get("/rounds/<int:round_id>/groups")
@login_required
def groups(round_id: int):
    survey_round = _readable_round(round_id)
    live = _reads_live(survey_round)
    report = load_report(survey_round, _reads_live) or abort(404)
    return render_template("reports/groups.html", round=survey_round, report=report, **_status_of(survey_round, live))


@bp.get("/rounds/<int:round_id>/compare/<int:other_id>")
@login_required
def compare(round_id: int, other_id: int):
    """This round against another of the same community: an earlier round of the same survey
    (what changed), or a round of another audience (where citizens and organisations differ)."""
    survey_round = _readable_round(round_id)
    other_round = _readable_round(other_id)
    if other_round.id not in {r.id for r in comparable_rounds(survey_round, _reads_live)}:
        abort(404)
    # Each round as the reader may read it: a named panel live beside a citizens' round's release.
    report = load_report(survey_round, _reads_live) or abort(404)
    other = load_report(other_round, _reads_live) or abort(404)
    same_survey = survey_round.survey.key == other_round.survey.key
    comparable = report.everyone is not None and other.everyone is not None
    matching = matching_criteria(report, other, same_survey)
    criteria = compared_criteria(report, other, matching)
    items = matching_items(report, other) if same_survey else []
    return render_template(
        "reports/compare.html", round=survey_round, other_round=other_round, report=report,
        same_survey=same_survey, comparable=comparable, criteria=criteria, moved=beyond_chance(criteria),
        needs=compared_needs(report, other, items),
        # Group by group only between rounds of one survey: another audience has other groups.
        by_group=compared_by_group(report, other, matching) if same_survey else None,
    )


@bp.get("/communities/<int:community_id>")
@login_required
def community(community_id: int):
    """A city's learning communities side by side: each one's latest report of one survey."""
    community = require_reader(db.session.get(Community, community_id))
    by_survey = _latest_reported_rounds([community, *community.children])
    if not by_survey:
        return render_template("reports/community.html", community=community, reports=[], surveys=[],
                               survey_key=None)
    survey_key = request.args.get("survey") or max(by_survey, key=lambda key: len(by_survey[key]))
    if survey_key not in by_survey:
        abort(404)
    reports = [report for r in by_survey[survey_key] if (report := load_report(r, _reads_live)) is not None]
    surveys = [(key, rounds[0].survey) for key, rounds in sorted(by_survey.items())]
    return render_template("reports/community.html", community=community, reports=reports, surveys=surveys,
                           survey_key=survey_key)


@bp.post("/rounds/<int:round_id>/refresh")
@login_required
def refresh(round_id: int):
    from app.tasks import request_report  # the tasks module imports the services; keep imports one way

    survey_round = _readable_round(round_id)
    if not _can_manage(survey_round):
        abort(403)
    if not request_report(survey_round.id):
        flash(_("The background workers cannot be reached just now: the new report will be built as soon "
                "as they are back. Until then this page shows the last one."), "error")
    elif current_app.extensions["celery"].conf.task_always_eager:  # no broker: built here, now
        flash(_("The report is rebuilt: it counts every response sent so far."), "info")
    else:
        flash(_("A new report is being built. Reload this page in a minute."), "info")
    return redirect(url_for("reports.overview", round_id=round_id))


@bp.get("/rounds/<int:round_id>/report.<any(csv, xlsx, pdf):kind>")
@login_required
def export(round_id: int, kind: str):
    survey_round = _readable_round(round_id)
    if load_report(survey_round, _reads_live) is None:
        abort(404)
    _record_export(survey_round, f"report.{kind}")  # commits: load what the download reads after it
    report = load_report(survey_round, _reads_live) or abort(404)
    return exports.respond(report, kind)


@bp.get("/rounds/<int:round_id>/responses")
@login_required
def responses_browser(round_id: int):
    """The responses one by one, for the round's coordinators: what the responses export holds,
    paged and filtered by group and language (bad filters are ignored, never an error)."""
    survey_round = _readable_round(round_id)
    if not _can_manage(survey_round):
        abort(403)
    group = request.args.get("group") or None
    language = request.args.get("language") or None
    page_number = request.args.get("page", type=int) or 1
    browsed = response_browser.browse(survey_round, group if group else None, language, min(page_number, 10**6))
    return render_template("reports/responses.html", round=survey_round, browsed=browsed, group=group,
                           language=language, readable=lambda response: response_pages.readable(survey_round, response),
                           group_name=lambda key: _group_name(survey_round, key),
                           day=lambda iso: format_date(date.fromisoformat(iso), "medium") if iso else "")


def _group_name(survey_round: Round, key: str) -> str:
    if key == UNASSIGNED:
        return _("Everyone (no group)")
    group = next((g for g in survey_round.community.groups if g.key == key), None)
    return group.display_name(str(get_locale())) if group else key


@bp.get("/rounds/<int:round_id>/responses.csv")
@login_required
def responses_export(round_id: int):
    """Every response as a row, for the round's coordinators (small groups left out)."""
    survey_round = _readable_round(round_id)
    if not _can_manage(survey_round):
        abort(403)
    _record_export(survey_round, "responses.csv")
    response = Response(stream_with_context(response_export.csv_lines(round_id)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.file_stem_of(survey_round)}-responses.csv"'
    )
    return response


def _record_export(survey_round: Round, kind: str) -> None:
    """Downloads are in the audit log: who took which figures out, and when."""
    audit.record("report_exported", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=current_user.id, kind=kind)
    db.session.commit()


def _readable_round(round_id: int) -> Round:
    """The round, if the user reads its community's reports (else 404). A draft is the
    coordinators' plan, not yet anyone's report: other readers do not learn it exists."""
    survey_round = db.session.get(Round, round_id)
    require_reader(survey_round.community if survey_round else None)
    if not _may_read(survey_round) or (survey_round.status is RoundStatus.DRAFT  # type: ignore[union-attr]
                                       and not _can_manage(survey_round)):  # type: ignore[arg-type]
        abort(404)
    return survey_round  # type: ignore[return-value]


def _may_read(survey_round: Round) -> bool:
    """A named panel's ratings carry names: its community's coordinators and admins read them,
    its stakeholders only when a coordinator shared them."""
    return not survey_round.is_panel or survey_round.panel_shared or _can_manage(survey_round)


def _can_manage(survey_round: Round) -> bool:
    return role_over(current_user, survey_round.community) in MANAGING_ROLES


def _reads_live(survey_round: Round) -> bool:
    """Whether the reader sees the round's live report: its coordinators and admins do, unless
    they chose to see it as its other readers do (?view=released, remembered for the session);
    everyone else reads its releases. A named panel has no releases: its readers read it live."""
    if survey_round.is_panel:
        return True
    if not _can_manage(survey_round):
        return False
    chosen = request.args.get("view")
    if chosen in ("live", "released"):
        session["report_view"] = chosen
    return session.get("report_view", "live") == "live"


def _status_of(survey_round: Round, live: bool) -> dict[str, object]:
    """What a report page says about where its figures come from: the live build's status, the
    latest release, and whether the reader may switch between the two."""
    return {"status": build_status(survey_round.id), "release": latest_release(survey_round.id), "live": live,
            "can_refresh": _can_manage(survey_round)}


def _latest_reported_rounds(communities: list[Community]) -> dict[str, list[Round]]:
    """Per survey key, each community's latest round of that survey that has a report the
    reader may see (a live one for the community's coordinators, else a release)."""
    rounds = db.session.scalars(
        select(Round).where(Round.community_id.in_([c.id for c in communities]))
        .order_by(Round.began_at.desc(), Round.id.desc())
    ).all()
    rounds = [r for r in rounds if _may_read(r)]
    ids = [r.id for r in rounds]
    built = set(db.session.scalars(select(ReportSnapshot.round_id).where(ReportSnapshot.round_id.in_(ids))))
    released = set(db.session.scalars(select(ReportRelease.round_id).where(ReportRelease.round_id.in_(ids))))
    rounds = [r for r in rounds if r.id in (built if _reads_live(r) else released)]
    latest: dict[str, dict[int, Round]] = {}
    for survey_round in rounds:
        latest.setdefault(survey_round.survey.key, {}).setdefault(survey_round.community_id, survey_round)
    order = {c.id: position for position, c in enumerate(communities)}
    return {key: sorted(found.values(), key=lambda r: order[r.community_id]) for key, found in latest.items()}
