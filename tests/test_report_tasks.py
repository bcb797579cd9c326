"""The report build job: one at a time per round, retried, replaced whole, kept up to date."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import tasks
from app.domain.report_model import PAYLOAD_FORMAT
from app.extensions import db
from app.models import ReportBuild, ReportSnapshot, Response, ResponseStatus, RoundStatus, utcnow
from app.services import report_build, report_queue, report_releases
from tests.report_data import seed_round


@pytest.fixture
def seeded(app):
    data = seed_round()
    db.session.commit()
    return data


def test_the_lock_is_held_by_one_build_at_a_time(seeded):
    now = utcnow()
    token = report_queue.acquire(seeded.round.id, now)
    assert token is not None
    assert report_queue.acquire(seeded.round.id, now + timedelta(seconds=5)) is None
    assert not report_queue.release(seeded.round.id, "not-the-token", now)
    assert report_queue.release(seeded.round.id, token, now)
    assert report_queue.acquire(seeded.round.id, now) is not None


def test_a_lock_whose_lease_ran_out_is_taken_over_and_a_renewed_one_is_not(seeded):
    start = utcnow()
    token = report_queue.acquire(seeded.round.id, start)
    db.session.commit()
    soon = start + report_queue.renew_every()
    with db.engine.begin() as connection:  # the running build renews its lease
        assert report_queue.renew(connection, seeded.round.id, token, soon)
    db.session.expire_all()
    assert report_queue.acquire(seeded.round.id, start + report_queue.lease() + timedelta(seconds=1)) is None
    later = soon + report_queue.lease() + timedelta(seconds=1)  # then nothing renews it: its worker died
    assert report_queue.acquire(seeded.round.id, later) is not None


def test_pages_say_a_report_is_being_built_only_while_a_live_build_holds_the_lease(seeded, monkeypatch):
    start = utcnow()
    report_queue.acquire(seeded.round.id, start)
    db.session.commit()
    assert report_queue.build_status(seeded.round.id).building
    monkeypatch.setattr(report_queue, "utcnow", lambda: start + report_queue.lease() + timedelta(seconds=1))
    status = report_queue.build_status(seeded.round.id)
    assert not status.building and not status.asked  # its worker died: nothing is being built


def test_beat_asks_again_for_a_build_whose_worker_died(seeded):
    start = utcnow() - report_queue.lease() - timedelta(seconds=5)
    report_queue.acquire(seeded.round.id, start)  # and then nothing renewed it
    db.session.commit()
    assert tasks.recover_abandoned_builds.delay().get() == [seeded.round.id]
    db.session.expire_all()
    build = db.session.get(ReportBuild, seeded.round.id)
    assert build.started_at is None and build.failures == 0  # freed, and then built without a fault
    assert db.session.query(ReportSnapshot).one().response_count == 51  # built again (here, in-process)
    assert tasks.recover_abandoned_builds.delay().get() == []


def test_the_task_does_not_build_while_another_build_holds_the_lock(seeded):
    report_queue.acquire(seeded.round.id, utcnow())
    db.session.commit()
    assert tasks.build_report.delay(seeded.round.id).get() == "busy"
    assert db.session.query(ReportSnapshot).count() == 0


def test_the_task_builds_records_the_time_and_count_and_releases_the_lock(seeded):
    assert tasks.build_report.delay(seeded.round.id).get() == "built"
    snapshot = db.session.query(ReportSnapshot).one()
    assert snapshot.response_count == 51 and snapshot.built_at is not None
    build = db.session.get(ReportBuild, seeded.round.id)
    assert build.started_at is None and build.lock_token is None and build.failures == 0
    status = report_queue.build_status(seeded.round.id)
    assert status.built_at == snapshot.built_at and not status.under_way


def test_a_request_made_during_a_build_shows_as_under_way_and_is_built_after_it(seeded):
    started = utcnow() - timedelta(seconds=10)
    token = report_queue.acquire(seeded.round.id, started)
    report_queue.request_build(seeded.round.id, utcnow())
    db.session.commit()
    assert report_queue.build_status(seeded.round.id).under_way
    assert report_queue.wanted_again(seeded.round.id, started)
    report_queue.release(seeded.round.id, token, utcnow())
    assert not report_queue.wanted_again(seeded.round.id, utcnow())


def test_a_failing_build_releases_the_lock_records_the_error_and_keeps_the_old_report(seeded, monkeypatch):
    tasks.build_report.delay(seeded.round.id).get()
    old = db.session.query(ReportSnapshot).one().payload

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_build, "build_report", broken)
    with pytest.raises(RuntimeError):
        tasks.build_report.delay(seeded.round.id).get()
    db.session.expire_all()
    build = db.session.get(ReportBuild, seeded.round.id)
    assert build.started_at is None and build.failures == 1 and "disk full" in build.last_error
    assert db.session.query(ReportSnapshot).one().payload == old
    assert report_queue.build_status(seeded.round.id).failed


def test_open_rounds_are_refreshed_only_when_responses_changed(seeded):
    assert report_queue.rounds_needing_refresh(utcnow()) == [seeded.round.id]  # never built
    tasks.refresh_open_reports.delay().get()
    assert report_queue.rounds_needing_refresh(utcnow()) == []
    late = db.session.query(Response).filter_by(status=ResponseStatus.COMPLETE).first()
    late.submitted_at = utcnow() + timedelta(seconds=5)  # a response arrived after the build
    db.session.commit()
    assert report_queue.rounds_needing_refresh(utcnow()) == [seeded.round.id]
    seeded.round.status, seeded.round.closed_at = RoundStatus.CLOSED, utcnow()
    db.session.commit()
    assert report_queue.rounds_needing_refresh(utcnow()) == [seeded.round.id]  # its final release is due
    tasks.refresh_open_reports.delay().get()
    assert report_queue.rounds_needing_refresh(utcnow()) == []  # closed and released: nothing more to do


def test_responses_beat_finds_while_a_build_runs_are_built_when_it_ends(seeded):
    started = utcnow()
    token = report_queue.acquire(seeded.round.id, started)  # a build is running
    db.session.commit()
    assert not report_queue.wanted_again(seeded.round.id, started)
    assert tasks.refresh_open_reports.delay().get() == [seeded.round.id]
    db.session.expire_all()
    assert report_queue.build_status(seeded.round.id).under_way
    assert report_queue.wanted_again(seeded.round.id, started)  # the running build queues one more
    report_queue.release(seeded.round.id, token, utcnow())


def test_a_build_asked_for_that_never_began_is_queued_again_by_beat_whatever_the_round_status(seeded):
    patience = report_queue.UNSERVED_REQUEST
    seeded.round.status, seeded.round.closed_at = RoundStatus.CLOSED, utcnow() - 3 * patience
    report_releases.build_and_release(seeded.round.id, utcnow() - 3 * patience)  # its final release
    asked = utcnow() - 2 * patience
    report_queue.request_build(seeded.round.id, asked)  # then the broker was down: nothing was queued
    db.session.commit()
    assert report_queue.rounds_needing_refresh(asked + patience / 2) == []  # it may still be in the queue
    assert report_queue.rounds_needing_refresh(asked + patience * 1.5) == [seeded.round.id]

    assert tasks.refresh_open_reports.delay().get() == [seeded.round.id]  # the broker is back: beat queues it
    assert report_queue.build_status(seeded.round.id).built_at > asked
    assert report_queue.rounds_needing_refresh(utcnow() + 2 * patience) == []


def test_closing_a_round_on_schedule_builds_its_final_report(seeded):
    seeded.round.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    tasks.apply_round_schedule.delay().get()
    db.session.expire_all()
    assert seeded.round.status is RoundStatus.CLOSED
    assert db.session.query(ReportSnapshot).one().response_count == 51


def test_a_second_schedule_run_skips_a_round_the_first_is_changing_instead_of_changing_it_again(on_postgres, seeded):
    """Two beats by mistake, or a manual run beside beat: each round is closed by one run."""
    from sqlalchemy import text, update
    from sqlalchemy.orm import Session

    from app.models import Round
    from app.services import rounds

    seeded.round.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    round_id = seeded.round.id
    with Session(db.engine) as first_run:  # closing it now, not yet committed
        first_run.execute(update(Round).where(Round.id == round_id).values(status=RoundStatus.CLOSED))
        db.session.execute(text("SET LOCAL lock_timeout = '3s'"))  # waiting would fail, not hang
        assert rounds.apply_clock(utcnow()) == ([], [])  # skipped, without waiting
        db.session.rollback()
        first_run.commit()
    assert rounds.apply_clock(utcnow()) == ([], [])  # and afterwards: already closed


def test_a_snapshot_made_by_an_earlier_version_is_built_again_whatever_the_round_status(seeded):
    seeded.round.status, seeded.round.closed_at = RoundStatus.CLOSED, utcnow()
    report_releases.build_and_release(seeded.round.id, utcnow())
    db.session.commit()
    assert report_queue.rounds_needing_refresh(utcnow()) == []
    snapshot = db.session.query(ReportSnapshot).one()
    assert snapshot.payload_format == snapshot.payload["format"] == PAYLOAD_FORMAT
    snapshot.payload = snapshot.payload | {"format": PAYLOAD_FORMAT - 1}  # as an earlier version wrote it
    snapshot.payload_format = PAYLOAD_FORMAT - 1
    db.session.commit()
    assert report_queue.rounds_needing_refresh(utcnow()) == [seeded.round.id]
    assert tasks.refresh_open_reports.delay().get() == [seeded.round.id]
    db.session.expire_all()
    assert db.session.query(ReportSnapshot).one().payload_format == PAYLOAD_FORMAT
    assert report_queue.rounds_needing_refresh(utcnow()) == []


def test_the_refresh_command_builds_what_beat_would_and_then_finds_nothing_to_do(seeded, runner):
    """Without Redis (no beat) the command is how reports of open rounds keep up."""
    assert seeded.round.status == RoundStatus.OPEN and db.session.query(ReportSnapshot).count() == 0
    result = runner.invoke(args=["reports", "refresh"])
    assert result.exit_code == 0 and f"Built the report of round(s) {seeded.round.id}." in result.output
    snapshot = db.session.query(ReportSnapshot).one()
    assert snapshot.response_count == len(seeded.respondents)
    assert runner.invoke(args=["reports", "refresh"]).output == "Every report is up to date.\n"
    # A snapshot an earlier version wrote is built again, whatever the round's status.
    seeded.round.status = RoundStatus.CLOSED
    snapshot.payload_format = PAYLOAD_FORMAT - 1
    db.session.commit()
    assert f"round(s) {seeded.round.id}." in runner.invoke(args=["reports", "refresh"]).output
    assert db.session.query(ReportSnapshot).one().payload_format == PAYLOAD_FORMAT


def test_the_refresh_command_with_redis_down_says_so_and_keeps_the_request(seeded, runner, broker_down):
    result = runner.invoke(args=["reports", "refresh"])
    assert result.exit_code == 1
    assert f"Redis cannot be reached: the report of round(s) {seeded.round.id} is noted" in result.output
    assert db.session.query(ReportSnapshot).count() == 0
    assert db.session.get(ReportBuild, seeded.round.id).requested_at is not None  # beat queues it later
