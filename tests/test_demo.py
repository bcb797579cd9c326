"""`flask --app app demo`: a city, two learning communities, open rounds, simulated answers."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from app.domain.report_model import ReportFigures
from app.domain.answers import AnswerCell, decode

from app.extensions import db
from app.models import (
    AuthoredSurvey,
    Answer, Community, Group, Question, ReportSnapshot, Response, Round, RoundStatus, User,
)
from tests.conftest import empty_all_tables


def answer_fingerprint() -> list[tuple]:
    rows = db.session.execute(
        select(Response.language, Group.key, Question.key, Answer.option, Answer.value,
               Answer.value2, Answer.text)
        .join(Response, Answer.response_id == Response.id)
        .join(Group, Response.group_id == Group.id)
        .join(Question, Answer.question_id == Question.id)
        .order_by(Response.id, Question.position, Answer.option)
    )
    return [tuple(row) for row in rows]


def test_demo_creates_a_city_with_two_learning_communities_and_rounds_of_every_survey(runner):
    result = runner.invoke(args=["demo", "--responses", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    city = db.session.scalar(select(Community).where(Community.slug == "lakeside"))
    assert len(city.children) == 2
    rounds = db.session.scalars(select(Round)).all()
    assert {r.survey.key for r in rounds} == {"citizen_needs", "partner_organisations", "community_health_check",
                                              "unesco_self_assessment"}
    current = [r for r in rounds if r.title == "Learning needs 2026"]
    assert len(current) == 2 and all(r.status is RoundStatus.OPEN and len(r.groups) >= 3 for r in current)
    # This year's round repeats last year's, so the report can say what changed.
    assert all(db.session.get(Round, r.previous_round_id).status is RoundStatus.CLOSED for r in current)
    counted = select(func.count()).select_from(Response).where(Response.round_id.in_([r.id for r in current]))
    assert db.session.scalar(counted) == 120
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
    for line in ("coordinator@lakeside.example", "stakeholder@lakeside.example", "/s/"):
        assert line in result.output
    for link in (link for r in current for link in r.links):
        assert f"/s/{link.token}" in result.output
    # A learning community has made the citizens' survey its own: a local question, published,
    # asked in the four languages it is translated into so far.
    own = db.session.scalar(select(AuthoredSurvey))
    assert own.community.parent == city and own.latest.version == 1
    assert own.latest.languages == ["en", "he", "ar", "nl"]
    assert own.latest.parsed().question("learning_place").show_if == "took_part_last_year == 'yes'"


def test_every_demo_round_has_a_report_with_figures(runner):
    runner.invoke(args=["demo", "--responses", "200", "--seed", "4"])
    for survey_round in db.session.scalars(select(Round)):
        snapshot = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == survey_round.id))
        assert snapshot is not None, survey_round.title
        # Read typed and written again, the payload is the same (a named panel's included).
        assert ReportFigures.from_payload(snapshot.payload).to_payload() == snapshot.payload
        everyone = next(s for s in snapshot.payload["sections"] if s["key"] == "all")
        assert everyone["criteria"], f"{survey_round.title} has no criterion scores"
    # Organisations answer in their sectors; each sector with enough answers gets its own figures.
    partners = db.session.scalar(select(Round).where(Round.title == "Partners 2026"))
    shown = [g for g in db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.round_id == partners.id))
             .payload["groups"] if not g["suppressed"]]
    assert len(shown) >= 3


def test_demo_is_created_once(runner):
    runner.invoke(args=["demo", "--responses", "10"])
    responses = db.session.scalar(select(func.count()).select_from(Response))
    again = runner.invoke(args=["demo", "--responses", "10"])
    assert again.exit_code == 0
    assert "already there" in again.output
    assert db.session.scalar(select(func.count()).select_from(Response)) == responses


def test_the_same_seed_gives_the_same_answers(app, runner):
    runner.invoke(args=["demo", "--responses", "60", "--seed", "11"])
    first = answer_fingerprint()
    db.session.remove()
    empty_all_tables()
    runner.invoke(args=["demo", "--responses", "60", "--seed", "11"])
    assert answer_fingerprint() == first
    db.session.remove()
    empty_all_tables()
    runner.invoke(args=["demo", "--responses", "60", "--seed", "12"])
    assert answer_fingerprint() != first


def test_groups_answer_differently(runner):
    """Newcomers find language learning less well provided for than older residents do."""
    runner.invoke(args=["demo", "--responses", "600", "--seed", "5"])

    def mean_current_state(group_key: str) -> float:
        return db.session.scalar(
            select(func.avg(Answer.value2))
            .join(Response, Answer.response_id == Response.id)
            .join(Group, Response.group_id == Group.id)
            .join(Question, Answer.question_id == Question.id)
            .where(Group.key == group_key, Question.type == "importance_current",
                   Question.key.contains("language"))
        )

    assert mean_current_state("newcomers") < mean_current_state("seniors") - 0.8


def test_demo_answers_respect_the_display_conditions(runner):
    """A question hidden by its condition is never answered; shown, it sometimes is."""
    runner.invoke(args=["demo", "--responses", "200", "--seed", "9"])
    citizen_rounds = db.session.scalars(select(Round).where(Round.title.like("Learning needs%"))).all()
    definition = citizen_rounds[0].definition()
    conditional = [q for q in definition.questions if q.condition is not None]
    assert conditional, "the demo survey should exercise a display condition"
    cells: dict[int, dict[str, list[AnswerCell]]] = defaultdict(lambda: defaultdict(list))
    rows = db.session.execute(
        select(Answer.response_id, Question.key, Answer.option, Answer.value, Answer.value2,
               Answer.text).join(Question, Answer.question_id == Question.id)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.round_id.in_([r.id for r in citizen_rounds])))
    for response_id, key, option, value, value2, text in rows:
        cells[response_id][key].append(AnswerCell(option, value, value2, text))
    answered_when_shown = 0
    for by_key in cells.values():
        answers = {q.key: decode(q.type, by_key[q.key]) for q in definition.questions
                   if q.key in by_key}
        for question in conditional:
            shown = question.condition.evaluate(answers)
            assert shown or question.key not in answers
            answered_when_shown += shown and question.key in answers
    assert answered_when_shown > 0
