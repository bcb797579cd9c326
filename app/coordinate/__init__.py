from flask import Blueprint

bp = Blueprint("coordinate", __name__)

from app.coordinate import routes  # noqa: E402,F401
