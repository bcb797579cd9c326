"""Stakeholders read reports, only of their communities; hidden groups stay hidden on every path."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
import io
import math
import re
import statistics
import zipfile

import pytest
from markupsafe import escape
from pypdf import PdfReader

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (Answer, CommunityKind, Criterion, Question, ReportSnapshot, Response, ResponseStatus, Role,
                        Round, RoundStatus, User, utcnow)
from app.services import report_build, report_queue, report_releases, results
from tests.factories import load_fixture_bank, make_community, make_group, make_round, make_user
from tests.helpers import csrf_token, log_in, named_beyond_chance, queries_for, two_sided_p
from tests.report_data import HIDDEN, HIDDEN_WORD, publish_report, seed_round

FORMULA_NAME = "=HYPERLINK(\"http://evil.example\")"


@pytest.fixture
def report(app):
    data = seed_round()
    data.groups["seniors"].name = FORMULA_NAME  # a coordinator typed it; exports must defuse it
    community = data.round.community
    other = make_community("elsewhere")
    make_user("reader@example.org", memberships=[(community, Role.STAKEHOLDER)])
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    make_user("stranger@example.org", memberships=[(other, Role.STAKEHOLDER)])
    publish_report(data.round.id)
    db.session.commit()
    return data


def urls(round_id: int) -> list[str]:
    base = f"/reports/rounds/{round_id}"
    return [base, f"{base}/groups", f"{base}/groups/youth", f"{base}/groups/newcomers",
            f"{base}/report.csv", f"{base}/report.xlsx", f"{base}/report.pdf"]


def test_the_overview_tells_who_needs_what_with_a_chart_a_table_and_counts(client, report):
    log_in(client, "reader@example.org")
    page = client.get(f"/reports/rounds/{report.round.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    summary = html[html.index('class="needs-summary"'):]
    youth = summary[summary.index("<strong>Youth</strong>"):]
    assert "(12 people)" in youth[:200] and "<li>Learning a language</li>" in youth[:400]
    assert "from 51 responses" in html
    assert '<svg' in html and 'role="img"' in html  # the criteria radar
    assert re.search(r"<caption[^>]*>Criterion scores", html)  # and its data table
    assert "Weighted to population" in html
    assert 'id="since"' not in html  # no earlier round to say what changed since
    assert "Reached least" not in html  # only two groups have a known population: no finding
    for group in HIDDEN:
        assert f"<bdi>{group.title()}</bdi>: hidden to protect a small group." in html


def test_the_build_time_is_on_the_community_s_clocks(client, report, app):
    report.round.community.timezone = "Asia/Jerusalem"
    snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == report.round.id))
    snapshot.built_at = datetime(2026, 12, 1, 12, 5, tzinfo=UTC)  # 14:05 in Jerusalem
    report_releases.latest_release(report.round.id).released_at = datetime(2026, 12, 1, 12, 7, tzinfo=UTC)
    db.session.commit()
    log_in(client, "reader@example.org")
    for path in ("/reports/", f"/reports/rounds/{report.round.id}"):
        page = client.get(f"{path}?lang=en").get_data(as_text=True)
        assert "published Dec 1, 2026, 2:07\u202fPM while" in page, path  # to the minute
    coordinator = app.test_client()
    log_in(coordinator, "coordinator@example.org")
    for path in ("/reports/", f"/reports/rounds/{report.round.id}"):
        page = coordinator.get(f"{path}?lang=en").get_data(as_text=True)
        assert "Built Dec 1, 2026, 2:05\u202fPM from" in page, path  # the live view's build
        hebrew = coordinator.get(f"{path}?lang=he").get_data(as_text=True)
        assert "2026, 14:05" in hebrew and "14:05:00" not in hebrew, path


def test_a_report_of_fewer_than_k_responses_does_not_say_how_many(client, report):
    snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == report.round.id))
    snapshot.response_count = 3  # k is 5: the payload withholds the total, and so must the pages
    report_releases.latest_release(report.round.id).response_count = 3
    db.session.commit()
    log_in(client, "reader@example.org")
    base = f"/reports/rounds/{report.round.id}"
    for path in ("/reports/", base, f"{base}/groups", f"{base}/groups/youth"):
        page = client.get(f"{path}?lang=en").get_data(as_text=True)
        assert "from fewer than 5 responses." in page and "from 3 responses" not in page, path
    pdf = client.get(f"{base}/report.pdf?lang=en").get_data()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "from fewer than 5 responses." in text and "from 3 responses" not in text


def test_group_names_keep_their_own_direction_on_a_hebrew_report(client, report):
    """Named only in English, "Young people 16+" must not read "+Young people 16" in Hebrew."""
    report.groups["youth"].name = "Young people 16+"
    report.groups[sorted(HIDDEN)[0]].name = "Newcomers <2 years"
    db.session.commit()
    log_in(client, "reader@example.org")
    base = f"/reports/rounds/{report.round.id}"
    overview, group, groups = (client.get(f"{path}?lang=he").get_data(as_text=True)
                               for path in (base, f"{base}/groups/youth", f"{base}/groups"))
    assert "<bdi><strong>Young people 16+</strong></bdi>" in overview
    assert '<th scope="row" role="rowheader"><bdi>Young people 16+</bdi></th>' in overview  # who answered
    assert "<h1><bdi>Young people 16+</bdi></h1>" in group
    assert "<bdi>Young people 16+</bdi>" in groups
    # Inside sentences too: the group's top needs, and a hidden group's note (the name escaped).
    assert "<bdi>Young people 16+</bdi> (" in group
    assert "<bdi>Newcomers &lt;2 years</bdi>:" in overview


def test_a_hidden_group_page_explains_instead_of_showing_figures(client, report):
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{report.round.id}/groups/newcomers").get_data(as_text=True)
    assert "Too few people of this group answered" in html
    assert "<table" not in html


@pytest.mark.parametrize("path_index", range(7))
def test_no_page_or_export_shows_a_hidden_group_s_words_or_sections(client, report, path_index):
    log_in(client, "reader@example.org")
    response = client.get(urls(report.round.id)[path_index], buffered=True)
    assert response.status_code == 200
    body = response.get_data()
    if response.mimetype == "application/pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    elif response.mimetype.endswith("sheet"):
        archive = zipfile.ZipFile(io.BytesIO(body))
        text = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
    else:
        text = body.decode("utf-8")
    assert HIDDEN_WORD not in text
    assert "Newcomers (" not in text and "Parents (" not in text


@pytest.mark.parametrize("path", ["/results/{id}", "/results/{id}/poster"])
def test_the_public_results_show_nothing_the_report_hides(client, report, path):
    """The citizens' reader of the report: its page and poster, published with every part on."""
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    results.publish(report.round, coordinator, results.ResultsChoices(), utcnow())
    db.session.commit()
    response = client.get(path.format(id=report.round.id))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    assert HIDDEN_WORD not in text
    assert "Newcomers (" not in text and "Parents (" not in text
    for hidden in HIDDEN:  # named in the turnout with "not shown", never with a number
        assert not re.search(rf"{hidden.title()} \d", text)


