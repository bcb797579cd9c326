"""A seeded round whose every answer the test knows, to check reports against by hand.

Four groups of the mini survey: youth (12 respondents), seniors (30), newcomers (3: below
k = 5, so hidden) and parents (6: hidden as the complement, or newcomers would be everyone
minus the others). Youth has exactly two people who did not take part, so the follow-up about
barriers rests on 2 answers there and must be hidden in that group.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from app.domain.answers import MultipleChoice, encode
from app.extensions import db
from app.models import Answer, Community, Group, Question, ReportRelease, Response, ResponseStatus, Round, utcnow
from app.services import report_releases
from tests.factories import load_fixture_bank, make_community, make_group, make_round

GROUP_SIZES = {"youth": 12, "seniors": 30, "newcomers": 3, "parents": 6}
POPULATIONS = {"youth": 1000, "seniors": 3000, "newcomers": 500, "parents": None}
HIDDEN = ("newcomers", "parents")
HIDDEN_WORD = "zebraphone"
HELP_TEXTS = {
    "en": ["Evening language courses near home", "Cheaper language courses", "Childcare during courses",
           "Courses in the evening"],
    "he": ["קורסים בערב ליד הבית", "קורסים זולים יותר בערב"],
}


@dataclass
class Respondent:
    group: str
    language: str
    may_quote: bool
    answers: dict[str, object] = field(default_factory=dict)


@dataclass
class SeededRound:
    round: Round
    groups: dict[str, Group]
    respondents: list[Respondent]

    def of(self, group: str | None = None) -> list[Respondent]:
        return [r for r in self.respondents if group is None or r.group == group]


def seed_round(seed: int = 7, k: int = 5, community: Community | None = None) -> SeededRound:
    """A seeded round in a new community, or in `community` (an earlier seed_round's) with the
    same groups: a later round of the same survey there."""
    survey = load_fixture_bank()
    if community is None:
        community = make_community(min_group_size=k)
        groups = {key: make_group(community, key, population=POPULATIONS[key], position=i)
                  for i, key in enumerate(GROUP_SIZES)}
    else:
        groups = {g.key: g for g in community.groups}
    survey_round = make_round(community, survey, groups=list(groups.values()))
    question_ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=survey.id)}
    rng = random.Random(seed)
    respondents = []
    for key, size in GROUP_SIZES.items():
        for number in range(size):
            respondent = _respondent(rng, key, not_taking_part=(key == "youth" and number < 2)
                                     or (key != "youth" and rng.random() < 0.4))
            respondents.append(respondent)
            _store(survey_round, groups[key], respondent, question_ids, ResponseStatus.COMPLETE)
    # Unfinished answers never count.
    for _ in range(4):
        _store(survey_round, groups["seniors"], _respondent(rng, "seniors", True), question_ids,
               ResponseStatus.IN_PROGRESS)
    db.session.flush()
    return SeededRound(survey_round, groups, respondents)


def _respondent(rng: random.Random, group: str, not_taking_part: bool) -> Respondent:
    language = "he" if rng.random() < 0.3 else "en"
    importance_shift = {"youth": 1, "seniors": 0, "newcomers": 2, "parents": 1}[group]
    importance = min(5, rng.randint(1, 4) + importance_shift)
    current = rng.choice([None, 1, 2, 3, 4, 5]) if group == "seniors" else rng.randint(1, 4)
    answers: dict[str, object] = {
        "need_language": (importance, current),
        "took_part": "no" if not_taking_part else "yes",
        "heard_of_offer": rng.choice([None, 1, 2, 3, 4, 5]),
        "hours": round(rng.uniform(0, 12), 1),
        # Words only the hidden groups use, so a test can prove their text never shows.
        "help_most": f"{HIDDEN_WORD} lessons nearby" if group in HIDDEN else rng.choice(HELP_TEXTS[language]),
    }
    if not_taking_part:
        answers["barriers"] = MultipleChoice(frozenset(rng.sample(["time", "cost"], rng.randint(1, 2))),
                                             "evening shifts" if rng.random() < 0.3 else None)
    return Respondent(group, language, rng.random() < 0.5, answers)


def _store(survey_round: Round, group: Group, respondent: Respondent, question_ids: dict[str, int],
           status: ResponseStatus) -> None:
    types = {"need_language": "importance_current", "took_part": "single_choice", "barriers": "multiple_choice",
             "heard_of_offer": "agreement", "hours": "number", "help_most": "text"}
    response = Response(round_id=survey_round.id, group_id=group.id, language=respondent.language,
                        status=status, may_quote=respondent.may_quote, submitted_at=utcnow())
    db.session.add(response)
    db.session.flush()
    for key, answer in respondent.answers.items():
        for cell in encode(types[key], answer):
            db.session.add(Answer(response_id=response.id, question_id=question_ids[key], option=cell.option,
                                  value=cell.value, value2=cell.value2, text=cell.text))


def publish_report(round_id: int) -> ReportRelease:
    """Build the round's report and release it, as a coordinator's "Publish" does: what its
    stakeholders then read."""
    report_releases.request_release(round_id, None, utcnow())
    report_releases.build_and_release(round_id, utcnow())
    db.session.flush()
    return report_releases.latest_release(round_id)
