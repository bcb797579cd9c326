"""Configuration, read from the environment.

`APP_ENV` picks the class (development, test, production). Everything secret or
site-specific comes from environment variables; the defaults make the app run on
one machine with no server at all (SQLite under instance/, Celery tasks eager).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-not-secret"


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from exc


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name)
    if raw is None:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


def sqlalchemy_url(url: str) -> str:
    """Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings for every environment; read from the environment when instantiated."""

    ENV_NAME = "development"

    def __init__(self) -> None:
        self.SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
        # Keys the hashes of respondents' resume and receipt codes. Changing it makes codes
        # already handed out unusable, so it is separate from SECRET_KEY if you set it.
        self.CODE_HASH_KEY = env_str("CODE_HASH_KEY", self.SECRET_KEY)
        self.INSTANCE_DIR = Path(env_str("INSTANCE_DIR", str(BASE_DIR / "instance")))
        self.SQLALCHEMY_DATABASE_URI = sqlalchemy_url(
            env_str("DATABASE_URL", f"sqlite:///{self.INSTANCE_DIR / 'commonground.sqlite'}")
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = env_str("REDIS_URL")
        self.SURVEYS_DIR = Path(env_str("SURVEYS_DIR", str(BASE_DIR / "surveys")))

        # Without a broker, tasks run in-process: the embedded default needs no server.
        self.CELERY = {
            "broker_url": self.REDIS_URL or "memory://",
            "result_backend": self.REDIS_URL,
            "task_always_eager": self.REDIS_URL is None,
            "task_eager_propagates": True,
            "task_ignore_result": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "broker_connection_retry_on_startup": True,
            # A web request that queues a task while Redis is down fails within a second (the
            # page then says what to do) instead of hanging for kombu's default ~6 s of
            # connection retries: celery/celery#4627. Workers reconnect by their own settings.
            "broker_transport_options": {"max_retries": 3, "interval_start": 0, "interval_step": 0.2,
                                         "interval_max": 0.5},
            # A worker takes one task at a time: a report build can take seconds, and a worker
            # holding a second build back while a free worker waits would undo running two.
            "worker_prefetch_multiplier": 1,
            "timezone": "UTC",
            "task_default_queue": env_str("CELERY_QUEUE", "commonground"),
        }

        self.LANGUAGES = ["en", "he", "ar", "nl", "es", "it", "el", "hu"]
        self.RTL_LANGUAGES = {"he", "ar"}
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

        # Uploads (invitation lists) are small; anything bigger is refused with a 413 page before
        # the whole body is read.
        self.MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_MB", 8) * 1024 * 1024

        # A respondent may pause for an hour: the token lives as long as the session.
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.PERMANENT_SESSION_LIFETIME = env_int("SESSION_LIFETIME_MINUTES", 8 * 60) * 60
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_DURATION = env_int("REMEMBER_DAYS", 14) * 24 * 3600
        # A report build's lease on its round's lock, renewed while it runs: a worker that dies
        # mid-build holds the round back this long at most (app.services.report_queue).
        self.REPORT_BUILD_LEASE_SECONDS = env_int("REPORT_BUILD_LEASE_SECONDS", 45)
        # Fault tests only: a report build waits this long after taking its lock (app.tasks).
        self.REPORT_BUILD_PAUSE_SECONDS = float(env_str("REPORT_BUILD_PAUSE_SECONDS") or 0)
        # Without a broker there is no beat: the web process runs beat's schedule itself (opening
        # and closing rounds on time, keeping reports of open rounds current; app.in_process_schedule).
        self.IN_PROCESS_SCHEDULE = env_bool("IN_PROCESS_SCHEDULE", self.REDIS_URL is None)
        # Strict-Transport-Security, in production only (app.http_headers); 0: not sent.
        self.HSTS_SECONDS = 0
        # A password reset or account link works this long, and once.
        self.PASSWORD_RESET_HOURS = env_int("PASSWORD_RESET_HOURS", 24)

        # Unset: no mail can be sent, and the pages that send mail say so (and what to set).
        self.MAIL_SERVER = env_str("MAIL_SERVER")
        self.MAIL_PORT = env_int("MAIL_PORT", 25)
        self.MAIL_USERNAME = env_str("MAIL_USERNAME")
        self.MAIL_PASSWORD = env_str("MAIL_PASSWORD")
        self.MAIL_USE_TLS = env_bool("MAIL_USE_TLS")
        self.MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER", "CommonGround <noreply@localhost>")
        # Invitees' email addresses are erased this many days after their round closes.
        self.CONTACT_RETENTION_DAYS = env_int("CONTACT_RETENTION_DAYS", 30)

        # gzip only: brotli would need a compiled extension for little gain on small pages.
        self.COMPRESS_ALGORITHM = "gzip"
        self.COMPRESS_MIN_SIZE = 500
        # Leave files (the stylesheet) alone: compressing them leaks their file handle, and
        # browsers cache them after the first page anyway.
        self.COMPRESS_STREAMS = False

        # Rate limits live in Redis when there is one, so every web process counts together.
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        # While Redis is down each process counts on its own instead: the login, reset and code
        # pages keep working (they were a 500) and stay limited.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_HEADERS_ENABLED = True
        self.CODE_ATTEMPTS_LIMIT = env_str("CODE_ATTEMPTS_LIMIT", "10 per minute;60 per hour")
        # Failed logins only: per client, and per address typed (someone guessing one password).
        self.LOGIN_LIMIT_PER_CLIENT = env_str("LOGIN_LIMIT_PER_CLIENT", "10 per minute;100 per day")
        self.LOGIN_LIMIT_PER_ADDRESS = env_str("LOGIN_LIMIT_PER_ADDRESS", "10 per hour")
        # How many reverse proxies stand in front of the app (0: none).
        self.TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

        # Memory PostgreSQL may use per sort or hash while building a report (SET LOCAL).
        self.REPORT_WORK_MEM_MB = env_int("REPORT_WORK_MEM_MB", 64)
        # Figures resting on fewer respondents than this are never shown.
        self.MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 5)
        self.PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:5000")


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    ENV_NAME = "test"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.PREFERRED_URL_SCHEME = "https"
        self.HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(env_name: str | None) -> type[Config]:
    name = (env_name or "development").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
