"""Every error becomes a clear page (or JSON for machines) in the reader's language."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

MESSAGES = {
    400: (_l("Something in the request was not right"), _l("Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This address does not lead anywhere. Please check the link.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    410: (_l("No longer available"), _l("This page has been closed.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many requests"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you did caused this. Please try again in a moment.")),
    503: (_l("Briefly unavailable"), _l("The service cannot reach its database just now. Nothing you did caused "
                                        "this: please try again in a minute.")),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.teardown_appcontext(end_the_session_even_on_a_dead_connection)


def end_the_session_even_on_a_dead_connection(error: BaseException | None) -> None:
    """Close the request's database session before Flask-SQLAlchemy does (teardowns run last
    registered first). While the database restarts, closing rolls back on a dead connection
    and raises; raised here, after the response was made, it would reach the server as an
    empty 500 instead of the page already rendered. The connection is thrown away (the pool
    checks the next one before use) and the request ends as it was going to."""
    from app.extensions import db

    try:
        db.session.remove()
    except SQLAlchemyError:
        current_app.logger.warning("the database session could not be closed cleanly", exc_info=True)
        db.session.registry.clear()


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(status: int, title: str, message: str):
    if wants_json():
        return jsonify(error=str(title), message=str(message)), status
    if status >= 500:
        forget_the_user_if_it_cannot_be_loaded()
    return render_template("error.html", status=status, title=title, message=message), status


def forget_the_user_if_it_cannot_be_loaded() -> None:
    """Flask-Login loads the user for every template. When the database is what failed, the
    error page goes on without them rather than failing in turn."""
    try:
        current_user.is_authenticated  # noqa: B018 (loads the user unless the request already did)
    except SQLAlchemyError:
        current_app.login_manager._update_request_context_with_user()  # anonymous


def handle_http_error(error: HTTPException):
    status = error.code or 500
    title, message = MESSAGES.get(status, (error.name, error.description))
    return render_error(status, title, message)


def handle_csrf_error(error: CSRFError):
    # Usually an expired session after a long pause: nothing is lost, the form is still there.
    return render_error(
        400,
        _l("Please press again"),
        _l("The page was open for a long time, so we could not be sure it was you. "
           "Go back, and press the button once more."),
    )


def handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("Unhandled error", exc_info=error)
    if isinstance(error, OperationalError):  # the database is down or restarting: it will pass
        response, status = handle_http_error(ServiceUnavailable())
        return response, status, {"Retry-After": "60"}
    return handle_http_error(InternalServerError())
