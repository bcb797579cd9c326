"""The audit log in words: what each recorded action means, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.models import ActionStatus, AuditEvent, Group, Role, Round, User


def actor(event: AuditEvent) -> str:
    if event.user_id is None:
        return _("CommonGround (on schedule)")
    user = db.session.get(User, event.user_id)
    return user.name if user else _("a removed account")


def action(event: AuditEvent) -> str:
    """One sentence per event; an action this list does not know is shown by its name."""
    round_title = _round_title(event.round_id)
    group = _group_name(event.group_id)
    details = event.details or {}
    sentences = {
        "community_created": lambda: _("created the community %(name)s", name=details.get("name", "")),
        "community_edited": lambda: _("changed the community's settings"),
        "group_created": lambda: _("added the group %(name)s", name=details.get("name", group)),
        "group_edited": lambda: _("changed the group %(name)s", name=group),
        "group_deleted": lambda: _("removed the group %(name)s", name=details.get("name", "")),
        "round_created": lambda: _("created the round %(title)s", title=round_title),
        "round_edited": lambda: _("changed the round %(title)s", title=round_title),
        "round_duplicated": lambda: _("made the round %(title)s as a repeat of an earlier one", title=round_title),
        "round_launched": lambda: _("launched the round %(title)s", title=round_title),
        "round_paused": lambda: _("paused the round %(title)s", title=round_title),
        "round_resumed": lambda: _("resumed the round %(title)s", title=round_title),
        "round_closed": lambda: _("closed the round %(title)s", title=round_title),
        "round_reopened": lambda: _("reopened the round %(title)s", title=round_title),
        "opened_on_schedule": lambda: _("opened the round %(title)s at its opening time", title=round_title),
        "closed_on_schedule": lambda: _("closed the round %(title)s at its closing time", title=round_title),
        "report_published": lambda: _("published the figures of %(title)s so far to its stakeholders",
                                      title=round_title),
        "report_exported": lambda: _("downloaded %(what)s of %(title)s", what=_download(details.get("kind")),
                                     title=round_title),
        "invitations_imported": lambda: _("imported %(count)s invitations to %(title)s",
                                          count=details.get("count", ""), title=round_title),
        "invitations_sent": lambda: _("sent invitations for %(title)s", title=round_title),
        "invitation_wording_changed": lambda: _("changed the wording of the invitation for %(title)s",
                                                title=round_title),
        "reminders_sent": lambda: _("sent reminders for %(title)s", title=round_title),
        "poster_opened": lambda: _("opened the poster of %(group)s for %(title)s", group=group, title=round_title),
        "qr_downloaded": lambda: _("downloaded the QR code of %(group)s for %(title)s", group=group,
                                   title=round_title),
        "contacts_erased": lambda: _("erased the email addresses of %(count)s invitees of %(title)s",
                                     count=details.get("count", ""), title=round_title),
        "member_added": lambda: _("gave %(email)s access as %(role)s", email=details.get("email", ""),
                                  role=_role(details.get("role"))),
        "member_role_changed": lambda: _("made %(email)s %(role)s", email=details.get("email", ""),
                                         role=_role(details.get("role"))),
        "member_removed": lambda: _("removed the access of %(email)s", email=details.get("email", "")),
        "member_action_recording_changed": lambda: (
            _("let %(email)s record actions", email=details.get("email", "")) if details.get("allowed")
            else _("stopped %(email)s recording actions", email=details.get("email", ""))),
        "action_created": lambda: _("recorded the action %(action)s for the round %(title)s",
                                    action=details.get("title", ""), title=round_title),
        "action_edited": lambda: _action_edited(details),
        "action_update_added": lambda: _("added an update to the action %(action)s", action=details.get("title", "")),
        "action_deleted": lambda: _("removed the action %(action)s", action=details.get("title", "")),
        "results_published": lambda: _("published the results of %(title)s to its citizens", title=round_title),
        "results_choices_saved": lambda: _("changed what the citizens' results page of %(title)s shows",
                                           title=round_title),
        "results_withdrawn": lambda: _("took the citizens' results page of %(title)s down", title=round_title),
    }
    sentence = sentences.get(event.action)
    return sentence() if sentence else event.action.replace("_", " ")


def _action_edited(details: dict) -> str:
    """Changed, or given a new status (then the status says more than "changed")."""
    if "status" not in details:
        return _("changed the action %(action)s", action=details.get("title", ""))
    status = next((s for s in ActionStatus if s.value == details["status"]), None)
    return _("marked the action %(action)s %(status)s", action=details.get("title", ""),
             status=status.label if status else details["status"])


def _role(value: str | None) -> str:
    from app.services.accounts import ROLE_LABELS

    role = next((r for r in Role if r.value == value), None)
    return str(ROLE_LABELS[role]) if role else (value or "")


def _download(kind: str | None) -> str:
    return {
        "report.pdf": _("the report (PDF)"), "report.xlsx": _("the figures (Excel)"),
        "report.csv": _("the figures (CSV)"), "responses.csv": _("every response (CSV)"),
    }.get(kind or "", kind or "")


def _round_title(round_id: int | None) -> str:
    survey_round = db.session.get(Round, round_id) if round_id else None
    return survey_round.title if survey_round else _("a removed round")


def _group_name(group_id: int | None) -> str:
    group = db.session.get(Group, group_id) if group_id else None
    return group.name if group else _("everyone")
