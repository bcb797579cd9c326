"""/coordinate/rounds/<id>/invitations: a round's personal invitations.

A coordinator uploads a list (CSV: email, language, group), reads what was imported and what
was wrong row by row, sees counts per group (never who in particular answered), and queues
invitation and reminder mails: one task per mail, handed to the workers after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from app import tasks
from app.auth.access import require_round
from app.coordinate import bp
from app.domain.mail_failures import FailureReason
from app.domain.invitation_csv import MAX_FILE_BYTES, MAX_ROWS, FILE_ISSUES, Finding, Issue, ParsedList
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, counted, text_direction
from app.models import MailStatus, Round, RoundStatus, utcnow
from app.services import audit
from app.services import invitations as service
from app.services import mail
from app.services.invitations import ImportSummary, InvitationError

NO_NAME_COLUMN_TEXT = _l("A named panel's list needs a column “name”: each rater's name, as their ratings will be "
                         "shown.")

# A list with thousands of broken rows is shown in part; fixing the first ones shows the rest.
FINDINGS_SHOWN = 500

ISSUE_TEXT = {
    Issue.FILE_TOO_LARGE: _l("The file is larger than %(max_mb)s MB. Split the list into smaller files."),
    Issue.FILE_EMPTY: _l("The file is empty."),
    Issue.NOT_UTF8: _l("The file is not saved as UTF-8 text. In your spreadsheet, choose “Save as” "
                       "and the file type “CSV UTF-8”."),
    Issue.SPREADSHEET_FILE: _l("This is a spreadsheet file, not a CSV file. In your spreadsheet, choose "
                               "“Save as” and the file type “CSV UTF-8”."),
    Issue.NOT_CSV: _l("The file cannot be read as CSV text. Save it from your spreadsheet as “CSV UTF-8”."),
    Issue.MISSING_COLUMN: _l("The first row must name the columns: email, language and, if you like, "
                             "group. The column “%(column)s” is missing."),
    Issue.DUPLICATE_COLUMN: _l("The column “%(column)s” is named twice in the first row."),
    Issue.TOO_MANY_ROWS: _l("The file has more than %(max_rows)s rows. Split the list into smaller files."),
    Issue.EMAIL_MISSING: _l("The email address is missing."),
    Issue.EMAIL_INVALID: _l("“%(value)s” is not an email address that can receive mail."),
    Issue.LANGUAGE_MISSING: _l("The language is missing. Write one of: %(choices)s."),
    Issue.LANGUAGE_UNKNOWN: _l("“%(value)s” is not one of this round's languages: %(choices)s."),
    Issue.GROUP_UNKNOWN: _l("“%(value)s” is not one of this round's groups: %(choices)s."),
    Issue.GROUP_AMBIGUOUS: _l("More than one group is called “%(value)s” (%(choices)s): write the "
                              "group's name as this page shows it."),
    Issue.NAME_MISSING: _l("The rater's name is missing: a named panel shows each rater's ratings with their "
                           "name."),
    Issue.NAME_TOO_LONG: _l("The name is longer than %(max_length)s characters."),
    Issue.MERGED_DUPLICATE: _l("The same address as in row %(first_row)s: one invitation, with this "
                               "row's language and group."),
    Issue.ALREADY_INVITED_UPDATED: _l("Already on the list: language and group updated."),
    Issue.ALREADY_INVITED_UNCHANGED: _l("Already on the list, as it is here."),
    Issue.ALREADY_ANSWERED_KEPT: _l("Already on the list and has answered: left as it was."),
}
NO_GROUPS_TEXT = _l("This round has no groups: leave the group empty.")

REFUSALS = {
    "round_not_open": _l("Mails can only be sent while the round is open: people could not answer now."),
    "no_round": _l("This round does not exist any more."),
    "mail_not_configured": _l("No mail server is set up for this installation, so no mail can be sent: nothing "
                              "was sent. Whoever runs CommonGround sets MAIL_SERVER (and MAIL_PORT, MAIL_USERNAME, "
                              "MAIL_PASSWORD, MAIL_USE_TLS, MAIL_DEFAULT_SENDER); the README says how."),
}

# Why mails failed, in words a coordinator can act on (app.domain.mail_failures).
FAILURE_TEXT = {
    FailureReason.NOT_CONFIGURED: _l("no mail server was set up (MAIL_SERVER) when they were sent"),
    FailureReason.UNREACHABLE: _l("the mail server did not answer: check MAIL_SERVER and MAIL_PORT, or whether "
                                  "the server is running"),
    FailureReason.UNKNOWN_HOST: _l("the mail server's name (MAIL_SERVER) could not be found"),
    FailureReason.TIMEOUT: _l("the mail server took too long to answer"),
    FailureReason.LOGIN_REFUSED: _l("the mail server refused the login: check MAIL_USERNAME, MAIL_PASSWORD and "
                                    "MAIL_USE_TLS"),
    FailureReason.SENDER_REFUSED: _l("the mail server refused the sender address (MAIL_DEFAULT_SENDER)"),
    FailureReason.ADDRESS_REFUSED: _l("the mail server refused the address: it may be mistyped or no longer exist"),
    FailureReason.NOT_QUEUED: _l("the background workers could not be reached"),
    FailureReason.OTHER: _l("an unexpected error: the server's log has the details"),
}


class UploadForm(FlaskForm):
    file = FileField(
        _l("Invitation list (CSV file)"),
        validators=[
            FileRequired(_l("Choose the CSV file with your list.")),
            FileSize(MAX_FILE_BYTES, message=_l("The file is larger than %(max_mb)s MB. Split the list into "
                                                "smaller files.", max_mb=MAX_FILE_BYTES // (1024 * 1024))),
        ],
        description=_l("A first row naming the columns email, language and group (optional), then one "
                       "person a row. Save it from your spreadsheet as “CSV UTF-8”."),
    )


class SendInvitationsForm(FlaskForm):
    group = SelectField(_l("Send to"), default="")


class RemindForm(FlaskForm):
    """Only the button, and its CSRF token."""


OWN_WORDING_MAX = 2000


_Unset = object()


def wording_form(survey_round: Round, formdata=_Unset) -> FlaskForm:
    """One box per language of the round for the invitation's own opening words."""

    class WordingForm(FlaskForm):
        pass

    for code in survey_round.languages:
        setattr(WordingForm, f"text_{code}", TextAreaField(
            LANGUAGE_NAMES.get(code, code), validators=[Optional(), Length(max=OWN_WORDING_MAX)],
            render_kw={"lang": code, "dir": text_direction(code), "rows": 5}))
    texts = survey_round.invitation_texts or {}
    data = {f"text_{code}": texts.get(code, "") for code in survey_round.languages}
    # Shown beside the other forms of the page, it reads only the saved texts (formdata=None),
    # never a POST that was meant for another form.
    return WordingForm(formdata=None if formdata is _Unset else formdata, data=data)


