"""Celery tasks: thin wrappers that take ids, call a service and commit once."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.models import utcnow
from app.services import round_schedule


@shared_task(name="app.tasks.apply_round_schedule", ignore_result=True)
def apply_round_schedule() -> list[int]:
    closed = round_schedule.close_due_rounds(utcnow())
    db.session.commit()
    return closed
