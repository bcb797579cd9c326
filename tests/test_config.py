import pytest

from app import create_app
from config import config_for, sqlalchemy_url


def test_production_refuses_the_development_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_its_own_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_without_database_url_the_app_uses_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    config = config_for("development")()
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'commonground.sqlite'}"


def test_without_redis_url_celery_runs_tasks_eagerly(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert config_for("development")().CELERY["task_always_eager"] is True


def test_with_redis_url_celery_uses_the_broker(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    celery = config_for("development")().CELERY
    assert celery["task_always_eager"] is False
    assert celery["broker_url"] == "redis://127.0.0.1:6379/3"


def test_postgres_urls_get_the_psycopg_driver():
    assert sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sqlalchemy_url("sqlite:///x.db") == "sqlite:///x.db"


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(RuntimeError, match="APP_ENV"):
        config_for("staging")


def test_a_malformed_number_in_the_environment_is_named(monkeypatch):
    monkeypatch.setenv("MIN_GROUP_SIZE", "five")
    with pytest.raises(RuntimeError, match="MIN_GROUP_SIZE"):
        config_for("development")()
