"""Everything a coordinator types into a survey is text: escaped on every page a person sees
(the editor, the preview, the citizens' pages, the report, the poster, the mail preview), never a
formula in a spreadsheet, never markup in a chart or a PDF."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from app.domain import survey_drafts
from app.extensions import db
from app.models import Answer, Question, Response, ResponseStatus, Role, utcnow
from app.services import report_build, survey_authoring
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import log_in

SCRIPT = "<script>alert('typed')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def hostile(client, app):
    """A round of a community's own survey whose every typed text tries to be markup or a formula."""
    community = make_community("harbour", name="Harbour Quarter", languages=("en",))
    youth = make_group(community, "youth", name="Young people")
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    authored = survey_authoring.create_copy(community, load_fixture_bank(), ["en"])
    draft = survey_drafts.with_languages(authored.draft, ["en"])
    draft["title"]["en"] = f"Our survey {SCRIPT}"
    draft["intro"]["en"] = f"Welcome {IMAGE}"
    draft["pages"][1]["title"]["en"] = f"Needs {IMAGE}"
    draft = survey_drafts.save_question(draft, "needs", {
        "key": "library", "type": "single_choice", "text": {"en": f"{FORMULA} {SCRIPT}"},
        "help": {"en": IMAGE},
        "options": [{"key": "central", "label": {"en": FORMULA}}, {"key": "harbour", "label": {"en": SCRIPT}}]})
    survey_authoring.save_draft(authored, draft)
    version, _new = survey_authoring.publish(authored)
    survey_round = make_round(community, version, groups=[youth], languages=["en"])
    link = make_link(survey_round, youth)
    ids = {q.key: q.id for q in db.session.scalars(select(Question).where(Question.survey_id == version.id))}
    for number in range(6):
        response = Response(round_id=survey_round.id, group_id=youth.id, language="en",
                            status=ResponseStatus.COMPLETE, submitted_at=utcnow())
        db.session.add(response)
        db.session.flush()
        db.session.add(Answer(response_id=response.id, question_id=ids["library"],
                              option="central" if number % 2 else "harbour"))
    db.session.commit()
    report_build.build_and_store(survey_round.id, utcnow())
    db.session.commit()
    log_in(client, "noa@example.org")
    return authored, survey_round, link


def test_typed_markup_is_escaped_on_every_page(client, hostile):
    authored, survey_round, link = hostile
    pages = [
        f"/coordinate/surveys/{authored.id}", f"/coordinate/surveys/{authored.id}/questions/library",
        f"/coordinate/surveys/{authored.id}/preview", f"/coordinate/rounds/{survey_round.id}/preview",
        f"/coordinate/communities/{survey_round.community_id}/surveys", f"/coordinate/rounds/{survey_round.id}",
        f"/coordinate/links/{link.id}/poster", f"/reports/rounds/{survey_round.id}",
        f"/reports/rounds/{survey_round.id}/responses", f"/s/{link.token}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
    report = client.get(f"/reports/rounds/{survey_round.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in report  # shown, as text


def test_typed_formulas_stay_text_in_every_spreadsheet(client, hostile):
    authored, survey_round, _link = hostile
    for url in (f"/reports/rounds/{survey_round.id}/report.csv", f"/reports/rounds/{survey_round.id}/responses.csv"):
        text = client.get(url, buffered=True).get_data(as_text=True).lstrip("\ufeff")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@") and not cell[1:2].isdigit()], url
    workbooks = [client.get(f"/reports/rounds/{survey_round.id}/report.xlsx").get_data(),
                 client.get(f"/coordinate/surveys/{authored.id}/export/xlsform").get_data(),
                 client.get(f"/coordinate/surveys/{authored.id}/translations.xlsx").get_data()]
    for data in workbooks:
        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            for name in workbook.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in workbook.read(name).decode(), name


def test_the_pdf_builds_and_the_charts_carry_typed_text_as_text(client, hostile):
    _authored, survey_round, _link = hostile
    pdf = client.get(f"/reports/rounds/{survey_round.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.get_data()[:4] == b"%PDF"
    report = client.get(f"/reports/rounds/{survey_round.id}").get_data(as_text=True)
    charts = re.findall(r"<svg.*?</svg>", report, re.S)
    assert charts
    for chart in charts:
        assert "<script" not in chart and "<img" not in chart
