"""QR codes of the app's public addresses (a round's short links, its results page), as the
posters and downloads print them."""

from __future__ import annotations

import segno
from flask_babel import gettext as _
from markupsafe import Markup

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_code(url: str) -> segno.QRCode:
    # Never a Micro QR code (phone cameras do not read them); level M survives a crease or
    # a smudge, and segno raises it when that costs no extra size.
    return segno.make_qr(url, error="m")


def qr_svg_inline(url: str) -> Markup:
    """The code as inline SVG that scales to its box, labelled for screen readers."""
    svg = qr_code(url).svg_inline(border=QUIET_ZONE, dark="#000", light="#fff", omitsize=True,
                                  svgclass="qr-code", lineclass=None)
    label = _("QR code for %(url)s", url=url)
    return Markup('<span class="qr" role="img" aria-label="{0}">{1}</span>').format(label, Markup(svg))
