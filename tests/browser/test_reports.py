"""The demo's stakeholder reads the demo round's report on a phone, in English and in Hebrew:
who needs what most is the first thing on the page, nothing is wider than the phone, and
axe-core finds no violation on any report page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from app.services.demo import LOGINS, create_demo
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.browser.page_checks import WORDS_COME_APART
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

STAKEHOLDER = next((email, password) for role, email, _, password in LOGINS if role.value == "stakeholder")


@pytest.fixture
def demo(app):
    create_demo(ROOT / "surveys", responses=240, seed=3)
    db.session.commit()


def log_in(page, base: str, language: str) -> None:
    email, password = STAKEHOLDER
    page.goto(f"{base}/auth/login?lang={language}")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("button.primary").click()
    page.wait_for_load_state()


def titled(title: str, language: str) -> str:
    """A demo round's title as a reader of `language` sees it (the demo gives every language one)."""
    from app.services.demo import title_translations

    return (title_translations(title) or {}).get(language, title)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_stakeholder_finds_who_needs_what_first_and_every_report_page_fits_and_is_accessible(
        phone, live_server, demo, language):
    log_in(phone, live_server, language)
    phone.goto(f"{live_server}/reports/")
    phone.get_by_role("link", name=titled("Learning needs 2026", language)).first.click()
    phone.wait_for_load_state()
    assert phone.locator("main h2").first.get_attribute("id") == "who-needs"
    summary = phone.locator(".needs-summary > li")
    assert summary.count() >= 4  # a plain list of what each group needs most, before any chart
    assert summary.first.locator("ol > li").count() == 3
    assert phone.locator("svg.chart[role=img]").count() >= 2  # the radar and the needs bars
    pages = {"overview": phone.url}
    pages["group"] = live_server + phone.locator(".needs-summary > li a").first.get_attribute("href")
    pages["groups"] = live_server + phone.locator(".report-nav a").first.get_attribute("href")
    pages["compare"] = live_server + phone.locator("section[aria-labelledby=since] a").get_attribute("href")
    phone.goto(f"{live_server}/reports/")  # and a round of a survey that asks no needs (the partners')
    pages["partners"] = live_server + phone.get_by_role(
        "link", name=titled("Partners 2026", language)).first.get_attribute("href")
    for name, url in pages.items():
        phone.goto(url)
        assert phone.locator("html").get_attribute("dir") == ("rtl" if language == "he" else "ltr")
        assert fits_the_phone(phone), f"the {name} page is wider than the phone"
        if name == "groups":  # each group's top needs are read as a card, not scrolled to
            assert not phone.evaluate(TOP_NEEDS_WIDER_THAN_THE_SCREEN)
        if name == "partners":  # it leads with where each group scores lowest
            assert phone.locator("main h2").first.get_attribute("id") == "lowest"
            assert phone.locator(".needs-summary > li ol > li").count() >= 3
        assert_accessible(phone, f"report {name} ({language})")
        screenshot(phone, f"report-{name}-{language}")


# The groups page's last table, each group's top needs (sentences), is wider than the screen:
# it would scroll sideways, a few words to a line.
TOP_NEEDS_WIDER_THAN_THE_SCREEN = """() => {
  const table = [...document.querySelectorAll('main table')].at(-1);
  return table.getBoundingClientRect().width > document.documentElement.clientWidth;
}"""


# Chart text outside its chart's box is cut off (an <svg> clips what overflows it).
CHART_TEXT_CUT_OFF = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(text => {
    const r = text.getBoundingClientRect();
    return r.left < box.left - 0.5 || r.right > box.right + 0.5;
  }).map(text => text.textContent);
})"""


def test_in_every_language_report_pages_fit_the_phone_and_no_chart_label_is_cut_off(phone, live_server, demo):
    """Greek and Hungarian have the longest words: the menu and the radar's labels must still fit."""
    log_in(phone, live_server, "en")
    phone.goto(f"{live_server}/reports/")
    phone.get_by_role("link", name="Learning needs 2026").first.click()
    phone.wait_for_load_state()
    links = phone.locator(".report-nav a, a[href*='/compare/'], a[href*='/reports/communities/']")
    hrefs = links.evaluate_all("links => links.map(link => link.getAttribute('href'))")
    urls = {phone.url.split("?")[0], *(live_server + href for href in hrefs if href.startswith("/"))}
    assert any("/compare/" in url for url in urls) and any("/communities/" in url for url in urls)
    for language in LANGUAGE_NAMES:
        for url in sorted(urls):
            phone.goto(f"{url}?lang={language}")
            assert phone.locator("html").get_attribute("lang") == language, url
            assert fits_the_phone(phone), f"{url} in {language} is wider than the phone"
            assert phone.evaluate(CHART_TEXT_CUT_OFF) == [], f"chart text cut off on {url} in {language}"
            assert phone.evaluate(WORDS_COME_APART) == [], f"words come apart on {url} in {language}"


