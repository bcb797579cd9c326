"""Faults that heal in seconds, with real processes: a worker killed in the middle of a build,
Redis stopped while citizens answer, PostgreSQL dropping every connection, and PostgreSQL
restarted, while they answer. Nothing saved is lost, and nobody meets a server error other than
the friendly 503."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import ReportBuild, ReportSnapshot, Response, ResponseStatus
from app.services import report_queue
from tests.conftest import celery_settings, make_app, need
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round
from tests.helpers import csrf_token, serving, wait_for
from tests.integration.workers import start_worker, stop_worker
from tests.report_data import seed_round
from tests.test_answering_flow import SCREEN_1, SCREEN_2, SCREEN_3, SCREEN_4

LEASE = 4  # seconds: short here, so that the test waits seconds where production waits 45


def test_a_build_whose_worker_is_killed_is_made_again_within_about_a_minute(on_postgres, redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(on_postgres, tmp_path, REDIS_URL=redis_url, CELERY=celery_settings(redis_url, queue),
                   REPORT_BUILD_LEASE_SECONDS=LEASE)
    settings = {"REPORT_BUILD_LEASE_SECONDS": str(LEASE)}
    with (tmp_path / "first.log").open("w") as first_log, (tmp_path / "second.log").open("w") as second_log:
        doomed = start_worker(on_postgres, redis_url, queue, first_log, REPORT_BUILD_PAUSE_SECONDS="60", **settings)
        second = None
        try:
            with app.app_context():
                round_id = seed_round().round.id
                db.session.commit()
                from app.tasks import request_report

                assert request_report(round_id)

                def building() -> bool:
                    db.session.expire_all()
                    build = db.session.get(ReportBuild, round_id)
                    return build is not None and build.started_at is not None

                assert wait_for(building, 60), (tmp_path / "first.log").read_text()
                assert report_queue.build_status(round_id).building
                doomed.send_signal(signal.SIGKILL)  # in the middle of the build
                doomed.wait(timeout=10)
                killed_at = time.monotonic()

                assert wait_for(lambda: not report_queue.build_status(round_id).building, LEASE + 5)
                assert db.session.scalar(db.select(ReportSnapshot).where(ReportSnapshot.round_id == round_id)) is None

                second = start_worker(on_postgres, redis_url, queue, second_log, **settings)
                app.extensions["celery"].send_task("app.tasks.recover_abandoned_builds")  # as beat does

                def built() -> bool:
                    db.session.expire_all()
                    return db.session.scalar(db.select(ReportSnapshot.response_count)
                                             .where(ReportSnapshot.round_id == round_id)) == 51

                assert wait_for(built, 60), (tmp_path / "second.log").read_text()
                assert time.monotonic() - killed_at < 60
                assert db.session.get(ReportBuild, round_id).started_at is None
        finally:
            if doomed.poll() is None:
                doomed.kill()
            if second is not None:
                stop_worker(second, app)
            else:
                with app.app_context():
                    from tests.conftest import empty_all_tables

                    empty_all_tables()
                    db.engine.dispose()


# -- citizens answering while a service fails ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer_whole_survey(base: str, statuses: list[int]) -> str | None:
    """One citizen, start to thanks, on their own cookies; every status seen is noted. Their
    receipt, when the thanks page shows one."""
    with httpx.Client(follow_redirects=False, timeout=30) as phone:
        def step(method: str, url: str, data: dict | None = None) -> httpx.Response:
            for _ in range(20):  # a 503 says to try again in a moment: a citizen presses again
                response = phone.request(method, url, data=data)
                statuses.append(response.status_code)
                if response.status_code != 503:
                    return response
                time.sleep(0.5)
            return response

        welcome = step("GET", base)
        step("POST", f"{base}/start", {"csrf_token": csrf_token(welcome.text)})
        for number, answers in enumerate((SCREEN_1, SCREEN_2, SCREEN_3, SCREEN_4), start=1):
            page = step("GET", f"{base}/q/{number}")
            step("POST", f"{base}/q/{number}", {"csrf_token": csrf_token(page.text), "move": "next", **answers})
        review = step("GET", f"{base}/review")
        step("POST", f"{base}/submit", {"csrf_token": csrf_token(review.text)})
        thanks = step("GET", f"{base}/thanks")
        found = re.search(r'class="token" dir="ltr">([2-9A-Z]{5}-[2-9A-Z]{5})<', thanks.text)
        return found.group(1) if found else None


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, to stop in the middle of things."""
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    assert wait_for(lambda: listening(port), 10)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def citizens_round(app) -> str:
    with app.app_context():
        community = make_community("harbour", languages=("en", "he"))
        youth = make_group(community, "youth", name="Young people")
        survey_round = make_round(community, load_fixture_bank(), groups=[youth], one_response_per_browser=False)
        token = make_link(survey_round).token
        db.session.commit()
        return token


