"""Entry point for `celery -A app.worker worker` and `celery -A app.worker beat`."""

from app import create_app
from app.celery_app import settle_long_lived_objects

flask_app = create_app()
celery = flask_app.extensions["celery"]
import app.tasks  # noqa: E402,F401  (registers the tasks with this Celery app)

settle_long_lived_objects()