def test_the_csv_is_tidy_with_suppression_flags_and_no_hidden_values(client, report):
    log_in(client, "reader@example.org")
    response = client.get(f"/reports/rounds/{report.round.id}/report.csv", buffered=True)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0].keys() >= {"round_id", "survey", "survey_version", "section", "item", "statistic", "value",
                              "n", "suppressed"}
    hidden_rows = [r for r in rows if r["section"] in HIDDEN]
    assert hidden_rows and all(r["suppressed"] == "true" and r["value"] == "" and r["n"] == "" for r in hidden_rows)
    mwds = next(r for r in rows if r["section"] == "youth" and r["statistic"] == "mwds")
    payload = db.session.query(ReportSnapshot).one().payload
    youth = next(s for s in payload["sections"] if s["key"] == "youth")
    assert float(mwds["value"]) == pytest.approx(youth["needs"][0]["mwds"])
    # Standard errors too, so an analyst can judge differences as the pages do.
    se = next(r for r in rows if r["section"] == "youth" and r["item"] == "needs" and r["statistic"] == "se")
    assert float(se["value"]) == pytest.approx(youth["criteria"]["needs"]["se"])
    gap_se = next(r for r in rows if r["section"] == "youth" and r["statistic"] == "gap_se")
    assert float(gap_se["value"]) == pytest.approx(youth["needs"][0]["gap_se"])
    # Each group against all respondents, with the pages' verdict; none for everyone itself.
    for section in (s for s in payload["sections"] if s["key"] != "all"):
        for criterion, compared in section["compared_with_all"].items():
            mine = {r["statistic"]: r["value"] for r in rows if r["section"] == section["key"] and r["item"] == criterion}
            assert float(mine["difference_from_all"]) == pytest.approx(compared["difference"])
            assert mine["beyond_chance"] == ("1" if compared["significant"] else "0")
    assert not [r for r in rows if r["statistic"] in ("difference_from_all", "beyond_chance")
                and (r["section"] == "all" or r["section"] in HIDDEN)]


def test_exports_neutralise_text_a_spreadsheet_would_run_as_a_formula(client, report):
    log_in(client, "reader@example.org")
    csv_text = client.get(f"/reports/rounds/{report.round.id}/report.csv", buffered=True).get_data(as_text=True)
    names = {row["section_name"] for row in csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))}
    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    xlsx = zipfile.ZipFile(io.BytesIO(client.get(f"/reports/rounds/{report.round.id}/report.xlsx").get_data()))
    sheet = xlsx.read("xl/worksheets/sheet2.xml").decode()  # the tidy rows; constant memory: strings inline
    assert "'=HYPERLINK" in sheet or "&apos;=HYPERLINK" in sheet
    assert "<f>" not in sheet  # no formula cell at all
    assert "<f>" not in xlsx.read("xl/worksheets/sheet1.xml").decode()  # nor on the summary


def test_the_xlsx_has_a_filter_on_every_row_and_reads_right_to_left_for_a_hebrew_reader(client, report):
    log_in(client, "reader@example.org")

    def sheet(language: str) -> str:
        data = client.get(f"/reports/rounds/{report.round.id}/report.xlsx?lang={language}").get_data()
        return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml").decode()  # after the summary

    english, hebrew = sheet("en"), sheet("he")
    rows = len(list(csv.reader(io.StringIO(client.get(
        f"/reports/rounds/{report.round.id}/report.csv", buffered=True).get_data(as_text=True)))))
    assert f'<autoFilter ref="A1:R{rows}"/>' in english  # the header and every tidy row
    assert 'rightToLeft="1"' in hebrew and 'rightToLeft="1"' not in english


def test_the_xlsx_opens_on_a_summary_with_each_group_s_top_needs_and_a_native_chart_of_the_profile(client, report):
    import xml.etree.ElementTree as ET

    log_in(client, "reader@example.org")
    data = client.get(f"/reports/rounds/{report.round.id}/report.xlsx?lang=en").get_data()
    book = zipfile.ZipFile(io.BytesIO(data))
    ns = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    sheets = ET.fromstring(book.read("xl/workbook.xml")).findall(".//s:sheet", ns)
    assert [sheet.get("name") for sheet in sheets] == ["summary", "report"]

    def value(cell):  # constant memory mode writes strings inline
        text = cell.find("s:is/s:t", ns)
        return text.text if text is not None else float(cell.find("s:v", ns).text)

    rows = ET.fromstring(book.read("xl/worksheets/sheet1.xml")).findall(".//s:sheetData/s:row", ns)
    summary = [[value(cell) for cell in row.findall("s:c", ns)] for row in rows]
    summary = [row for row in summary if row]
    assert summary[0] == ["Spring round"] and summary[2] == ["Who needs what most"]
    youth = next(row for row in summary if row[0] == "Youth")
    assert youth[1] == 12 and youth[2] == "Learning a language"  # as the page's "most need" list
    assert "Criteria profile of all respondents" in [row[0] for row in summary]
    for hidden in HIDDEN:  # a group too small to show is not on the summary either
        assert all(row[0] != hidden.title() for row in summary)
    # A reader of the release like the pages: every figure on the summary is one the release
    # shows (the release rule and the leak tests work on the release's payload).
    payload = report_releases.latest_release(report.round.id).payload
    shown = [s for s in payload["sections"] if s["key"] != "all" and s["needs"]]
    start = summary.index(["Criteria profile of all respondents"])
    assert sorted(row[1] for row in summary[4:start]) == sorted(s["respondents"] for s in shown)
    everyone = next(s for s in payload["sections"] if s["key"] == "all")
    released_scores = {round(figure["score"], 1) for figure in everyone["criteria"].values()}
    assert all(row[1] in released_scores for row in summary[start + 2:]), summary[start + 2:]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(name.startswith("xl/charts/chart") for name in names)  # a chart the spreadsheet draws itself


