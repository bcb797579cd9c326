"""The demo's loop closed: what each learning community did about last year's top needs, and
its results published to citizens (app.services.demo calls this once every report is built).

Last year's round (closed) gets three actions against the most pressing needs everyone told
it, in the statuses a real year leaves (done, under way, planned), with dated news; its results
are published with a note beside the first need. This year's round (still open) publishes its
results so far, so its public page and its report measure those needs again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.domain.report_model import EVERYONE, ReportFigures
from app.extensions import db
from app.models import ActionStatus, PartnerSector, Round, User, utcnow
from app.services import actions, report_releases, results

COORDINATOR_EMAIL = "coordinator@lakeside.example"

# An action a learning community might take for each need of the citizens' survey.
ACTION_IDEAS: dict[str, dict[str, str]] = {
    "learn_language": {"en": "Free conversation groups at the library, twice a week",
                       "he": "קבוצות שיחה בחינם בספרייה, פעמיים בשבוע",
                       "ar": "مجموعات محادثة مجانية في المكتبة، مرتين في الأسبوع",
                       "nl": "Gratis praatgroepen in de bibliotheek, twee keer per week"},
    "digital_skills": {"en": "A digital help desk: volunteers help with phones, computers and online forms",
                       "he": "עמדת עזרה דיגיטלית: מתנדבים עוזרים עם טלפונים, מחשבים וטפסים מקוונים",
                       "ar": "مكتب مساعدة رقمية: متطوعون يساعدون في الهواتف والحواسيب والنماذج الإلكترونية",
                       "nl": "Een digitaal spreekuur: vrijwilligers helpen met telefoon, computer en online formulieren"},
    "basic_skills": {"en": "A reading and numbers café for adults", "he": "בית קפה לקריאה וחשבון למבוגרים",
                     "ar": "مقهى للقراءة والحساب للكبار", "nl": "Een taal- en rekencafé voor volwassenen"},
    "work_skills": {"en": "Job skills workshops with local employers", "he": "סדנאות כישורי עבודה עם מעסיקים מקומיים",
                    "ar": "ورش مهارات العمل مع أصحاب العمل المحليين", "nl": "Workshops werkvaardigheden met lokale werkgevers"},
    "learn_with_children": {"en": "Family learning days at the community centre",
                            "he": "ימי למידה משפחתית במרכז הקהילתי", "ar": "أيام التعلم العائلي في المركز المجتمعي",
                            "nl": "Gezinsleerdagen in het buurthuis"},
    "culture_arts": {"en": "Open evenings at the local museum and theatre",
                     "he": "ערבים פתוחים במוזיאון ובתיאטרון המקומיים", "ar": "أمسيات مفتوحة في المتحف والمسرح المحليين",
                     "nl": "Open avonden in het museum en het theater"},
    "develop_talent": {"en": "A maker space open to all ages", "he": "מרחב יצירה פתוח לכל הגילים",
                       "ar": "مساحة للصنع والإبداع مفتوحة لجميع الأعمار", "nl": "Een makerspace voor alle leeftijden"},
    "places_near_home": {"en": "A learning corner in every neighbourhood community centre",
                         "he": "פינת למידה בכל מרכז קהילתי שכונתי", "ar": "ركن للتعلم في كل مركز مجتمعي في الحي",
                         "nl": "Een leerhoek in elk buurthuis"},
    "know_local_offer": {"en": "One calendar of every course near you, online and on paper",
                         "he": "לוח אחד של כל הקורסים בסביבתך, באינטרנט ועל נייר",
                         "ar": "تقويم واحد لكل الدورات القريبة منك، على الإنترنت وعلى الورق",
                         "nl": "Eén agenda van alle cursussen in de buurt, online en op papier"},
    "opinion_on_offer": {"en": "A short feedback card after every course", "he": "כרטיס משוב קצר אחרי כל קורס",
                         "ar": "بطاقة رأي قصيرة بعد كل دورة", "nl": "Een korte feedbackkaart na elke cursus"},
}
# The first need's action is done, the second under way, the third planned.
PLANS = [
    (ActionStatus.DONE, 100, "Lakeside Public Library", PartnerSector.EDUCATIONAL_INSTITUTES),
    (ActionStatus.UNDER_WAY, 60, "Adult Education Lakeside", PartnerSector.EDUCATIONAL_CENTRES),
    (ActionStatus.PLANNED, 0, "Neighbourhood community centres", PartnerSector.NGOS),
]
NEWS = {"en": "The first sessions started; 40 people came in the first month.",
        "he": "המפגשים הראשונים התחילו; 40 איש הגיעו בחודש הראשון.",
        "ar": "بدأت الجلسات الأولى؛ حضر 40 شخصًا في الشهر الأول.",
        "nl": "De eerste bijeenkomsten zijn begonnen; in de eerste maand kwamen 40 mensen."}
NOTE = {"en": "Many of you told us this. The library and the adult education college took it up first.",
        "he": "רבים מכם אמרו לנו זאת. הספרייה והמכללה למבוגרים היו הראשונות לטפל בזה.",
        "ar": "أخبرنا كثيرون منكم بهذا. كانت المكتبة وكلية تعليم الكبار أول من تولّى الأمر.",
        "nl": "Velen van u vertelden ons dit. De bibliotheek en de volwassenenschool pakten het als eerste op."}


def close_the_loop(pairs: list[tuple[Round, Round]]) -> None:
    """For each (this year's round, last year's round): actions against last year's top needs,
    and both rounds' results published. Every report has been built and released before."""
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    now = utcnow()
    for current, earlier in pairs:
        release = report_releases.latest_release(earlier.id)
        if release is None:
            continue
        top = _top_needs(release.figures)
        for (need, group), (status, progress, carried_by, sector) in zip(top, PLANS, strict=False):
            action = actions.create(earlier, actions.ActionSpec(
                title=ACTION_IDEAS.get(need, {"en": f"Action on {need}"}), needs=[need],
                groups=[group] if group != EVERYONE else [], carried_by=carried_by, sector=sector,
                status=status, progress=progress), actor_id=coordinator.id if coordinator else None)
            if status is not ActionStatus.PLANNED:
                actions.add_update(action, (now - timedelta(days=200)).date(), NEWS,
                                   actor_id=coordinator.id if coordinator else None)
        if coordinator is None:
            continue
        notes = {top[0][0]: NOTE} if top else {}  # last year's first need, with what came of it
        results.publish(earlier, coordinator, results.ResultsChoices(notes=notes), now)
        if report_releases.latest_release(current.id) is not None:
            results.publish(current, coordinator, results.ResultsChoices(), now)


def _top_needs(figures: ReportFigures) -> list[tuple[str, str]]:
    """Everyone's three most pressing needs; the second one aimed at the group that feels it
    most (the largest gap among the shown groups), the others at everyone."""
    everyone = figures.everyone
    if everyone is None:
        return []
    chosen = [(need.item, EVERYONE) for need in everyone.needs[:3]]
    if len(chosen) >= 2:
        need = chosen[1][0]
        gaps = [(n.gap, s.key) for s in figures.group_sections() if (n := s.need(need)) is not None]
        if gaps:
            chosen[1] = (need, max(gaps)[1])
    return chosen
