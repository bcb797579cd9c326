"""The public results page: what a community heard, what it did and whether it helped.

Two rounds of the mini survey in one community (tests/report_data: four groups, two of them
hidden, newcomers for being small and parents as its complement), actions against the first
round's need, both rounds' results published. The page shows nothing the report hides, only
what the latest release shows, and its re-measure matches figures worked out here from the
raw answers.
"""

from __future__ import annotations

import gzip
import io
import math
import random
import re
import statistics
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.domain.report_model import EVERYONE
from app.extensions import db
from app.models import ActionStatus, Membership, ReportSnapshot, ResponseStatus, Role, RoundKind, RoundStatus, utcnow
from app.reports.citizens import citizens_results
from app.services import actions, report_releases, results
from tests.factories import make_link, make_user
from tests.helpers import log_in
from tests.report_data import HIDDEN, HIDDEN_WORD, _respondent, _store, publish_report, seed_round

PAGE_BUDGET = 14 * 1024  # bytes a phone downloads for the page and its stylesheet (gzip, as served)


@pytest.fixture
def rounds(app):
    """Last year's round (closed, released, published, with actions) and this year's (open, an
    interim release, published)."""
    earlier = seed_round(seed=7)
    earlier.round.opens_at = utcnow() - timedelta(days=400)
    earlier.round.closes_at = utcnow() - timedelta(days=370)
    later = seed_round(seed=11, community=earlier.round.community)
    db.session.flush()
    earlier.round.status = RoundStatus.CLOSED
    publish_report(earlier.round.id)
    publish_report(later.round.id)
    coordinator = make_user()
    for_everyone = actions.create(earlier.round, actions.ActionSpec(
        title={"en": "Evening language courses at the library"}, needs=["need_language"], status=ActionStatus.DONE,
        progress=100, carried_by="City library"), actor_id=None)
    for_seniors = actions.create(earlier.round, actions.ActionSpec(
        title={"en": "Conversation tables for seniors"}, needs=["need_language"], groups=["seniors"],
        status=ActionStatus.UNDER_WAY, progress=40), actor_id=None)
    for_hidden = actions.create(earlier.round, actions.ActionSpec(
        title={"en": "Welcome classes for newcomers"}, needs=["need_language"], groups=["newcomers"]), actor_id=None)
    for survey_round in (earlier.round, later.round):
        results.publish(survey_round, coordinator, results.ResultsChoices(), utcnow())
    db.session.commit()
    return earlier, later, (for_everyone, for_seniors, for_hidden)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_says_what_was_heard_and_what_was_done(client, rounds):
    earlier, later, (for_everyone, for_seniors, _) = rounds
    page = client.get(f"/results/{earlier.round.id}")
    assert page.status_code == 200
    words = text_of(page.get_data(as_text=True))
    assert "You said, we did" in words
    assert "Evening language courses at the library" in words and "Conversation tables for seniors" in words
    assert "done" in words and "40 % done" in words
    # The later round asked again: the earlier page says so, the later one says whether it helped.
    assert f'href="/results/{later.round.id}"' in page.get_data(as_text=True)
    later_words = text_of(client.get(f"/results/{later.round.id}").get_data(as_text=True))
    assert "Did it help?" in later_words and "This survey is still open" in later_words


def test_nothing_the_report_hides_is_on_the_page(app, client, rounds):
    earlier, _, _ = rounds
    release = report_releases.latest_release(earlier.round.id).figures
    hidden = {g.key for g in release.groups if g.suppressed}
    assert hidden == set(HIDDEN)
    with app.test_request_context("/"):
        shown = citizens_results(earlier.round, "en")
    sections = {s.key: s for s in release.sections}
    for group in shown.heard:
        assert group.key in sections and group.key not in hidden
        for heard in group.needs:
            assert heard.need == sections[group.key].need(heard.key)  # the release's own figure
    assert [line.line for line in shown.turnout] == list(release.groups)
    assert all(line.line.respondents is None for line in shown.turnout if line.line.suppressed)
    assert dict(shown.profile) == {name: release.everyone.criteria[c].score
                                   for c, name in zip(release.criteria, [p[0] for p in shown.profile])}
    html = client.get(f"/results/{earlier.round.id}").get_data(as_text=True)
    assert HIDDEN_WORD not in html
    for key in hidden:  # a hidden group's line says "not shown", and gives no number
        line = re.search(rf"<li><span><bdi>{key.title()}</bdi></span>(.*?)</li>", html, re.S).group(1)
        assert "not shown" in line and not re.search(r"\d", line)
    # The action for the hidden group is listed (it is not a figure), never beside a figure of it.
    assert "Welcome classes for newcomers" in html
    assert all(g.key != "newcomers" for g in shown.heard)


def test_the_page_changes_only_with_a_new_release(client, rounds):
    """The live report moves with every answer; the public page, like the stakeholders', shows
    the latest release only, so successive readings obey the release rule."""
    _, later, _ = rounds
    before = client.get(f"/results/{later.round.id}").get_data(as_text=True)
    question_ids = {q.key: q.id for q in later.round.survey.questions}
    rng = random.Random(3)
    for group in ("seniors", "seniors", "youth"):  # three more answers...
        _store(later.round, later.groups[group], _respondent(rng, group, False), question_ids, ResponseStatus.COMPLETE)
    report_releases.build_and_release(later.round.id, utcnow())  # ...and the live report is rebuilt
    db.session.commit()
    snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == later.round.id))
    assert snapshot.figures.respondents == len(later.respondents) + 3
    assert client.get(f"/results/{later.round.id}").get_data(as_text=True) == before


