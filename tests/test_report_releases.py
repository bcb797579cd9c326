"""Releases on the real database: what stakeholders obtain of a round, one release after another."""

from __future__ import annotations

import random

from app.domain.privacy.releases import EVERYONE, figure_id
from app.extensions import db
from app.models import Question, ReleaseKind, ReportRelease, ResponseStatus, RoundStatus, utcnow
from app.services import report_releases
from app.services.report_releases import build_and_release, latest_release, request_release
from tests.report_data import _respondent, _store, seed_round


def store(data, group: str, count: int, seed: int = 99) -> None:
    rng = random.Random(seed)
    question_ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=data.round.survey_id)}
    for _ in range(count):
        _store(data.round, data.groups[group], _respondent(rng, group, not_taking_part=False), question_ids,
               ResponseStatus.COMPLETE)
    db.session.flush()


def publish(data) -> ReportRelease:
    request_release(data.round.id, None, utcnow())
    build_and_release(data.round.id, utcnow())
    db.session.commit()
    return latest_release(data.round.id)


def test_an_open_round_is_released_only_when_a_coordinator_publishes(app):
    data = seed_round()
    build_and_release(data.round.id, utcnow())
    assert latest_release(data.round.id) is None
    release = publish(data)
    assert (release.number, release.kind) == (1, ReleaseKind.INTERIM)
    assert release.payload["respondents"] == 51
    assert release.payload["sections"][0].get("held_back") == {}


def test_closing_makes_the_final_release_counting_everyone(app):
    data = seed_round()
    publish(data)
    store(data, "youth", 3)
    data.round.status, data.round.closed_at = RoundStatus.CLOSED, utcnow()
    build_and_release(data.round.id, utcnow())
    final = latest_release(data.round.id)
    assert (final.number, final.kind, final.payload["respondents"]) == (2, ReleaseKind.FINAL, 54)


def test_three_new_answers_are_held_back_with_their_last_released_figures(app):
    data = seed_round()
    first = publish(data)
    store(data, "youth", 3)
    second = publish(data)
    youth = next(s for s in second.payload["sections"] if s["key"] == "youth")
    everyone = next(s for s in second.payload["sections"] if s["key"] == EVERYONE)
    heard = figure_id(("item", "heard_of_offer"))
    assert heard in youth["hidden"] and heard in youth["held_back"]
    assert youth["held_back"][heard]["release"] == 1
    first_youth = next(s for s in first.payload["sections"] if s["key"] == "youth")
    assert youth["held_back"][heard]["figure"] == first_youth["items"]["heard_of_offer"]
    assert heard in everyone["hidden"]  # no other group changed: everyone's keeps its figures of release 1


def test_a_preview_says_what_the_final_release_would_withhold(app):
    data = seed_round()
    publish(data)
    store(data, "seniors", 2)
    preview = report_releases.preview(data.round, ReleaseKind.FINAL)
    held = {(h.section, h.figure) for h in preview.held_back}
    assert ("seniors", ("item", "heard_of_offer")) in held
    assert preview.response_count == 53
    assert latest_release(data.round.id).number == 1  # nothing stored
