"""Demo data: a city with two learning communities, their groups, rounds of all four shipped
surveys (one of them repeated from last year), public links, three logins and simulated
responses that differ between groups."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from app.domain.answers import encode
from app.domain.naming import neighbourhood_list
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
    Invitation,
    LinkKind,
    Membership,
    Response,
    ResponseStatus,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    Survey,
    User,
    utcnow,
)
from app.domain import survey_drafts
from app.services import demo_follow_up, report_releases, survey_authoring
from app.services.survey_bank import latest_version, load_bank

CITY_SLUG = "lakeside"
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


COORDINATION = GroupSpec(
    "coordination", GroupKind.STAKEHOLDERS, "Coordinators and partners", None, 15, 0.0,
    satisfaction=-0.1,
    texts={
        "en": ("A shared calendar of everything the partners offer.", "One contact person per partner."),
        "nl": ("Een gezamenlijke agenda van wat alle partners aanbieden.",),
    },
    translated_names={
        "he": "צוות התיאום והשותפים", "ar": "فريق التنسيق والشركاء", "nl": "Coördinatie en partners",
        "es": "Coordinación y entidades socias", "it": "Coordinamento e partner",
        "el": "Συντονισμός και εταίροι", "hu": "Koordinátorok és partnerek",
    },
)
# How each sector tends to see the partnership (organisations see it rosier than citizens do).
SECTOR_SATISFACTION = {"public_authority": 0.5, "education": 0.3, "business": -0.1, "civil_society": 0.1}
PARTNER_TEXTS = {
    "en": ("A small budget we can count on for more than one year.", "Knowing who does what in the network."),
    "nl": ("Een vaste contactpersoon bij de gemeente.",),
    "he": ("תקציב קבוע לשנתיים לפחות.",),
}
NEIGHBOURHOODS = {
    "lakeside-harbour": ["Dockside", "North Pier", "Fishermen's Row"],
    "lakeside-old-town": ["Castle Hill", "Market Square", "Riverside"],
}
# What the coordinators typed in the community's other languages: the learning communities'
# names, their neighbourhoods (line by line, as the settings page takes them), the rounds' titles.
LANGUAGE_ORDER = ("he", "ar", "nl", "es", "it", "el", "hu")
COMMUNITY_NAMES = {
    "Harbour Quarter": ("רובע הנמל", "حي الميناء", "Havenkwartier", "Barrio del Puerto", "Quartiere del Porto",
                        "Συνοικία του Λιμανιού", "Kikötőnegyed"),
    "Old Town": ("העיר העתיקה", "البلدة القديمة", "Oude Stad", "Casco Antiguo", "Città Vecchia", "Παλιά Πόλη",
                 "Óváros"),
}
NEIGHBOURHOOD_NAMES = {
    "Dockside": ("שפת הרציף", "منطقة الأرصفة", "Kadezijde", "Los Muelles", "Banchina", "Αποβάθρα", "Rakpart"),
    "North Pier": ("המזח הצפוני", "الرصيف الشمالي", "Noordpier", "Muelle Norte", "Molo Nord", "Βόρεια Προβλήτα",
                   "Északi móló"),
    "Fishermen's Row": ("שדרת הדייגים", "صف الصيادين", "Vissersrij", "Calle de los Pescadores",
                        "Via dei Pescatori", "Σειρά των Ψαράδων", "Halászsor"),
    "Castle Hill": ("גבעת המצודה", "تلة القلعة", "Kasteelheuvel", "Colina del Castillo", "Colle del Castello",
                    "Λόφος του Κάστρου", "Várdomb"),
    "Market Square": ("כיכר השוק", "ساحة السوق", "Marktplein", "Plaza del Mercado", "Piazza del Mercato",
                      "Πλατεία της Αγοράς", "Piactér"),
    "Riverside": ("גדת הנהר", "ضفة النهر", "Rivierkant", "La Ribera", "Lungofiume", "Όχθη του Ποταμού", "Folyópart"),
}
TITLE_STEMS = {
    "Learning needs": ("צורכי למידה", "احتياجات التعلّم", "Leerbehoeften", "Necesidades de aprendizaje",
                       "Bisogni di apprendimento", "Μαθησιακές ανάγκες", "Tanulási szükségletek"),
    "Partners": ("שותפים", "الشركاء", "Partners", "Socios", "Partner", "Εταίροι", "Partnerek"),
}


def in_other_languages(names: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(LANGUAGE_ORDER, names))


def title_translations(title: str) -> dict[str, str] | None:
    """"Learning needs 2026" in the other languages, its year kept."""
    stem, _, year = title.rpartition(" ")
    names = TITLE_STEMS.get(stem)
    return {language: f"{name} {year}" for language, name in in_other_languages(names).items()} if names else None
CITIZEN_SURVEY = "citizen_needs"

# The first learning community's own version of the citizens' survey, made in the editor: one
# local question, shown to those who took part in learning, translated so far into four of the
# eight languages (the translators of the others are at work), and published.
LOCAL_QUESTION = {
    "key": "learning_place", "type": "single_choice", "show_if": "took_part_last_year == 'yes'",
    "text": {"en": "Where did you learn most often?", "he": "איפה למדת הכי הרבה?",
             "ar": "أين تعلّمت في أغلب الأحيان؟", "nl": "Waar leerde je het vaakst?"},
    "options": [
        {"key": "library", "label": {"en": "The public library", "he": "הספרייה הציבורית",
                                     "ar": "المكتبة العامة", "nl": "De openbare bibliotheek"}},
        {"key": "community_centre", "label": {"en": "The community centre", "he": "המתנ״ס",
                                              "ar": "المركز المجتمعي", "nl": "Het buurthuis"}},
        {"key": "school_or_college", "label": {"en": "A school or college", "he": "בית ספר או מכללה",
                                               "ar": "مدرسة أو كلية", "nl": "Een school of hogeschool"}},
        {"key": "online", "label": {"en": "Online, at home", "he": "באינטרנט, בבית", "ar": "عبر الإنترنت، في البيت",
                                    "nl": "Online, thuis"}},
    ],
}
PARTNER_SURVEY = "partner_organisations"
# The city's own assessments, each by a named panel: the coordinating team and partner
# representatives, invited by name (their ratings are shown side by side with their names).
# (title, closed, stakeholders read it, raters)
COORDINATOR_PANELS = {
    "community_health_check": ("Health check 2026", True, False,
                               ("Amira Haddad (coordinator)", "Joost Bakker (library)", "Elena Rossi (adult education)")),
    "unesco_self_assessment": ("UNESCO self-assessment 2026", False, True,
                               ("Amira Haddad (coordinator)", "Dimitris Papadakis (council)",
                                "Noa Levi (community centre)", "Zsófia Kovács (university)")),
}
EARLIER_SHARE = 0.6  # last year's round had fewer answers
EARLIER_SATISFACTION = -0.25  # and people were less satisfied: the comparison shows a change


@dataclass
class DemoSummary:
    created: bool
    logins: list[tuple[str, str, str]]  # (role, email, password)
    links: list[tuple[str, str, str]]  # (community, group, path)
    responses: int


class DemoError(Exception):
    pass


def create_demo(surveys_dir: Path, responses: int, seed: int) -> DemoSummary:
    """Create the demo once; a second call changes nothing and reports what is there.

    Lakeside (a city) and its two learning communities: in each, this year's open citizens'
    round (`responses` simulated answers between them), last year's closed one to compare
    with, and a round of the partner organisations' survey; at the city, the coordinators'
    health check and UNESCO self-assessment. Every round has its report built; closed rounds
    have their final release, and open ones an interim release, so stakeholders read them.
    Last year's citizens' rounds have actions against their top needs, and both years' results
    are published to citizens (app.services.demo_follow_up).
    """
    existing = db.session.scalar(select(Community).where(Community.slug == CITY_SLUG))
    if existing is not None:
        return summarise(created=False, responses=0)
    surveys = demo_surveys(surveys_dir)
    rng = random.Random(seed)
    citizens_definition = surveys[CITIZEN_SURVEY].parsed()
    city = Community(slug=CITY_SLUG, name="Lakeside", kind=CommunityKind.CITY,
                     languages=ALL_LANGUAGES, default_language="en")
    db.session.add(city)
    city.groups.append(new_group(COORDINATION, 0, citizens_definition))
    current_rounds, earlier_rounds, partner_rounds = [], [], []
    for slug, name, _weight in LEARNING_COMMUNITIES:
        community = Community(
            slug=slug, name=name, name_translations=in_other_languages(COMMUNITY_NAMES[name]),
            kind=CommunityKind.NEIGHBOURHOOD, parent=city, languages=ALL_LANGUAGES, default_language="en",
            neighbourhoods=neighbourhood_list(NEIGHBOURHOODS[slug], "en", translations={
                language: [NEIGHBOURHOOD_NAMES[n][position] for n in NEIGHBOURHOODS[slug]]
                for position, language in enumerate(LANGUAGE_ORDER)}))
        db.session.add(community)
        for position, spec in enumerate(GROUPS):
            community.groups.append(new_group(spec, position, citizens_definition))
        citizens = [g for g in community.groups if g.kind is GroupKind.CITIZENS]
        sectors = [g for g in community.groups if g.kind is GroupKind.STAKEHOLDERS]
        earlier = demo_round(community, surveys[CITIZEN_SURVEY], "Learning needs 2025", citizens,
                             opened_days_ago=380, closed_days_ago=350)
        earlier_rounds.append(earlier)
        current = demo_round(community, surveys[CITIZEN_SURVEY], "Learning needs 2026", citizens,
                             opened_days_ago=14)
        current_rounds.append((current, earlier))
        partner_rounds.append(demo_round(community, surveys[PARTNER_SURVEY], "Partners 2026", sectors,
                                         opened_days_ago=21))
    coordinator_rounds = [
        (demo_panel(city, surveys[key], title, list(city.groups), closed, shared), raters)
        for key, (title, closed, shared, raters) in COORDINATOR_PANELS.items()
    ]
    add_logins([city, *(r.community for r, _ in current_rounds)])
    db.session.flush()
    demo_own_survey(current_rounds[0][0].community, surveys[CITIZEN_SURVEY])
    for current, earlier in current_rounds:
        current.previous_round_id = earlier.id

    simulate_citizens([r for r, _ in current_rounds], responses, rng)
    simulate_citizens(earlier_rounds, round(responses * EARLIER_SHARE), rng, shift=EARLIER_SATISFACTION)
    for survey_round in partner_rounds:
        simulate_round(survey_round, [(link, rng.randint(6, 9)) for link in group_links(survey_round)], rng)
    for survey_round, raters in coordinator_rounds:
        simulate_round(survey_round, [(invite(survey_round, name), 1) for name in raters], rng)
    db.session.flush()
    everything = [*(r for r, _ in current_rounds), *earlier_rounds, *partner_rounds,
                  *(r for r, _ in coordinator_rounds)]
    for survey_round in everything:  # stakeholders find reports at once, not after the first beat
        if survey_round.status is RoundStatus.OPEN:  # its coordinators published the figures so far
            report_releases.request_release(survey_round.id, None, utcnow())
        report_releases.build_and_release(survey_round.id, utcnow())
    demo_follow_up.close_the_loop(current_rounds)
    return summarise(created=True, responses=responses)


def demo_own_survey(community: Community, citizens: Survey) -> None:
    """A community's own copy of the citizens' survey with a local question, published."""
    authored = survey_authoring.create_copy(community, citizens)
    draft = survey_drafts.save_question(authored.draft, "taking_part", LOCAL_QUESTION)  # after took_part_last_year
    survey_authoring.save_draft(authored, draft)
    survey_authoring.publish(authored)


def demo_surveys(surveys_dir: Path) -> dict[str, Survey]:
    """The four surveys the demo asks, loading the bank first if it is not loaded yet."""
    keys = [CITIZEN_SURVEY, PARTNER_SURVEY, *COORDINATOR_PANELS]
    if any(latest_version(key) is None for key in keys):
        load_bank(surveys_dir)
    surveys = {key: latest_version(key) for key in keys}
    missing = [key for key, survey in surveys.items() if survey is None]
    if missing:
        raise DemoError(f"the survey bank in {surveys_dir} lacks {', '.join(missing)}")
    return surveys  # type: ignore[return-value]


def new_group(spec: GroupSpec, position: int, definition: SurveyDefinition) -> Group:
    return Group(key=spec.key, kind=spec.kind, name=spec.name, name_translations=spec.translated_names,
                 population=spec.population, target_responses=spec.target,
                 fixed_answers=fixed_answers(spec, definition), position=position)


def demo_round(community: Community, survey: Survey, title: str, groups: list[Group], opened_days_ago: int,
               closed_days_ago: int | None = None) -> Round:
    """A launched round with a public link per group and one for everyone; closed if asked."""
    now = utcnow()
    closed = closed_days_ago is not None
    survey_round = Round(
        community=community, survey=survey, title=title, title_translations=title_translations(title), groups=groups,
        languages=[lang for lang in survey.languages if lang in community.languages],
        status=RoundStatus.CLOSED if closed else RoundStatus.OPEN,
        opens_at=now - timedelta(days=opened_days_ago),
        closes_at=now - timedelta(days=closed_days_ago) if closed else now + timedelta(days=30),
        launched_at=now - timedelta(days=opened_days_ago),
        closed_at=now - timedelta(days=closed_days_ago) if closed else None,
    )
    survey_round.links.append(AccessLink(group=None))
    for group in groups:
        survey_round.links.append(AccessLink(group=group))
    db.session.add(survey_round)
    return survey_round


def demo_panel(community: Community, survey: Survey, title: str, groups: list[Group], closed: bool,
               shared: bool) -> Round:
    """A named panel's round: no public links, raters invited by name (invite)."""
    survey_round = demo_round(community, survey, title, groups, opened_days_ago=30,
                              closed_days_ago=2 if closed else None)
    survey_round.links.clear()
    survey_round.kind, survey_round.panel_shared = RoundKind.NAMED_PANEL, shared
    return survey_round


