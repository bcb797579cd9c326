"""Small helpers shared by the tests."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


PASSWORD = "correct horse battery"  # what tests.factories.make_user gives everyone


def log_in(client, email: str, password: str = PASSWORD, next_url: str | None = None, **request_options):
    page = client.get("/auth/login", **request_options)
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": email, "password": password,
    }, **request_options)


def queries_for(client, url: str) -> int:
    """How many SQL statements one GET of `url` runs (it must answer 200)."""
    statements = statements_during(lambda: client.get(url))
    return len(statements)


def statements_during(request) -> list[str]:
    """The SQL statements run while `request()` runs; the request must not fail."""
    from sqlalchemy import event

    from app.extensions import db

    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert request().status_code < 400
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def two_sided_p(value: float, error: float) -> float:
    """The normal two-sided p-value of a difference with its standard error."""
    return 2 * (1 - statistics.NormalDist().cdf(abs(value) / error))


def named_beyond_chance(p_values: dict, rate: float = 0.05) -> set:
    """The keys the Benjamini-Hochberg step-up rule names among tests made together: with
    p-values sorted, the first r, r the largest rank whose p <= r / m x rate. Written out
    here apart from the app's own code, to check it."""
    ranked = sorted(p_values, key=p_values.get)
    passing = [rank for rank, key in enumerate(ranked, start=1) if p_values[key] <= rank / len(ranked) * rate]
    return set(ranked[:max(passing, default=0)])


@contextmanager
def serving(app) -> Iterator[str]:
    """The app served over real HTTP on a free loopback port, in a thread: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Whether `predicate` comes true within `timeout` seconds (asked every quarter second):
    for work another process or thread does (a worker, the in-process schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False
