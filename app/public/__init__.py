from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import routes  # noqa: E402,F401
from app.public import unsubscribe  # noqa: E402,F401
from app.public import notify  # noqa: E402,F401
from app.public import results  # noqa: E402,F401
