from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app import tasks
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetRequestForm
from app.extensions import db, limiter, login_manager
from app.models import utcnow
from app.services import accounts, mail

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.localize_callback = str  # translate now: the session stores plain text
login_manager.login_message_category = "info"
# "basic": a session seen from another address or browser is marked not fresh, but stays.
# "strong" would end it instead, logging phones out whenever they change networks, and would
# delete the remember cookie with it; Flask-Login skips that check for permanent sessions
# anyway, which every login here is. Against session fixation, login starts a new session.
login_manager.session_protection = "basic"

# A device that has logged in to an account keeps this cookie: its refused logins are counted
# apart from everyone else's for that address (login_address).
DEVICE_COOKIE = "cg_device"
DEVICE_COOKIE_DAYS = 180

# Asking for reset mails: per client (someone trying many addresses) and per address (someone
# filling a person's inbox). Config can override either.
RESET_LIMIT_PER_CLIENT = "5 per minute;20 per hour"
RESET_LIMIT_PER_ADDRESS = "3 per hour;10 per day"


def safe_next_url(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host, and never with a
    character a header cannot carry (a CR/LF would split the redirect's headers)."""
    if (target and target.startswith("/") and not target.startswith(("//", "/\\"))
            and target.isprintable() and not urlsplit(target).netloc):
        return target
    return landing_url(current_user)


@bp.app_context_processor
def landing() -> dict:
    return {"landing_url": landing_url}


def landing_url(user) -> str:
    """Where a person's work starts: coordinators at their communities, stakeholders at the
    reports they read. Someone with no access yet lands on the reports page, which says whom
    to ask."""
    return url_for("coordinate.index") if user.coordinates else url_for("reports.index")


def page_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def form_status(form) -> int:
    """400 when a submitted form comes back with errors, 200 when it is first shown."""
    return 400 if form.is_submitted() else 200


# --- Sessions ---------------------------------------------------------------------------------


def start_session(user, remember: bool) -> None:
    # A new session: nothing from before the login (a planted cookie, the old CSRF token)
    # carries over into the logged-in one.
    session.clear()
    # Permanent, so that it ends after PERMANENT_SESSION_LIFETIME without a request (the
    # cookie's expiry, checked by the server too); "keep me logged in" adds the remember cookie.
    # Both hold only the token of a login kept on the server, which logging out ends.
    session.permanent = True
    accounts.begin_login(user, remember)
    login_user(user, remember=remember)


def has_remember_cookie() -> bool:
    """Whether the browser sent a "keep me logged in" cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.before_app_request
def end_logins_that_no_longer_hold() -> None:
    """Log out, on their next request, anyone whose login has ended: logged out (a copy of the
    cookie), deactivated, or from before the password changed (a reset after a lost phone):
    the session or remember cookie then no longer loads a user (see User.get_id).
    logout_user() clears both, so a stale remember cookie is not tried again and again."""
    if "_user_id" not in session and not has_remember_cookie():
        return  # nobody was logged in: do not even look
    if not current_user.is_authenticated:  # Flask-Login: an inactive user is not authenticated
        logout_user()


def login_limit_per_client() -> str:
    return current_app.config["LOGIN_LIMIT_PER_CLIENT"]


def login_limit_per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def login_address() -> str:
    """Whose refused logins count together. From a device that has logged in to this account
    before (it has the device cookie), its own: else anyone could lock the owner out with ten
    wrong passwords from anywhere (OWASP's "device cookies"). From any other client, the
    address's: guessing one person's password from many places stays slow."""
    email = accounts.normalized_email(request.form.get("email", ""))
    device = accounts.known_device(request.cookies.get(DEVICE_COOKIE), email)
    return f"login-device:{device}" if device else f"login-address:{email}"


def failed(response) -> bool:
    """Only a refused login counts against the limits: people who type well are never held up."""
    return response.status_code == 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit_per_client, methods=["POST"], deduct_when=failed)
@limiter.limit(login_limit_per_address, methods=["POST"], key_func=login_address, deduct_when=failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is not None and user.active and user.check_password(form.password.data):
            start_session(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            response = redirect(safe_next_url(request.args.get("next")))
            response.set_cookie(DEVICE_COOKIE, accounts.device_cookie(user.email), max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
                                httponly=True, samesite="Lax", secure=request.is_secure)
            return response
        form.password.errors.append(_("This email and password do not match an account."))
    return render_template("auth/login.html", form=form), form_status(form)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_login(current_user.login_token)  # on the server: a copy of the cookies opens nothing
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"))


# --- Changing one's password ------------------------------------------------------------------


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        elif problem := accounts.password_problem(form.new_password.data, current_user.email):
            form.new_password.errors.append(str(problem))
        else:
            user = current_user._get_current_object()
            remember = has_remember_cookie()
            accounts.set_password(user, form.new_password.data)  # ends every login, this one too
            accounts.begin_login(user, remember)  # this device goes on, with a new login
            db.session.commit()
            login_user(user, remember=remember)
            flash(_("Your new password is saved. Other devices where you were logged in are logged out."),
                  "info")
            return redirect(url_for("auth.password"))
    return render_template("auth/password.html", form=form), form_status(form)


# --- Forgotten passwords ----------------------------------------------------------------------


def reset_limit_per_client() -> str:
    return current_app.config.get("PASSWORD_RESET_LIMIT_PER_CLIENT", RESET_LIMIT_PER_CLIENT)


def reset_limit_per_address() -> str:
    return current_app.config.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", RESET_LIMIT_PER_ADDRESS)


def typed_address() -> str:
    return "reset-address:" + accounts.normalized_email(request.form.get("email", ""))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(reset_limit_per_client, methods=["POST"])
@limiter.limit(reset_limit_per_address, methods=["POST"], key_func=typed_address)
def reset_request():
    if not mail.configured(current_app.config):  # a link that would never arrive: say so instead
        return render_template("auth/reset_request.html", form=None), 409 if request.method == "POST" else 200
    form = ResetRequestForm()
    if form.validate_on_submit():
        mail_log = accounts.request_password_reset(form.email.data, page_language())
        db.session.commit()
        if mail_log is not None:
            # The page answers the same if the broker is down: the person can ask again.
            tasks.hand_over_account_mail(mail_log.id)
        # The same page whether or not the address has an account: it tells nobody which do.
        return render_template("auth/reset_sent.html", hours=current_app.config["PASSWORD_RESET_HOURS"])
    return render_template("auth/reset_request.html", form=form), form_status(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = accounts.user_for_reset_token(token)
    except accounts.ResetLinkExpired:
        return link_not_working(_("This link has expired: a link works for %(hours)d hours.",
                                  hours=current_app.config["PASSWORD_RESET_HOURS"]))
    except accounts.ResetLinkInvalid:
        return link_not_working(_("This link has been used already, or it is not complete."))
    form = NewPasswordForm()
    if form.validate_on_submit():
        if problem := accounts.password_problem(form.new_password.data, user.email):
            form.new_password.errors.append(str(problem))
        else:
            accounts.set_password(user, form.new_password.data)
            db.session.commit()
            flash(_("Your password is set. You can log in with it now."), "info")
            return redirect(url_for("auth.login"))
    response = current_app.make_response(
        (render_template("auth/reset_password.html", form=form, user=user), form_status(form)))
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


def link_not_working(reason: str):
    return render_template("auth/reset_invalid.html", reason=reason), 400