def test_the_reports_index_asks_the_same_number_of_queries_for_more_rounds(client, report):
    log_in(client, "reader@example.org")
    before = queries_for(client, "/reports/")
    for number in range(3):
        later = make_round(report.round.community, report.round.survey, title=f"Round {number}")
        publish_report(later.id)
    db.session.commit()
    html = client.get("/reports/").get_data(as_text=True)
    assert all(f"Round {number}" in html for number in range(3))
    assert queries_for(client, "/reports/") == before


def test_the_pdf_is_in_the_reader_s_language(client, report):
    log_in(client, "reader@example.org")
    pdf = client.get(f"/reports/rounds/{report.round.id}/report.pdf?lang=he").get_data()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF") and "Spring round" in text


def test_another_community_s_stakeholder_gets_404_everywhere(client, report):
    log_in(client, "stranger@example.org")
    for url in [*urls(report.round.id), f"/reports/rounds/{report.round.id}/responses.csv",
                f"/reports/rounds/{report.round.id}/responses",
                f"/reports/communities/{report.round.community_id}"]:
        assert client.get(url).status_code == 404, url
    assert "Spring round" not in client.get("/reports/").get_data(as_text=True)


def test_a_city_stakeholder_reads_its_learning_communities(client, app):
    city = make_community("city")
    data = seed_round()
    data.round.community.parent = city
    make_user("city@example.org", memberships=[(city, Role.STAKEHOLDER)])
    publish_report(data.round.id)
    db.session.commit()
    log_in(client, "city@example.org")
    assert client.get(f"/reports/rounds/{data.round.id}").status_code == 200
    side_by_side = client.get(f"/reports/communities/{city.id}").get_data(as_text=True)
    assert data.round.community.name in side_by_side and "most need" in side_by_side
    # Communities side by side as one grid shaded by score, not a radar of many lines.
    assert 'role="img"' not in side_by_side and re.search(r'<td class="band-[0-4]"><span class="figure">', side_by_side)


def test_the_reports_index_lists_a_city_then_its_learning_communities_newest_round_first(client, app):
    city = make_community("lakeside", name="Lakeside", kind=CommunityKind.CITY)
    harbour = make_community("harbour", name="Harbour Quarter", parent=city)
    old_town = make_community("old-town", name="Old Town", parent=city)
    survey = load_fixture_bank()
    started = datetime(2026, 11, 1, tzinfo=UTC)
    for community in (old_town, harbour):  # made in this order, listed by name
        for year in (2025, 2026):
            make_round(community, survey, title=f"{community.name} {year}",
                       launched_at=started.replace(year=year))
    make_user("city@example.org", memberships=[(city, Role.STAKEHOLDER)])
    db.session.commit()
    log_in(client, "city@example.org")
    html = client.get("/reports/").get_data(as_text=True)
    order = ["<h2", "<bdi>Lakeside</bdi>: learning communities side by side", "No rounds yet.",
             "Harbour Quarter", "Harbour Quarter 2026", "Harbour Quarter 2025",
             "Old Town", "Old Town 2026", "Old Town 2025"]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert html.count("<h2") == 3


