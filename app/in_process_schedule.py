"""Celery beat's schedule, run by the web process itself in the embedded default.

Without REDIS_URL there is no broker, so no worker and no `celery beat`: tasks run in the
process that asks for them. Nothing would then open and close rounds on time or keep the
reports of open rounds current. So the first request a web process serves starts one thread
that runs app.celery_app.BEAT_SCHEDULE, the very jobs beat runs, at their intervals: the
pages' promises ("reports are at most five minutes behind") hold in both modes without cron.

One web process only: the embedded default is `flask run` (or one gunicorn worker). With
several processes, give them Redis and run beat once (docs/scaling.md).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

STARTED_KEY = "in_process_schedule"


def init_app(app: Flask) -> None:
    """Start the schedule with the first request, when IN_PROCESS_SCHEDULE is on (by default
    when there is no broker). Not at import or in CLI commands: `flask demo` needs no clock."""
    if not app.config.get("IN_PROCESS_SCHEDULE"):
        return

    @app.before_request
    def start_the_schedule_once() -> None:
        runner = app.extensions.get(STARTED_KEY)
        if runner is None or runner.pid != os.getpid():  # a forked server process starts its own
            with _starting:
                runner = app.extensions.get(STARTED_KEY)
                if runner is None or runner.pid != os.getpid():
                    app.extensions[STARTED_KEY] = ScheduleRunner.start(app)


_starting = threading.Lock()


def due_jobs(schedule: Mapping[str, Mapping[str, Any]], last_run: Mapping[str, float], now: float) -> list[str]:
    """The jobs whose interval has passed since they last ran (every job is due at first)."""
    return [name for name, job in schedule.items()
            if name not in last_run or now - last_run[name] >= float(job["schedule"])]


def seconds_to_next(schedule: Mapping[str, Mapping[str, Any]], last_run: Mapping[str, float], now: float) -> float:
    """How long until the next job is due (at least a tenth of a second, so the loop never spins)."""
    waits = [last_run.get(name, now) + float(job["schedule"]) - now for name, job in schedule.items()]
    return max(0.1, min(waits, default=60.0))


class ScheduleRunner:
    """A daemon thread running the beat schedule's tasks in-process, one after the other."""

    def __init__(self, app: Flask, schedule: Mapping[str, Mapping[str, Any]],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.schedule, self.clock = app, schedule, clock
        self.pid = os.getpid()
        self.last_run: dict[str, float] = {}
        self.runs: list[str] = []  # the jobs run so far, in order (what the tests read)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="in-process-schedule", daemon=True)

    @classmethod
    def start(cls, app: Flask, schedule: Mapping[str, Mapping[str, Any]] | None = None) -> ScheduleRunner:
        from app.celery_app import BEAT_SCHEDULE

        runner = cls(app, schedule if schedule is not None else BEAT_SCHEDULE)
        runner.thread.start()
        return runner

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)

    def loop(self) -> None:
        while not self.stopping.is_set():
            for name in due_jobs(self.schedule, self.last_run, self.clock()):
                if self.stopping.is_set():
                    return
                self.run(name)
            self.stopping.wait(seconds_to_next(self.schedule, self.last_run, self.clock()))

    def run(self, name: str) -> None:
        """Run one job as beat would have a worker run it; a failure is logged, and the job
        runs again at its next time (as a worker's failed task would)."""
        self.last_run[name] = self.clock()
        task = self.app.extensions["celery"].tasks[self.schedule[name]["task"]]
        try:
            task.apply(throw=True)  # in this thread; the task opens its own app context
        except Exception:
            self.app.logger.exception("the scheduled job %s failed; it runs again at its next time", name)
        self.runs.append(name)
