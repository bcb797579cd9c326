"""Input the database cannot take, dealt with before any view sees it.

Two kinds reach PostgreSQL as errors rather than as "nothing found": an id beyond the range of
its integer columns (`/reports/rounds/99999999999`), and a NUL character, which text columns
cannot hold (`/s/%00`). Both would be a 500 there (SQLite takes them quietly). Here an id out
of range or a NUL in the address is a 404, like any address that leads nowhere; a NUL in a query
or a form is dropped (nobody types one: it comes with pasted text), so the rest of what was typed
is kept and saved, as text answers always were.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # ids are INTEGER columns


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a whole number up to LARGEST_ID, else the route does not match."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def database_id(value: str) -> int:
    """For request.args.get(..., type=database_id): an id, or ValueError (the default is used)."""
    number = int(value)
    if not 0 <= number <= LARGEST_ID:
        raise ValueError(f"{value} is not an id")
    return number


def drop_nul_characters() -> None:
    if "\x00" in request.path:
        abort(404)
    for name in ("args", "form"):
        fields = getattr(request, name)
        if any("\x00" in key or "\x00" in value for key, value in fields.items(multi=True)):
            setattr(request, name, ImmutableMultiDict(
                (key.replace("\x00", ""), value.replace("\x00", "")) for key, value in fields.items(multi=True)))


def init_app(app: Flask) -> None:
    """Before any blueprint: routes pick their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(drop_nul_characters)
