"""Coordinators' forms: communities, groups, rounds, and the buttons that change a round."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.privacy.cells import MIN_K
from app.i18n import LANGUAGE_NAMES

KEY_PATTERN = r"^[a-z][a-z0-9_-]{0,79}$"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (a fieldset in the page), not a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices() -> list[SelectChoice]:
    return options(LANGUAGE_NAMES.items())


class CommunityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name in addresses"), validators=[
        Optional(), Length(max=80), Regexp(KEY_PATTERN, message=_l("Use lower-case letters, digits and dashes."))],
        description=_l("Left empty, it is made from the name."))
    kind = SelectField(_l("Kind of community"), choices=options([
        ("city", _l("City")), ("neighbourhood", _l("Neighbourhood or learning community")),
        ("region", _l("Region")), ("partnership", _l("Partnership")), ("community", _l("Other community"))]))
    parent_id = SelectField(_l("Part of"), coerce=int, choices=[], validate_choice=True)
    languages = CheckboxesField(_l("Languages people can answer in"), choices=language_choices(),
                                validators=[DataRequired(message=_l("Choose at least one language."))])
    default_language = SelectField(_l("Main language"), choices=language_choices())
    timezone = SelectField(_l("Time zone"), choices=[], default="UTC")
    min_group_size = IntegerField(
        _l("Smallest group shown in reports"), default=5,
        validators=[DataRequired(), NumberRange(min=MIN_K, max=50, message=_l("Between 3 and 50."))],
        description=_l("Figures resting on fewer people are hidden, to protect them."))
    neighbourhoods = TextAreaField(
        _l("Neighbourhoods"), validators=[Optional(), Length(max=20000)],
        description=_l("One per line, in the main language. Surveys that ask where people live offer this list."))

    def __init__(self, *args, parents: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = options([(0, _l("Nothing: a community of its own")), *parents])
        self.timezone.choices = options((name, name) for name in sorted(zoneinfo.available_timezones()))

    def validate_default_language(self, field):
        if field.data not in (self.languages.data or []):
            raise ValidationError(_l("The main language must be one of the languages people can answer in."))

    def neighbourhood_names(self) -> list[str]:
        lines = (line.strip() for line in (self.neighbourhoods.data or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = RadioField(_l("Who is in it"), choices=options([
        ("citizens", _l("Citizens (a group of residents)")),
        ("stakeholders", _l("Organisations (a sector of partners)"))]), default="citizens")
    population = IntegerField(_l("How many people (or organisations) it has"), validators=[
        Optional(), NumberRange(min=0, max=100_000_000, message=_l("A whole number, 0 or more."))],
        description=_l("Optional. With it, reports show coverage and weighted figures."))
    target_responses = IntegerField(_l("Responses you aim for"), validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message=_l("A whole number, 0 or more."))])
    position = IntegerField(_l("Order in lists"), default=0, validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("A whole number, 0 or more."))])


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: Learning needs 2027"))
    survey_id = SelectField(_l("Survey"), coerce=int, choices=[])
    group_ids = CheckboxesField(_l("Groups it is for"), coerce=int, choices=[],
                                validators=[DataRequired(message=_l("Choose at least one group."))])
    languages = CheckboxesField(_l("Languages"), choices=[],
                                validators=[DataRequired(message=_l("Choose at least one language."))])
    opens_at = DateTimeLocalField(_l("Opens"), format=DATETIME_FORMAT, validators=[Optional()],
                                  description=_l("Optional. Left empty, the round opens when you launch it."))
    closes_at = DateTimeLocalField(_l("Closes"), format=DATETIME_FORMAT, validators=[Optional()],
                                   description=_l("Optional. The round closes by itself at this time."))
    one_response_per_browser = BooleanField(_l("One response per phone or computer on public links"),
                                            default=True)
    kind = RadioField(_l("Who answers"), default="anonymous", coerce=lambda kind: str(getattr(kind, "value", kind)),
                      choices=options([
        ("anonymous", _l("Anyone, anonymously: citizens or organisations, through public links and invitations. "
                         "Small groups are protected in the report.")),
        ("named_panel", _l("A named panel: a few people who act for their organisations (a coordinating team, "
                           "partner representatives), invited by name. Their ratings are shown side by side "
                           "with their names, to this community's coordinators and admins.")),
    ]))
    panel_shared = BooleanField(_l("The community's stakeholders may read the panel's ratings too"))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The round must close after it opens."))


class ReopenForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("New closing time"), format=DATETIME_FORMAT, validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button that changes something: nothing to fill in, but CSRF-protected."""


def to_utc(local: datetime | None, timezone: str) -> datetime | None:
    """A time typed in the community's time zone, as stored (UTC)."""
    if local is None:
        return None
    return local.replace(tzinfo=zoneinfo.ZoneInfo(timezone)).astimezone(UTC)


def to_local(moment: datetime | None, timezone: str) -> datetime | None:
    """A stored time as the community's wall clock, for a datetime-local input."""
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).replace(tzinfo=None)
