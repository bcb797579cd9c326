"""Named panels: a few raters who act for their organisations, invited by name, shown by name."""

from __future__ import annotations

import csv
import io

from app.domain.answers import MultipleChoice, encode
from app.extensions import db
from app.models import (
    Answer,
    CommunityKind,
    Invitation,
    LinkKind,
    Question,
    Response,
    ResponseStatus,
    Role,
    RoundKind,
    RoundStatus,
    utcnow,
)
from app.services import rounds
from app.services.report_releases import build_and_release, latest_release
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import csrf_token, log_in

TYPES = {"need_language": "importance_current", "took_part": "single_choice", "barriers": "multiple_choice",
         "heard_of_offer": "agreement", "hours": "number", "help_most": "text"}


def panel_round(community, shared: bool = False, **fields):
    team = make_group(community, "team", name="Coordinating team")
    return make_round(community, load_fixture_bank(), groups=[team], kind=RoundKind.NAMED_PANEL,
                      panel_shared=shared, **fields)


def rate(survey_round, name: str, answers: dict) -> None:
    """A rater invited by name answers through their personal link."""
    link = make_link(survey_round, survey_round.groups[0], kind=LinkKind.INVITATION)
    db.session.add(Invitation(round_id=survey_round.id, group_id=link.group_id, link=link, language="en",
                              email=f"{name.split()[0].lower()}@example.org", name=name))
    response = Response(round_id=survey_round.id, group_id=link.group_id, access_link_id=link.id, language="en",
                        status=ResponseStatus.COMPLETE, submitted_at=utcnow())
    db.session.add(response)
    db.session.flush()
    ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=survey_round.survey_id)}
    for key, answer in answers.items():
        for cell in encode(TYPES[key], answer):
            db.session.add(Answer(response_id=response.id, question_id=ids[key], option=cell.option, value=cell.value,
                                  value2=cell.value2, text=cell.text))
    db.session.flush()


THREE = {
    "Noa Levi": {"heard_of_offer": 4, "need_language": (5, 2), "took_part": "no",
                 "barriers": MultipleChoice(frozenset({"time"}), "shifts"), "help_most": "More evening courses"},
    "Daan de Vries": {"heard_of_offer": 2, "need_language": (4, 3), "took_part": "yes"},
    "Sara Haddad": {"heard_of_offer": 5, "need_language": (3, None), "took_part": "yes"},
}


