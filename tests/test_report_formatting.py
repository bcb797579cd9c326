"""How report figures are written: in the reader's notation (counts grouped, "2,400" or
"2.400"), differences with their sign, and never a "-0" for a figure that rounds to nothing."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from app.extensions import db
from app.i18n import counted
from app.models import Role
from app.i18n import format_decimal1, format_difference, format_score, joined_items
from tests.factories import make_user
from tests.helpers import log_in
from tests.report_data import publish_report, seed_round


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


def test_items_that_hold_commas_are_separated_as_the_reader_s_language_does(app):
    needs = ["Learning a language, or getting better at one", "Childcare"]
    # Greek reads ";" as a question mark and separates with the ano teleia; Arabic has its own.
    for language, expected in (("en", "; "), ("he", "; "), ("el", "\u0387 "), ("ar", "\u061b ")):
        with app.test_request_context(), force_locale(language):
            assert joined_items(needs) == expected.join(needs), language


def test_counts_in_sentences_are_grouped_in_the_reader_s_notation(app):
    sentence = '{{ ngettext("%(num)s person in %(group)s", "%(num)s people in %(group)s", n, group=group) }}'
    for language, expected in (("en", "2,400 people"), ("nl", "2.400 mensen"), ("he", "2,400 אנשים")):
        with app.test_request_context(), force_locale(language):
            assert counted("%(num)s person", "%(num)s people", 2400) == expected
    with app.test_request_context(), force_locale("nl"):
        rendered = render_template_string(sentence, n=12000, group="<Jongeren>")
        assert rendered == "12.000 people in &lt;Jongeren&gt;"  # grouped; the name still escaped
        assert render_template_string(sentence, n=1, group="x") == "1 person in x"  # plural choice kept


def test_counts_on_report_pages_are_grouped(client, app):
    data = seed_round()
    data.groups["youth"].population, data.groups["youth"].target_responses = 24000, 1200
    make_user("reader@example.org", memberships=[(data.round.community, Role.STAKEHOLDER)])
    publish_report(data.round.id)
    db.session.commit()
    log_in(client, "reader@example.org")
    english = client.get(f"/reports/rounds/{data.round.id}?lang=en").get_data(as_text=True)
    assert "of 24,000" in english and "target 1,200" in english
    dutch = client.get(f"/reports/rounds/{data.round.id}/groups/youth?lang=nl").get_data(as_text=True)
    assert "24.000" in dutch
