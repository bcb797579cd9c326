"""The forms of actions against needs: an action, and a dated update on it.

Titles, descriptions, reasons and updates are written in each of the community's languages, so
these forms get one box per language when they are made (action_form_for, update_form_for);
the main language's box comes first, and its errors show next to it and in the summary.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.coordinate.forms import CheckboxesField, options
from app.domain import actions as rules
from app.i18n import LANGUAGE_NAMES, text_direction
from app.models import ActionStatus, Community, PartnerSector

# The per-language boxes: field prefix -> (label in a language, multi-line, longest text allowed).
LANGUAGE_BOXES = {
    "title": (lambda language: _l("Title (%(language)s)", language=language), False, rules.TITLE_MAX),
    "description": (lambda language: _l("Description (%(language)s)", language=language), True,
                    rules.DESCRIPTION_MAX),
    "dropped_reason": (lambda language: _l("Why it was dropped (%(language)s)", language=language), True,
                       rules.REASON_MAX),
    "text": (lambda language: _l("What happened (%(language)s)", language=language), True,
             rules.UPDATE_TEXT_MAX),
}


class LanguageBoxes:
    """Reads and lists a form's per-language boxes."""

    languages: tuple[str, ...] = ()

    def boxes(self, prefix: str) -> list[Field]:
        return [self[f"{prefix}_{language}"] for language in self.languages]

    def texts(self, prefix: str) -> dict[str, str]:
        return {language: self[f"{prefix}_{language}"].data or "" for language in self.languages}

    def fill(self, prefix: str, texts: dict[str, str] | None) -> None:
        for language in self.languages:
            self[f"{prefix}_{language}"].data = (texts or {}).get(language, "")

    def box(self, prefix: str, language: str | None) -> Field:
        """The box a problem belongs to (the main language's when it names none)."""
        return self[f"{prefix}_{language or self.languages[0]}"]


class ActionForm(LanguageBoxes, FlaskForm):
    needs = CheckboxesField(_l("Needs it answers"), choices=[], description=_l(
        "What people said matters to them and works badly now, as the round asked it."))
    criteria = CheckboxesField(_l("Criteria it answers"), choices=[], description=_l(
        "Or instead: the criteria of the round's report it should improve."))
    groups = CheckboxesField(_l("Groups the action is for"), choices=[], description=_l("None ticked: everyone."))
    carried_by = StringField(_l("Organisation that carries it"), validators=[Optional(), Length(max=200)],
                             description=_l("For example: the city library, or a neighbourhood association."))
    sector = SelectField(_l("Kind of partner"), choices=[])
    status = RadioField(_l("Status"), choices=[])
    progress = IntegerField(_l("Progress (%)"), default=0, validators=[
        InputRequired(message=_l("A whole number from 0 to 100."))], render_kw={"min": 0, "max": 100},
        description=_l("From 0 to 100. A done action is shown as fully done."))

    def __init__(self, *args, statuses: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = options((s, ActionStatus(s).label) for s in statuses)
        self.sector.choices = options([("", _l("Not said")), *((s.value, s.label) for s in PartnerSector)])


class UpdateForm(LanguageBoxes, FlaskForm):
    on = DateField(_l("Date"), validators=[InputRequired(message=_l("Give the date, as day, month and year."))])


def action_form_for(community: Community, *, statuses: tuple[str, ...], **kwargs) -> ActionForm:
    form_class = _with_boxes(ActionForm, community, ("title", "description", "dropped_reason"))
    return form_class(statuses=statuses, **kwargs)


def update_form_for(community: Community, **kwargs) -> UpdateForm:
    return _with_boxes(UpdateForm, community, ("text",))(**kwargs)


def _with_boxes(base: type, community: Community, prefixes: tuple[str, ...]) -> type:
    """`base` with a box per prefix and community language, the main language first."""
    languages = (community.default_language,
                 *(code for code in community.languages if code != community.default_language))
    fields: dict[str, object] = {"languages": languages}
    for prefix in prefixes:
        label_in, multiline, limit = LANGUAGE_BOXES[prefix]
        for language in languages:
            field_class = TextAreaField if multiline else StringField
            render = {"lang": language, "dir": text_direction(language), **({"rows": 4} if multiline else {})}
            fields[f"{prefix}_{language}"] = field_class(
                label_in(LANGUAGE_NAMES[language]), validators=[Optional(), Length(max=limit)], render_kw=render)
    return type(base.__name__, (base,), fields)
