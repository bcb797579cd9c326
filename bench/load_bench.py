"""Load: citizens answering the demo's open round through gunicorn on PostgreSQL.

A bounded client on loopback plays BENCH_LOAD_CITIZENS citizens (10,000; with two web
processes BENCH_LOAD_2WEB_CITIZENS, 2,000), at most BENCH_LOAD_CONCURRENCY (500) at once, each
in its own cookie jar, through the whole public flow: welcome, start, every screen (read, then sent with answers picked from its form), review, send,
thanks. It measures completed responses per second, the latency of each kind of request
(p50/p95/p99), the server errors, and whether any response was lost or made twice (each receipt
shown is checked against the database). The floor: the minimal endpoint's requests per second
through the same gunicorn with the same client, divided by the requests one response needs.

Run with one web process and with two (two gunicorn masters sharing the port with SO_REUSEPORT,
as two machines behind one address would): `load_*` and `load_2web_*`.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.harness import Figure
from bench.worker_bench import redis_for_bench

CITIZENS = int(os.environ.get("BENCH_LOAD_CITIZENS", "10000"))
# The run with two web processes compares throughput and checks nothing is lost between them;
# fewer citizens tell that (10,000 more would add half an hour on two cores).
CITIZENS_2WEB = int(os.environ.get("BENCH_LOAD_2WEB_CITIZENS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_LOAD_CONCURRENCY", "500"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "4"))  # gunicorn workers per web process
ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RADIO = re.compile(r'type="radio" name="([^"]+)" value="([^"]*)"')
CHECKBOX = re.compile(r'type="checkbox" name="([^"]+)" value="([^"]*)"')
SECRET = "bench-secret"  # the web processes' key: receipts are checked against their hashes with it
RECEIPT = re.compile(r'class="token" dir="ltr">([2-9A-Z]{5}-[2-9A-Z]{5})<')


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    receipts: list[str] = field(default_factory=list)
    requests: int = 0
    unfinished: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_web(database_url: str, port: int, processes: int, instance: Path) -> list[subprocess.Popen]:
    """`processes` gunicorn masters of WORKERS workers each, all on one address."""
    env = dict(os.environ, DATABASE_URL=database_url, APP_ENV="development", INSTANCE_DIR=str(instance),
               SURVEYS_DIR=str(ROOT / "surveys"), SECRET_KEY=SECRET,
               IN_PROCESS_SCHEDULE="0")  # the benchmark measures answering, not background builds
    redis_url = redis_for_bench()  # as in production: rate limits counted together in Redis
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
               "--backlog", "4096", "--timeout", "120", "--log-level", "warning"]
    if processes > 1:
        command.append("--reuse-port")
    servers = [subprocess.Popen([*command, *own_control_socket(instance / f"gunicorn-{number}.ctl"), "bench.wsgi:app"],
                                cwd=ROOT, env=env) for number in range(processes)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/bench/minimal", timeout=2).status_code == 200:
                time.sleep(1)  # every worker of every process up
                return servers
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_web(servers)
    raise RuntimeError("gunicorn did not come up")


def own_control_socket(path: Path) -> list[str]:
    """Each master its own control socket (recent gunicorn versions open one, by default in the
    home directory: a second master on the machine would find it taken)."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--control-socket", str(path)] if any(s.name == "control_socket" for s in KNOWN_SETTINGS) else []


