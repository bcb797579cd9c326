"""The live outreach dashboard of a round of BENCH_OUTREACH_RESPONSES (100,000) responses.

A round of the citizens' survey in eight groups is answered by that many simulated people,
written with COPY (PostgreSQL only): about 70 % complete, spread over thirty days and eight
languages, the others stopped on some screen. The figure is the median server time of
GET /coordinate/rounds/<id>/dashboard through the test client, logged in as the round's
coordinator, against the minimal endpoint of the same run: its queries are GROUP BYs
whose results do not grow with the responses; only their scan does.
(`make bench` runs it, on PostgreSQL; BENCH_OUTREACH_RESPONSES=5000 for a quicker run.)
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from app.domain import answering
from app.extensions import db
from app.models import (
    AccessLink,
    Community,
    CommunityKind,
    Group,
    GroupKind,
    Membership,
    Role,
    Round,
    RoundStatus,
    Survey,
    User,
    utcnow,
)
from app.services import audit
from app.services.survey_bank import load_bank
from bench.harness import Figure, median_ms
from tests.helpers import log_in

ROOT = Path(__file__).resolve().parent.parent
OUTREACH_RESPONSES = int(os.environ.get("BENCH_OUTREACH_RESPONSES", "100000"))
COORDINATOR = ("bench-outreach@example.org", "bench-outreach-coordinator")
LANGUAGES = ["en", "he", "ar", "nl", "es", "it", "el", "hu"]
DAYS = 30


def outreach_dashboard_figure(app, floor: Figure, responses: int = OUTREACH_RESPONSES) -> Figure:
    """Median server time of the dashboard page (ms) for a round of `responses` responses.

    Call it outside an app context: each request then runs in a context of its own, with a
    fresh database session, as in a server."""
    with app.app_context():
        round_id = make_outreach_round()
        add_outreach_responses(round_id, responses, seed=11)
        print(f"# outreach: {responses} responses in one round, 8 groups")
    client = app.test_client()
    log_in(client, *COORDINATOR)
    path = f"/coordinate/rounds/{round_id}/dashboard"
    assert client.get(path).status_code == 200, path
    return Figure("outreach_dashboard", median_ms(lambda: client.get(path), repeat=15, warmup=3), "ms", floor)


def citizens_survey() -> Survey:
    query = select(Survey).where(Survey.key == "citizen_needs").order_by(Survey.version.desc()).limit(1)
    survey = db.session.scalar(query)
    if survey is None:
        load_bank(ROOT / "surveys")
        survey = db.session.scalar(query)
    return survey


def make_outreach_round() -> int:
    survey = citizens_survey()
    community = Community(slug="bench-outreach", name="Bench outreach", kind=CommunityKind.CITY,
                          languages=LANGUAGES)
    groups = [Group(key=f"group_{i}", name=f"Group {i}", kind=GroupKind.CITIZENS, position=i,
                    population=4000 * (i + 1), target_responses=3000 * (i + 1) if i % 4 else None)
              for i in range(8)]
    community.groups.extend(groups)
    survey_round = Round(community=community, survey=survey, title="Bench outreach",
                         languages=LANGUAGES[:6], status=RoundStatus.OPEN, groups=groups,
                         opens_at=utcnow() - timedelta(days=DAYS))
    survey_round.links.append(AccessLink(group=None))
    survey_round.links.extend(AccessLink(group=g) for g in groups)
    user = User(email=COORDINATOR[0], name="Bench coordinator")
    user.set_password(COORDINATOR[1])
    user.memberships.append(Membership(community=community, role=Role.COORDINATOR))
    db.session.add_all([survey_round, user])
    db.session.flush()
    for group in groups[:3]:  # some channels already used, as in a real round
        audit.record("poster_opened", community_id=community.id, round_id=survey_round.id, group_id=group.id)
    db.session.commit()
    return survey_round.id


def add_outreach_responses(round_id: int, count: int, seed: int) -> None:
    """`count` responses without answers (the dashboard reads none), through COPY."""
    rng = random.Random(seed)
    survey_round = db.session.get(Round, round_id)
    group_ids = [g.id for g in survey_round.groups] + [None]
    screens = len(answering.screens_of(survey_round.survey.parsed()))
    first_id = (db.session.scalar(select(func.max(text("id"))).select_from(text("responses"))) or 0) + 1
    now = utcnow()
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor:
        with cursor.copy("COPY responses (id, round_id, group_id, language, status, current_page, may_quote, "
                         "resume_code_hash, is_simulated, started_at, updated_at, submitted_at) FROM STDIN") as copy:
            for offset in range(count):
                response_id = first_id + offset
                started = now - timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
                complete = rng.random() < 0.7
                saved = None if complete or rng.random() < 0.2 else str(rng.randrange(screens))
                copy.write_row((
                    response_id, round_id, rng.choice(group_ids), rng.choice(LANGUAGES[:6]),
                    "complete" if complete else "in_progress", saved, rng.random() < 0.5,
                    f"outreach{response_id:056d}", True, started, started,
                    started + timedelta(minutes=8) if complete else None,
                ))
        cursor.execute("SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))")
    db.session.commit()
    db.session.execute(text("ANALYZE responses"))
    db.session.commit()