@dataclass
class ImportReport:
    """What an upload did, for the page: counts, and each finding worded."""

    summary: ImportSummary | None
    problems: list[tuple[int | None, str | None, str]]
    notices: list[tuple[int | None, str | None, str]]
    problem_rows: int
    hidden_problems: int
    hidden_notices: int


def issue_text(finding: Finding) -> str:
    if finding.issue is Issue.GROUP_UNKNOWN and not finding.params.get("choices"):
        return str(NO_GROUPS_TEXT)
    if finding.issue is Issue.MISSING_COLUMN and finding.params.get("column") == "name":
        return str(NO_NAME_COLUMN_TEXT)
    return str(ISSUE_TEXT[finding.issue]) % dict(finding.params)


def worded(findings: list[Finding]) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.column, issue_text(f)) for f in findings[:FINDINGS_SHOWN]]


def report_of(parsed: ParsedList, summary: ImportSummary | None) -> ImportReport:
    row_problems = [p for p in parsed.problems if p.issue not in FILE_ISSUES]
    return ImportReport(
        summary=summary, problems=worded(row_problems), notices=worded(parsed.notices),
        problem_rows=parsed.rows_with_problems,
        hidden_problems=max(0, len(row_problems) - FINDINGS_SHOWN),
        hidden_notices=max(0, len(parsed.notices) - FINDINGS_SHOWN),
    )