def raw_gap(respondents) -> tuple[float, float, int]:
    """Mean gap, its standard error and n, straight from the answers: importance - current of
    those who gave both halves."""
    gaps = [imp - cur for r in respondents if (imp := r.answers["need_language"][0]) is not None
            and (cur := r.answers["need_language"][1]) is not None]
    return statistics.fmean(gaps), statistics.stdev(gaps) / math.sqrt(len(gaps)), len(gaps)


def test_the_re_measure_matches_figures_worked_out_from_the_raw_answers(app, rounds):
    earlier, later, (for_everyone, for_seniors, for_hidden) = rounds
    with app.test_request_context("/"):
        page = citizens_results(later.round, "en")
    rows = {(item.action.id, row.group): row for item in page.helped for _, _, row in item.rows}
    expected = {}
    for action, group in ((for_everyone, EVERYONE), (for_seniors, "seniors")):
        who = None if group == EVERYONE else group
        then, now = raw_gap(earlier.of(who)), raw_gap(later.of(who))
        row = rows[(action.id, group)]
        assert row.then.gap == pytest.approx(then[0]) and row.now.gap == pytest.approx(now[0])
        assert row.then.n == then[2] and row.now.n == now[2]
        z = (now[0] - then[0]) / math.hypot(now[1], then[1])
        expected[group] = (row, math.erfc(abs(z) / math.sqrt(2)))  # two-sided p, normal
        assert row.change.value == pytest.approx(now[0] - then[0])
    # Judged together (Benjamini-Hochberg at 5 %): the largest rank r with p(r) <= r/m x 0.05.
    ordered = sorted(expected.values(), key=lambda rp: rp[1])
    named = max((rank for rank, (_, p) in enumerate(ordered, 1) if p <= rank / len(ordered) * 0.05), default=0)
    for rank, (row, _) in enumerate(ordered, 1):
        assert row.beyond_chance == (rank <= named)
        assert row.verdict == ("no_change" if rank > named else "closed" if row.change.value < 0 else "widened")
    # The newcomers are hidden in both rounds: their need is "not measured", never worked out.
    assert rows[(for_hidden.id, "newcomers")].verdict == "not_measured"
    assert rows[(for_hidden.id, "newcomers")].then is None


def test_the_short_link_of_a_closed_round_leads_to_its_published_results(client, rounds):
    earlier, _, _ = rounds
    link = make_link(earlier.round)
    db.session.commit()
    page = client.get(f"/s/{link.token}")
    assert page.status_code == 200 and "You said, we did" in page.get_data(as_text=True)
    results.withdraw(earlier.round, make_user(email="other@example.org"))
    db.session.commit()
    assert client.get(f"/s/{link.token}").status_code == 410  # closed, and nothing published
    assert client.get(f"/results/{earlier.round.id}").status_code == 404


@pytest.mark.parametrize("language", ["en", "he"])  # the round's languages (Arabic: tests/browser)
def test_the_page_and_its_stylesheet_fit_a_slow_phone(client, rounds, language):
    _, later, _ = rounds
    page = client.get(f"/results/{later.round.id}?lang={language}", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    sent = page.get_data()
    html = gzip.decompress(sent).decode() if page.headers.get("Content-Encoding") == "gzip" else sent.decode()
    assert f'lang="{language}"' in html and "<script" not in html
    stylesheet = client.get("/static/results.css", headers={"Accept-Encoding": "gzip"}, buffered=True)
    assert len(sent) + len(stylesheet.get_data()) <= PAGE_BUDGET
    assert 'href="/static/app.css"' not in html  # the big stylesheet stays off this page


def test_the_poster_prints_what_was_heard_and_done_with_a_code_to_the_page(client, rounds):
    earlier, _, _ = rounds
    poster = client.get(f"/results/{earlier.round.id}/poster?lang=he")
    html = poster.get_data(as_text=True)
    assert poster.status_code == 200 and 'dir="rtl"' in html
    assert 'class="qr"' in html and f"/results/{earlier.round.id}" in html
    assert "Evening language courses at the library" in html


def test_pages_of_unpublished_draft_panel_and_unknown_rounds(client, rounds):
    earlier, later, _ = rounds
    results.withdraw(later.round, make_user(email="other@example.org"))
    db.session.commit()
    pending = client.get(f"/results/{later.round.id}")
    assert pending.status_code == 404 and "not published yet" in pending.get_data(as_text=True)
    assert client.get(f"/results/{later.round.id}/poster").status_code == 404
    later.round.status = RoundStatus.DRAFT
    db.session.commit()
    assert client.get(f"/results/{later.round.id}").status_code == 404
    earlier.round.kind = RoundKind.NAMED_PANEL
    db.session.commit()
    assert client.get(f"/results/{earlier.round.id}").status_code == 404
    assert client.get("/results/999999").status_code == 404
    assert client.get("/results/not-a-number").status_code == 404


def test_stakeholders_read_whether_the_actions_helped_in_the_report_and_its_pdf(client, rounds):
    _, later, _ = rounds
    reader = make_user(email="council@example.org")
    reader.memberships.append(Membership(community=later.round.community, role=Role.STAKEHOLDER))
    db.session.commit()
    log_in(client, "council@example.org")
    words = text_of(client.get(f"/reports/rounds/{later.round.id}").get_data(as_text=True))
    assert "Did the actions help?" in words and "Conversation tables for seniors" in words
    pdf = client.get(f"/reports/rounds/{later.round.id}/report.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Did the actions help?" in text