def test_a_panel_of_three_sees_its_assessment_side_by_side_whatever_k(app, client):
    community = make_community(min_group_size=5)
    survey_round = panel_round(community)
    for name, answers in THREE.items():
        rate(survey_round, name, answers)
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    build_and_release(survey_round.id, utcnow())
    db.session.commit()
    assert latest_release(survey_round.id) is None  # attributed, read live: no releases
    log_in(client, "coordinator@example.org")
    page = client.get(f"/reports/rounds/{survey_round.id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ratings side by side" in html
    table = html[html.index('class="stack panel"'):html.index("</table>", html.index('class="stack panel"'))]
    for name in THREE:
        assert f"<bdi>{name}</bdi>" in table
    # Raters in name order: Daan, Noa, Sara. "I know where to find courses": 2, 4, 5 on the
    # agreement scale; the median 4 (Agree), the spread Disagree to Strongly agree.
    row = table[table.index("I know where to find courses."):]
    row = row[:row.index("</tr>")]
    assert [cell for cell in ("Disagree", "Agree", "Strongly agree") if cell in row] == ["Disagree", "Agree",
                                                                                         "Strongly agree"]
    assert "Disagree to Strongly agree" in row
    assert "More evening courses" in table and "No time; shifts" in table
    assert "fewer than 5" not in html  # k does not apply to a panel


def test_only_its_coordinators_read_a_panel_unless_it_is_shared(app, client):
    community = make_community()
    survey_round = panel_round(community)
    rate(survey_round, "Noa Levi", THREE["Noa Levi"])
    make_user("reader@example.org", memberships=[(community, Role.STAKEHOLDER)])
    build_and_release(survey_round.id, utcnow())
    db.session.commit()
    log_in(client, "reader@example.org")
    assert client.get(f"/reports/rounds/{survey_round.id}").status_code == 404
    assert survey_round.title not in client.get("/reports/").get_data(as_text=True)
    survey_round.panel_shared = True
    db.session.commit()
    html = client.get(f"/reports/rounds/{survey_round.id}?lang=en").get_data(as_text=True)
    assert "<bdi>Noa Levi</bdi>" in html and "A named panel" in html


def test_one_rater_per_city_shows_the_cities_side_by_side(app, client):
    """Seed 003: one visiting team rates four learning cities, one rater each."""
    network = make_community("network", kind=CommunityKind.PARTNERSHIP)
    cities = [make_community(slug, parent=network, name=name) for slug, name in
              (("viladecans", "Viladecans"), ("pecs", "Pécs"), ("fermo", "Fermo"), ("larissa", "Larissa"))]
    for city, level in zip(cities, (5, 3, 4, 2), strict=True):
        survey_round = panel_round(city, shared=True, title="Study visit 2024")
        rate(survey_round, "Visiting team", {"heard_of_offer": level, "need_language": (4, level)})
        build_and_release(survey_round.id, utcnow())
    make_user("reader@example.org", memberships=[(network, Role.STAKEHOLDER)])
    db.session.commit()
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/communities/{network.id}?lang=en").get_data(as_text=True)
    for city in cities:
        assert city.name in html
    assert "fewer than" not in html


def test_a_panel_has_no_public_link_and_its_raters_are_told_they_are_named(app, client):
    community = make_community()
    survey_round = panel_round(community, status=RoundStatus.DRAFT)
    rounds.act(survey_round, "launch", utcnow())
    assert not [link for link in survey_round.links if link.kind is LinkKind.PUBLIC and link.revoked_at is None]
    rate(survey_round, "Noa Levi", {})
    db.session.query(Response).delete()
    db.session.commit()
    link = db.session.query(Invitation).one().link
    html = client.get(f"/s/{link.token}?lang=en").get_data(as_text=True)
    assert "named panel" in html and "Noa Levi" in html and "anonymous" not in html


def test_a_panel_s_invitation_list_names_each_rater(app, client):
    community = make_community()
    survey_round = panel_round(community, status=RoundStatus.OPEN)
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    log_in(client, "coordinator@example.org")
    url = f"/coordinate/rounds/{survey_round.id}/invitations"
    page = client.get(url).get_data(as_text=True)
    without = client.post(url, data={"csrf_token": csrf_token(page),
                                     "file": (io.BytesIO(b"email,language\nnoa@example.org,en\n"), "list.csv")})
    assert without.status_code == 400 and "column “name”" in without.get_data(as_text=True)
    rows = "email,language,name\nnoa@example.org,en,Noa Levi\ndaan@example.org,en,\n"
    result = client.post(url, data={"csrf_token": csrf_token(page), "file": (io.BytesIO(rows.encode()), "list.csv")})
    assert "name is missing" in result.get_data(as_text=True)
    assert [(i.email, i.name) for i in db.session.query(Invitation)] == [("noa@example.org", "Noa Levi")]


def test_who_answers_stays_as_it_is_once_anyone_has_answered(app):
    community = make_community()
    survey_round = panel_round(community)
    rate(survey_round, "Noa Levi", {})
    spec = rounds.RoundSpec(survey_round.title, survey_round.survey_id, [g.id for g in survey_round.groups],
                            survey_round.languages, None, None, kind=RoundKind.ANONYMOUS)
    try:
        rounds.update(survey_round, spec)
    except rounds.RoundRuleError as error:
        assert error.code == "kind_fixed_after_answers"
    else:
        raise AssertionError("the kind changed after answers")


def test_a_panel_s_figures_in_the_csv_are_not_suppressed(app, client):
    community = make_community(min_group_size=5)
    survey_round = panel_round(community)
    rate(survey_round, "Noa Levi", THREE["Noa Levi"])
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    build_and_release(survey_round.id, utcnow())
    db.session.commit()
    log_in(client, "coordinator@example.org")
    text = client.get(f"/reports/rounds/{survey_round.id}/report.csv", buffered=True).get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(text))
               if (r["section"], r["measure"], r["item"], r["statistic"]) == ("all", "item", "heard_of_offer", "mean"))
    assert row["suppressed"] == "false" and float(row["value"]) == 4 and row["n"] == "1"
