"""CommonGround: survey-driven citizen participation for learning communities."""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from flask import Flask

from config import DEV_SECRET_KEY, config_for


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config_for(os.environ.get("APP_ENV"))())
    if overrides:
        app.config.update(overrides)
    refuse_unsafe_production(app)
    app.config["INSTANCE_DIR"].mkdir(parents=True, exist_ok=True)

    from app import celery_app, cli, errors, http_headers, i18n, in_process_schedule, models, request_guards  # noqa: F401 (models register tables)
    from app.extensions import compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    trust_proxies(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    celery_app.init_app(app)
    in_process_schedule.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    request_guards.init_app(app)
    http_headers.init_app(app)
    register_blueprints(app)
    return app


def refuse_unsafe_production(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] in (DEV_SECRET_KEY, None, ""):
        raise RuntimeError("Production needs its own SECRET_KEY: set it in the environment.")


def trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address and scheme from its headers
    (rate limits count per client, secure cookies need https)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_blueprints(app: Flask) -> None:
    from app.auth import bp as auth_bp
    from app.auth import routes as auth_routes  # noqa: F401  (the views attach themselves to bp)
    from app.coordinate import bp as coordinate_bp
    from app.health import bp as health_bp
    from app.public import bp as public_bp
    from app.reports import bp as reports_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(coordinate_bp, url_prefix="/coordinate")
    app.register_blueprint(reports_bp, url_prefix="/reports")