def count_complete(app) -> int:
    with app.app_context():
        db.session.expire_all()
        return db.session.query(Response).filter_by(status=ResponseStatus.COMPLETE).count()


def test_citizens_go_on_answering_while_redis_stops(on_postgres, own_redis, tmp_path):
    process, url = own_redis
    app = make_app(on_postgres, tmp_path, REDIS_URL=url, CELERY=celery_settings(url, "unserved"),
                   RATELIMIT_STORAGE_URI=url)
    try:
        token = citizens_round(app)
        with serving(app) as base:
            statuses: list[int] = []
            receipts = [answer_whole_survey(f"{base}/s/{token}", statuses) for _ in range(2)]
            process.terminate()  # Redis stops while people answer
            process.wait(timeout=10)
            receipts += [answer_whole_survey(f"{base}/s/{token}", statuses) for _ in range(3)]
        assert all(receipts) and len(set(receipts)) == 5
        assert count_complete(app) == 5  # nothing lost
        assert not [s for s in statuses if s >= 500], statuses
    finally:
        with app.app_context():
            from tests.conftest import empty_all_tables

            empty_all_tables()
            db.engine.dispose()


def test_citizens_lose_nothing_while_postgresql_drops_every_connection(on_postgres, tmp_path):
    """As a restart does from the app's side: every open connection is cut."""
    app = make_app(on_postgres, tmp_path)
    admin = make_app(on_postgres, tmp_path / "admin")
    try:
        token = citizens_round(app)
        with serving(app) as base:
            statuses: list[int] = []
            cutting = threading.Event()

            def cut_connections() -> None:
                with admin.app_context():
                    while not cutting.wait(0.3):
                        with db.engine.connect() as connection:
                            connection.execute(text(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                            connection.commit()

            cutter = threading.Thread(target=cut_connections, daemon=True)
            cutter.start()
            receipts = [answer_whole_survey(f"{base}/s/{token}", statuses) for _ in range(4)]
            cutting.set()
            cutter.join(timeout=10)
        assert count_complete(app) == sum(1 for r in receipts if r)
        assert all(receipts), statuses
        assert not [s for s in statuses if s >= 500 and s != 503], statuses  # a friendly 503 at worst
    finally:
        with app.app_context():
            from tests.conftest import empty_all_tables

            empty_all_tables()
            db.engine.dispose()
        with admin.app_context():
            db.engine.dispose()



@pytest.fixture
def own_postgresql():
    """A PostgreSQL server of this test's own (a throwaway cluster), to restart in the middle of
    things: (restart, its URL). The shared server of the other tests is never touched."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    need(bool(binaries), "PostgreSQL's server programs (pg_ctl, initdb) are not installed")
    bindir = Path(binaries[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="cg-own-pg-"))
    as_owner = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: as its own user, as Debian does
        as_owner = ["runuser", "-u", "postgres", "--"]
        shutil.chown(data, "postgres")
    port = free_port()

    def pg_ctl(*args: str) -> None:
        subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data / "cluster"), "-w", *args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    subprocess.run([*as_owner, str(bindir / "initdb"), "-D", str(data / "cluster"), "-A", "trust", "-U", "postgres",
                    "--no-sync"], check=True, stdout=subprocess.DEVNULL)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl("-o", options, "-l", str(data / "server.log"), "start")
    try:
        yield (lambda: pg_ctl("-o", options, "-m", "fast", "restart")), f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_citizens_lose_nothing_while_postgresql_restarts(own_postgresql, tmp_path):
    from flask_migrate import upgrade

    restart, url = own_postgresql
    app = make_app(url, tmp_path)
    try:
        with app.app_context():
            upgrade()
        token = citizens_round(app)
        with serving(app) as base:
            statuses: list[int] = []
            receipts = [answer_whole_survey(f"{base}/s/{token}", statuses)]
            restarting = threading.Thread(target=restart)
            restarting.start()
            while restarting.is_alive():  # citizens answer all through the restart
                receipts.append(answer_whole_survey(f"{base}/s/{token}", statuses))
            receipts.append(answer_whole_survey(f"{base}/s/{token}", statuses))
        assert 503 in statuses  # the restart was met
        assert all(receipts) and len(set(receipts)) == len(receipts), statuses
        assert count_complete(app) == len(receipts)  # nothing saved was lost
        assert not [s for s in statuses if s >= 500 and s != 503], statuses  # a friendly 503 at worst
    finally:
        with app.app_context():
            db.engine.dispose()
