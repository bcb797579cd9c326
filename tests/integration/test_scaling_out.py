"""Scaling out on Celery, Redis and PostgreSQL: two worker processes (as two machines would be)
on one queue build the reports of different rounds at the same time, and never two builds of
one round at once; two web processes count rate limits together in Redis and know the same
logins (kept in PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from app.extensions import db
from app.services import report_queue
from tests.conftest import celery_settings, make_app
from tests.helpers import wait_for
from tests.integration.workers import start_worker, stop_worker
from tests.report_data import seed_round

PAUSE = 2  # seconds each build holds its lease: long enough for builds to meet if they could
LOGGED = re.compile(r"^\[(?P<at>[\d-]+ [\d:,]+): INFO/\w+\] app\.tasks\.build_report\[[^\]]+\]: "
                    r"report of round (?P<round>\d+): (?P<what>building|built)", re.M)


def build_spans(log: str) -> list[tuple[int, datetime, datetime]]:
    """(round, began, ended) of each build a worker's log tells of."""
    began: dict[int, datetime] = {}
    spans = []
    for found in LOGGED.finditer(log):
        at = datetime.strptime(found["at"], "%Y-%m-%d %H:%M:%S,%f")
        round_id = int(found["round"])
        if found["what"] == "building":
            began[round_id] = at
        else:
            spans.append((round_id, began.pop(round_id), at))
    return spans


def overlap(a: tuple[int, datetime, datetime], b: tuple[int, datetime, datetime]) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def ask_for_two_rounds_each_more_than_once() -> tuple[int, int]:
    from app.tasks import request_report

    first = seed_round(seed=1)
    second = seed_round(seed=2, community=first.round.community).round.id
    first = first.round.id
    db.session.commit()
    for round_id in (first, first, second, second, first):
        assert request_report(round_id)
    return first, second


def both_built_and_nothing_left(first: int, second: int) -> bool:
    db.session.expire_all()
    statuses = report_queue.build_statuses([first, second]).values()
    return all(status.built_at is not None and not status.under_way for status in statuses)


def test_two_workers_build_two_rounds_at_once_and_never_one_round_twice_at_once(on_postgres, redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(on_postgres, tmp_path, REDIS_URL=redis_url, CELERY=celery_settings(redis_url, queue))
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    workers = []
    with logs[0].open("w") as first_log, logs[1].open("w") as second_log:
        try:
            for log in (first_log, second_log):
                workers.append(start_worker(on_postgres, redis_url, queue, log, REPORT_BUILD_PAUSE_SECONDS=str(PAUSE)))
            with app.app_context():
                first, second = ask_for_two_rounds_each_more_than_once()
                assert wait_for(lambda: both_built_and_nothing_left(first, second), 90), "\n".join(path.read_text() for path in logs)
        finally:
            for worker in workers[1:]:
                worker.terminate()
                worker.wait(timeout=30)
            if workers:
                stop_worker(workers[0], app)
    spans_by_worker = [build_spans(path.read_text()) for path in logs]
    spans = [span for found in spans_by_worker for span in found]
    assert {round_id for round_id, _, _ in spans} == {first, second}
    for index, span in enumerate(spans):
        for other in spans[index + 1:]:
            if span[0] == other[0]:
                assert not overlap(span, other), f"round {span[0]} built twice at once: {spans}"
    # The two rounds were built side by side, one on each worker.
    assert any(overlap(a, b) and a[0] != b[0] for a in spans_by_worker[0] for b in spans_by_worker[1]), spans_by_worker


def test_two_web_processes_share_the_rate_limits_and_the_logins(on_postgres, redis_url, tmp_path):
    from tests.factories import make_user
    from tests.helpers import csrf_token, log_in

    shared = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}
    first = make_app(on_postgres, tmp_path / "first", **shared)
    second = make_app(on_postgres, tmp_path / "second", **shared)
    try:
        with first.app_context():  # the test's own reads; each request runs in its process's app
            make_user("noa@example.org")
            db.session.commit()
            # A login made through one process works through the other, and ends in both.
            owner = first.test_client()
            assert log_in(owner, "noa@example.org").status_code == 302
            elsewhere = second.test_client()
            elsewhere.set_cookie("session", owner.get_cookie("session").value)
            assert elsewhere.get("/reports/").status_code == 200
            page = owner.get("/reports/").get_data(as_text=True)
            owner.post("/auth/logout", data={"csrf_token": csrf_token(page)})
            assert elsewhere.get("/reports/").status_code == 302
            # A guesser whose attempts go now to one process, now to the other, is counted once.
            guesses = [log_in((first if n % 2 else second).test_client(), "noa@example.org", "wrong").status_code
                       for n in range(11)]
            assert guesses == [400] * 10 + [429]
    finally:
        for app in (first, second):
            with app.app_context():
                from tests.conftest import empty_all_tables

                empty_all_tables()
                db.engine.dispose()
