from flask import Blueprint

bp = Blueprint("coordinate", __name__)

from app.coordinate import routes  # noqa: E402,F401
from app.coordinate import posters  # noqa: E402,F401
from app.coordinate import dashboard  # noqa: E402,F401
from app.coordinate import members  # noqa: E402,F401
from app.coordinate import invitations  # noqa: E402,F401
from app.coordinate import results  # noqa: E402,F401
from app.coordinate import surveys  # noqa: E402,F401
from app.coordinate import survey_preview  # noqa: E402,F401
from app.coordinate import survey_questions, survey_translations, survey_exchange  # noqa: E402,F401
from app.coordinate import actions  # noqa: E402,F401
