"""Links, QR codes and posters of a round, and its live outreach dashboard."""

from __future__ import annotations

import io
import random
import re
import zoneinfo
from collections import Counter
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AccessLink,
    AuditEvent,
    Invitation,
    LinkKind,
    Response,
    ResponseStatus,
    Role,
    RoundStatus,
    utcnow,
)
from app.services import audit
from app.services.outreach_dashboard import dashboard as read_dashboard
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import log_in, queries_for

BASE = "https://survey.example.org"


@pytest.fixture
def harbour(app):
    """A community with two groups, an open round of the 'mini' survey (en, he) and its links."""
    app.config["PUBLIC_BASE_URL"] = BASE
    community = make_community("harbour", name="Harbour Quarter", languages=("en", "he"))
    youth = make_group(community, "youth", name="Young people", name_translations={"he": "צעירים"},
                       population=800, target_responses=40, fixed_answers={"age_band": "age_16_25"},
                       position=0)
    seniors = make_group(community, "seniors", name="Older residents", population=500,
                         target_responses=20, position=1)
    survey_round = make_round(community, load_fixture_bank(), groups=[youth, seniors])
    links = {"everyone": make_link(survey_round), "youth": make_link(survey_round, youth),
             "seniors": make_link(survey_round, seniors)}
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    hill = make_community("hill", name="Hill Side", languages=("en",))
    make_user("omar@example.org", memberships=[(hill, Role.COORDINATOR)])
    db.session.commit()
    return {"community": community, "round": survey_round, "youth": youth, "seniors": seniors, "links": links}


def public_url(link: AccessLink) -> str:
    return f"{BASE}/s/{link.token}"


def decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def svg_modules_image(svg: str, pixels_per_module: int = 8) -> Image.Image:
    """Draw segno's SVG path (M, m and h commands: one run of dark modules per h) as a picture,
    so that a real decoder reads the SVG, not our own idea of it."""
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    scale = int(re.search(r'scale\((\d+)\)', svg).group(1))
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg).group(1)
    size = width // scale
    image = Image.new("L", (size * pixels_per_module, size * pixels_per_module), 255)
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([^MmHh]*)", path):
        values = [float(n) for n in numbers.replace(",", " ").split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            run = values[0] if command == "h" else values[0] - x
            row = int(y)
            for column in range(int(x), int(x + run)):
                image.paste(0, (column * pixels_per_module, row * pixels_per_module,
                                (column + 1) * pixels_per_module, (row + 1) * pixels_per_module))
            x += run
    return image


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- QR codes ----------------------------------------------------------------------------------


def test_the_png_qr_code_reads_back_as_the_links_public_address_and_is_big_enough_to_print(client, harbour):
    link = harbour["links"]["youth"]
    log_in(client, "noa@example.org")
    response = client.get(f"/coordinate/links/{link.id}/qr.png")

    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(response.data))
    assert image.size[0] == image.size[1] >= 1200
    assert decoded(image) == [public_url(link)]
    # The quiet zone: a white border of four modules at least around the code.
    grey = image.convert("L")
    assert all(grey.getpixel((x, 20)) == 255 for x in range(image.size[0]))


def test_the_svg_qr_code_reads_back_as_the_links_public_address(client, harbour):
    link = harbour["links"]["seniors"]
    log_in(client, "noa@example.org")
    response = client.get(f"/coordinate/links/{link.id}/qr.svg")

    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert decoded(svg_modules_image(svg)) == [public_url(link)]
    assert f'filename="qr-seniors-{link.token}.svg"' in response.headers["Content-Disposition"]


