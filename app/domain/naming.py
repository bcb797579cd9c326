"""Keys made from names people type: community slugs, group keys, neighbourhood keys.

Answers and links refer to keys, so a key is made once, from the name first given, and is
unique within its list.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence


def slugify(text: str) -> str:
    """A key from a name: lower-case ASCII letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "item"


def free_key(name: str, taken: Collection[str]) -> str:
    """A snake_case key for `name` that is not in `taken` (a number added when it is)."""
    base = slugify(name).replace("-", "_")
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def neighbourhood_list(names: Sequence[str], language: str, existing: Sequence[Mapping] = (),
                       translations: Mapping[str, Sequence[str]] | None = None) -> list[dict]:
    """A community's neighbourhoods, as surveys offer them (`options_from: neighbourhoods`):
    one entry per name (written in `language`), keeping the key and other translations of a
    neighbourhood whose name is unchanged.

    `translations`, when given, are the names in other languages, line by line in the order of
    `names`: the n-th line names the n-th neighbourhood, and an empty line leaves it without a
    name in that language (respondents then read the name in `language`).
    """
    known = {entry["name"].get(language): entry for entry in existing}
    result: list[dict] = []
    for position, name in enumerate(names):
        entry = known.get(name)
        key = entry["key"] if entry else free_key(name, {e["key"] for e in [*existing, *result]})
        named = {**(entry["name"] if entry else {}), language: name}
        for other, lines in (translations or {}).items():
            if other == language:
                continue
            given = lines[position].strip() if position < len(lines) else ""
            if given:
                named[other] = given
            else:
                named.pop(other, None)
        result.append({"key": key, "name": named})
    return result


_YEAR_AT_END = re.compile(r"^(?P<stem>.*?)(?P<year>(?:19|20)\d\d)(?P<tail>\W*)$")
_NUMBER_AT_END = re.compile(r"^(?P<stem>.*?) \((?P<number>\d+)\)$")


def repeat_title(title: str, taken: Collection[str]) -> str:
    """The title of a round that repeats `title`, unlike any in `taken`.

    A round is usually repeated the next year, so a year at the end moves on ("Learning needs
    2026" → "Learning needs 2027"); otherwise a number follows ("Spring round (2)").
    """
    year = _YEAR_AT_END.match(title)
    if year:
        number = int(year["year"]) + 1
        while (candidate := f"{year['stem']}{number}{year['tail']}") in taken:
            number += 1
        return candidate
    numbered = _NUMBER_AT_END.match(title)
    stem, number = (numbered["stem"], int(numbered["number"]) + 1) if numbered else (title, 2)
    while (candidate := f"{stem} ({number})") in taken:
        number += 1
    return candidate
