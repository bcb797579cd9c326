"""What a coordinator may do with a round, and what it becomes.

    draft ──launch──▶ scheduled ──(opening time; beat)──▶ open ◀──resume── paused
                └─────launch (no opening time, or passed)──▶ open ──pause──▶ paused
    open, paused, scheduled ──close (or closing time; beat)──▶ closed ──reopen──▶ open

Statuses are the plain strings stored in the database (app.models.RoundStatus values), so
this module needs neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DRAFT, SCHEDULED, OPEN, PAUSED, CLOSED = "draft", "scheduled", "open", "paused", "closed"
ACTIONS = ("launch", "pause", "resume", "close", "reopen")


class RoundRuleError(ValueError):
    """A step the round's state does not allow; `code` names the reason for the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RoundState:
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    groups: int  # how many groups the round is for
    languages: int


def next_status(state: RoundState, action: str, now: datetime) -> str:
    """The status after `action`, or RoundRuleError saying why it cannot be done now."""
    if action == "launch":
        return _launch(state, now)
    if action == "pause":
        return _require(state, {OPEN}, "not_open", PAUSED)
    if action == "resume":
        return _require(state, {PAUSED}, "not_paused", OPEN)
    if action == "close":
        return _require(state, {SCHEDULED, OPEN, PAUSED}, "not_running", CLOSED)
    if action == "reopen":
        _require(state, {CLOSED}, "not_closed", OPEN)
        if state.closes_at is not None and state.closes_at <= now:
            raise RoundRuleError("closing_time_passed")
        return OPEN
    raise RoundRuleError("unknown_action")


def status_at(state: RoundState, now: datetime) -> str:
    """What the clock does to a round: scheduled rounds open, running rounds close on time."""
    if state.status in (SCHEDULED, OPEN, PAUSED) and state.closes_at is not None and state.closes_at <= now:
        return CLOSED
    if state.status == SCHEDULED and (state.opens_at is None or state.opens_at <= now):
        return OPEN
    return state.status


def check_times(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise RoundRuleError("closes_before_opening")


def _launch(state: RoundState, now: datetime) -> str:
    _require(state, {DRAFT}, "not_draft", OPEN)
    if state.groups == 0:
        raise RoundRuleError("no_groups")
    if state.languages == 0:
        raise RoundRuleError("no_languages")
    check_times(state.opens_at, state.closes_at)
    if state.closes_at is not None and state.closes_at <= now:
        raise RoundRuleError("closing_time_passed")
    if state.opens_at is not None and state.opens_at > now:
        return SCHEDULED
    return OPEN


def _require(state: RoundState, allowed: set[str], code: str, result: str) -> str:
    if state.status not in allowed:
        raise RoundRuleError(code)
    return result
