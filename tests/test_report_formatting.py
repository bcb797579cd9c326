"""How report figures are written: in the reader's notation, differences with their sign, and
never a "-0" for a figure that rounds to nothing."""

from __future__ import annotations

from flask_babel import force_locale

from app.reports.presenting import format_decimal1, format_difference, format_score


def test_figures_that_round_to_nothing_read_as_zero_without_a_sign(app):
    with app.test_request_context(), force_locale("en"):
        assert format_decimal1(-0.04) == "0.0"  # the lower end of an interval just below zero
        assert format_score(-0.3) == "0"
        assert format_difference(-0.3) == "0" and format_difference(0.04, decimals=1) == "0.0"


def test_differences_carry_their_sign_in_the_reader_s_notation(app):
    with app.test_request_context(), force_locale("en"):
        assert format_difference(6.4) == "+6" and format_difference(-18.2) == "-18"
        assert format_difference(None) == "—"
    with app.test_request_context(), force_locale("nl"):
        assert format_difference(-0.46, decimals=1) == "-0,5" and format_decimal1(3.72) == "3,7"