def stop_web(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        server.send_signal(signal.SIGTERM)
    for server in servers:
        server.wait(timeout=60)


def screen_answers(html: str, rng: random.Random) -> dict[str, object]:
    """Answers a citizen gives on a screen: a choice of every radio group, now and then a box."""
    radios: dict[str, list[str]] = defaultdict(list)
    for name, value in RADIO.findall(html):
        radios[name].append(value)
    boxes: dict[str, list[str]] = defaultdict(list)
    for name, value in CHECKBOX.findall(html):
        if value != "_other":
            boxes[name].append(value)
    answers: dict[str, object] = {name: rng.choice(values) for name, values in radios.items()}
    answers |= {name: [rng.choice(values)] for name, values in boxes.items() if rng.random() < 0.5}
    return answers


async def citizen(base: str, token: str, tally: Tally, limiter: asyncio.Semaphore, seed: int) -> None:
    rng = random.Random(seed)
    async with limiter, httpx.AsyncClient(base_url=base, timeout=180, follow_redirects=False) as phone:
        async def request(kind: str, method: str, url: str, data: dict | None = None) -> httpx.Response:
            started = time.perf_counter()
            response = await phone.request(method, url, data=data)
            tally.latencies[kind].append((time.perf_counter() - started) * 1000)
            tally.statuses[response.status_code] += 1
            tally.requests += 1
            return response

        try:
            welcome = await request("welcome", "GET", f"/s/{token}")
            moved = await request("start", "POST", f"/s/{token}/start", {"csrf_token": CSRF.search(welcome.text)[1]})
            location = moved.headers["location"]
            while "/q/" in location:
                page = await request("screen", "GET", location)
                form = {"csrf_token": CSRF.search(page.text)[1], "move": "next", **screen_answers(page.text, rng)}
                saved = await request("save_screen", "POST", location, form)
                if saved.status_code != 302:
                    raise RuntimeError(f"screen refused: {saved.status_code}")
                location = saved.headers["location"]
            review = await request("review", "GET", location)
            sent = await request("submit", "POST", f"/s/{token}/submit", {"csrf_token": CSRF.search(review.text)[1]})
            thanks = await request("thanks", "GET", sent.headers["location"])
            tally.receipts.append(RECEIPT.search(thanks.text)[1])
        except (httpx.HTTPError, RuntimeError, TypeError, KeyError):
            tally.unfinished += 1


async def hammer_minimal(base: str, requests: int, concurrency: int) -> float:
    """Requests per second of the minimal endpoint, through the same client and server."""
    limiter = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=concurrency)) as c:
        async def one() -> None:
            async with limiter:
                await c.get("/bench/minimal")

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        return requests / (time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def load_figures(app, database_url: str, token: str, processes: int, work_dir: Path) -> list[Figure]:
    """Play the citizens against `processes` web processes; the figures (named load_* or load_2web_*)."""
    from app.extensions import db
    from app.models import Response, ResponseStatus
    from app.domain.codes import hash_code

    prefix = "load" if processes == 1 else f"load_{processes}web"
    port = free_port()
    servers = start_web(database_url, port, processes, work_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        with app.app_context():
            before = db.session.query(Response).filter_by(status=ResponseStatus.COMPLETE).count()
        minimal_rps = asyncio.run(hammer_minimal(base, 20 * CONCURRENCY, CONCURRENCY))
        tally = Tally()
        citizens = CITIZENS if processes == 1 else CITIZENS_2WEB

        async def everyone() -> float:
            limiter = asyncio.Semaphore(CONCURRENCY)  # made inside the loop that uses it
            started = time.perf_counter()
            await asyncio.gather(*(citizen(base, token, tally, limiter, seed) for seed in range(citizens)))
            return time.perf_counter() - started

        client_cpu = time.process_time()
        elapsed = asyncio.run(everyone())
        client_cpu = time.process_time() - client_cpu  # the client shares the machine's cores
    finally:
        stop_web(servers)
    with app.app_context():
        db.session.expire_all()
        complete = db.session.query(Response).filter_by(status=ResponseStatus.COMPLETE).count() - before
        stored = set(db.session.scalars(db.select(Response.receipt_code_hash).where(
            Response.status == ResponseStatus.COMPLETE, Response.is_simulated.is_(False))))
    receipts = tally.receipts
    lost = sum(1 for receipt in receipts if hash_code(receipt, SECRET.encode()) not in stored) + tally.unfinished
    duplicated = (complete - len(set(receipts))) if complete > len(set(receipts)) else 0
    per_response = tally.requests / max(1, len(receipts) + tally.unfinished)
    floor_rate = minimal_rps / per_response
    rate = len(receipts) / elapsed
    floor = Figure(f"{prefix}_floor_responses_per_second", floor_rate, "/s")
    figures = [
        Figure(f"{prefix}_minimal_requests_per_second", minimal_rps, "/s"),
        floor,
        Figure(f"{prefix}_responses_per_second", rate, "/s", floor),
        Figure(f"{prefix}_citizens", citizens, "people"),
        Figure(f"{prefix}_concurrency", CONCURRENCY, "at once"),
        Figure(f"{prefix}_requests_per_response", per_response, "requests"),
        Figure(f"{prefix}_client_cores", client_cpu / elapsed, "cores"),
        Figure(f"{prefix}_server_errors", sum(n for status, n in tally.statuses.items() if status >= 500), "responses"),
        Figure(f"{prefix}_lost", lost, "responses"),
        Figure(f"{prefix}_duplicated", duplicated, "responses"),
    ]
    for kind in ("welcome", "start", "screen", "save_screen", "review", "submit", "thanks"):
        values = tally.latencies.get(kind, [])
        for share, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
            figures.append(Figure(f"{prefix}_{kind}_{label}", percentile(values, share), "ms"))
    if tally.latencies:
        figures.append(Figure(f"{prefix}_median_ms", statistics.median(
            [v for values in tally.latencies.values() for v in values]), "ms"))
    return figures
