"""Who has access to a community, in which role: for the community's admins only.

An admin adds people by email (an address without an account gets one, and a mail to choose
its password), changes their role and removes them. A community never loses its last admin.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app import tasks
from app.auth.access import MANAGING_ROLES, require_admin, role_over
from app.auth.forms import AddMemberForm, RoleForm
from app.auth.routes import page_language
from app.coordinate import bp
from app.extensions import db
from app.models import Community, Membership, Role
from app.services import accounts, mail
from app.services import actions as action_service


def admin_community(community_id: int) -> Community:
    return require_admin(db.session.get(Community, community_id))


def row_form(membership: Membership, submitted: bool = False) -> RoleForm:
    """The role form of one row; only the row that was sent reads the posted data."""
    prefix = f"member-{membership.id}"
    form = RoleForm(prefix=prefix) if submitted else RoleForm(prefix=prefix, formdata=None, role=membership.role)
    form.role.label.text = _("Role of %(name)s", name=membership.user.name)
    return form


def members_page(community: Community, add_form: AddMemberForm | None = None,
                 failed: tuple[int, RoleForm] | None = None, status: int = 200):
    """The list, with the add form and (after a refused change) the row that failed, as typed."""
    memberships = accounts.memberships_of(community)
    role_forms = {m.id: row_form(m) for m in memberships}
    if failed is not None and failed[0] in role_forms:
        role_forms[failed[0]] = failed[1]
    return render_template(
        "coordinate/members.html", community=community, memberships=memberships,
        add_form=add_form or AddMemberForm(formdata=None), role_forms=role_forms,
        failed_form=failed[1] if failed else None,
    ), status


def back_to_members(community: Community):
    """After a change: the list, unless the admin has just taken away their own access to it."""
    if role_over(current_user, community) is Role.ADMIN:
        return redirect(url_for("coordinate.members", community_id=community.id), 303)
    return redirect(url_for("coordinate.index"), 303)


def membership_in(community: Community, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.community_id != community.id:
        abort(404)
    return membership


@bp.get("/communities/<int:community_id>/members")
@login_required
def members(community_id: int):
    return members_page(admin_community(community_id))


@bp.post("/communities/<int:community_id>/members")
@login_required
def add_member(community_id: int):
    community = admin_community(community_id)
    form = AddMemberForm()
    if not form.validate_on_submit():
        return members_page(community, add_form=form, status=400)
    try:
        added = accounts.add_member(community, form.email.data, form.role.data, name=form.name.data or "",
                                    actor_id=current_user.id, asked_in=page_language())
        db.session.commit()
    except accounts.MemberError as refused:
        db.session.rollback()
        form.email.errors.append(str(refused.message))
        return members_page(community, add_form=form, status=400)
    except IntegrityError:  # another admin added the same address at the same moment
        db.session.rollback()
        form.email.errors.append(_("Someone else has just changed this person's access. Look at the list."))
        return members_page(community, add_form=form, status=409)
    if added.account_mail is not None:
        if not mail.configured(current_app.config):
            flash(_("%(email)s can now use CommonGround, but this installation cannot send mail yet (no mail "
                    "server is set up), so no mail went out to choose a password. Once mail is set up, they can "
                    "choose \"Forgot your password?\" on the login page.", email=added.membership.user.email), "error")
        elif tasks.hand_over_account_mail(added.account_mail.id):
            flash(_("%(email)s can now use CommonGround. We sent them a mail to choose their password.",
                    email=added.membership.user.email), "info")
        else:
            flash(_("%(email)s can now use CommonGround, but the mail to choose a password could not be "
                    "sent just now. They can choose \"Forgot your password?\" on the login page.",
                    email=added.membership.user.email), "error")
    else:
        flash(_("%(email)s now has access to %(community)s.", email=added.membership.user.email,
                community=community.name), "info")
    return back_to_members(community)


@bp.post("/communities/<int:community_id>/members/<int:membership_id>/role")
@login_required
def change_role(community_id: int, membership_id: int):
    community = admin_community(community_id)
    membership = membership_in(community, membership_id)
    form = row_form(membership, submitted=True)
    if not form.validate_on_submit():
        return members_page(community, failed=(membership.id, form), status=400)
    try:
        accounts.change_role(community, membership.id, form.role.data, actor_id=current_user.id)
        db.session.commit()
    except accounts.NoSuchMember:
        db.session.rollback()
        abort(404)
    except accounts.MemberError as refused:
        db.session.rollback()
        form.role.errors.append(str(refused.message))
        return members_page(community, failed=(membership_id, form), status=400)
    flash(_("Saved."), "info")
    return back_to_members(community)


@bp.post("/communities/<int:community_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(community_id: int, membership_id: int):
    community = admin_community(community_id)
    membership = membership_in(community, membership_id)  # CSRFProtect has checked the token
    email = membership.user.email
    try:
        accounts.remove_member(community, membership.id, actor_id=current_user.id)
        db.session.commit()
    except accounts.NoSuchMember:
        db.session.rollback()
        abort(404)
    except accounts.MemberError as refused:
        db.session.rollback()
        form = row_form(membership)
        form.role.errors = [str(refused.message)]
        return members_page(community, failed=(membership_id, form), status=400)
    flash(_("%(email)s no longer has access to %(community)s.", email=email, community=community.name), "info")
    return back_to_members(community)


@bp.post("/communities/<int:community_id>/members/<int:membership_id>/actions")
@login_required
def allow_recording_actions(community_id: int, membership_id: int):
    """Let a stakeholder (a partner organisation's person) record actions against needs, or no
    longer; coordinators and admins always may."""
    community = db.session.get(Community, community_id)
    if community is None or role_over(current_user, community) not in MANAGING_ROLES:
        abort(404)  # its coordinators decide, from a round's actions page; admins also here
    membership = membership_in(community, membership_id)  # CSRFProtect has checked the token
    if membership.role is not Role.STAKEHOLDER:
        flash(_("Coordinators and admins record actions anyway: only stakeholders need to be let in."), "error")
        return back_to_members(community)
    allowed = request.form.get("allowed") == "1"
    action_service.allow_recording(membership, allowed, actor_id=current_user.id)
    db.session.commit()
    if allowed:
        flash(_("%(email)s can now record actions and their updates.", email=membership.user.email), "info")
    else:
        flash(_("%(email)s no longer records actions.", email=membership.user.email), "info")
    back_to_round = request.form.get("round", type=int)
    if back_to_round is not None:
        return redirect(url_for("coordinate.actions", round_id=back_to_round, _anchor="partners"), 303)
    return back_to_members(community)