def test_round_against_round_gives_each_difference_with_its_sign_row_by_row(client, report):
    later = seed_round(seed=8, community=report.round.community)
    later.round.title = "Autumn round"
    publish_report(later.round.id)
    db.session.commit()
    now, before = everyone_of(later.round.id), everyone_of(report.round.id)
    log_in(client, "reader@example.org")
    assert f"/compare/{report.round.id}" in client.get(f"/reports/rounds/{later.round.id}").get_data(as_text=True)
    page = client.get(f"/reports/rounds/{later.round.id}/compare/{report.round.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "What changed since <bdi>Spring round</bdi>" in html

    def row_of(name: str) -> str:
        row = html[html.index(f'role="rowheader">{name}</th>'):]
        return row[:row.index("</tr>")]

    criterion = next(c for c in now["criteria"] if c in before["criteria"])
    name = db.session.scalar(select(Criterion.name).where(Criterion.key == criterion))["en"]
    score_change = now["criteria"][criterion]["score"] - before["criteria"][criterion]["score"]
    assert difference_cell(score_change, 0) in row_of(name)
    [need_now], [need_before] = now["needs"], before["needs"]  # the mini survey has one need
    assert difference_cell(need_now["gap"] - need_before["gap"], 1) in row_of("Learning a language")
    # Each row is a card on a phone, its cells named by their column.
    assert html.count('<table class="stack"') == 2


def later_round_where_all_have_heard(report, group: str | None = None):
    """A later round of the same survey in the same community ("Autumn round") in which
    everyone, or everyone of `group`, has now heard of the offer (5 of 5): a change no chance
    makes. Built and committed."""
    later = seed_round(seed=8, community=report.round.community)
    later.round.title = "Autumn round"
    heard = db.session.scalar(select(Question.id).where(Question.key == "heard_of_offer",
                                                        Question.survey_id == later.round.survey_id))
    responses = select(Response.id).where(Response.round_id == later.round.id)
    if group is not None:
        responses = responses.where(Response.group_id == later.groups[group].id)
    db.session.execute(update(Answer).where(Answer.question_id == heard, Answer.value.is_not(None),
                                            Answer.response_id.in_(responses)).values(value=5))
    for respondent in later.of(group):
        if respondent.answers["heard_of_offer"] is not None:
            respondent.answers["heard_of_offer"] = 5
    publish_report(later.round.id)
    db.session.commit()
    return later


def scores_by_hand(respondents, criterion: str) -> list[float]:
    """Seeded respondents' scores on a criterion of the mini survey, as it scores them: its one
    agreement item for participation, the current-state half of its need for needs, 0..100."""
    values = [r.answers["heard_of_offer"] if criterion == "participation" else r.answers["need_language"][1]
              for r in respondents]
    return [(v - 1) / 4 * 100 for v in values if v is not None]


def test_round_against_round_says_which_differences_are_beyond_chance(client, report):
    later = later_round_where_all_have_heard(report)
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{later.round.id}/compare/{report.round.id}").get_data(as_text=True)
    differences = {}
    for criterion in ("participation", "needs"):  # the criteria the mini survey scores, judged together
        now, before = scores_by_hand(later.respondents, criterion), scores_by_hand(report.respondents, criterion)
        error = math.hypot(statistics.stdev(now) / math.sqrt(len(now)), statistics.stdev(before) / math.sqrt(len(before)))
        differences[criterion] = (statistics.mean(now) - statistics.mean(before), error)
    named = named_beyond_chance({c: two_sided_p(value, error) for c, (value, error) in differences.items()})
    for criterion, name in (("participation", "Participation"), ("needs", "Needs")):
        value, error = differences[criterion]
        clear = criterion in named
        sentence = f"{name}: {abs(value):.0f} points {'better' if value > 0 else 'worse'} in <bdi>Autumn round</bdi>."
        assert (sentence in html) == clear, (criterion, value, error)
        if criterion == "participation":
            assert clear  # as made above
        row = html[html.index(f'role="rowheader">{name}</th>'):]
        assert ("beyond chance</span>" in row[:row.index("</tr>")]) == clear
    # The round's own page says it first, in one sentence, and leads to the comparison.
    overview = client.get(f"/reports/rounds/{later.round.id}?lang=en").get_data(as_text=True)
    since = overview[overview.index('<h2 id="since">Since <bdi>Spring round</bdi></h2>'):]
    since = since[:since.index("</section>")]
    assert "In <bdi>Autumn round</bdi>, people see the community doing better on" in since and "Participation" in since
    assert "a higher score is better" in since  # what a score means, for a reader who never saw the criteria
    assert f"/compare/{report.round.id}" in since
    # And so does its PDF, for those who read it printed.
    pdf = client.get(f"/reports/rounds/{later.round.id}/report.pdf?lang=en").get_data()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Since Spring round" in text and "In Autumn round, people see the community doing better on" in text
    assert "Each list allows for how many differences were tested together" in text  # what the verdict means


def test_round_against_round_says_group_by_group_which_scores_moved_beyond_chance(client, report):
    later = later_round_where_all_have_heard(report, group="seniors")
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{later.round.id}/compare/{report.round.id}?lang=en").get_data(as_text=True)
    by_group = html[html.index('<h2 id="by-group">Group by group</h2>'):]
    by_group = by_group[:by_group.index("</section>")]

    # The groups shown in both rounds (the other two are too small), on both criteria, judged together.
    changes = {}
    for group in ("youth", "seniors"):
        for criterion in ("participation", "needs"):
            now, before = scores_by_hand(later.of(group), criterion), scores_by_hand(report.of(group), criterion)
            error = math.hypot(statistics.stdev(now) / math.sqrt(len(now)),
                               statistics.stdev(before) / math.sqrt(len(before)))
            changes[(group, criterion)] = (statistics.mean(now) - statistics.mean(before), error,
                                           statistics.mean(before), statistics.mean(now))
    named = named_beyond_chance({key: two_sided_p(value, error) for key, (value, error, _, _) in changes.items()})
    assert ("seniors", "participation") in named  # as made above
    for (group, criterion), (value, _, before, now) in changes.items():
        name = {"participation": "Participation", "needs": "Needs"}[criterion]
        line = f"<li>{name}: {value:+.0f}, from {before:.0f} to {now:.0f}</li>"
        entry = by_group[by_group.index(f"<strong>{escape(later.groups[group].name)}</strong>"):] \
            if f"<strong>{escape(later.groups[group].name)}</strong>" in by_group else ""
        entry = entry[:entry.index("</ul>")] if entry else ""
        assert (line in entry) == ((group, criterion) in named), (group, criterion, value)
    assert "newcomers" not in by_group and escape(later.groups["newcomers"].name) not in by_group
    # The overview says it in its "since" summary, one sentence per group that moved; so does the PDF.
    overview = client.get(f"/reports/rounds/{later.round.id}?lang=en").get_data(as_text=True)
    since = overview[overview.index('<h2 id="since">'):]
    since = since[:since.index("</section>")]
    order = db.session.scalar(select(ReportSnapshot.payload).where(ReportSnapshot.round_id == later.round.id))["criteria"]
    labels = {"participation": "Participation", "needs": "Needs"}
    for group in ("youth", "seniors"):
        higher = [labels[c] for c in order if (group, c) in named and changes[(group, c)][0] > 0]
        sentence = (f"<bdi>{escape(later.groups[group].name)}</bdi> see the community doing better than before on "
                    f"{' and '.join(higher)}.")
        assert (sentence in since) == bool(higher), (group, higher)
    pdf = client.get(f"/reports/rounds/{later.round.id}/report.pdf?lang=en").get_data()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert (f"Group by group, beyond chance: {later.groups['seniors'].name} see the community doing better than "
            "before on Participation") in text
    # Each group's own page says how it moved, with the same verdicts.
    for group in ("youth", "seniors"):
        page = client.get(f"/reports/rounds/{later.round.id}/groups/{group}?lang=en").get_data(as_text=True)
        own = page[page.index('<h2 id="since">Since <bdi>Spring round</bdi></h2>'):]
        own = own[:own.index("</section>")]
        for criterion in order:
            value, _, before, now = changes[(group, criterion)]
            line = f"<li>{labels[criterion]}: {value:+.0f}, from {before:.0f} to {now:.0f}</li>"
            assert (line in own) == ((group, criterion) in named), (group, criterion)
        moved_here = any((group, criterion) in named for criterion in order)
        assert ("No score of this group moved beyond chance." in own) == (not moved_here)


def everyone_of(round_id: int) -> dict:
    payload = db.session.scalar(select(ReportSnapshot.payload).where(ReportSnapshot.round_id == round_id))
    return next(s for s in payload["sections"] if s["key"] == "all")


def difference_cell(value: float, decimals: int) -> str:
    shown = f"{value:+.{decimals}f}" if round(value, decimals) else f"{0:.{decimals}f}"
    return f'data-label="Difference"><span class="figure-with-badge"><span class="figure">{shown}</span>'


def test_only_coordinators_can_rebuild_and_a_rebuild_replaces_the_snapshot(client, report):
    log_in(client, "reader@example.org")
    page = client.get(f"/reports/rounds/{report.round.id}").get_data(as_text=True)
    assert "Rebuild the report now" not in page
    token = csrf_token(page)
    assert client.post(f"/reports/rounds/{report.round.id}/refresh", data={"csrf_token": token}).status_code == 403
    client.post("/auth/logout", data={"csrf_token": token})

    log_in(client, "coordinator@example.org")
    before = db.session.query(ReportSnapshot).one().built_at
    page = client.get(f"/reports/rounds/{report.round.id}").get_data(as_text=True)
    response = client.post(f"/reports/rounds/{report.round.id}/refresh", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert db.session.query(ReportSnapshot).one().built_at > before  # eager Celery in tests: built at once


def test_a_rebuild_asked_while_the_broker_is_down_says_so_and_is_kept_for_later(client, report, broker_down):
    log_in(client, "coordinator@example.org")
    before = db.session.query(ReportSnapshot).one().built_at
    page = client.get(f"/reports/rounds/{report.round.id}?lang=he").get_data(as_text=True)  # a Hebrew reader
    response = client.post(f"/reports/rounds/{report.round.id}/refresh", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    page = client.get(f"/reports/rounds/{report.round.id}").get_data(as_text=True)
    assert "אין כרגע קשר עם תהליכי הרקע" in page
    assert db.session.query(ReportSnapshot).one().built_at == before  # the last report is still shown
    later = utcnow() + report_queue.UNSERVED_REQUEST * 2
    assert report_queue.rounds_needing_refresh(later) == [report.round.id]  # beat will queue it


def test_the_responses_export_is_for_coordinators_and_leaves_out_what_would_single_people_out(client, report):
    log_in(client, "reader@example.org")
    assert client.get(f"/reports/rounds/{report.round.id}/responses.csv", buffered=True).status_code == 403
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/reports/").get_data(as_text=True))})
    log_in(client, "coordinator@example.org")
    text = client.get(f"/reports/rounds/{report.round.id}/responses.csv", buffered=True).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 12 + 30  # youth and seniors; the hidden groups' rows stay out
    assert {r["group"] for r in rows} == {"youth", "seniors"}
    by_number = [int(r["response"]) for r in rows]
    assert by_number == list(range(1, 43))  # numbered in the export, not by database id
    quoted = {r.answers["help_most"] for r in report.of("youth") + report.of("seniors") if r.may_quote}
    for row in rows:
        assert row["help_most"] in quoted or row["help_most"] == "[not shared]"
    assert HIDDEN_WORD not in text


def coordinator_export(client, round_id: int) -> list[dict[str, str]]:
    text = client.get(f"/reports/rounds/{round_id}/responses.csv", buffered=True).get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_responses_export_keeps_out_a_group_the_report_hid_though_it_has_grown_since(client, report):
    """The report hid parents (6) as the complement of newcomers (3). Fourteen more parents
    answer after it was built: counted now, youth (12) would be the complement instead. Were the
    parents' rows exported, everyone's figures in the report minus youth's and seniors' minus the
    parents' rows from before the build would be the newcomers' answers."""
    for _ in range(14):
        db.session.add(Response(round_id=report.round.id, group_id=report.groups["parents"].id, language="en",
                                status=ResponseStatus.COMPLETE, submitted_at=utcnow()))
    db.session.commit()
    log_in(client, "coordinator@example.org")
    assert {row["group"] for row in coordinator_export(client, report.round.id)} == {"seniors"}


def test_the_responses_export_breaks_ties_between_complements_as_the_report_does(client, app):
    """Two groups of ten: the one whose key sorts first is the complement, in the report and in
    the export alike, whichever was created first."""
    survey = load_fixture_bank()
    community = make_community("tied")
    zeta, alpha, tiny = (make_group(community, key) for key in ("zeta", "alpha", "tiny"))  # zeta's id is lowest
    survey_round = make_round(community, survey, groups=[zeta, alpha, tiny])
    for group, n in ((zeta, 10), (alpha, 10), (tiny, 3)):
        for _ in range(n):
            db.session.add(Response(round_id=survey_round.id, group_id=group.id, language="en",
                                    status=ResponseStatus.COMPLETE, submitted_at=utcnow()))
    make_user("tied@example.org", memberships=[(community, Role.COORDINATOR)])
    publish_report(survey_round.id)
    db.session.commit()
    payload = db.session.scalar(select(ReportSnapshot.payload).where(ReportSnapshot.round_id == survey_round.id))
    assert {g["key"] for g in payload["groups"] if g["suppressed"]} == {"tiny", "alpha"}
    db.session.delete(db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == survey_round.id)))
    db.session.commit()  # and without a report yet, the export decides the same by itself
    log_in(client, "tied@example.org")
    assert {row["group"] for row in coordinator_export(client, survey_round.id)} == {"zeta"}


def expected_export_row(respondent) -> dict[str, str]:
    """The responses CSV row of a seeded respondent, written out here from their answers."""
    def point(value):
        return "dont_know" if value is None else str(value)

    answers = respondent.answers
    importance, current = answers["need_language"]
    hours = answers["hours"]
    row = {"group": respondent.group, "language": respondent.language,
           "need_language_importance": point(importance), "need_language_current": point(current),
           "took_part": answers["took_part"], "heard_of_offer": point(answers["heard_of_offer"]),
           "hours": str(int(hours)) if float(hours).is_integer() else str(hours),
           "help_most": answers["help_most"] if respondent.may_quote else "[not shared]",
           "barriers_time": "", "barriers_cost": "", "barriers_other": ""}
    barriers = answers.get("barriers")
    if barriers is not None and respondent.group != "youth":  # two in youth: hidden there, left blank
        row |= {f"barriers_{option}": "1" if option in barriers.options else "0" for option in ("time", "cost")}
        if barriers.other_text:
            row["barriers_other"] = barriers.other_text if respondent.may_quote else "[not shared]"
    return row


def test_the_responses_export_gives_every_answer_of_every_shown_response_the_report_shows(client, report):
    """Every answer of the shown groups' responses, except to a question the report hides for
    the group (youth's two answers about barriers): everyone's figure less the other rows would
    be the hidden groups' answers to it."""
    log_in(client, "coordinator@example.org")
    text = client.get(f"/reports/rounds/{report.round.id}/responses.csv", buffered=True).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    shown = [r for r in report.respondents if r.group not in HIDDEN]  # in the order they answered
    assert len(rows) == len(shown)
    for row, respondent in zip(rows, shown, strict=True):
        expected = expected_export_row(respondent)
        assert {key: row[key] for key in expected} == expected


def test_an_unknown_round_or_export_kind_is_404(client, report):
    log_in(client, "reader@example.org")
    assert client.get("/reports/rounds/999999").status_code == 404
    assert client.get(f"/reports/rounds/{report.round.id}/report.exe").status_code == 404
    assert client.get(f"/reports/rounds/{report.round.id}/groups/nobody").status_code == 404


def test_the_overview_says_where_organisations_see_things_differently(client, runner):
    runner.invoke(args=["demo", "--responses", "400", "--seed", "5"])
    citizens = db.session.scalars(select(Round).where(Round.title == "Learning needs 2026")).first()
    partners = db.session.scalar(select(Round).where(Round.title == "Partners 2026",
                                                     Round.community_id == citizens.community_id))
    log_in(client, "stakeholder@lakeside.example", "demo-stakeholder-2026")
    overview = client.get(f"/reports/rounds/{citizens.id}?lang=en").get_data(as_text=True)
    heading = ('<h2 id="seen-differently">Where <bdi>Learning needs 2026</bdi> and <bdi>Partners 2026</bdi>'
               ' see things differently</h2>')
    section = overview[overview.index(heading):]
    section = section[:section.index("</section>")]
    assert f"/compare/{partners.id}" in section
    # It names exactly the criteria the comparison marks as beyond chance, each on its side.
    compare = client.get(f"/reports/rounds/{citizens.id}/compare/{partners.id}?lang=en").get_data(as_text=True)
    marked = {}
    for row in re.findall(r'role="rowheader">([^<]+)</th>(.*?)</tr>', compare, re.S):
        name, cells = row
        if "beyond chance</span>" in cells:
            marked[name] = re.search(r'data-label="Difference"><span class="figure-with-badge">'
                                     r'<span class="figure">([+-])', cells).group(1)
    assert marked, "the demo's citizens and organisations should differ somewhere"
    better, worse = "people see the community doing better on", "people see the community doing worse on"
    higher = section[section.index(better):section.index(".", section.index(better))] if better in section else ""
    lower = section[section.index(worse):section.index(".", section.index(worse))] if worse in section else ""
    for name, sign in marked.items():
        assert name in (higher if sign == "+" else lower), (name, sign)


def test_groups_side_by_side_say_who_is_left_behind_on_which_criterion(client, report):
    # Seniors have hardly heard of what is on offer (1 of 5): left behind on participation.
    heard = db.session.scalar(select(Question.id).where(Question.key == "heard_of_offer",
                                                        Question.survey_id == report.round.survey_id))
    seniors = report.groups["seniors"].id
    db.session.execute(update(Answer).where(
        Answer.question_id == heard, Answer.value.is_not(None),
        Answer.response_id.in_(select(Response.id).where(Response.group_id == seniors))).values(value=1))
    for respondent in report.of("seniors"):
        if respondent.answers["heard_of_offer"] is not None:
            respondent.answers["heard_of_offer"] = 1
    report_build.forget_tallies(report.round.id)  # answers changed under counted responses: count again
    publish_report(report.round.id)
    db.session.commit()
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{report.round.id}/groups?lang=en").get_data(as_text=True)
    summary = html[html.index('id="left-behind"'):html.index("</section>", html.index('id="left-behind"'))]

    def error(values: list[float]) -> float:
        return statistics.stdev(values) / math.sqrt(len(values))

    # Every shown group (the other two are too small) on every criterion, judged together.
    tests = [(group, criterion) for group in ("youth", "seniors") for criterion in ("participation", "needs")]
    differences = {}
    for group, criterion in tests:
        mine = scores_by_hand(report.of(group), criterion)
        rest = scores_by_hand([r for r in report.respondents if r.group != group], criterion)
        differences[(group, criterion)] = (statistics.mean(mine) - statistics.mean(rest),
                                           math.hypot(error(mine), error(rest)))
    named = named_beyond_chance({key: two_sided_p(value, e) for key, (value, e) in differences.items()})
    behind = set()
    for group in ("youth", "seniors"):
        for criterion, name in (("participation", "Participation"), ("needs", "Needs")):
            value, _ = differences[(group, criterion)]
            clear = (group, criterion) in named
            row = html[html.index(f"<tr><th scope=\"row\">{name}</th>"):]
            cells = re.findall(r"<td[^>]*>.*?</td>", row[:row.index("</tr>")], re.S)
            cell = cells[["youth", "seniors", "newcomers", "parents"].index(group)]
            expected = ("below" if value < 0 else "above") if clear else None
            classes = re.match(r'<td class="([^"]*)">', cell).group(1).split()
            assert [c for c in classes if c in ("below", "above")] == ([expected] if expected else []), (group, cell)
            score = float(re.search(r">(\d+) ", cell).group(1))
            assert f"band-{min(int(score // 20), 4)}" in classes  # shaded by its score's band
            if expected == "below":
                behind.add((group, name))
    assert ("seniors", "Participation") in behind  # as made above
    pdf = client.get(f"/reports/rounds/{report.round.id}/report.pdf?lang=en").get_data()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Where a group sees the community doing worse than all respondents do" in text
    for group, name in behind:
        line = summary[summary.index(f"<bdi>{escape(report.groups[group].name)}</bdi>:"):]
        assert name in line[:line.index("</li>")]


def test_the_overview_names_the_groups_reached_least_for_their_size(client, runner):
    runner.invoke(args=["demo", "--responses", "400", "--seed", "5"])
    citizens = db.session.scalars(select(Round).where(Round.title == "Learning needs 2026")).first()
    complete = dict(db.session.execute(
        select(Response.group_id, func.count()).where(Response.round_id == citizens.id,
                                                      Response.status == ResponseStatus.COMPLETE)
        .group_by(Response.group_id)).all())
    shares = sorted((complete.get(g.id, 0) / g.population, g.name) for g in citizens.groups if g.population)
    log_in(client, "stakeholder@lakeside.example", "demo-stakeholder-2026")
    html = client.get(f"/reports/rounds/{citizens.id}?lang=en").get_data(as_text=True)
    sentence = html[html.index("Reached least for their size:"):]
    sentence = sentence[:sentence.index("</p>")]
    (first_share, first), (second_share, second) = shares[:2]
    assert f"<bdi>{escape(first)}</bdi> ({first_share:.0%}" in sentence.replace("\u00a0", "").replace(" %", "%")
    assert f"<bdi>{escape(second)}</bdi>" in sentence and shares[2][1] not in sentence


def test_a_survey_that_asks_no_needs_leads_with_where_each_group_scores_lowest(client, runner):
    runner.invoke(args=["demo", "--responses", "400", "--seed", "5"])
    partners = db.session.scalars(select(Round).where(Round.title == "Partners 2026")).first()
    payload = db.session.scalar(select(ReportSnapshot.payload).where(ReportSnapshot.round_id == partners.id))
    assert not any(i["type"] == "importance_current" for i in payload["items"])  # organisations are asked no needs
    names = {key: name["en"] for key, name in db.session.execute(select(Criterion.key, Criterion.name))}
    log_in(client, "stakeholder@lakeside.example", "demo-stakeholder-2026")
    html = client.get(f"/reports/rounds/{partners.id}?lang=en").get_data(as_text=True)
    lead = html[html.index('<h2 id="lowest">Where each group scores lowest</h2>'):]
    lead = lead[:lead.index("</section>")]
    assert "Who needs what most" not in html
    groups = [s for s in payload["sections"] if s["key"] != "all"]
    assert len(groups) >= 3
    rests_on_fewer = False

    def figure_of(score, section):  # a score says how many it rests on, when fewer than the group
        nonlocal rests_on_fewer
        if score["n"] == section["respondents"]:
            return f"{score['score']:.0f}"
        rests_on_fewer = True
        return f"{score['score']:.0f}, from {score['n']} {'person' if score['n'] == 1 else 'people'}"

    for section in groups:
        scores = section["criteria"]
        lowest = sorted(scores, key=lambda c: (scores[c]["score"], payload["criteria"].index(c)))[:3]
        group_name = next(g.name for g in partners.groups if g.key == section["key"])
        entry = lead[lead.index(f"<strong>{escape(group_name)}</strong>"):]
        entry = entry[:entry.index("</ol>")]
        shown = re.findall(r"<li>([^<]+) <span class=\"figure worded\">\(([^)]+)\)</span></li>", entry)
        assert shown == [(names[c], figure_of(scores[c], section)) for c in lowest], section["key"]
        # The group's own page opens with the same, in a sentence.
        own = client.get(f"/reports/rounds/{partners.id}/groups/{section['key']}?lang=en").get_data(as_text=True)
        sentence = "; ".join(f"{names[c]} ({figure_of(scores[c], section)})" for c in lowest)
        assert f"<bdi>{escape(group_name)}</bdi> ({section['respondents']} people), lowest scores: {sentence}." in own
    everyone_section = next(s for s in payload["sections"] if s["key"] == "all")
    everyone = everyone_section["criteria"]
    weakest = min(everyone, key=lambda c: (everyone[c]["score"], payload["criteria"].index(c)))
    lowest = sorted(everyone, key=lambda c: (everyone[c]["score"], payload["criteria"].index(c)))[:3]
    sentence = "; ".join(f"{names[c]} ({figure_of(everyone[c], everyone_section)})" for c in lowest)
    assert f"<bdi>All respondents</bdi> ({payload['respondents']} people), lowest scores: {sentence}." in lead
    assert rests_on_fewer, "the demo has a lowest score resting on fewer people than its section"
    pdf = client.get(f"/reports/rounds/{partners.id}/report.pdf?lang=en").get_data()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Where each group scores lowest" in text
    assert f"All respondents ({payload['respondents']} people), lowest scores: {names[weakest]} (" in text
    groups_page = client.get(f"/reports/rounds/{partners.id}/groups?lang=en").get_data(as_text=True)
    assert "Top needs per group" not in groups_page  # nothing to rank: no table of dashes
    # And the city's page of its learning communities says the same of each community's round.
    city = partners.community.parent
    side_by_side = client.get(f"/reports/communities/{city.id}?survey={partners.survey.key}&lang=en")
    side_by_side = side_by_side.get_data(as_text=True)
    assert "Lowest scores, per community" in side_by_side
    assert f"<strong>{escape(partners.community.name)}:</strong> <bdi>All respondents</bdi>" in side_by_side
    assert f"lowest scores: {names[weakest]} (" in side_by_side


def test_a_group_page_names_the_criteria_where_the_group_differs_beyond_chance_in_order(client, runner):
    runner.invoke(args=["demo", "--responses", "400", "--seed", "5"])
    citizens = db.session.scalars(select(Round).where(Round.title == "Learning needs 2026")).first()
    payload = db.session.scalar(select(ReportSnapshot.payload).where(ReportSnapshot.round_id == citizens.id))
    names = {key: name["en"] for key, name in db.session.execute(select(Criterion.key, Criterion.name))}
    log_in(client, "stakeholder@lakeside.example", "demo-stakeholder-2026")
    named_somewhere = False
    for section in (s for s in payload["sections"] if s["key"] != "all"):
        html = client.get(f"/reports/rounds/{citizens.id}/groups/{section['key']}?lang=en").get_data(as_text=True)
        versus = html[html.index('id="versus"'):]
        listed = re.findall(r"<li>([^<:]+): this group sees the community doing (\d+) points (worse|better) than "
                            r"all respondents do\.</li>", versus[:versus.index("</ul>")])
        expected = [(names[c], f"{abs(cmp['difference']):.0f}", "worse" if cmp["difference"] < 0 else "better")
                    for c in payload["criteria"] if (cmp := section["compared_with_all"].get(c)) and cmp["significant"]]
        assert listed == expected, section["key"]
        named_somewhere |= bool(expected)
    assert named_somewhere  # the demo's groups differ by design


def test_the_overview_says_nothing_changed_only_when_something_could_be_compared(client, report):
    later = seed_round(seed=8, community=report.round.community)
    publish_report(later.round.id)
    earlier = report_releases.latest_release(report.round.id)
    # As if every question had been reworded since: no criterion is asked the same way in both.
    earlier.payload = earlier.payload | {"items": [i | {"signature": "reworded"} for i in earlier.payload["items"]]}
    db.session.commit()
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{later.round.id}?lang=en").get_data(as_text=True)
    assert 'id="since"' not in html and "No criterion differs beyond chance" not in html
    assert f"/compare/{report.round.id}" in html  # the comparison itself is still offered
    compare = client.get(f"/reports/rounds/{later.round.id}/compare/{report.round.id}?lang=en").get_data(as_text=True)
    assert "No criterion can be compared." in compare and "No criterion differs beyond chance" not in compare


def test_a_draft_round_is_the_coordinators_plan_not_a_stakeholder_s_report(client, report):
    draft = make_round(report.round.community, report.round.survey, status=RoundStatus.DRAFT, title="Next spring")
    db.session.commit()
    log_in(client, "reader@example.org")
    assert "Next spring" not in client.get("/reports/").get_data(as_text=True)
    assert client.get(f"/reports/rounds/{draft.id}").status_code == 404
    assert client.get(f"/reports/rounds/{report.round.id}").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/reports/").get_data(as_text=True))})
    log_in(client, "coordinator@example.org")
    assert client.get(f"/reports/rounds/{draft.id}").status_code == 200  # it is theirs to see


def test_the_needs_chart_draws_the_priority_it_is_ordered_by_with_a_legend_and_no_jargon(client, report):
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{report.round.id}?lang=en").get_data(as_text=True)
    chart = html[html.index('id="needs-all-title"') - 400:]
    chart = chart[:chart.index("</svg>")]
    payload = report_releases.latest_release(report.round.id).payload
    needs = next(s for s in payload["sections"] if s["key"] == "all")["needs"]
    drawn = re.findall(r'class="value"[^>]*>([0-9.]+) · ', chart)
    assert drawn == [f"{max(n['mwds'], 0):.1f}" for n in needs]  # each bar is the priority score...
    assert [float(v) for v in drawn] == sorted((float(v) for v in drawn), reverse=True)  # ...in its order
    assert "Important and far from met" in chart and "The other needs" in chart  # the colours' legend
    assert "Needs, most pressing first" in chart
    assert "n = " not in html and "Watch:" not in html
    assert re.search(r" · \d+ people</text>", chart)  # how many people, in words


def test_the_pdf_opens_with_the_summary_a_council_reads_and_puts_every_figure_in_an_appendix(client, report):
    log_in(client, "reader@example.org")
    pdf = client.get(f"/reports/rounds/{report.round.id}/report.pdf?lang=en").get_data()
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "Who needs what most" in pages[0] and "Needs, most pressing first" in " ".join(pages[:2])
    appendix = next(number for number, text in enumerate(pages) if "Appendix: every figure" in text)
    assert appendix >= 1 and pages[appendix].startswith("Appendix: every figure")  # on a page of its own
    assert "Criteria profile of all respondents" not in " ".join(pages[:appendix])  # the detail waits
    assert "Criteria profile of all respondents" in " ".join(pages[appendix:])


def test_the_response_browser_shows_coordinators_what_the_export_holds_one_response_at_a_time(client, report):
    url = f"/reports/rounds/{report.round.id}/responses"
    log_in(client, "reader@example.org")
    assert client.get(url).status_code == 403  # stakeholders read figures, not responses
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/reports/").get_data(as_text=True))})
    log_in(client, "coordinator@example.org")
    exported = coordinator_export(client, report.round.id)

    first = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "42 responses." in first and "Page 1 of 3." in first  # 20 a page
    assert re.findall(r'id="response-(\d+)"', first) == [str(n) for n in range(1, 21)]
    assert HIDDEN_WORD not in first and "Newcomers" not in first.split('id="response-1"')[1]
    quoted = {r.answers["help_most"] for r in report.of("youth") + report.of("seniors") if r.may_quote}
    withheld = sum(1 for row in exported[:20] if row["help_most"] == "[not shared]")
    assert first.count("did not allow their words to be quoted") == withheld  # as in the export
    assert any(text in first for text in quoted)

    seniors = client.get(f"{url}?group=seniors&lang=en").get_data(as_text=True)
    assert "30 responses." in seniors and "Page 1 of 2." in seniors
    numbers = [int(n) for n in re.findall(r'id="response-(\d+)"', seniors)]
    assert numbers == [int(r["response"]) for r in exported if r["group"] == "seniors"][:20]
    # Filters and pages that make no sense are read as best they can, never an error.
    for odd in ("?page=abc", "?page=-4", "?page=99999999999", "?group=nobody", "?language=xx", "?group=newcomers"):
        response = client.get(url + odd)
        assert response.status_code == 200, odd
    assert "No response to show here." in client.get(f"{url}?group=newcomers&lang=en").get_data(as_text=True)
    last = client.get(f"{url}?page=99999&lang=en").get_data(as_text=True)
    assert "Page 3 of 3." in last and 'id="response-42"' in last
