"""A round's public links as coordinators hand them out: short links, QR codes and posters.

Only public links are shown: a personal invitation link is never printed. Opening a poster
and downloading a QR code are written to the audit log with the link's group, so that the
outreach dashboard knows which channels were used for which group.
"""

from __future__ import annotations

import io
import math

import segno
from flask import Response, abort, current_app, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from app.auth.access import require_round
from app.coordinate import bp
from app.errors import render_error
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, pick_translation, text_direction
from app.models import AccessLink, Group, LinkKind, Round
from app.qr_codes import QUIET_ZONE
from app.qr_codes import qr_code as qr_code_of
from app.qr_codes import qr_svg_inline as qr_svg_of
from app.services import audit

PNG_PIXELS = 1200  # at least: 10 cm wide at 300 dpi, sharp on an A4 poster
PNG_DPI = 300
QR_MAX_AGE = 24 * 3600  # a link's address never changes, so its image can be kept a day


# -- links and their codes ---------------------------------------------------------------------


def public_url(link: AccessLink) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/s/{link.token}"


def qr_code(link: AccessLink) -> segno.QRCode:
    return qr_code_of(public_url(link))


def qr_svg_inline(link: AccessLink) -> Markup:
    return qr_svg_of(public_url(link))


def coordinated_public_link(link_id: int) -> AccessLink:
    """A live public link of a round the current user coordinates; 404 for anything else."""
    link = db.session.get(AccessLink, link_id)
    if link is None or link.kind is not LinkKind.PUBLIC or link.revoked_at is not None:
        abort(404)
    require_round(link.round_id)
    return link


def public_links_of(survey_round: Round) -> list[AccessLink]:
    """The round's live public links: the one for everyone first, then by group order."""
    links = db.session.scalars(
        select(AccessLink)
        .outerjoin(Group, AccessLink.group_id == Group.id)
        .where(AccessLink.round_id == survey_round.id, AccessLink.kind == LinkKind.PUBLIC,
               AccessLink.revoked_at.is_(None))
        .order_by(Group.position.is_not(None), Group.position, AccessLink.id)
    )
    return list(links)


def file_stem(link: AccessLink) -> str:
    return f"qr-{link.group.key if link.group else 'everyone'}-{link.token}"


def record_use(action: str, link: AccessLink, **details: object) -> None:
    audit.record(action, community_id=link.round.community_id, user_id=current_user.id,
                 round_id=link.round_id, group_id=link.group_id, link_id=link.id, **details)
    db.session.commit()


# -- pages -------------------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/links")
@login_required
def links(round_id: int):
    survey_round = require_round(round_id)
    entries = [(link, public_url(link), qr_svg_inline(link), file_stem(link))
               for link in public_links_of(survey_round)]
    return render_template("coordinate/links.html", round=survey_round, entries=entries,
                           language_names=LANGUAGE_NAMES)


@bp.get("/links/<int:link_id>/qr.svg")
@login_required
def qr_svg(link_id: int):
    link = coordinated_public_link(link_id)
    record_use("qr_downloaded", link, format="svg")
    buffer = io.BytesIO()
    qr_code(link).save(buffer, kind="svg", scale=10, border=QUIET_ZONE, dark="#000", light="#fff",
                       title=public_url(link))
    return image_response(buffer.getvalue(), "image/svg+xml", f"{file_stem(link)}.svg")


@bp.get("/links/<int:link_id>/qr.png")
@login_required
def qr_png(link_id: int):
    link = coordinated_public_link(link_id)
    record_use("qr_downloaded", link, format="png")
    code = qr_code(link)
    modules = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=math.ceil(PNG_PIXELS / modules), border=QUIET_ZONE,
              dark="#000", light="#fff", dpi=PNG_DPI)
    return image_response(buffer.getvalue(), "image/png", f"{file_stem(link)}.png")


def image_response(body: bytes, mimetype: str, filename: str) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Private: the page behind it needs a login. The ETag lets a browser ask again cheaply.
    response.cache_control.private = True
    response.cache_control.max_age = QR_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/links/<int:link_id>/poster")
@login_required
def poster(link_id: int):
    link = coordinated_public_link(link_id)
    survey_round = link.round
    # ?language=, not ?lang=: that one would switch the coordinator's own pages too (app.i18n).
    language = request.args.get("language") or default_poster_language(survey_round)
    if language not in survey_round.languages:
        abort(language_not_offered(survey_round))
    record_use("poster_opened", link, language=language)
    definition = survey_round.survey.parsed()
    fallback = [language, survey_round.community.default_language, *definition.languages]
    # The poster speaks the language it is printed in, not the coordinator's.
    with force_locale(language):
        return render_template(
            "coordinate/poster.html", link=link, round=survey_round, language=language,
            direction=text_direction(language), url=public_url(link), qr=qr_svg_inline(link),
            title=pick_translation(dict(definition.title), fallback),
            minutes=definition.minutes,
        )


def default_poster_language(survey_round: Round) -> str:
    default = survey_round.community.default_language
    return default if default in survey_round.languages else (survey_round.languages or ["en"])[0]


def language_not_offered(survey_round: Round) -> Response:
    offered = ", ".join(LANGUAGE_NAMES.get(code, code) for code in survey_round.languages)
    return make_response(render_error(
        404, _("No poster in this language"),
        _("This round is offered in: %(languages)s. Choose one of these languages for the poster.",
          languages=offered),
    ))
