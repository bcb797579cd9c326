"""Celery tasks: thin wrappers that take ids, call a service and commit."""

from __future__ import annotations


from celery import shared_task
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import utcnow
from app.services import report_build, round_schedule



@shared_task(name="app.tasks.apply_round_schedule", ignore_result=True)
def apply_round_schedule() -> list[int]:
    closed = round_schedule.close_due_rounds(utcnow())
    db.session.commit()
    for round_id in closed:
        request_report(round_id)  # a closed round's final report
    return closed


def request_report(round_id: int) -> None:
    """Ask for a new report of the round: noted at once (pages say so), built by a worker."""
    report_build.request_build(round_id, utcnow())
    db.session.commit()
    build_report.delay(round_id)


@shared_task(
    name="app.tasks.build_report",
    ignore_result=True,
    autoretry_for=(OperationalError,),  # the database restarting or a connection dropped
    retry_backoff=True,
    max_retries=5,
)
def build_report(round_id: int) -> str:
    """Build and store the round's report, unless a build of it is running already.

    Idempotent: building twice from the same responses stores the same figures. A build asked
    for while another runs is not lost: the running one sees the request when it finishes and
    queues one more.
    """
    started = utcnow()
    token = report_build.acquire(round_id, started)
    db.session.commit()
    if token is None:
        return "busy"
    try:
        report_build.build_and_store(round_id, started)
        report_build.release(round_id, token, utcnow())
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        report_build.release(round_id, token, utcnow(), error=f"{type(error).__name__}: {error}")
        db.session.commit()
        raise
    if report_build.wanted_again(round_id, started):
        build_report.delay(round_id)
    return "built"


@shared_task(name="app.tasks.refresh_open_reports", ignore_result=True)
def refresh_open_reports() -> list[int]:
    """Queue a build for every open round whose responses changed since its last report."""
    due = report_build.rounds_needing_refresh()
    for round_id in due:
        build_report.delay(round_id)
    return due
