"""How a moment is written for people: one style for every page, mail, poster and export.

A stored moment is UTC; people read it on their community's clocks, in their language's own
medium style ("Dec 7, 2026, 9:40 AM", "7 dec 2026 09:40", "7 בדצמ׳ 2026, 9:40"): the date
with its month named (no 12/7 against 7/12 confusion), the time to the minute, no seconds and
no zone offset. Date and time are joined by the language's own pattern (CLDR dateTimeFormats).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time

WIDTH = "medium"


def community_zone(name: str | None) -> ZoneInfo:
    """The community's time zone; UTC when it names none or one this machine does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def moment_text(moment: datetime, zone_name: str | None, locale: Locale) -> str:
    """`moment` as the community's clocks showed it, written in `locale`'s style."""
    local = moment.astimezone(community_zone(zone_name))
    joined = str(locale.datetime_formats[WIDTH]).replace("'", "")
    return (joined.replace("{0}", format_time(local, "short", locale=locale))
            .replace("{1}", format_date(local, WIDTH, locale=locale)))
