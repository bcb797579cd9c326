"""A randomised adversary against successive releases, on the real database.

Many seeded histories of one round: people answer (some skip questions, write in English or
Hebrew, allow quoting or not), withdraw, groups are added and repopulated, k changes, the
report is rebuilt, published and closed, and the round reopened. Every release a stakeholder
could obtain is kept, with the truth behind it: which people each group's figure rests on at
that moment, worked out here from the answers themselves, not from the app's own counting.

The adversary takes every pair of releases and, for every figure, every sum of the figures the
two releases show (each group's, and everyone's as the total over every group), each added,
subtracted or left out. No such sum may rest on 1 to k-1 people. Quotes, which show one
person's words by their leave in any release, are tried only group against group: their
change from one release to the next must not rest on 1 to k-1 people either.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pytest

from app.domain.report_model import ReportFigures
from app.domain.answers import MultipleChoice
from app.extensions import db
from app.models import Question, Response, ResponseStatus, RoundStatus, utcnow
from app.domain import survey_drafts
from app.services import responding, rounds, survey_bank
from app.services.report_releases import build_and_release, releases_of, request_release
from tests.factories import make_group, make_link
from tests.report_data import Respondent, _store, seed_round

WORDS = {"en": ["evening courses near home", "cheaper courses", "childcare during courses", "a library nearby"],
         "he": ["קורסים בערב ליד הבית", "קורסים זולים יותר", "ספרייה קרובה"]}
ITEMS = ("need_language", "took_part", "barriers", "heard_of_offer", "hours")
WRITTEN = ("help_most", "barriers")
CRITERIA = {"needs": "need_language", "participation": "heard_of_offer"}  # each one's scored question


@dataclass
class Person:
    response_id: int
    group: str
    respondent: Respondent


@dataclass
class Released:
    payload: dict
    truth: dict = field(default_factory=dict)  # figure -> group -> frozenset of response ids


def answers(rng: random.Random) -> dict[str, object]:
    """One person's answers; any question but the first two may be skipped."""
    given: dict[str, object] = {
        "need_language": (rng.choice([None, 1, 2, 3, 4, 5]), rng.choice([None, 1, 2, 3, 4, 5])),
        "took_part": rng.choice(["yes", "no"]),
    }
    if given["took_part"] == "no" and rng.random() < 0.8:
        given["barriers"] = MultipleChoice(frozenset(rng.sample(["time", "cost"], rng.randint(1, 2))),
                                           "evening shifts" if rng.random() < 0.3 else None)
    if rng.random() < 0.8:
        given["heard_of_offer"] = rng.choice([None, 1, 2, 3, 4, 5])
    if rng.random() < 0.7:
        given["hours"] = rng.randint(0, 20)
    return given


def contributes(person: Person, figure: tuple[str, ...]) -> bool:
    """Whether the person's answers are behind the figure: worked out from what they answered."""
    given = person.respondent.answers
    kind, key = figure[0], figure[1]
    if kind == "criterion":
        return CRITERIA[key] in given
    if kind == "item":
        if key == "need_language":
            return key in given and None not in given[key]  # type: ignore[operator]
        return key in given
    text = _written(given, key)
    if kind == "text":
        return bool(text) and person.respondent.language == figure[2]
    return bool(text) and person.respondent.may_quote


def _written(given: dict, key: str) -> str | None:
    if key == "barriers":
        return given["barriers"].other_text if "barriers" in given else None
    return given.get(key)  # type: ignore[return-value]


def figures() -> list[tuple[str, ...]]:
    return [*(("item", key) for key in ITEMS), *(("criterion", key) for key in CRITERIA),
            *(("text", key, language) for key in WRITTEN for language in WORDS), *(("quotes", key) for key in WRITTEN)]