def invite(survey_round: Round, name: str) -> AccessLink:
    """A rater's personal invitation (its address erased, as after the round), and its link."""
    link = AccessLink(kind=LinkKind.INVITATION, group=survey_round.groups[0])
    survey_round.links.append(link)
    db.session.add(Invitation(round=survey_round, group=link.group, link=link, language="en", name=name,
                              contact_erased_at=utcnow()))
    db.session.flush()
    return link


def group_links(survey_round: Round) -> list[AccessLink]:
    return [link for link in survey_round.links if link.group is not None]


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


def simulate_citizens(rounds: list[Round], count: int, rng: random.Random, shift: float = 0.0) -> None:
    """`count` responses spread over the rounds' group links by community size and group share."""
    choices = [(r, link) for r in rounds for link in group_links(r)]
    weights = [community_weight(r.community.slug) * spec_for(link.group.key).share for r, link in choices]
    per_link: dict[int, int] = {}
    for _ in range(count):
        _, link = rng.choices(choices, weights=weights)[0]
        per_link[link.id] = per_link.get(link.id, 0) + 1
    for survey_round in rounds:
        simulate_round(survey_round, [(link, per_link.get(link.id, 0)) for link in group_links(survey_round)],
                       rng, shift)


def simulate_round(survey_round: Round, counts: list[tuple[AccessLink, int]], rng: random.Random,
                   shift: float = 0.0) -> None:
    """Complete responses through each link, answered as the link's group tends to answer."""
    definition = survey_round.definition()
    question_ids = {q.key: q.id for q in survey_round.survey.questions}
    question_types = {q.key: q.type for q in definition.questions}
    consent_keys = [q.key for q in definition.questions if q.role == "consent"]
    languages = [lang for lang in LANGUAGE_SHARE if lang in survey_round.languages]
    language_weights = [LANGUAGE_SHARE[lang] for lang in languages]
    window = (survey_round.closes_at if survey_round.status is RoundStatus.CLOSED else utcnow()) \
        - survey_round.opens_at
    batch: list[tuple[Response, dict[str, object]]] = []
    for link, count in counts:
        profile = demo_profile(link.group, definition, shift)
        for _ in range(count):
            language = rng.choices(languages, weights=language_weights)[0]
            answers = simulate_respondent(definition, profile, language, rng)
            submitted = survey_round.opens_at + timedelta(seconds=rng.randint(600, int(window.total_seconds())))
            batch.append((Response(
                round_id=survey_round.id, group_id=link.group_id, access_link_id=link.id, language=language,
                status=ResponseStatus.COMPLETE, is_simulated=True, submitted_at=submitted,
                started_at=submitted - timedelta(minutes=rng.randint(3, 12)),
                may_quote=any(answers.get(key) == "yes" for key in consent_keys),
            ), answers))
            if len(batch) >= 500:
                write_batch(batch, question_ids, question_types)
                batch = []
    write_batch(batch, question_ids, question_types)


def demo_profile(group: Group, definition: SurveyDefinition, shift: float) -> RespondentProfile:
    if group.key == COORDINATION.key:
        spec = COORDINATION
    elif group.kind is GroupKind.STAKEHOLDERS:
        base = spec_for(group.key)
        spec = replace(base, satisfaction=SECTOR_SATISFACTION.get(group.key, 0.0), texts=PARTNER_TEXTS)
    else:
        spec = spec_for(group.key)
    profile = profile_for(spec, definition)
    return replace(profile, satisfaction=profile.satisfaction + shift)


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
    """The logins, and the public links of this year's citizens' rounds."""
    links = []
    for slug, name, _weight in LEARNING_COMMUNITIES:
        community = db.session.scalar(select(Community).where(Community.slug == slug))
        survey_round = db.session.scalar(select(Round).where(
            Round.community_id == community.id, Round.status == RoundStatus.OPEN,
            Round.previous_round_id.is_not(None)))
        for link in sorted(survey_round.links, key=lambda link: link.id):
            links.append((name, link.group.name if link.group else "everyone", f"/s/{link.token}"))
    logins = [(role.value, email, password) for role, email, _name, password in LOGINS]
    return DemoSummary(created=created, logins=logins, links=links, responses=responses)