def test_qr_codes_are_cacheable_and_each_download_is_audited_with_the_group(client, harbour):
    link = harbour["links"]["youth"]
    log_in(client, "noa@example.org")
    first = client.get(f"/coordinate/links/{link.id}/qr.png")
    assert "private" in first.headers["Cache-Control"] and "max-age=86400" in first.headers["Cache-Control"]
    again = client.get(f"/coordinate/links/{link.id}/qr.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304

    events = audit_events("qr_downloaded")
    assert {(e.group_id, e.round_id, e.details["link_id"]) for e in events} == {
        (harbour["youth"].id, harbour["round"].id, link.id)}


# -- the links page ------------------------------------------------------------------------------


def test_the_links_page_shows_every_live_public_link_with_its_code_downloads_and_posters(client, harbour):
    survey_round = harbour["round"]
    invitation_link = make_link(survey_round, harbour["youth"], kind=LinkKind.INVITATION)
    revoked = make_link(survey_round, harbour["seniors"])
    revoked.revoked_at = utcnow()
    db.session.commit()
    log_in(client, "noa@example.org")
    html = client.get(f"/coordinate/rounds/{survey_round.id}/links").get_data(as_text=True)

    for link in harbour["links"].values():
        assert f'value="{public_url(link)}"' in html
        assert f"/coordinate/links/{link.id}/qr.svg" in html and f"/coordinate/links/{link.id}/qr.png" in html
        for lang in ("en", "he"):
            assert f"/coordinate/links/{link.id}/poster?language={lang}" in html
    assert html.count('class="qr" role="img"') == 3
    assert invitation_link.token not in html and revoked.token not in html
    assert html.index("Everyone (no group)") < html.index("Young people") < html.index("Older residents")


# -- posters -------------------------------------------------------------------------------------


def test_the_hebrew_poster_is_right_to_left_in_hebrew_with_everything_it_promises(client, harbour):
    link = harbour["links"]["youth"]
    log_in(client, "noa@example.org")
    response = client.get(f"/coordinate/links/{link.id}/poster?language=he")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert '<html lang="he" dir="rtl">' in html
    assert 'href="/static/poster.css"' in html
    assert "@page { size: A4" in client.get("/static/poster.css", buffered=True).get_data(as_text=True)
    assert "<h1>סקר קצר</h1>" in html  # the survey's own title, in Hebrew
    assert "זה לוקח בערך 3 דקות." in html  # "takes about 3 minutes", from the survey's `minutes`
    assert "התשובות שלך אנונימיות" in html  # "your answers are anonymous"
    assert public_url(link) in html and "Harbour Quarter" in html
    assert html.count("<svg") == 1 and 'class="qr" role="img"' in html
    assert [(e.group_id, e.details["language"]) for e in audit_events("poster_opened")] == [
        (harbour["youth"].id, "he")]


def test_printing_a_hebrew_poster_leaves_the_coordinator_s_own_pages_in_their_language(client, harbour):
    log_in(client, "noa@example.org")
    client.get(f"/coordinate/links/{harbour['links']['youth'].id}/poster?language=he")
    assert '<html lang="en"' in client.get("/coordinate/").get_data(as_text=True)


def test_the_english_poster_is_left_to_right(client, harbour):
    log_in(client, "noa@example.org")
    html = client.get(f"/coordinate/links/{harbour['links']['everyone'].id}/poster?language=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html and "<h1>A short survey</h1>" in html
    assert "It takes about 3 minutes." in html


@pytest.mark.parametrize("lang", ["nl", "xx", "<script>alert(1)</script>", "EN"])
def test_a_poster_in_a_language_the_round_does_not_offer_is_a_clear_404(client, harbour, lang):
    log_in(client, "noa@example.org")
    response = client.get(f"/coordinate/links/{harbour['links']['youth'].id}/poster", query_string={"language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "English, עברית" in html  # which languages there are (the words around them get translated)
    assert "<script>alert" not in html
    assert audit_events("poster_opened") == []


def test_invitation_revoked_and_unknown_links_have_no_poster_or_code(client, harbour):
    invitation_link = make_link(harbour["round"], harbour["youth"], kind=LinkKind.INVITATION)
    revoked = make_link(harbour["round"], harbour["seniors"])
    revoked.revoked_at = utcnow()
    db.session.commit()
    log_in(client, "noa@example.org")
    for link_id in (invitation_link.id, revoked.id, 999_999):
        for suffix in ("qr.svg", "qr.png", "poster?language=en"):
            assert client.get(f"/coordinate/links/{link_id}/{suffix}").status_code == 404, (link_id, suffix)
    assert client.get("/coordinate/links/abc/qr.png").status_code == 404


def test_another_communitys_coordinator_gets_404_on_every_page(client, harbour):
    survey_round, link = harbour["round"], harbour["links"]["youth"]
    log_in(client, "omar@example.org")
    for path in (f"/coordinate/rounds/{survey_round.id}/links", f"/coordinate/rounds/{survey_round.id}/dashboard",
                 f"/coordinate/links/{link.id}/qr.svg", f"/coordinate/links/{link.id}/qr.png",
                 f"/coordinate/links/{link.id}/poster?language=en", f"/coordinate/links/{link.id}/poster"):
        assert client.get(path).status_code == 404, path
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_without_a_login_the_pages_ask_for_one(client, harbour):
    response = client.get(f"/coordinate/rounds/{harbour['round'].id}/dashboard")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get(f"/coordinate/links/{harbour['links']['youth'].id}/qr.png").status_code == 302


# -- the dashboard -------------------------------------------------------------------------------

# Where an unfinished response stands, by its saved screen, worked out by hand from the 'mini'
# survey: screens about_you | needs (first half) | needs (from the conditional question on) |
# your_words; the youth link answers the only question of about_you, so its flow starts at needs.
STANDS = {
    None: {None: "about_you", "0": "needs", "1": "needs", "2": "your_words", "3": "review"},
    "youth": {None: "needs", "0": "needs", "1": "your_words", "2": "review"},
}


def seed_responses(harbour, count: int, seed: int = 7) -> list[dict]:
    """`count` responses with random group, language, status, saved screen and day; returns what
    was written, so that the test can count it by itself."""
    rng = random.Random(seed)
    now = utcnow()
    groups = {"youth": harbour["youth"].id, "seniors": harbour["seniors"].id, None: None}
    written = []
    for _ in range(count):
        group = rng.choice(["youth", "youth", "seniors", None])
        complete = rng.random() < 0.6
        flow = STANDS["youth" if group == "youth" else None]
        row = {"group": group, "language": rng.choice(["en", "en", "he"]), "complete": complete,
               "saved": None if complete else rng.choice(list(flow)),
               "day": (now - timedelta(days=rng.randint(0, 4))).replace(hour=12) if complete else None}
        db.session.add(Response(
            round_id=harbour["round"].id, group_id=groups[group], language=row["language"],
            status=ResponseStatus.COMPLETE if complete else ResponseStatus.IN_PROGRESS,
            current_page=row["saved"], submitted_at=row["day"], is_simulated=True))
        written.append(row)
    db.session.commit()
    return written


def test_the_dashboard_counts_are_those_of_the_responses_counted_one_by_one(client, harbour):
    written = seed_responses(harbour, 150)
    board = read_dashboard(harbour["round"])

    by_group = {line.group.key: line.progress for line in board.groups}
    for key in ("youth", "seniors"):
        mine = [r for r in written if r["group"] == key]
        assert by_group[key].complete == sum(r["complete"] for r in mine)
        assert by_group[key].in_progress == sum(not r["complete"] for r in mine)
    assert board.unassigned.started == sum(r["group"] is None for r in written)
    assert board.total.complete == sum(r["complete"] for r in written)
    assert board.total.population == 1300 and board.total.target == 60

    standing = Counter(STANDS["youth" if r["group"] == "youth" else None][r["saved"]]
                       for r in written if not r["complete"])
    assert {s.page_key.strip("_"): s.unfinished for s in board.drop_off if s.unfinished} == \
        {page: n for page, n in standing.items()}
    assert [s.page_key for s in board.drop_off][:3] == ["about_you", "needs", "your_words"]

    languages = Counter(r["language"] for r in written)
    assert {u.language: u.started for u in board.languages} == dict(languages)
    assert {u.language: u.complete for u in board.languages} == dict(
        Counter(r["language"] for r in written if r["complete"]))

    days = Counter(r["day"].date() for r in written if r["complete"])
    assert {d.day: d.complete for d in board.days if d.complete} == dict(days)
    assert board.days[-1].day == utcnow().date()


def test_the_dashboard_page_shows_the_counts_per_group_page_language_and_day(client, harbour):
    written = seed_responses(harbour, 60)
    harbour["round"].community.timezone = "Asia/Jerusalem"
    db.session.commit()
    log_in(client, "noa@example.org")
    response = client.get(f"/coordinate/rounds/{harbour['round'].id}/dashboard")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    youth_complete = sum(r["complete"] for r in written if r["group"] == "youth")
    start = html.index('role="rowheader">Young people')
    youth_row = html[start:html.index("</tr>", start)]
    assert f'<span class="figure">{youth_complete}</span>' in youth_row and "of 40" in youth_row
    assert "1. About you" in html and "2. What you need" in html and "3. In your words" in html
    assert 'role="region" tabindex="0" aria-labelledby="per-group-caption"' in html
    assert 'class="chart chart-bars"' in html  # the target chart and the per-day chart
    assert "not open" not in html
    # When the figures were read: on the community's clocks, to the minute, the zone named.
    now = utcnow().astimezone(zoneinfo.ZoneInfo("Asia/Jerusalem"))
    as_of = re.search(r"Figures as of [A-Z][a-z]{2} \d+, \d{4}, (\d+):\d\d\u202f([AP])M \(Asia/Jerusalem\)\.", html)
    assert as_of and int(as_of.group(1)) % 12 in {now.hour % 12, (now.hour - 1) % 12}


def test_the_groups_furthest_behind_are_highlighted_with_a_channel_not_used_yet(client, harbour):
    survey_round, youth, seniors = harbour["round"], harbour["youth"], harbour["seniors"]
    for group, complete in ((youth, 4), (seniors, 15)):  # 10 % and 75 % of their targets
        for _ in range(complete):
            db.session.add(Response(round_id=survey_round.id, group_id=group.id, language="en",
                                    status=ResponseStatus.COMPLETE, submitted_at=utcnow()))
    audit.record("poster_opened", community_id=survey_round.community_id, round_id=survey_round.id,
                 group_id=youth.id)
    invitation_link = make_link(survey_round, youth, kind=LinkKind.INVITATION)
    db.session.add(Invitation(round_id=survey_round.id, group_id=youth.id, access_link_id=invitation_link.id,
                              email="a@example.org", language="en"))
    db.session.commit()

    board = read_dashboard(survey_round)
    assert [(b.progress.group_id, b.suggestion.channel.value) for b in board.behind] == [
        (youth.id, "reminders"), (seniors.id, "poster")]

    log_in(client, "noa@example.org")
    html = client.get(f"/coordinate/rounds/{survey_round.id}/dashboard").get_data(as_text=True)
    behind = html[html.index('id="behind"'):html.index('id="per-group"')]
    assert behind.index("Young people") < behind.index("Older residents")
    assert "Send a reminder to the people of Young people" in behind
    assert "Print the poster of the link for Older residents" in behind
    assert html.count('<tr role="row" class="highlight">') == 2


def test_the_dashboard_works_for_a_closed_round_and_says_it_is_not_open(client, harbour):
    harbour["round"].status = RoundStatus.CLOSED
    db.session.commit()
    log_in(client, "noa@example.org")
    response = client.get(f"/coordinate/rounds/{harbour['round'].id}/dashboard")
    assert response.status_code == 200
    assert "This round is closed, not open" in response.get_data(as_text=True)
    assert client.get("/coordinate/rounds/999999/dashboard").status_code == 404


def test_the_dashboard_runs_as_many_queries_for_200_responses_as_for_20(client, harbour):
    log_in(client, "noa@example.org")
    path = f"/coordinate/rounds/{harbour['round'].id}/dashboard"

    def statements_of_one_request() -> int:
        client.get(path)  # warm: what a process reads once (the parsed survey) is not counted
        return queries_for(client, path)

    seed_responses(harbour, 20, seed=1)
    with_20 = statements_of_one_request()
    seed_responses(harbour, 180, seed=2)
    with_200 = statements_of_one_request()
    assert with_20 == with_200
    assert with_20 < 20, with_20


# -- one date style ------------------------------------------------------------------------------


def test_every_coordinator_page_writes_moments_in_one_style_per_language(client, harbour):
    from babel import Locale

    from app.domain.dates import moment_text

    survey_round, community = harbour["round"], harbour["community"]
    log_in(client, "noa@example.org")
    short_numeric = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b")  # "12/7/26": which is the day?
    for language in ("en", "nl"):
        opened = moment_text(survey_round.opens_at, community.timezone, Locale.parse(language))
        for page in (f"/coordinate/rounds/{survey_round.id}", f"/coordinate/rounds/{survey_round.id}/dashboard"):
            html = client.get(f"{page}?lang={language}").get_data(as_text=True)
            assert not short_numeric.search(html), (language, page, short_numeric.search(html))
        round_page = client.get(f"/coordinate/rounds/{survey_round.id}?lang={language}").get_data(as_text=True)
        assert opened in round_page, (language, opened)
    board = client.get(f"/coordinate/rounds/{survey_round.id}/dashboard?lang=en").get_data(as_text=True)
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}", board)  # "as of Dec 7, 2026, 9:40 AM"
