"""The survey editor's forms: a new survey, its settings, a page, a question, and the import.

The question form shows every type's fields at once (without JavaScript a form cannot change
while it is filled in); fields that do not apply to the chosen type are ignored when saved.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.coordinate.forms import CheckboxesField, language_choices, options

TEXT_LIMIT = 1000
LONG_LIMIT = 4000

AUDIENCE_CHOICES = [("citizens", _l("Citizens")), ("organisations", _l("Organisations (partners, sectors)")),
                    ("coordinators", _l("Coordinators"))]


class NewSurveyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("Respondents see it first. For example: Our library and you"))
    audience = SelectField(_l("Who answers"), choices=options(AUDIENCE_CHOICES))
    source_language = SelectField(_l("Language you write it in"), choices=language_choices())


class CopySurveyForm(FlaskForm):
    survey_id = SelectField(_l("Survey to start from"), coerce=int, choices=[])


class ImportForm(FlaskForm):
    file = FileField(_l("XLSForm file (.xlsx)"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("A form made for KoboToolbox or ODK: sheets survey, choices and settings."))


class SettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Welcome text"), validators=[DataRequired(), Length(max=LONG_LIMIT)], render_kw={"rows": 5},
                          description=_l("What the survey is for and how long it takes; shown before the first question."))
    minutes = IntegerField(_l("Minutes it takes on a phone"), validators=[
        DataRequired(), NumberRange(min=1, max=120, message=_l("Between 1 and 120."))])
    audience = SelectField(_l("Who answers"), choices=options(AUDIENCE_CHOICES))
    languages = CheckboxesField(_l("Languages"), choices=language_choices(),
                                validators=[DataRequired(message=_l("Choose at least one language."))],
                                description=_l("A round can be asked in each language whose texts are all translated."))

    def __init__(self, *args, source_language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_language = source_language

    def validate_languages(self, field):
        if self.source_language not in (field.data or []):
            raise ValidationError(_l("The language the survey is written in stays one of its languages."))


class PageForm(FlaskForm):
    title = StringField(_l("Page title"), validators=[DataRequired(), Length(max=200)])


QUESTION_TYPE_CHOICES = [
    ("agreement", _l("Agree or disagree with a statement (5 points and “I don't know”)")),
    ("importance_current", _l("How important, and how well it works now (two 5-point scales)")),
    ("single_choice", _l("One answer from a list")),
    ("multiple_choice", _l("Several answers from a list")),
    ("text", _l("Written answer")),
    ("number", _l("A number")),
]

ROLE_CHOICES = [
    ("item", _l("A question about needs or the community (counted in reports)")),
    ("group", _l("A question about who answers (reports compare these groups)")),
]

COMPARISON_LABELS = {
    "==": _l("is"), "!=": _l("is not"), "in": _l("includes"), "not in": _l("does not include"),
    ">": _l("is more than"), ">=": _l("is at least"), "<": _l("is less than"), "<=": _l("is at most"),
}


class QuestionForm(FlaskForm):
    type = SelectField(_l("Kind of question"), choices=options(QUESTION_TYPE_CHOICES))
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=TEXT_LIMIT)], render_kw={"rows": 3})
    help = TextAreaField(_l("Hint under the question"), validators=[Optional(), Length(max=TEXT_LIMIT)],
                         description=_l("Optional: an example, or what is meant."))
    required = BooleanField(_l("An answer is required"))
    role = SelectField(_l("What the question is for"), choices=options(ROLE_CHOICES))
    # Fields shown only for some kinds of question are not posted for the others, so their
    # choices are checked when the question is built (coordinate.surveys), not here.
    criterion = SelectField(_l("Criterion it feeds"), choices=[], validate_choice=False,
                            description=_l("Scale questions about needs count in this criterion of the report. "
                                           "Other questions are shown as items of their own."))
    page_key = SelectField(_l("Page"), choices=[])
    # Choice questions
    option_lines = TextAreaField(_l("Answers to choose from"), validators=[Optional(), Length(max=20_000)],
                                 render_kw={"rows": 7},
                                 description=_l("One per line, at least two."))
    options_from = BooleanField(_l("Offer the community's neighbourhoods first"))
    other = BooleanField(_l("Add “Other, namely …” with a box to write in"))
    max_choices = IntegerField(_l("At most this many answers"), validators=[
        Optional(), NumberRange(min=1, max=100, message=_l("A whole number, 1 or more."))])
    # Scales
    scale = SelectField(_l("Scale"), choices=[], validate_choice=False)
    scale_lines = TextAreaField(_l("The words of the scale, from the lowest point to the highest"),
                                validators=[Optional(), Length(max=2000)], render_kw={"rows": 5},
                                description=_l("One per line, 2 to 7 points. Used when the scale above is "
                                               "“words of your own”. “I don't know” is always offered too."))
    # Written answers
    long = BooleanField(_l("A long answer (several lines)"))
    # Numbers
    minimum = DecimalField(_l("Smallest number allowed"), validators=[Optional()])
    maximum = DecimalField(_l("Largest number allowed"), validators=[Optional()])
    integer = BooleanField(_l("Whole numbers only"), default=True)
    unit = StringField(_l("Unit shown after the box"), validators=[Optional(), Length(max=40)],
                       description=_l("For example: hours, km, euros"))
    # Display condition
    condition_question = SelectField(_l("Show this question"), choices=[], validate_choice=False)
    condition_comparison = SelectField(_l("when the answer"), choices=options(COMPARISON_LABELS.items()),
                                       validate_choice=False)
    condition_option = SelectField(_l("this answer"), choices=[], validate_choice=False)
    condition_value = StringField(_l("or this number or text"), validators=[Optional(), Length(max=200)])

    def validate_maximum(self, field):
        if field.data is not None and self.minimum.data is not None and field.data < self.minimum.data:
            raise ValidationError(_l("The largest number must not be smaller than the smallest."))


class TranslationUploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet with the translations (.xlsx)"),
                     validators=[FileRequired(message=_l("Choose a file."))])
