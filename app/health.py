"""GET /healthz: is the database answering, and can tasks be queued?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    status = {
        "database": health.database_status(),
        "broker": health.broker_status(current_app.config["REDIS_URL"]),
    }
    return jsonify(status), 200 if status["database"] == "ok" else 503
