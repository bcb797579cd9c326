"""The embedded default (no broker, so no beat): the web process runs beat's schedule itself."""

from __future__ import annotations

from datetime import timedelta

from app.celery_app import BEAT_SCHEDULE
from app.extensions import db
from app.in_process_schedule import STARTED_KEY, due_jobs, seconds_to_next
from app.models import ReportSnapshot, Round, RoundStatus, utcnow
from tests.conftest import make_app
from tests.factories import make_round
from tests.helpers import wait_for
from tests.report_data import seed_round


def test_every_job_is_due_at_first_and_then_once_its_interval_has_passed():
    schedule = {"often": {"schedule": 15.0}, "rarely": {"schedule": 300.0}}
    assert due_jobs(schedule, {}, now=1000.0) == ["often", "rarely"]
    ran = {"often": 1000.0, "rarely": 1000.0}
    assert due_jobs(schedule, ran, now=1014.9) == []
    assert due_jobs(schedule, ran, now=1015.0) == ["often"]
    assert due_jobs(schedule, ran, now=1300.0) == ["often", "rarely"]
    assert seconds_to_next(schedule, ran, now=1010.0) == 5.0
    assert seconds_to_next(schedule, ran, now=2000.0) == 0.1  # overdue: at once, but never a spin


def test_without_a_broker_the_first_request_starts_the_schedule_that_builds_reports_and_opens_rounds(
        app, schema, tmp_path):
    seeded = seed_round()  # an open round with answers and no report yet
    scheduled = make_round(seeded.round.community, seeded.round.survey, status=RoundStatus.SCHEDULED,
                           title="Autumn round", opens_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    embedded = make_app(schema, tmp_path / "embedded", IN_PROCESS_SCHEDULE=True)
    assert embedded.config["CELERY"]["task_always_eager"]  # no broker, no worker, no beat
    assert STARTED_KEY not in embedded.extensions  # creating the app (a CLI command) starts nothing
    try:
        embedded.test_client().get("/healthz")
        runner = embedded.extensions[STARTED_KEY]
        assert wait_for(lambda: set(runner.runs) >= set(BEAT_SCHEDULE)), runner.runs
        db.session.expire_all()
        assert db.session.query(ReportSnapshot).filter_by(round_id=seeded.round.id).one().response_count > 0
        assert db.session.get(Round, scheduled.id).status is RoundStatus.OPEN
        embedded.test_client().get("/healthz")
        assert embedded.extensions[STARTED_KEY] is runner  # one schedule per process, however many requests
    finally:
        if STARTED_KEY in embedded.extensions:
            embedded.extensions[STARTED_KEY].stop()
        with embedded.app_context():
            db.engine.dispose()


def test_with_a_broker_the_web_process_leaves_the_schedule_to_beat(monkeypatch):
    from config import config_for

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert config_for("development")().IN_PROCESS_SCHEDULE is False
    monkeypatch.delenv("REDIS_URL")
    assert config_for("development")().IN_PROCESS_SCHEDULE is True
