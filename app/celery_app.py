"""Celery bound to the Flask app: every task runs inside the app context.

Start a worker with `celery -A app.worker worker`, the scheduler with `celery -A app.worker beat`.
Without REDIS_URL tasks run eagerly in the calling process (the embedded default).
"""

from __future__ import annotations

import gc

from celery import Celery, Task
from flask import Flask

# Periodic jobs, declared in one place.
BEAT_SCHEDULE = {
    "apply-round-schedule": {
        "task": "app.tasks.apply_round_schedule",
        "schedule": 60.0,
    },
    "recover-abandoned-builds": {
        "task": "app.tasks.recover_abandoned_builds",
        "schedule": 15.0,  # a build whose worker died is asked for again within about a minute
    },
    "refresh-open-reports": {
        "task": "app.tasks.refresh_open_reports",
        "schedule": 300.0,  # reports of open rounds stay at most five minutes behind
    },
    "erase-expired-contacts": {
        "task": "app.tasks.erase_expired_contacts",
        "schedule": 24 * 3600.0,  # invitees' addresses go at most a day after their time is up
    },
}


def init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(app.config["CELERY"])
    celery.conf.beat_schedule = BEAT_SCHEDULE
    celery.conf.include = ["app.tasks"]
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def settle_long_lived_objects() -> None:
    """Keep what a worker has loaded at start (the app, SQLAlchemy, the survey model) out of
    the garbage collector's full scans from now on: a report build makes many short-lived
    objects, and each full collection it triggers otherwise walks all of those too (pauses of
    up to ~100 ms in a 200 ms build). Pool processes forked afterwards also keep sharing those
    memory pages with the parent instead of copying them. See gc.freeze in Python's docs."""
    gc.collect()
    gc.freeze()
