"""Who may move a community: set what it is part of, or make it a community of its own.

A learning community sits in a city's tree: the city's admins and stakeholders read it, its
overview counts it. Moving it takes it away from one tree and gives it to another, so both
sides must agree: site admins may move any community (they alone may make one top-level, as
they alone may create one); anyone else must administer both the community it leaves and the
one it joins. Nothing may become part of itself or of a community below it.

Pure Python: the caller says which communities the person administers (directly or through a
community above) and which lie below the one that moves.
"""

from __future__ import annotations

from collections.abc import Set


class MoveRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_move(*, site_admin: bool, administers: Set[int], community: int, below: Set[int],
               old_parent: int | None, new_parent: int | None) -> None:
    """Nothing when the move may happen (or nothing moves); MoveRefused with a code otherwise:
    "into_itself" (the new parent is the community or below it), "top_level_site_admins_only"
    (only site admins make a community top-level), "not_admin_of_old_parent",
    "not_admin_of_new_parent"."""
    if new_parent == old_parent:
        return
    if new_parent is not None and (new_parent == community or new_parent in below):
        raise MoveRefused("into_itself")
    if site_admin:
        return
    if new_parent is None:
        raise MoveRefused("top_level_site_admins_only")
    if old_parent is None or old_parent not in administers:
        raise MoveRefused("not_admin_of_old_parent")
    if new_parent not in administers:
        raise MoveRefused("not_admin_of_new_parent")
