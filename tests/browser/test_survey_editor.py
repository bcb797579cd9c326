"""A coordinator shapes a survey on a phone, in real Chromium, without writing any YAML: copies
the citizens' survey, adds a local question in English and Hebrew with a display condition,
rewords one, previews it in Hebrew, publishes it and launches a round of it. axe-core finds no
violation on any editor page on the way, in English and in Hebrew."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, AuthoredSurvey, Question, Role, Round
from app.services.survey_bank import load_bank
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE, screenshot
from tests.conftest import ROOT
from tests.factories import make_community, make_group, make_user
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def harbour(app):
    load_bank(ROOT / "surveys")
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he"))
    make_group(community, "youth", name="Young people", name_translations={"he": "צעירים"})
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    return community


WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 391).slice(0, 8)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width) + ' '
         + (e.textContent || '').slice(0, 30))"""


def check(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, \
        f"{name} is wider than the phone: {page.evaluate(WIDE_ELEMENTS)}"
    assert_accessible(page, name)
    screenshot(page, f"editor-{name}")


def press(page, button) -> None:
    """Click a button that sends a form, and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def test_a_coordinator_shapes_a_survey_on_a_phone_and_launches_it(phone, browser, live_server, harbour):
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("noa@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    press(phone, phone.locator("button.primary"))
    phone.goto(f"{live_server}/coordinate/communities/{harbour.id}/surveys")
    check(phone, "surveys")

    phone.get_by_label("Survey to start from").select_option(label="Learning where you live: what would help you? (v1)")
    press(phone, phone.get_by_role("button", name="Make a copy to change"))
    check(phone, "survey")
    authored = db.session.scalar(select(AuthoredSurvey))

    # A local question, shown only to those who use a library, with its Hebrew words.
    phone.get_by_label("Add a question to this page").first.select_option("single_choice")
    press(phone, phone.get_by_role("button", name="Add", exact=True).first)
    check(phone, "new-question")
    phone.get_by_label("Question", exact=True).fill("Which library do you use?")
    phone.get_by_label("Answers to choose from").fill("Central library\nHarbour library\nNone")
    phone.get_by_label("Show this question").select_option(index=1)  # the first question before it
    chosen = phone.get_by_label("this answer").locator("option").nth(1).get_attribute("value")
    phone.get_by_label("this answer").select_option(chosen)
    press(phone, phone.get_by_role("button", name="Save the question"))
    assert "Question saved." in phone.content(), phone.locator("main").inner_text()

    # Reword an existing question.
    press(phone, phone.get_by_role("link", name="Edit").nth(1))
    phone.get_by_label("Question", exact=True).fill("What do you do most days?")
    press(phone, phone.get_by_role("button", name="Save the question"))

    # Translate into Hebrew: every missing text gets one.
    press(phone, phone.get_by_role("link", name="עברית:"))
    check(phone, "translate-he")
    for box in phone.locator(".translation-row.missing textarea").all():
        box.fill("בעברית")
    press(phone, phone.get_by_role("button", name="Save the translations"))
    done, _of, total, _texts = phone.locator("strong.progress-count").inner_text().split(":")[1].split()
    assert done == total

    # Preview it in Hebrew, right to left.
    phone.goto(f"{live_server}/coordinate/surveys/{authored.id}/preview?lang=he")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    check(phone, "preview-he")
    phone.goto(f"{live_server}/coordinate/surveys/{authored.id}?lang=he")
    check(phone, "survey-he")
    phone.goto(f"{live_server}/coordinate/surveys/{authored.id}/questions/{authored.draft['pages'][0]['questions'][0]['key']}?lang=he")
    check(phone, "question-he")
    phone.goto(f"{live_server}/coordinate/surveys/{authored.id}?lang=en")

    press(phone, phone.get_by_role("button", name="Publish as version 1"))
    assert "Version 1 is published" in phone.content()

    # The round of it.
    phone.goto(f"{live_server}/coordinate/communities/{harbour.id}/rounds/new")
    phone.get_by_label("Title").fill("Our libraries 2027")
    phone.get_by_label("Survey").select_option(label="Learning where you live: what would help you? (Harbour Quarter's own, v1)")
    press(phone, phone.get_by_role("button", name="Save"))
    survey_round = db.session.scalar(select(Round).where(Round.title == "Our libraries 2027"))
    assert survey_round.survey.authored_survey_id == authored.id
    assert survey_round.languages == ["en", "he"]
    press(phone, phone.get_by_role("link", name="Preview the questions"))
    check(phone, "round-preview")

    # Launched, a citizen on a phone in Hebrew meets the new question once the condition holds.
    phone.goto(f"{live_server}/coordinate/rounds/{survey_round.id}/launch")
    press(phone, phone.get_by_role("button", name="Launch"))
    db.session.expire_all()
    youth_link = next(link for link in survey_round.links if link.group_id is not None)
    library_key = next(q["key"] for q in authored.draft["pages"][0]["questions"]
                       if q["text"]["en"] == "Which library do you use?")
    citizen_context = browser.new_context(viewport=PHONE, is_mobile=True, locale="he-IL")
    citizen = citizen_context.new_page()
    citizen.goto(f"{live_server}/s/{youth_link.token}?lang=he")
    press(citizen, citizen.locator("button.primary"))
    citizen.locator(f'input[name="q_age_band"][value="{chosen.split(":")[1]}"]').check()
    for name in citizen.evaluate("[...new Set([...document.querySelectorAll('input[type=radio]')].map(i => i.name))]"):
        if name != "q_age_band":
            citizen.locator(f'input[name="{name}"]').first.check()
    press(citizen, citizen.locator("button.primary"))
    assert citizen.locator(f'input[name="q_{library_key}"]').count() == 3  # its three answers
    assert_accessible(citizen, "citizen-new-question-he")
    screenshot(citizen, "editor-citizen-new-question-he")
    citizen.locator(f'input[name="q_{library_key}"]').first.check()
    press(citizen, citizen.locator("button.primary"))
    citizen_context.close()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Answer).join(Question).where(
        Question.key == library_key)) == 1

    # A typo found after the first answers: fixed, published, and adopted by the running round.
    phone.goto(f"{live_server}/coordinate/surveys/{authored.id}/questions/{library_key}")
    phone.get_by_label("Question", exact=True).fill("Which library do you use most?")
    press(phone, phone.get_by_role("button", name="Save the question"))
    press(phone, phone.get_by_role("button", name="Publish as version 2"))
    phone.goto(f"{live_server}/coordinate/rounds/{survey_round.id}")
    check(phone, "round-newer-version")
    press(phone, phone.get_by_role("button", name="Use version 2 in this round"))
    assert "The round now asks version 2." in phone.content()
    db.session.expire_all()
    assert db.session.get(Round, survey_round.id).survey.version == 2
    answered = db.session.scalar(select(Question).join(Answer).where(Question.key == library_key))
    assert answered.survey_id == db.session.get(Round, survey_round.id).survey_id


def test_every_editor_page_passes_axe_at_phone_width_in_english_and_hebrew(phone, live_server, harbour):
    from app.models import Survey
    from app.services import survey_authoring

    bank = db.session.scalar(select(Survey).where(Survey.key == "citizen_needs"))
    authored = survey_authoring.create_copy(harbour, bank)
    version, _new = survey_authoring.publish(authored)
    db.session.commit()
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_label("Email").fill("noa@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    press(phone, phone.locator("button.primary"))
    pages = {
        "surveys": f"/coordinate/communities/{harbour.id}/surveys",
        "survey": f"/coordinate/surveys/{authored.id}",
        "settings": f"/coordinate/surveys/{authored.id}/settings",
        "page-title": f"/coordinate/surveys/{authored.id}/pages/about_you",
        "question-new": f"/coordinate/surveys/{authored.id}/questions/new?page=needs&type=number",
        "question-group": f"/coordinate/surveys/{authored.id}/questions/age_band",
        "question-condition": f"/coordinate/surveys/{authored.id}/questions/barriers",
        "translate": f"/coordinate/surveys/{authored.id}/translate/he",
        "preview": f"/coordinate/surveys/{authored.id}/preview",
        "version-preview": f"/coordinate/communities/{harbour.id}/surveys/versions/{version.id}/preview",
    }
    for language in ("en", "he"):
        for name, path in pages.items():
            separator = "&" if "?" in path else "?"
            phone.goto(f"{live_server}{path}{separator}lang={language}")
            assert phone.locator("html").get_attribute("lang") == language, name
            check(phone, f"{name}-{language}")
