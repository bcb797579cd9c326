"""The words of the answering flow that do not come from the survey file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.domain.answering import Problem

PROBLEMS = {
    Problem.REQUIRED: _l("Please answer this question."),
    Problem.REQUIRED_BOTH: _l("Please answer both parts: how important it is, and how well it works now."),
    Problem.UNKNOWN_CHOICE: _l("Please choose one of the answers shown."),
    Problem.TOO_MANY_CHOICES: _l("You ticked too many answers."),
    Problem.OTHER_MISSING: _l("You ticked “other”: please say what."),
    Problem.NOT_A_NUMBER: _l("Please write a number, for example 12."),
    Problem.NOT_WHOLE: _l("Please write a whole number, without decimals."),
    Problem.TOO_SMALL: _l("This number is too small."),
    Problem.TOO_LARGE: _l("This number is too large."),
    Problem.TOO_LONG: _l("This answer is too long. Please make it shorter."),
}

AGREEMENT_SCALE = (
    _l("Strongly disagree"),
    _l("Disagree"),
    _l("Neither agree nor disagree"),
    _l("Agree"),
    _l("Strongly agree"),
)
IMPORTANCE_SCALE = (
    _l("Not important"),
    _l("A little important"),
    _l("Quite important"),
    _l("Very important"),
    _l("Extremely important"),
)
CURRENT_STATE_SCALE = (
    _l("Very badly"),
    _l("Badly"),
    _l("So-so"),
    _l("Well"),
    _l("Very well"),
)
DONT_KNOW = _l("I don't know")
