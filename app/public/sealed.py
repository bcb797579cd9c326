"""Cookie values the client keeps but cannot read: a respondent's resume code, sealed.

A phone continues where it stopped because a cookie holds its resume code. Sealed (Fernet:
AES in CBC mode with an HMAC, from the `cryptography` package) with a key derived from
CODE_HASH_KEY, the cookie works as before, but neither the phone's owner, nor whoever borrows
the phone, nor a script can read the code out of it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from app.domain import codes


def _fernet() -> Fernet:
    return _fernet_for(current_app.config["CODE_HASH_KEY"])


@lru_cache(maxsize=4)  # one key per app; made once, not on every page of every respondent
def _fernet_for(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"sealed-cookie:" + secret.encode()).digest()))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def unseal(sealed: str | None) -> str | None:
    """The value, if the cookie is one we sealed. A bare code from before cookies were sealed
    is still taken, so that nobody loses their place in a survey on the day of the upgrade."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return sealed if codes.looks_like_a_code(sealed) else None