class History:
    """One round's life, driven at random, with every release kept beside its truth."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.data = seed_round(seed=seed, k=self.rng.choice([3, 4, 5]))
        self.round = self.data.round
        self.groups = dict(self.data.groups)
        self.question_ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=self.round.survey_id)}
        # The seeded round's people, with their answers as the seed gave them.
        rows = db.session.query(Response).filter_by(round_id=self.round.id, status=ResponseStatus.COMPLETE)
        self.people = [Person(row.id, respondent.group, respondent)
                       for row, respondent in zip(rows.order_by(Response.id), self.data.respondents, strict=True)]
        self.released: list[Released] = []

    def answer(self, count: int) -> None:
        group = self.rng.choice([*self.groups, None])
        for _ in range(count):
            language = self.rng.choice(["en", "he"])
            given = answers(self.rng)
            if self.rng.random() < 0.6:
                given["help_most"] = self.rng.choice(WORDS[language])
            respondent = Respondent(group or "", language, self.rng.random() < 0.5, given)
            if group is None:
                self._store_unassigned(respondent)
            else:
                _store(self.round, self.groups[group], respondent, self.question_ids, ResponseStatus.COMPLETE)
            response_id = db.session.query(Response.id).order_by(Response.id.desc()).first()[0]
            self.people.append(Person(response_id, group or "_unassigned", respondent))

    def _store_unassigned(self, respondent: Respondent) -> None:
        """Through the link for everyone: no group."""
        link = make_link(self.round)
        group = self.groups[next(iter(self.groups))]
        _store(self.round, group, respondent, self.question_ids, ResponseStatus.COMPLETE)
        response = db.session.query(Response).order_by(Response.id.desc()).first()
        response.group_id, response.access_link_id = None, link.id

    def withdraw(self) -> None:
        if not self.people:
            return
        person = self.people.pop(self.rng.randrange(len(self.people)))
        responding.withdraw_response(db.session.get(Response, person.response_id))

    def add_group(self) -> None:
        key = f"extra{len(self.groups)}"
        if len(self.groups) < 4:
            self.groups[key] = make_group(self.round.community, key, population=self.rng.randint(50, 500))
            self.round.groups.append(self.groups[key])

    def repopulate(self) -> None:
        group = self.groups[self.rng.choice(sorted(self.groups))]
        group.population = self.rng.choice([None, self.rng.randint(20, 3000)])

    def reword(self) -> None:
        """A wording fix published and taken up by the running round: its answers move to the
        new version's questions, and nothing a reader sees may be worked out from the move."""
        draft = survey_drafts.draft_of(self.round.survey.parsed())
        draft["pages"][1]["questions"][0]["text"]["en"] += " (reworded)"
        definition = survey_drafts.check_draft(draft, None).definition
        newer, _new = survey_bank.store_survey(definition, "tests", survey_bank.criterion_ids())
        db.session.flush()
        rounds.adopt(self.round, newer)
        self.question_ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=newer.id)}

    def release(self, publish: bool) -> None:
        if publish:
            request_release(self.round.id, None, utcnow())
        before = len(releases_of(self.round.id))
        build_and_release(self.round.id, utcnow())
        db.session.commit()
        made = releases_of(self.round.id)
        if len(made) > before:
            # Every release's payload reads as typed figures and writes back the same, key for
            # key (held_back entries of every figure kind included): readers read it typed.
            assert ReportFigures.from_payload(made[-1].payload).to_payload() == made[-1].payload
            self.released.append(Released(made[-1].payload, self.truth()))

    def truth(self) -> dict:
        return {figure: {group: frozenset(p.response_id for p in self.people if p.group == group and contributes(p, figure))
                         for group in {p.group for p in self.people}}
                for figure in figures()}

    def step(self) -> None:
        action = self.rng.choices(
            ["answer", "withdraw", "publish", "rebuild", "k", "add_group", "repopulate", "close", "reopen", "reword"],
            weights=[30, 14, 16, 6, 5, 4, 4, 6, 4, 4])[0]
        if action == "answer":
            self.answer(self.rng.randint(1, 7))
        elif action == "withdraw":
            for _ in range(self.rng.randint(1, 3)):
                self.withdraw()
        elif action in ("publish", "rebuild"):
            self.release(publish=action == "publish")
        elif action == "k":
            self.round.community.min_group_size = self.rng.choice([3, 4, 5, 6])
        elif action == "add_group":
            self.add_group()
        elif action == "repopulate":
            self.repopulate()
        elif action == "close" and self.round.status is not RoundStatus.CLOSED:
            self.round.status, self.round.closed_at = RoundStatus.CLOSED, utcnow()
            self.release(publish=False)
            assert self.released[-1].payload["respondents"] in (len(self.people), None)  # the final counts everyone
        elif action == "reword":
            self.reword()
        elif action == "reopen" and self.round.status is RoundStatus.CLOSED:
            self.round.status, self.round.closed_at = RoundStatus.OPEN, None
        db.session.commit()


