"""A real Celery worker process, on Redis and PostgreSQL, runs the app's tasks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ReportBuild, ReportSnapshot, Round, RoundStatus, utcnow
from tests.factories import load_fixture_bank, make_community, make_round
from tests.helpers import wait_for
from tests.integration.workers import app_with_worker
from tests.report_data import seed_round


def test_a_worker_process_closes_a_due_round(on_postgres, redis_url, tmp_path):
    with app_with_worker(on_postgres, redis_url, tmp_path) as (app, log_path), app.app_context():
        community = make_community()
        due = make_round(community, load_fixture_bank(), closes_at=utcnow() - timedelta(minutes=1))
        later = make_round(community, due.survey, closes_at=utcnow() + timedelta(days=1))
        starting = make_round(community, due.survey, status=RoundStatus.SCHEDULED,
                              opens_at=utcnow() - timedelta(minutes=1))
        waiting = make_round(community, due.survey, status=RoundStatus.SCHEDULED,
                             opens_at=utcnow() + timedelta(days=1))
        db.session.commit()
        ids = {"due": due.id, "later": later.id, "starting": starting.id, "waiting": waiting.id}

        app.extensions["celery"].send_task("app.tasks.apply_round_schedule")

        def status(name: str) -> RoundStatus:
            return db.session.get(Round, ids[name]).status

        def applied() -> bool:
            db.session.expire_all()
            return status("due") is RoundStatus.CLOSED and status("starting") is RoundStatus.OPEN

        assert wait_for(applied), "the worker did not apply the schedule:\n" + log_path.read_text()
        assert status("later") is RoundStatus.OPEN
        assert status("waiting") is RoundStatus.SCHEDULED
    # Read once the worker has stopped: it logs a task's success after committing its work.
    assert "app.tasks.apply_round_schedule" in log_path.read_text()
    assert "succeeded" in log_path.read_text()


def test_a_worker_process_builds_a_report_and_a_second_request_waits_its_turn(on_postgres, redis_url, tmp_path):
    with app_with_worker(on_postgres, redis_url, tmp_path) as (app, log_path), app.app_context():
        round_id = seed_round().round.id
        db.session.commit()
        celery = app.extensions["celery"]
        celery.send_task("app.tasks.build_report", args=[round_id])
        celery.send_task("app.tasks.build_report", args=[round_id])

        def built_twice_in_turn() -> bool:
            db.session.expire_all()
            return log_path.read_text().count("succeeded") >= 2

        assert wait_for(built_twice_in_turn), log_path.read_text()
        snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == round_id))
        assert snapshot.response_count == 51
        assert db.session.get(ReportBuild, round_id).started_at is None  # lock released


def test_the_refresh_command_queues_builds_that_a_worker_process_makes(on_postgres, redis_url, tmp_path):
    with app_with_worker(on_postgres, redis_url, tmp_path) as (app, log_path), app.app_context():
        round_id = seed_round().round.id  # open, answered, never built
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["reports", "refresh"])
        assert result.exit_code == 0, result.output
        assert result.output == f"Queued the build of the report of round(s) {round_id}.\n"

        def built() -> bool:
            db.session.expire_all()
            return db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == round_id)) is not None

        assert wait_for(built), log_path.read_text()
