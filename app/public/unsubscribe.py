"""/unsubscribe/<token>: an invitee asks for no more mails about a round.

No login: the link in the mail is the key. Its token is signed (see
app.services.invitations.unsubscribe_token), so nobody can unsubscribe others by guessing. A
GET only asks, because mail scanners open links; the POST (with its CSRF token) unsubscribes.
The page speaks the invitee's language: the link carries it, and it is the page's fallback.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_wtf import FlaskForm

from app.extensions import db
from app.i18n import prefer_community_language
from app.models import Invitation, utcnow
from app.public import bp
from app.services import invitations


class UnsubscribeForm(FlaskForm):
    """Nothing to fill in: the button, and the CSRF token."""


def invitation_or_404(token: str) -> Invitation:
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        abort(404)
    prefer_community_language(invitation.round.languages, invitation.language)
    return invitation


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    invitation = invitation_or_404(token)
    form = UnsubscribeForm()
    if form.validate_on_submit():
        invitations.unsubscribe(token, utcnow())
        db.session.commit()
    done = invitation.unsubscribed_at is not None or invitation.email is None
    return render_template("public/unsubscribe.html", form=form, token=token, done=done,
                           community_name=invitation.round.community.display_name(invitation.language), hide_login=True)
