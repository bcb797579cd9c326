"""The outreach logic: who is furthest behind, what to try next, where people stop, per day."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.domain.outreach import (
    REVIEW,
    UNKNOWN,
    Channel,
    ChannelsUsed,
    GroupProgress,
    PageStanding,
    behind_order,
    furthest_behind,
    languages_used,
    per_day,
    standing_page,
    suggest_channel,
    total_progress,
    where_unfinished_stand,
)


# -- progress ----------------------------------------------------------------------------------


def test_a_groups_figures_come_from_its_counts():
    group = GroupProgress(1, complete=30, in_progress=10, population=600, target=120)
    assert group.started == 40
    assert group.completion_rate == 0.75
    assert group.coverage == 0.05
    assert group.share_of_target == 0.25
    assert group.gap_to_target == 90
    assert not group.reached_target


def test_figures_without_a_basis_are_none_not_zero():
    nobody = GroupProgress(1)
    assert nobody.completion_rate is None and nobody.coverage is None
    assert nobody.share_of_target is None and nobody.gap_to_target is None
    assert GroupProgress(1, complete=3, population=0, target=0).coverage is None


def test_the_gap_to_target_never_goes_below_zero():
    ahead = GroupProgress(1, complete=50, target=40)
    assert ahead.gap_to_target == 0 and ahead.reached_target and ahead.share_of_target == 1.25


def test_the_total_counts_everyone_and_sums_populations_only_when_all_are_known():
    groups = [GroupProgress(1, 10, 2, population=100, target=20), GroupProgress(2, 5, 1, population=50, target=10)]
    total = total_progress(groups, GroupProgress(None, 4, 3))
    assert (total.complete, total.in_progress, total.population, total.target) == (19, 6, 150, 30)
    partly = total_progress([*groups, GroupProgress(3, 1, 0, population=None, target=5)])
    assert partly.population is None and partly.target == 35


# -- furthest behind ------------------------------------------------------------------------------


def test_groups_with_a_target_come_first_lowest_share_first_then_lowest_coverage():
    youth = GroupProgress(1, complete=5, target=50)  # 10 % of the target
    seniors = GroupProgress(2, complete=30, target=60)  # 50 %
    newcomers = GroupProgress(3, complete=2, population=4000)  # 0.05 % coverage, no target
    parents = GroupProgress(4, complete=40, population=400)  # 10 % coverage
    order = behind_order([parents, seniors, newcomers, youth])
    assert [g.group_id for g in order] == [1, 2, 3, 4]


def test_groups_that_reached_their_target_or_cannot_be_judged_are_not_behind():
    done = GroupProgress(1, complete=60, target=60)
    unknown = GroupProgress(2, complete=0)
    behind = GroupProgress(3, complete=1, target=60)
    assert behind_order([done, unknown, behind]) == [behind]


def test_ties_go_to_the_group_with_fewer_responses_then_to_the_given_order():
    a = GroupProgress(1, complete=10, target=100)
    b = GroupProgress(2, complete=5, target=50)
    c = GroupProgress(3, complete=5, target=50)
    assert [g.group_id for g in behind_order([a, b, c])] == [2, 3, 1]


def test_only_the_three_furthest_behind_are_highlighted_each_with_a_suggestion():
    groups = [GroupProgress(i, complete=i, target=100) for i in range(1, 6)]
    used = {1: ChannelsUsed(has_public_link=True)}
    behind = furthest_behind(groups, used)
    assert [b.progress.group_id for b in behind] == [1, 2, 3]
    assert behind[0].suggestion.channel is Channel.POSTER
    assert behind[1].suggestion.channel is Channel.INVITATIONS  # no link known for group 2


# -- which channel next ---------------------------------------------------------------------------


def test_the_poster_comes_first_when_the_group_has_a_link_that_was_never_printed():
    assert suggest_channel(ChannelsUsed(has_public_link=True)).channel is Channel.POSTER


def test_without_a_public_link_the_poster_is_not_suggested():
    assert suggest_channel(ChannelsUsed(has_public_link=False)).channel is Channel.INVITATIONS


def test_then_invitations_then_reminders_then_languages_then_a_partner():
    printed = ChannelsUsed(has_public_link=True, poster_or_qr=True)
    assert suggest_channel(printed).channel is Channel.INVITATIONS
    invited = ChannelsUsed(has_public_link=True, poster_or_qr=True, invitations=12)
    assert suggest_channel(invited).channel is Channel.REMINDERS
    reminded = ChannelsUsed(has_public_link=True, poster_or_qr=True, invitations=12, reminders=True)
    languages = suggest_channel(reminded, ["ar", "nl"])
    assert languages.channel is Channel.LANGUAGES and languages.languages == ("ar", "nl")
    assert suggest_channel(reminded, []).channel is Channel.PARTNER


# -- where people stop ----------------------------------------------------------------------------

PAGES = ["about_you", "needs", "your_words"]
SCREENS = ["about_you", "needs", "needs", "your_words"]  # "needs" is split in two screens


def test_a_response_stands_on_the_screen_after_the_last_one_it_saved():
    assert standing_page(None, SCREENS, PAGES) == "about_you"  # started, saved nothing
    assert standing_page("0", SCREENS, PAGES) == "needs"
    assert standing_page("1", SCREENS, PAGES) == "needs"  # the second screen of the same page
    assert standing_page("2", SCREENS, PAGES) == "your_words"
    assert standing_page("3", SCREENS, PAGES) == REVIEW  # every screen saved, not sent


def test_a_page_key_is_taken_as_it_is_and_anything_else_is_unknown():
    assert standing_page("needs", SCREENS, PAGES) == "needs"
    assert standing_page("7", SCREENS, PAGES) == UNKNOWN
    assert standing_page("gone_page", SCREENS, PAGES) == UNKNOWN


def test_unfinished_responses_are_counted_per_page_in_survey_order_with_each_groups_screens():
    # Group 5's link answers the first page for everyone: its screen 0 is already "needs".
    screens_of = {5: ["needs", "needs", "your_words"]}
    counts = {(None, None): 4, (None, "0"): 3, (5, None): 2, (5, "0"): 1, (5, "2"): 6, (None, "9"): 1}
    assert where_unfinished_stand(counts, screens_of, SCREENS, PAGES) == [
        PageStanding("about_you", 4), PageStanding("needs", 3 + 2 + 1), PageStanding("your_words", 0),
        PageStanding(REVIEW, 6), PageStanding(UNKNOWN, 1),
    ]


def test_every_page_is_listed_even_when_nobody_stands_there():
    assert where_unfinished_stand({}, {}, SCREENS, PAGES) == [PageStanding(p, 0) for p in PAGES]


# -- per day and per language ----------------------------------------------------------------------


def test_hours_become_the_communitys_days_with_empty_days_filled_in():
    hours = {datetime(2026, 3, 1, 10, tzinfo=UTC): 3, datetime(2026, 3, 1, 23, tzinfo=UTC): 2,
             datetime(2026, 3, 4, 8, tzinfo=UTC): 1}
    in_utc = per_day(hours)
    assert [(d.day, d.complete) for d in in_utc] == [
        (date(2026, 3, 1), 5), (date(2026, 3, 2), 0), (date(2026, 3, 3), 0), (date(2026, 3, 4), 1)]
    in_jerusalem = per_day(hours, ZoneInfo("Asia/Jerusalem"))  # UTC+2: 23:00 is past midnight
    assert [(d.day, d.complete) for d in in_jerusalem][:2] == [(date(2026, 3, 1), 3), (date(2026, 3, 2), 2)]


def test_days_run_on_to_today_and_naive_hours_are_utc():
    days = per_day({datetime(2026, 3, 1, 10): 1}, until=date(2026, 3, 3))
    assert [(d.day, d.complete) for d in days] == [
        (date(2026, 3, 1), 1), (date(2026, 3, 2), 0), (date(2026, 3, 3), 0)]
    assert per_day({}) == []


def test_languages_are_counted_started_and_complete_most_used_first():
    uses = languages_used({("he", True): 5, ("he", False): 2, ("en", True): 9, ("ar", False): 1})
    assert [(u.language, u.started, u.complete) for u in uses] == [("en", 9, 9), ("he", 7, 5), ("ar", 1, 0)]
