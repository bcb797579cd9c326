from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.models import Role
from app.services.accounts import MIN_PASSWORD_LENGTH, ROLE_LABELS

# Longer passwords are fine, but hashing megabytes on every login attempt is not.
MAX_PASSWORD_LENGTH = 200
NEW_PASSWORD_HINT = _l("At least %(count)d characters. A few words you will remember make a good one.",
                       count=MIN_PASSWORD_LENGTH)


def email_field(label=_l("Email")) -> EmailField:
    return EmailField(label, validators=[DataRequired(), Email(), Length(max=254)])


def new_password_fields():
    """The new password, twice (the second catches a typo nobody can see)."""
    new = PasswordField(_l("New password"), description=NEW_PASSWORD_HINT,
                        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    again = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords are not the same."))])
    return new, again


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    new_password, new_password_again = new_password_fields()


class ResetRequestForm(FlaskForm):
    email = email_field(_l("Your email address"))


class NewPasswordForm(FlaskForm):
    new_password, new_password_again = new_password_fields()


# --- Members of a community (app/coordinate/members.py) ---------------------------------------


def as_role(value) -> Role:
    return value if isinstance(value, Role) else Role(value)


def role_field(label=_l("Role")) -> SelectField:
    return SelectField(label, coerce=as_role, default=Role.COORDINATOR,
                       choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in Role])


class AddMemberForm(FlaskForm):
    email = email_field()
    name = StringField(_l("Name"), validators=[Length(max=200)],
                       description=_l("Only needed for someone without an account yet."))
    role = role_field()


class RoleForm(FlaskForm):
    """One member's role; each row of the list has its own (with a prefix, so ids differ)."""

    role = role_field()
