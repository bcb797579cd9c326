"""A round's life: launch, pause, resume, close, reopen, and what the clock does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.round_rules import RoundRuleError, RoundState, check_times, next_status, status_at

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def state(status="draft", opens_at=None, closes_at=None, groups=3, languages=2) -> RoundState:
    return RoundState(status, opens_at, closes_at, groups, languages)


def test_launch_opens_at_once_without_an_opening_time_or_when_it_has_passed():
    assert next_status(state(), "launch", NOW) == "open"
    assert next_status(state(opens_at=NOW - HOUR), "launch", NOW) == "open"


def test_launch_with_a_future_opening_time_schedules_the_round():
    assert next_status(state(opens_at=NOW + HOUR, closes_at=NOW + 48 * HOUR), "launch", NOW) == "scheduled"


@pytest.mark.parametrize(("round_state", "code"), [
    (state(groups=0), "no_groups"),
    (state(languages=0), "no_languages"),
    (state(closes_at=NOW - HOUR), "closing_time_passed"),
    (state(opens_at=NOW + 2 * HOUR, closes_at=NOW + HOUR), "closes_before_opening"),
    (state(status="open"), "not_draft"),
])
def test_launch_refuses_a_round_that_cannot_run(round_state, code):
    with pytest.raises(RoundRuleError) as error:
        next_status(round_state, "launch", NOW)
    assert error.value.code == code


def test_pause_resume_close_and_reopen_follow_the_states():
    assert next_status(state("open"), "pause", NOW) == "paused"
    assert next_status(state("paused"), "resume", NOW) == "open"
    for status in ("scheduled", "open", "paused"):
        assert next_status(state(status), "close", NOW) == "closed"
    assert next_status(state("closed", closes_at=NOW + HOUR), "reopen", NOW) == "open"
    assert next_status(state("closed"), "reopen", NOW) == "open"


@pytest.mark.parametrize(("status", "action", "code"), [
    ("draft", "pause", "not_open"), ("paused", "pause", "not_open"), ("open", "resume", "not_paused"),
    ("draft", "close", "not_running"), ("closed", "close", "not_running"), ("open", "reopen", "not_closed"),
    ("open", "explode", "unknown_action"),
])
def test_steps_out_of_order_are_refused(status, action, code):
    with pytest.raises(RoundRuleError) as error:
        next_status(state(status), action, NOW)
    assert error.value.code == code


def test_reopening_needs_a_closing_time_still_ahead():
    with pytest.raises(RoundRuleError) as error:
        next_status(state("closed", closes_at=NOW - HOUR), "reopen", NOW)
    assert error.value.code == "closing_time_passed"


def test_the_clock_opens_scheduled_rounds_and_closes_running_ones():
    assert status_at(state("scheduled", opens_at=NOW - HOUR), NOW) == "open"
    assert status_at(state("scheduled", opens_at=NOW + HOUR), NOW) == "scheduled"
    for status in ("scheduled", "open", "paused"):
        assert status_at(state(status, closes_at=NOW), NOW) == "closed"
    assert status_at(state("draft", closes_at=NOW - HOUR), NOW) == "draft"  # a draft never runs
    assert status_at(state("open", closes_at=NOW + HOUR), NOW) == "open"


def test_a_closing_time_must_come_after_the_opening_time():
    check_times(NOW, NOW + HOUR)
    check_times(None, NOW)
    with pytest.raises(RoundRuleError):
        check_times(NOW, NOW)