# Each lowest score that carries the count it rests on ("45، من 7 أشخاص"): is the score, which
# Arabic reads first, drawn on the right of the count?
SCORE_READ_BEFORE_ITS_COUNT = """() => [...document.querySelectorAll('.needs-summary .figure.worded')]
  .filter(figure => (figure.textContent.match(/[0-9]+/g) || []).length >= 2)
  .map(figure => {
    const node = figure.firstChild, text = node.textContent;
    const box = (start, length) => {
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + length);
      return range.getBoundingClientRect();
    };
    const [score, count] = [...text.matchAll(/[0-9]+/g)];
    return box(score.index, score[0].length).left > box(count.index, count[0].length).right;
  })"""


def test_in_arabic_a_lowest_score_is_read_before_the_count_it_rests_on(phone, live_server, demo):
    log_in(phone, live_server, "ar")
    phone.goto(f"{live_server}/reports/?lang=ar")
    phone.get_by_role("link", name=titled("Partners 2026", "ar")).first.click()
    phone.wait_for_load_state()
    read_in_order = phone.evaluate(SCORE_READ_BEFORE_ITS_COUNT)
    assert read_in_order, "the demo has a lowest score resting on fewer people than its group"
    assert all(read_in_order)


def test_the_overview_leads_with_the_answer_and_opens_the_rest_on_demand_using_a_laptop_s_width(
        phone, browser, live_server, demo):
    from tests.browser.conftest import watch_for_refusals

    laptop_context = browser.new_context(viewport={"width": 1366, "height": 768})
    laptop = laptop_context.new_page()
    refused = watch_for_refusals(laptop)
    try:
        for page in (laptop, phone):
            log_in(page, live_server, "en")
            page.goto(f"{live_server}/reports/")
            page.get_by_role("link", name="Learning needs 2026").first.click()
            page.wait_for_load_state()
        # The details (criteria profile, every need as a table, choices, own words) are closed...
        closed = phone.locator("details.more:not([open])")
        assert closed.count() >= 4
        assert phone.evaluate("document.documentElement.scrollHeight") <= 7 * 844  # was 15 screens
        group_page = phone.locator(".needs-summary > li a").first.get_attribute("href")
        # ...and open with one tap, without JavaScript.
        phone.locator("details.more > summary", has_text="Criteria profile").click()
        assert phone.locator("svg.chart[role=img]").first.is_visible()
        assert_accessible(phone, "report overview, a detail open")
        # A laptop shows the groups' needs side by side, not a 700 px column.
        cards = laptop.locator(".needs-summary > li").all()
        tops = [card.bounding_box()["y"] for card in cards]
        assert len(set(tops)) < len(tops)  # some share a row
        assert laptop.locator(".needs-summary").bounding_box()["width"] > 1000
        screenshot(laptop, "report-overview-laptop")
        screenshot(phone, "report-overview-phone")
        phone.goto(live_server + group_page)  # a group's page too leads with its answer
        assert phone.evaluate("document.documentElement.scrollHeight") <= 4 * 844  # was 12 screens
        assert phone.locator("details.more:not([open])").count() >= 3
        screenshot(phone, "report-group-phone")
    finally:
        laptop_context.close()
    assert not refused, refused


@pytest.mark.parametrize("language", ["en", "he", "ar"])
def test_a_coordinator_reads_the_responses_one_by_one_on_a_phone(phone, live_server, demo, language):
    from app.models import Round

    email, password = next((email, password) for role, email, _, password in LOGINS if role.value == "coordinator")
    phone.goto(f"{live_server}/auth/login?lang={language}")
    phone.locator("input[name=email]").fill(email)
    phone.locator("input[name=password]").fill(password)
    phone.locator("button.primary").click()
    phone.wait_for_load_state()
    survey_round = db.session.query(Round).filter_by(title="Learning needs 2026").first()
    phone.goto(f"{live_server}/reports/rounds/{survey_round.id}/responses?lang={language}")
    assert phone.locator("article.response").count() == 20
    phone.locator("#language").select_option("en")
    phone.get_by_role("button", name=phone.locator(".filters button").inner_text()).click()
    phone.wait_for_load_state()
    assert "language=en" in phone.url and phone.locator("article.response").count() >= 1
    assert fits_the_phone(phone)
    assert_accessible(phone, f"response browser ({language})")
    screenshot(phone, f"report-responses-{language}")
