"""Report builds scaled out on Celery: one worker process, then two, on one Redis queue.

BENCH_WORKER_ROUNDS (4) rounds of the 60-question bench survey, each of
BENCH_WORKER_RESPONSES (5,000) responses, are built from scratch (no kept tallies), all asked for
at once, by real `celery worker` processes (as separate machines would run them). The floor:
the same builds one after the other in this process, without a queue. Two workers should take
about half of one worker's time when the machine has a core for each; the lease on each round's
build keeps them from building one round twice at once (tests/integration/test_two_workers.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from celery import Celery
from sqlalchemy import select

from app.extensions import db
from app.models import Survey, utcnow
from app.services import report_build, report_queue, report_releases
from bench.harness import Figure
from bench.report_bench import add_responses, make_round

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_WORKER_ROUNDS", "4"))
RESPONSES = int(os.environ.get("BENCH_WORKER_RESPONSES", "5000"))


def redis_for_bench() -> str | None:
    """The Redis the workers share, if one answers (REDIS_URL, else the local default)."""
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def worker_figures(database_url: str, work_dir: Path) -> list[Figure]:
    redis_url = redis_for_bench()
    if redis_url is None:
        print("# report builds on workers need Redis (REDIS_URL): skipped\n")
        return []
    survey = db.session.scalar(select(Survey).where(Survey.key == "bench_sixty"))
    round_ids = []
    for number in range(ROUNDS):
        survey_round = make_round(survey, f"bench-workers-{number}")
        add_responses(survey_round, RESPONSES, seed=10 + number)
        round_ids.append(survey_round.id)
    print(f"# workers: {ROUNDS} rounds of {RESPONSES} responses, each built from scratch\n")

    forget_tallies(round_ids)
    started = time.perf_counter()
    for round_id in round_ids:
        report_releases.build_and_release(round_id, utcnow())  # what the build task does
        db.session.commit()
    in_process = Figure("report_builds_in_process", (time.perf_counter() - started) * 1000, "ms")
    one = Figure("report_builds_1worker", builds_on_workers(1, round_ids, database_url, redis_url, work_dir),
                 "ms", in_process)
    two = Figure("report_builds_2workers", builds_on_workers(2, round_ids, database_url, redis_url, work_dir),
                 "ms", one)
    return [in_process, one, two]


def forget_tallies(round_ids: list[int]) -> None:
    for round_id in round_ids:
        report_build.forget_tallies(round_id)
    db.session.commit()


def builds_on_workers(workers: int, round_ids: list[int], database_url: str, redis_url: str, work_dir: Path) -> float:
    """Milliseconds from asking for every round's build until the last is stored."""
    forget_tallies(round_ids)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    broker = Celery(broker=redis_url)
    env = dict(os.environ, APP_ENV="development", DATABASE_URL=database_url, REDIS_URL=redis_url,
               CELERY_QUEUE=queue, INSTANCE_DIR=str(work_dir), SURVEYS_DIR=str(ROOT / "surveys"))
    processes = [subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app.worker", "worker", "--pool", "solo", "--queues", queue,
         "--hostname", f"{queue}-{number}@bench", "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env) for number in range(workers)]
    try:
        wait_until(lambda: len(broker.control.ping(timeout=0.5)) >= workers, 60, "the workers did not start")
        asked_at = utcnow()
        started = time.perf_counter()
        for round_id in round_ids:
            report_queue.request_build(round_id, asked_at)
            db.session.commit()
            broker.send_task("app.tasks.build_report", args=[round_id], queue=queue)

        def all_built() -> bool:
            db.session.expire_all()
            statuses = report_queue.build_statuses(round_ids).values()
            return all(s.built_at is not None and s.built_at >= asked_at and not s.under_way for s in statuses)

        wait_until(all_built, 600, "the builds did not end")
        return (time.perf_counter() - started) * 1000
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        broker.close()


def wait_until(predicate, seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.05)
