"""`flask --app app demo`: a city, two learning communities, open rounds, simulated answers."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from app.domain.answers import AnswerCell, decode

from app.extensions import db
from app.models import (
    AccessLink, Answer, Community, Group, Question, Response, Round, RoundStatus, User,
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


def test_demo_creates_a_city_with_two_learning_communities_and_open_rounds(runner):
    result = runner.invoke(args=["demo", "--responses", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    city = db.session.scalar(select(Community).where(Community.slug == "lakeside"))
    assert len(city.children) == 2
    rounds = db.session.scalars(select(Round)).all()
    assert len(rounds) == 2 and all(r.status is RoundStatus.OPEN for r in rounds)
    assert all(len(r.groups) >= 3 for r in rounds)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 120
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
    for line in ("coordinator@lakeside.example", "stakeholder@lakeside.example", "/s/"):
        assert line in result.output
    for link in db.session.scalars(select(AccessLink)):
        assert f"/s/{link.token}" in result.output


def test_demo_is_created_once(runner):
    runner.invoke(args=["demo", "--responses", "10"])
    again = runner.invoke(args=["demo", "--responses", "10"])
    assert again.exit_code == 0
    assert "already there" in again.output
    assert db.session.scalar(select(func.count()).select_from(Response)) == 10


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
    definition = db.session.scalars(select(Round)).first().survey.parsed()
    conditional = [q for q in definition.questions if q.condition is not None]
    assert conditional, "the demo survey should exercise a display condition"
    cells: dict[int, dict[str, list[AnswerCell]]] = defaultdict(lambda: defaultdict(list))
    rows = db.session.execute(
        select(Answer.response_id, Question.key, Answer.option, Answer.value, Answer.value2,
               Answer.text).join(Question, Answer.question_id == Question.id))
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
