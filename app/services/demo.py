"""Demo data: a city with two learning communities, their groups, an open round each,
public links, three logins and simulated responses that differ between groups."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from app.domain.answers import encode
from app.domain.simulation import RespondentProfile, simulate_respondent
from app.domain.survey_format import SurveyDefinition
from app.extensions import db
from app.models import (
    AccessLink,
    Answer,
    Community,
    CommunityKind,
    Group,
    GroupKind,
    Membership,
    Response,
    ResponseStatus,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from app.services import report_build
from app.services.survey_bank import latest_version, load_bank

CITY_SLUG = "lakeside"
DEMO_SURVEY = "citizen_needs"
ALL_LANGUAGES = ["en", "he", "ar", "nl", "es", "it", "el", "hu"]
LANGUAGE_SHARE = {"en": 40, "nl": 12, "he": 10, "ar": 10, "es": 8, "it": 7, "el": 7, "hu": 6}
LOGINS = [
    (Role.ADMIN, "admin@lakeside.example", "Lakeside admin", "demo-admin-2026"),
    (Role.COORDINATOR, "coordinator@lakeside.example", "Noa Coordinator", "demo-coordinator-2026"),
    (Role.STAKEHOLDER, "stakeholder@lakeside.example", "Sam Stakeholder", "demo-stakeholder-2026"),
]
LEARNING_COMMUNITIES = [
    ("lakeside-harbour", "Harbour Quarter", 1.0),
    ("lakeside-old-town", "Old Town", 0.8),
]


@dataclass(frozen=True)
class GroupSpec:
    key: str
    kind: GroupKind
    name: str
    population: int | None
    target: int | None
    share: float  # of the simulated responses
    # Hints matched against question and option keys, so the profile survives survey edits.
    fixed_hints: dict[str, str] = field(default_factory=dict)
    gap_hints: dict[str, float] = field(default_factory=dict)
    option_hints: dict[str, float] = field(default_factory=dict)
    satisfaction: float = 0.0
    texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    translated_names: dict[str, str] = field(default_factory=dict)


GROUPS = [
    GroupSpec(
        "youth", GroupKind.CITIZENS, "Young people 16–25", 2400, 120, 0.24,
        fixed_hints={"age": "16_25"}, gap_hints={"work": 1.4, "opinion": 1.0},
        option_hints={"time": 2.5, "welcome": 1.5, "studying": 4.0}, satisfaction=0.1,
        texts={
            "en": ("An evening course on starting my own business.", "Internships with local companies."),
            "nl": ("Meer stageplekken bij bedrijven in de buurt.",),
        },
        translated_names={
            "he": "צעירים וצעירות 16–25", "ar": "الشباب من 16 إلى 25", "nl": "Jongeren 16–25",
            "es": "Jóvenes de 16 a 25", "it": "Giovani 16–25", "el": "Νέοι και νέες 16–25",
            "hu": "Fiatalok (16–25)",
        },
    ),
    GroupSpec(
        "seniors", GroupKind.CITIZENS, "Older residents 65+", 3100, 100, 0.2,
        fixed_hints={"age": "65"}, gap_hints={"digital": 1.8},
        option_hints={"health": 3.0, "distance": 2.0, "retired": 6.0}, satisfaction=0.3,
        texts={
            "en": ("Someone patient to help me with my phone.", "A computer class in the library, in the morning."),
            "el": ("Μαθήματα υπολογιστή στη βιβλιοθήκη το πρωί.",),
        },
        translated_names={
            "he": "בני ובנות 65 ומעלה", "ar": "كبار السن (65 فأكثر)", "nl": "Ouderen (65+)",
            "es": "Personas mayores de 65", "it": "Persone over 65", "el": "Άτομα 65 ετών και άνω",
            "hu": "Idősebb lakók (65+)",
        },
    ),
    GroupSpec(
        "newcomers", GroupKind.CITIZENS, "Newcomers", 900, 80, 0.18,
        gap_hints={"language": 2.0, "offer": 1.3, "know": 1.3},
        option_hints={"language": 4.0, "not_knowing": 2.5, "know": 2.5, "welcome": 2.0},
        satisfaction=-0.3,
        texts={
            "en": ("Language classes in the evening, with childcare.",),
            "ar": ("دروس لغة في المساء مع رعاية للأطفال.",),
            "he": ("שיעורי שפה בערב עם מסגרת לילדים.",),
        },
        translated_names={
            "he": "חדשים וחדשות בעיר", "ar": "القادمون الجدد", "nl": "Nieuwkomers",
            "es": "Personas recién llegadas", "it": "Persone arrivate da poco",
            "el": "Άτομα που ήρθαν πρόσφατα", "hu": "Újonnan érkezettek",
        },
    ),
    GroupSpec(
        "jobseekers", GroupKind.CITIZENS, "People looking for work", 1200, 80, 0.16,
        fixed_hints={"situation": "looking"}, gap_hints={"work": 2.0, "digital": 0.8},
        option_hints={"cost": 3.0}, satisfaction=-0.4,
        texts={
            "en": ("Free training that leads to a real job.", "Help with my CV and interviews."),
            "es": ("Formación gratuita que lleve a un trabajo.",),
        },
        translated_names={
            "he": "מחפשי ומחפשות עבודה", "ar": "الباحثون عن عمل", "nl": "Werkzoekenden",
            "es": "Personas que buscan empleo", "it": "Persone in cerca di lavoro",
            "el": "Άτομα που αναζητούν εργασία", "hu": "Álláskeresők",
        },
    ),
    GroupSpec(
        "parents", GroupKind.CITIZENS, "Parents of young children", 1800, 80, 0.22,
        gap_hints={"children": 1.6, "family": 1.6}, option_hints={"childcare": 4.0, "caring": 3.0},
        texts={
            "en": ("Activities where I can learn together with my children.",),
            "it": ("Attività dove imparare insieme ai miei figli.",),
            "hu": ("Közös tanulás a gyerekeimmel hétvégén.",),
        },
        translated_names={
            "he": "הורים לילדים צעירים", "ar": "أولياء أمور الأطفال الصغار",
            "nl": "Ouders van jonge kinderen", "es": "Familias con hijos pequeños",
            "it": "Genitori di bambini piccoli", "el": "Γονείς μικρών παιδιών",
            "hu": "Kisgyermekes szülők",
        },
    ),
    GroupSpec("public_authority", GroupKind.STAKEHOLDERS, "Public authority", None, 5, 0.0, translated_names={
            "he": "רשות ציבורית", "ar": "السلطات العامة", "nl": "Overheid",
            "es": "Administración pública", "it": "Pubblica amministrazione",
            "el": "Δημόσιοι φορείς", "hu": "Önkormányzat és közintézmények",
        }),
    GroupSpec("education", GroupKind.STAKEHOLDERS, "Education and training", None, 8, 0.0, translated_names={
            "he": "חינוך והכשרה", "ar": "التعليم والتدريب", "nl": "Onderwijs en training",
            "es": "Educación y formación", "it": "Istruzione e formazione",
            "el": "Εκπαίδευση και κατάρτιση", "hu": "Oktatás és képzés",
        }),
    GroupSpec("business", GroupKind.STAKEHOLDERS, "Business", None, 8, 0.0, translated_names={
            "he": "עסקים", "ar": "قطاع الأعمال", "nl": "Bedrijfsleven", "es": "Empresas",
            "it": "Imprese", "el": "Επιχειρήσεις", "hu": "Vállalkozások",
        }),
    GroupSpec("civil_society", GroupKind.STAKEHOLDERS, "Civil society and NGOs", None, 8, 0.0, translated_names={
            "he": "חברה אזרחית ועמותות", "ar": "المجتمع المدني والجمعيات",
            "nl": "Maatschappelijke organisaties", "es": "Sociedad civil y ONG",
            "it": "Società civile e associazioni", "el": "Κοινωνία των πολιτών και ΜΚΟ",
            "hu": "Civil szervezetek",
        }),
]


@dataclass
class DemoSummary:
    created: bool
    logins: list[tuple[str, str, str]]  # (role, email, password)
    links: list[tuple[str, str, str]]  # (community, group, path)
    responses: int


class DemoError(Exception):
    pass


def create_demo(surveys_dir: Path, responses: int, seed: int) -> DemoSummary:
    """Create the demo once; a second call changes nothing and reports what is there."""
    existing = db.session.scalar(select(Community).where(Community.slug == CITY_SLUG))
    if existing is not None:
        return summarise(created=False, responses=0)
    survey = latest_version(DEMO_SURVEY)
    if survey is None:
        load_bank(surveys_dir)
        survey = latest_version(DEMO_SURVEY)
    if survey is None:
        raise DemoError(f"the survey {DEMO_SURVEY!r} is not in {surveys_dir}")

    definition = survey.parsed()
    city = Community(slug=CITY_SLUG, name="Lakeside", kind=CommunityKind.CITY,
                     languages=ALL_LANGUAGES, default_language="en")
    db.session.add(city)
    rounds = []
    for slug, name, _weight in LEARNING_COMMUNITIES:
        community = Community(slug=slug, name=name, kind=CommunityKind.NEIGHBOURHOOD,
                              parent=city, languages=ALL_LANGUAGES, default_language="en")
        db.session.add(community)
        for position, spec in enumerate(GROUPS):
            community.groups.append(Group(key=spec.key, kind=spec.kind, name=spec.name,
                                          name_translations=spec.translated_names,
                                          population=spec.population, target_responses=spec.target,
                                          fixed_answers=fixed_answers(spec, definition),
                                          position=position))
        rounds.append(open_round(community, survey))
    add_logins([city, *(r.community for r in rounds)])
    db.session.flush()
    simulate_responses(rounds, survey.parsed(), responses, random.Random(seed))
    db.session.flush()
    for survey_round in rounds:  # stakeholders find a report at once, not after the first beat
        report_build.build_and_store(survey_round.id, utcnow())
    return summarise(created=True, responses=responses)


def open_round(community: Community, survey) -> Round:
    now = utcnow()
    citizen_groups = [g for g in community.groups if g.kind is GroupKind.CITIZENS]
    survey_round = Round(
        community=community, survey=survey, title="Learning needs 2026",
        languages=[lang for lang in survey.languages if lang in community.languages],
        status=RoundStatus.OPEN, opens_at=now - timedelta(days=14), closes_at=now + timedelta(days=30),
        groups=citizen_groups,
    )
    survey_round.links.append(AccessLink(group=None))
    for group in citizen_groups:
        survey_round.links.append(AccessLink(group=group))
    db.session.add(survey_round)
    return survey_round


def add_logins(communities: list[Community]) -> None:
    for role, email, name, password in LOGINS:
        user = User(email=email, name=name)
        user.set_password(password)
        for community in communities:
            # The coordinator runs the learning communities; the city is the admin's.
            if role is Role.COORDINATOR and community.parent is None:
                continue
            user.memberships.append(Membership(community=community, role=role))
        db.session.add(user)


def simulate_responses(
    rounds: list[Round], definition: SurveyDefinition, count: int, rng: random.Random
) -> None:
    question_ids = {q.key: q.id for q in rounds[0].survey.questions}
    question_types = {q.key: q.type for q in definition.questions}
    consent_keys = [q.key for q in definition.questions if q.role == "consent"]
    choices = [(r, link) for r in rounds for link in r.links if link.group is not None]
    weights = [
        community_weight(r.community.slug) * spec_for(link.group.key).share for r, link in choices
    ]
    languages = list(LANGUAGE_SHARE)
    profiles = {spec.key: profile_for(spec, definition) for spec in GROUPS}
    batch: list[tuple[Response, dict[str, object]]] = []
    for _ in range(count):
        survey_round, link = rng.choices(choices, weights=weights)[0]
        language = rng.choices(languages, weights=list(LANGUAGE_SHARE.values()))[0]
        answers = simulate_respondent(definition, profiles[link.group.key], language, rng)
        submitted = survey_round.opens_at + timedelta(minutes=rng.randint(10, 14 * 24 * 60))
        response = Response(
            round_id=survey_round.id, group_id=link.group_id, access_link_id=link.id,
            language=language, status=ResponseStatus.COMPLETE, is_simulated=True,
            started_at=submitted - timedelta(minutes=rng.randint(3, 12)), submitted_at=submitted,
            may_quote=any(answers.get(key) == "yes" for key in consent_keys),
        )
        batch.append((response, answers))
        if len(batch) >= 500:
            write_batch(batch, question_ids, question_types)
            batch = []
    write_batch(batch, question_ids, question_types)


def write_batch(batch, question_ids: dict[str, int], question_types: dict[str, str]) -> None:
    if not batch:
        return
    db.session.add_all(response for response, _ in batch)
    db.session.flush()
    rows = [
        {"response_id": response.id, "question_id": question_ids[key], "option": cell.option,
         "value": cell.value, "value2": cell.value2, "text": cell.text}
        for response, answers in batch
        for key, answer in answers.items()
        for cell in encode(question_types[key], answer)
    ]
    if rows:
        db.session.execute(insert(Answer), rows)


def community_weight(slug: str) -> float:
    return next(weight for s, _name, weight in LEARNING_COMMUNITIES if s == slug)


def spec_for(group_key: str) -> GroupSpec:
    return next(spec for spec in GROUPS if spec.key == group_key)


def profile_for(spec: GroupSpec, definition: SurveyDefinition) -> RespondentProfile:
    """Turn a group's hints into answers for this survey version's actual keys."""
    fixed: dict[str, object] = {}
    gaps: dict[str, float] = {}
    option_weights: dict[str, float] = {}
    for question in definition.questions:
        for hint, option_hint in spec.fixed_hints.items():
            if hint in question.key and question.type == "single_choice":
                match = next((o.key for o in question.options if option_hint in o.key), None)
                if match:
                    fixed[question.key] = match
        for hint, gap in spec.gap_hints.items():
            if hint in question.key and question.type == "importance_current":
                gaps[question.key] = max(gaps.get(question.key, 0.0), gap)
        for option in question.options:
            for hint, weight in spec.option_hints.items():
                if hint in option.key:
                    option_weights[f"{question.key}.{option.key}"] = weight
    return RespondentProfile(
        fixed=fixed, satisfaction=spec.satisfaction, needs_gap=gaps,
        option_weights=option_weights, texts=spec.texts,
    )


def fixed_answers(spec: GroupSpec, definition: SurveyDefinition) -> dict[str, str]:
    """What the group's link answers for everyone, e.g. the age band of the youth group."""
    fixed = profile_for(spec, definition).fixed
    return {key: value for key, value in fixed.items()
            if definition.question(key).role == "group"}


def summarise(created: bool, responses: int) -> DemoSummary:
    links = []
    for slug, name, _weight in LEARNING_COMMUNITIES:
        community = db.session.scalar(select(Community).where(Community.slug == slug))
        survey_round = db.session.scalar(select(Round).where(Round.community_id == community.id))
        for link in survey_round.links:
            links.append((name, link.group.name if link.group else "everyone", f"/s/{link.token}"))
    logins = [(role.value, email, password) for role, email, _name, password in LOGINS]
    return DemoSummary(created=created, logins=logins, links=links, responses=responses)