def observed(release: Released, figure: tuple[str, ...]) -> list[frozenset]:
    """What a reader of the release sees of the figure, as the people behind each shown value:
    each group whose figure is shown (or known to be empty: shown without it, not hidden), and
    everyone's as the total over every group."""
    sections = {s["key"]: s for s in release.payload["sections"]}
    everyone = sections.pop("all", None)
    name = ":".join(figure)
    truth = release.truth[figure]
    seen = []
    for key, section in sections.items():
        if _shows(section, figure):
            seen.append(truth.get(key, frozenset()))
        elif figure[0] == "item" and name not in section["hidden"]:  # seen to be empty: nobody answered
            assert not truth.get(key), f"{key} shows no {name}, not hidden, yet people answered it"
        # (A criterion not hidden and not shown has no score: those behind it all said "don't
        # know", which shows nowhere. Quotes are tried group by group below.)
    if everyone is not None and figure[0] in ("item", "criterion") and name not in everyone["hidden"]:
        seen.append(frozenset().union(*truth.values()))
    return seen


def _shows(section: dict, figure: tuple[str, ...]) -> bool:
    kind, key = figure[0], figure[1]
    if kind == "criterion":
        return key in section["criteria"]
    if kind == "item":
        return key in section["items"] or key in section["choices"] or any(n["item"] == key for n in section["needs"])
    written = section["text"].get(key)
    if kind == "text":
        return written is not None and figure[2] in written["languages"]
    return written is not None and bool(written["quotes"])


@cache
def _signs(count: int) -> np.ndarray:
    return np.array(list(itertools.product((-1, 0, 1), repeat=count)), dtype=np.int64)


def fewest_isolated(observables: list[frozenset]) -> int | None:
    """The fewest people (at least one) some sum of the observables (each +1, -1 or left out)
    rests on. People seen in exactly the same observables are taken together."""
    atoms = Counter(tuple(person in seen for seen in observables) for person in frozenset().union(*observables))
    if not atoms:
        return None
    membership = np.array(list(atoms), dtype=np.int64)
    sizes = np.array(list(atoms.values()), dtype=np.int64)
    support = (_signs(len(observables)) @ membership.T != 0) @ sizes
    found = support[support > 0]
    return int(found.min()) if found.size else None


@pytest.mark.parametrize("seed", range(int(__import__("os").environ.get("ADVERSARY_SEEDS", "12"))))
def test_no_two_releases_single_anyone_out(app, seed):
    history = History(seed)
    history.release(publish=True)
    for _ in range(16):
        history.step()
    history.round.status, history.round.closed_at = RoundStatus.CLOSED, utcnow()
    history.release(publish=False)
    released = history.released
    assert len(released) >= 2
    attacks = 0
    for first, second in itertools.combinations(released, 2):
        k = min(first.payload["k"], second.payload["k"])
        for figure in figures():
            if figure[0] == "quotes":  # one person's words by their leave: only a group's change counts
                for key, now in second.truth[figure].items():
                    then = first.truth[figure].get(key, frozenset())
                    if _quotes_shown(first, key, figure) and _quotes_shown(second, key, figure):
                        assert len(now ^ then) == 0 or len(now ^ then) >= k, (figure, key)
                continue
            fewest = fewest_isolated([*observed(first, figure), *observed(second, figure)])
            attacks += 1
            assert fewest is None or fewest >= k, f"{figure}: {fewest} people (k = {k})"
    assert attacks > 0


def _quotes_shown(release: Released, key: str, figure: tuple[str, ...]) -> bool:
    section = next((s for s in release.payload["sections"] if s["key"] == key), None)
    return section is not None and ":".join(figure) not in section["hidden"]
