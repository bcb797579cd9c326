"""Each shipped survey, launched in a community that speaks all eight languages, is answered
through the real pages in every language, and every round then has a report."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Community, CommunityKind, GroupKind, Response, ResponseStatus, utcnow
from app.services import report_build, rounds
from app.services.survey_bank import latest_version, load_bank
from tests.conftest import ROOT
from tests.factories import make_group
from tests.helpers import csrf_token

LANGUAGES = ("en", "he", "ar", "nl", "es", "it", "el", "hu")
SURVEYS = ("citizen_needs", "partner_organisations", "community_health_check", "unesco_self_assessment")


class ScreenForm(HTMLParser):
    """The answers form of a question screen: each field name with the values it offers."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.fields: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("method") == "post":
            self.in_form = True
        if not self.in_form or tag not in ("input", "textarea") or not attributes.get("name"):
            return
        kind = attributes.get("type", "textarea" if tag == "textarea" else "text")
        field = self.fields.setdefault(attributes["name"], {"type": kind, "values": [], "min": None})
        # A box for words (not a number's): its direction should come from what is typed.
        field["written"] = tag == "textarea" or (kind == "text" and not attributes.get("inputmode"))
        field["dir"] = attributes.get("dir")
        if kind in ("radio", "checkbox"):
            field["values"].append(attributes.get("value"))
        field["min"] = attributes.get("min", field["min"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def answers_for(html: str) -> dict[str, str]:
    """Something a person could send: the first choice of every scale and list, a short text."""
    form = ScreenForm()
    form.feed(html)
    answers = {}
    for name, field in form.fields.items():
        if name in ("csrf_token", "move") or field["type"] == "hidden":
            continue
        if field["type"] in ("radio", "checkbox"):
            answers[name] = next(v for v in field["values"] if v not in ("_other",))
        elif field["type"] == "number":
            answers[name] = field["min"] or "1"
        elif not name.endswith("_other"):
            answers[name] = "Evening classes"
    return answers


def written_boxes_without_their_own_direction(html: str) -> list[str]:
    form = ScreenForm()
    form.feed(html)
    return [name for name, field in form.fields.items() if field["written"] and field["dir"] != "auto"]


def answer_through_the_pages(client, token: str, language: str) -> None:
    welcome = client.get(f"/s/{token}?lang={language}")
    assert welcome.status_code == 200 and f'lang="{language}"' in welcome.get_data(as_text=True)
    location = client.post(f"/s/{token}/start", data={"csrf_token": csrf_token(welcome.get_data(as_text=True))}
                           ).headers["Location"]
    for _ in range(30):  # screens
        if "/review" in location:
            break
        page = client.get(location)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and f'<html lang="{language}"' in html
        assert written_boxes_without_their_own_direction(html) == [], location
        response = client.post(location, data={"csrf_token": csrf_token(html), "move": "next",
                                                **answers_for(html)})
        assert response.status_code == 302, f"{location} ({language}):\n{response.get_data(as_text=True)[:3000]}"
        location = response.headers["Location"]
    review = client.get(f"/s/{token}/review")
    sent = client.post(f"/s/{token}/submit", data={"csrf_token": csrf_token(review.get_data(as_text=True))})
    assert sent.status_code == 302


@pytest.fixture
def launched(app):
    load_bank(ROOT / "surveys")
    community = Community(slug="babel", name="Babel", kind=CommunityKind.CITY, languages=list(LANGUAGES),
                          default_language="en", min_group_size=5,
                          neighbourhoods=[{"key": "centre", "name": {"en": "Centre", "he": "מרכז"}}])
    db.session.add(community)
    everyone = make_group(community, "residents", name="Residents")
    partners = make_group(community, "partners", name="Partners", kind=GroupKind.STAKEHOLDERS)
    launched = {}
    for key in SURVEYS:
        survey = latest_version(key)
        group = partners if survey.audience != "citizens" else everyone
        survey_round = rounds.create(community, rounds.RoundSpec(
            title=key, survey_id=survey.id, group_ids=[group.id], languages=list(LANGUAGES),
            opens_at=None, closes_at=None, one_response_per_browser=False))
        rounds.act(survey_round, "launch", utcnow())
        launched[key] = survey_round
    db.session.commit()
    return launched


@pytest.mark.parametrize("survey_key", SURVEYS)
def test_a_shipped_survey_is_answered_in_all_eight_languages_and_produces_a_report(
        app, launched, survey_key):
    survey_round = launched[survey_key]
    link = next(link for link in survey_round.links if link.group_id is not None)
    for language in LANGUAGES:
        client = app.test_client()  # one phone per person
        answer_through_the_pages(client, link.token, language)
    complete = db.session.scalar(select(func.count()).select_from(Response).where(
        Response.round_id == survey_round.id, Response.status == ResponseStatus.COMPLETE))
    assert complete == len(LANGUAGES)
    languages = set(db.session.scalars(select(Response.language).where(Response.round_id == survey_round.id)))
    assert languages == set(LANGUAGES)

    snapshot = report_build.build_and_store(survey_round.id, utcnow())
    everyone = next(s for s in snapshot.payload["sections"] if s["key"] == "all")
    assert snapshot.response_count == len(LANGUAGES) and everyone["criteria"]
