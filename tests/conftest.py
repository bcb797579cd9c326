"""Fixtures: an app on a real database, a clean database for every test.

With DATABASE_URL set (CI: PostgreSQL), tests run on it; the database name must end in
`_test`, because every test empties it. Without it, tests use a throwaway SQLite file.
REQUIRE_SERVICES=1 turns a missing PostgreSQL, Redis or Chromium into a failure, not a skip.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

from app import create_app
from app.extensions import db
from config import Config, sqlalchemy_url

os.environ["APP_ENV"] = "test"

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip a test whose service is missing, or fail it when services are required."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def postgres_url() -> URL | None:
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        return None
    url = make_url(sqlalchemy_url(raw))
    if url.get_backend_name() != "postgresql":
        return None
    if not (url.database or "").endswith("_test"):
        pytest.exit(f"refusing to empty {url.database!r}: test databases end in _test", 2)
    return url


def ensure_database(url: URL) -> None:
    """Create the test database on first use, so a developer needs no manual step."""
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = postgres_url()
    if url is not None:
        ensure_database(url)
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once per run, through the migrations (so they are exercised),
    on an empty database, whatever an earlier run left behind."""
    from flask_migrate import upgrade

    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return database_url


def celery_settings(broker_url: str | None = None, queue: str = "commonground") -> dict:
    """The app's own Celery settings, eager by default, so that a test never leaves a task in
    a queue nobody reads; the worker tests pass a broker and a queue of their own."""
    return {
        **Config().CELERY,
        "broker_url": broker_url or "memory://",
        "result_backend": broker_url,
        "task_always_eager": broker_url is None,
        "task_default_queue": queue,
    }


class RequestIsolatingClient(FlaskClient):
    """Runs each request in a context of its own, as a server does.

    Tests hold an app context to use the database; without this, Flask would reuse it for every
    request, sharing `g` (the CSRF token, the chosen language) and the database session between
    requests and between clients.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()  # the test sees what the request wrote
        return response


def make_app(database_url: str, instance_dir: Path, **overrides: object) -> Flask:
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": instance_dir,
        "SECRET_KEY": "test-secret",
        "SURVEYS_DIR": ROOT / "surveys",
        "CELERY": celery_settings(),
        # Each test counts its own attempts, whatever Redis holds from other tests.
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests run scheduled jobs themselves; the one test of the in-process schedule turns it on.
        "IN_PROCESS_SCHEDULE": False,
        # Mails go to a server (tests replace delivery or run aiosmtpd); the tests of an
        # installation without one set it to None.
        "MAIL_SERVER": "localhost",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = RequestIsolatingClient
    return app


@pytest.fixture
def app(schema: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(schema, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def broker_down(app: Flask) -> None:
    """The app's broker is a Redis address nothing answers on: tasks cannot be queued, as
    when Redis is down (no stand-in: kombu really fails to connect)."""
    app.extensions["celery"].conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def on_postgres(schema: str) -> str:
    need(schema.startswith("postgresql"), "DATABASE_URL does not point at PostgreSQL")
    return schema


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = os.environ.get("REDIS_URL")
    need(bool(url), "REDIS_URL is not set")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        need(False, f"Redis at {url} does not answer: {error}")
    return url