# --- The page and the upload ------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(round_id: int):
    survey_round = require_round(round_id)
    upload = UploadForm()
    if not upload.validate_on_submit():
        return render_page(survey_round, upload=upload, status=400 if upload.is_submitted() else 200)
    report, status = import_upload(survey_round, upload)
    return render_page(survey_round, upload=upload, report=report, status=status)


def import_upload(survey_round: Round, upload: UploadForm) -> tuple[ImportReport | None, int]:
    """Import the good rows of the file, all together or not at all; the status of the page."""
    if survey_round.status is RoundStatus.CLOSED:
        upload.file.errors.append(_("This round is closed: nobody can be invited to it any more."))
        return None, 409
    parsed = service.read_list(survey_round, upload.file.data.read(), str(get_locale()))
    if parsed.rejected_whole:
        upload.file.errors.extend(issue_text(p) for p in parsed.problems if p.issue in FILE_ISSUES)
        return None, 400
    if not parsed.rows:
        # Nothing to write. Bad rows make it a bad request; a list of known addresses is fine.
        return report_of(parsed, ImportSummary(0, 0)), 400 if parsed.problems else 200
    try:
        summary = service.import_rows(survey_round, parsed.rows, user_id=current_user.id)
        db.session.commit()
    except IntegrityError:
        # Another upload added some of these addresses at the same moment.
        db.session.rollback()
        upload.file.errors.append(_("The list of this round changed while your file was read, so nothing "
                                    "was imported. Please upload the file again."))
        return None, 409
    return report_of(parsed, summary), 200


def render_page(survey_round: Round, *, upload: UploadForm | None = None, report: ImportReport | None = None,
                send_form: SendInvitationsForm | None = None, refusal: str | None = None, status: int = 200,
                wording: FlaskForm | None = None):
    language = str(get_locale())
    group_names = {group.id: group.display_name(language) for group in survey_round.groups}
    order = {group_id: position for position, group_id in enumerate(group_names)}
    counts = sorted(service.counts_per_group(survey_round.id), key=lambda c: order.get(c.group_id, len(order)))
    send_form = send_form or SendInvitationsForm()
    send_form.group.choices = group_choices(survey_round, language)
    return render_template(
        "coordinate/invitations.html", round=survey_round, community=survey_round.community,
        upload=upload or UploadForm(formdata=None), send_form=send_form, remind_form=RemindForm(),
        report=report, refusal=refusal, group_names=group_names,
        counts=counts, mail_summary=service.mail_summary(survey_round.id),
        mail_ready=mail.configured(current_app.config), wording=wording or wording_form(survey_round),
        failures=[(FAILURE_TEXT[reason], count) for reason, count in service.failure_reasons(survey_round.id)],
        accepts_answers=survey_round.accepts_answers(utcnow()), max_rows=MAX_ROWS,
        max_reminders=service.MAX_REMINDERS,
    ), status


def group_choices(survey_round: Round, language: str) -> list[tuple[str, str]]:
    return [("", _("Everyone on the list")),
            *((str(group.id), group.display_name(language)) for group in survey_round.groups)]


# --- Sending ----------------------------------------------------------------------------------


@bp.post("/rounds/<int:round_id>/invitations/send")
@login_required
def send_invitations(round_id: int):
    survey_round = require_round(round_id)
    form = SendInvitationsForm()
    form.group.choices = group_choices(survey_round, str(get_locale()))
    if not form.validate_on_submit():
        return render_page(survey_round, send_form=form, status=400)
    if not mail.configured(current_app.config):
        return render_page(survey_round, send_form=form, refusal=str(REFUSALS["mail_not_configured"]), status=409)
    group_id = int(form.group.data) if form.group.data else None
    try:
        queued = service.queue_invitations(round_id, group_id, now=utcnow(), user_id=current_user.id)
    except InvitationError as refused:
        db.session.rollback()
        return render_page(survey_round, send_form=form, refusal=str(REFUSALS[refused.code]), status=409)
    db.session.commit()
    announce(queued, tasks.hand_mails_to_workers(tasks.send_invitation_mail, queued),
             counted("%(num)s invitation is on its way.", "%(num)s invitations are on their way.", len(queued)),
             _("Everyone on the list has been invited already."))
    return redirect(url_for("coordinate.invitations", round_id=round_id))


