"""A real Celery worker process for integration tests, and waiting for what it does."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT


def start_worker(database_url: str, redis_url: str, queue: str, log, **env: str) -> subprocess.Popen:
    """`celery -A app.worker worker` on its own queue, configured through the environment as in
    production; `env` adds settings (a mail server, a base URL...)."""
    environment = dict(os.environ, APP_ENV="test", DATABASE_URL=database_url, REDIS_URL=redis_url,
                       CELERY_QUEUE=queue, INSTANCE_DIR=os.path.dirname(log.name), **env)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app.worker", "worker", "--pool", "solo",
         "--queues", queue, "--loglevel", "INFO", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )


def stop_worker(worker: subprocess.Popen, app) -> None:
    """End the worker and empty the tables it wrote to (it committed outside the test's app)."""
    from app.extensions import db
    from tests.conftest import empty_all_tables

    worker.terminate()
    worker.wait(timeout=30)
    with app.app_context():
        empty_all_tables()
        db.engine.dispose()


@contextmanager
def app_with_worker(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[object, Path]]:
    """An app whose tasks go to a queue of its own, and a worker process serving that queue:
    (the app, the worker's log). The worker is stopped, and the tables emptied, afterwards."""
    from tests.conftest import celery_settings, make_app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(database_url, tmp_path, REDIS_URL=redis_url, CELERY=celery_settings(redis_url, queue))
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = start_worker(database_url, redis_url, queue, log)
        try:
            yield app, log_path
        finally:
            stop_worker(worker, app)
