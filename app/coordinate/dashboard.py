"""The live outreach dashboard of a round: who answered, who is behind, what to try next."""

from __future__ import annotations

from flask import render_template
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from app import charts
from app.auth.access import require_round
from app.coordinate import bp
from app.domain.outreach import REVIEW, UNKNOWN, Channel, DayCount, Suggestion
from app.i18n import LANGUAGE_NAMES, community_time, format_share, text_direction
from app.models import Group
from app.services.outreach_dashboard import Dashboard, community_zone
from app.services.outreach_dashboard import dashboard as build_dashboard

CHART_DAYS = 14  # the chart shows the last two weeks; the table below it has every day


@bp.get("/rounds/<int:round_id>/dashboard")
@login_required
def dashboard(round_id: int):
    survey_round = require_round(round_id)
    board = build_dashboard(survey_round)
    definition = board.definition
    return render_template(
        "coordinate/dashboard.html", round=survey_round, board=board,
        fallback=[survey_round.community.default_language, *definition.languages],
        page_titles={p.key: p.title for p in definition.pages},
        review_key=REVIEW, unknown_key=UNKNOWN, language_names=LANGUAGE_NAMES,
        suggestion_text=lambda group, suggestion: suggestion_sentence(group, suggestion),
        target_chart=target_chart(board), days_chart=days_chart(board.days[-CHART_DAYS:]),
        chart_days=CHART_DAYS, day_label=day_label, as_of=as_of_text(board),
        not_offered=", ".join(LANGUAGE_NAMES.get(code, code) for code in board.languages_not_offered),
    )


def as_of_text(board: Dashboard) -> str:
    """When the figures were read, on the community's clocks, the zone named: the days below
    are counted in it."""
    when = community_time(board.as_of, board.survey_round.community)
    return f"{when} ({community_zone(board.survey_round)})"


def group_name(group: Group | None) -> str:
    return group.display_name(str(get_locale())) if group else _("Everyone (no group)")


def suggestion_sentence(group: Group | None, suggestion: Suggestion) -> str:
    """What to try next for a group that is behind, in plain words."""
    name = group_name(group)
    if suggestion.channel is Channel.POSTER:
        return _("Print the poster of the link for %(group)s and put it up where they meet; "
                 "no poster or QR code has been made for them yet.", group=name)
    if suggestion.channel is Channel.INVITATIONS:
        return _("Send personal invitations to people of %(group)s; nobody of them has been invited yet.",
                 group=name)
    if suggestion.channel is Channel.REMINDERS:
        return _("Send a reminder to the people of %(group)s who were invited and have not answered.",
                 group=name)
    if suggestion.channel is Channel.LANGUAGES:
        return _("Offer the survey in more of the community's languages (%(languages)s): "
                 "some people of %(group)s may not answer in the languages offered now.",
                 languages=", ".join(LANGUAGE_NAMES.get(code, code) for code in suggestion.languages),
                 group=name)
    return _("Every channel has been used for %(group)s: ask a partner organisation of their sector "
             "or neighbourhood to share the link with them.", group=name)


def writing() -> charts.Writing:
    return charts.Writing(rtl=text_direction(str(get_locale())) == "rtl")


def target_chart(board: Dashboard) -> Markup | None:
    """Share of the target reached per group (groups with a target), the furthest behind marked."""
    bars = [charts.Bar(group_name(line.group), 100 * line.progress.share_of_target,
                       note=_("%(complete)s of %(target)s", complete=line.progress.complete,
                              target=line.progress.target),
                       highlight=line.behind)
            for line in board.groups if line.progress.share_of_target is not None]
    if not bars:
        return None
    return charts.bar_chart(
        bars, title=_("Share of the target reached"),
        description=_("For each group with a target, the complete responses as a percentage of the "
                      "target; the table gives every figure."),
        id_prefix="target-chart", writing=writing(), value_format=lambda v: format_share(v / 100),
    )


def day_label(day) -> str:
    return format_date(day, "EEE d MMM")


def days_chart(days: list[DayCount]) -> Markup | None:
    if not any(d.complete for d in days):
        return None
    return charts.bar_chart(
        [charts.Bar(day_label(d.day), d.complete) for d in days],
        title=_("Complete responses per day"),
        description=_("How many responses were sent each day; the table gives every day."),
        id_prefix="days-chart", writing=writing(), maximum=max(d.complete for d in days),
    )