@bp.post("/rounds/<int:round_id>/invitations/remind")
@login_required
def send_reminders(round_id: int):
    survey_round = require_round(round_id)
    if not RemindForm().validate_on_submit():
        return render_page(survey_round, status=400)
    if not mail.configured(current_app.config):
        return render_page(survey_round, refusal=str(REFUSALS["mail_not_configured"]), status=409)
    try:
        queued = service.queue_reminders(round_id, now=utcnow(), user_id=current_user.id)
    except InvitationError as refused:
        db.session.rollback()
        return render_page(survey_round, refusal=str(REFUSALS[refused.code]), status=409)
    db.session.commit()
    announce(queued, tasks.hand_mails_to_workers(tasks.send_invitation_mail, queued),
             counted("%(num)s reminder is on its way.", "%(num)s reminders are on their way.", len(queued)),
             _("Nobody needs a reminder now: everyone has answered, was reminded in the last day, "
               "or has had every reminder already."))
    return redirect(url_for("coordinate.invitations", round_id=round_id))


def announce(queued: list[int], not_queued: int, on_its_way: str, nobody: str) -> None:
    if not queued:
        flash(nobody, "info")
    elif current_app.extensions["celery"].conf.task_always_eager:  # no broker: sent here, now
        outcomes = service.outcomes_of(queued)
        sent, failed = outcomes.get(MailStatus.SENT, 0), outcomes.get(MailStatus.FAILED, 0)
        if sent:
            flash(counted("%(num)s mail sent.", "%(num)s mails sent.", sent), "info")
        if failed:
            flash(counted("%(num)s mail could not be sent: the mail table below says why.",
                          "%(num)s mails could not be sent: the mail table below says why.", failed), "error")
    elif not_queued:
        flash(counted("%(num)s mail could not be handed to the mail service. Please press the button "
                      "again in a few minutes.", "%(num)s mails could not be handed to the mail service. "
                      "Please press the button again in a few minutes.", not_queued), "error")
    else:
        flash(on_its_way, "info")


# --- The invitation's own wording, and what the mails look like -----------------------------


@bp.post("/rounds/<int:round_id>/invitations/wording")
@login_required
def save_wording(round_id: int):
    """The round's own opening words of the invitation, per language (empty: the standard words)."""
    survey_round = require_round(round_id)
    form = wording_form(survey_round, formdata=request.form)
    if not form.validate_on_submit():
        return render_page(survey_round, wording=form, status=400)
    survey_round.invitation_texts = {
        code: text for code in survey_round.languages if (text := (form[f"text_{code}"].data or "").strip())}
    audit.record("invitation_wording_changed", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=current_user.id, languages=sorted(survey_round.invitation_texts))
    db.session.commit()
    flash(_("Saved. Preview the invitation in each language before you send it."), "info")
    return redirect(url_for("coordinate.invitations", round_id=round_id) + "#wording", 303)


@bp.get("/rounds/<int:round_id>/invitations/preview/<any(invitation, reminder):kind>/<language>")
@login_required
def preview_mail(round_id: int, kind: str, language: str):
    """The invitation or reminder as an invitee reading `language` would get it, with example
    links: its subject and plain text here, its formatted version one link away."""
    survey_round = require_round(round_id)
    if language not in survey_round.languages:
        abort(404)
    subject, text, html = mail.render(kind, language, **service.preview_context(survey_round, language))
    if request.args.get("as") == "html":
        response = make_response(html)
        # The mail's own markup: inline styles, as mail programs need; nothing else may run or load.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox")
        return response
    return render_template("coordinate/mail_preview.html", round=survey_round, community=survey_round.community,
                           kind=kind, language=language, subject=subject, text=text)
