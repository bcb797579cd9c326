"""Which language a page is shown in, and how its dates and times are written.

Order (as respondents expect it): an explicit `?lang=` in the URL, then the `lang` cookie it
leaves behind, then the browser's Accept-Language, then the community's default language
(set by a view through `prefer_community_language`), then the site default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from babel.lists import format_list
from jinja2 import pass_context
from markupsafe import Markup, escape

from flask import Flask, Response, current_app, g, request
from flask_babel import format_decimal, format_number, format_percent, get_locale, get_translations, gettext, pgettext
from flask_babel import lazy_gettext as _l

from app.domain.dates import moment_text
from app.extensions import babel

if TYPE_CHECKING:
    from app.models import Community

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {
    "en": "English",
    "he": "עברית",
    "ar": "العربية",
    "nl": "Nederlands",
    "es": "Español",
    "it": "Italiano",
    "el": "Ελληνικά",
    "hu": "Magyar",
}


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(remember_explicit_choice)
    app.context_processor(language_context)
    app.jinja_env.filters["translated"] = pick_translation
    app.jinja_env.filters["community_time"] = community_time
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["as_list"] = as_list
    app.jinja_env.filters["named"] = named
    app.jinja_env.globals["round_status_label"] = round_status_label
    app.jinja_env.globals["say"] = say
    app.jinja_env.globals["problem_words"] = problem_words
    app.jinja_env.globals["ngettext"] = _counting_in_page_notation(app.jinja_env.globals["ngettext"])


def problem_words(problem: Any) -> str:
    """A survey problem (a file's Problem or the editor's FieldProblem) in the page language;
    keys and values quoted from the survey stay as they are. Its `message` is the English."""
    return problem.phrase.words(gettext)


def counted(singular: str, plural: str, num: int, **variables: Any) -> Markup:
    """ngettext with its count written in the page language's notation ("2,400 people",
    "2.400 mensen"), not as Python prints it ("2400"). Markup, its variables escaped as a
    template's ngettext escapes them, so a name can come in isolated (see isolate)."""
    # Flask-Babel's ngettext takes no `num` of one's own, so choose and fill as it does.
    return escape(get_translations().ungettext(singular, plural, num)) % {"num": format_number(num), **variables}


def as_list(items: list[str]) -> Markup:
    """Items joined as the page language joins a list: "A, B and C", "A، B و C". Each item
    escaped unless it is Markup already (an isolated name), the joining words are CLDR's."""
    return Markup(format_list([escape(item) for item in items], locale=get_locale()))


def isolate(text: str) -> Markup:
    """What someone typed (a group's name, a round's title), set apart from the sentence
    around it so that each keeps its own direction: "Older residents 65+" in an Arabic
    sentence would otherwise read "+Older residents 65"."""
    return Markup("<bdi>{}</bdi>").format(text)


def _counting_in_page_notation(template_ngettext: Callable[..., str]) -> Callable[..., str]:
    """Templates' ngettext, counting as `counted` does. Wraps the one Flask-Babel installs
    (Jinja's own, which escapes the variables), so plural choice and escaping stay theirs."""
    @pass_context
    def counting(context: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
        return template_ngettext(context, singular, plural, num, **{"num": format_number(num), **variables})

    return counting


def available_languages() -> list[str]:
    return list(g.get("page_languages") or current_app.config["LANGUAGES"])


def prefer_community_language(languages: list[str], default: str) -> None:
    """Called by views that know their community: limit choices and set the fallback."""
    g.page_languages = languages
    g.community_default_language = default


def select_locale() -> str:
    languages = available_languages()
    explicit = request.args.get("lang")
    if explicit in languages:
        return explicit
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in languages:
        return remembered
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    return g.get("community_default_language") or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_explicit_choice(response: Response) -> Response:
    explicit = request.args.get("lang")
    if explicit in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE, explicit, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def community_time(moment: datetime | None, community: Community) -> str:
    """A stored (UTC) moment as the community's clocks showed it, in the page's language, in the
    one style every page uses (app.domain.dates). Flask-Babel's own datetimeformat rebases to
    one zone for the whole site (UTC): a report built at 14:05 in Jerusalem would say 12:05."""
    if moment is None:
        return ""
    return moment_text(moment, community.timezone, get_locale())


def named(thing: Any) -> str:
    """A community's or group's name, or a round's title, in the page language when it was
    given in it (the name a coordinator typed, otherwise)."""
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    if hasattr(thing, "display_title"):
        return thing.display_title(language)
    return thing.display_name(language)


def text_direction(language: str) -> str:
    return "rtl" if language in current_app.config["RTL_LANGUAGES"] else "ltr"


def language_context() -> dict[str, object]:
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return {
        "page_language": language,
        "page_direction": text_direction(language),
        "language_choices": [(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages()],
        "text_direction": text_direction,  # of a text in another language than the page's
    }


def pick_translation(texts: dict[str, str] | None, fallback_order: list[str] | None = None) -> str:
    """The text in the page language, else in the first fallback language that has it."""
    if not texts:
        return ""
    language = str(get_locale() or "")
    if language in texts:
        return texts[language]
    for candidate in fallback_order or []:
        if candidate in texts:
            return texts[candidate]
    return next(iter(texts.values()))


ROUND_STATUS_LABELS = {
    "draft": _l("draft"),
    "scheduled": _l("scheduled"),
    "open": _l("open"),
    "paused": _l("paused"),
    "closed": _l("closed"),
}


def round_status_label(status) -> str:
    return str(ROUND_STATUS_LABELS[status.value])


def say(texts: dict[str, str] | None, fallback_order: list[str] | tuple[str, ...] = ()) -> Markup:
    """Survey text in the page language. When it has to fall back to another language, the
    text carries its own lang (and dir) attribute, so screen readers pronounce it right."""
    if not texts:
        return Markup("")
    language = str(get_locale() or "")
    if language in texts:
        return escape(texts[language])
    chosen = next((code for code in fallback_order if code in texts), next(iter(texts)))
    return Markup('<span lang="{0}" dir="{1}">{2}</span>').format(
        chosen, text_direction(chosen), texts[chosen])


# -- figures in the reader's notation ---------------------------------------------------------


def joined_items(items: Iterable[str]) -> str:
    """Items that may hold commas of their own ("Learning a language, or ..."), one after the
    other: "A; B; C", with the page language's separator (Greek reads ";" as a question mark
    and separates with "·"; Arabic has its own "؛")."""
    return pgettext("between items of a list that may hold commas", "; ").join(items)


def format_decimal1(value: float | None) -> str:
    """A mean or gap on an answer scale: one decimal, in the reader's notation (3,7 in Dutch)."""
    return "—" if value is None else format_decimal(_without_negative_zero(value, 1), "0.0")


def format_score(value: float | None) -> str:
    return "—" if value is None else format_decimal(_without_negative_zero(value, 0), "0")


def format_difference(value: float | None, decimals: int = 0) -> str:
    """A difference with its sign (+6, -18), none on a difference that rounds to nothing."""
    if value is None:
        return "—"
    digits = "0" + ("." + "0" * decimals if decimals else "")
    shown = _without_negative_zero(value, decimals)
    return format_decimal(shown, f"+{digits};-{digits}" if shown else digits)


def _without_negative_zero(value: float, decimals: int) -> float:
    """The value as it will be shown: an interval from -0.04 reads "0.0", not "-0.0"."""
    return round(value, decimals) + 0.0  # -0.0 + 0.0 is 0.0


def format_share(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "0 %")
