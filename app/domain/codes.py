"""Codes a respondent keeps: to resume on another device, to withdraw answers later.

Short enough to copy from a phone screen, with no letters that look alike (0/O, 1/I/L), and
stored only as a keyed hash (HMAC-SHA-256): without the key, which is not in the database, a
copy of the database cannot be searched for the codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols, nothing that looks alike
CODE_LENGTH = 10  # about 50 bits


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return _formatted(raw)


def derived_code(key: bytes, purpose: str, seed: str) -> str:
    """A code worked out from a secret seed with the key: the same seed gives the same code,
    so that five taps on Send at once all show the one receipt that works. Without the key,
    nothing in the database gives it."""
    number = int.from_bytes(hmac.new(key, f"{purpose}:{seed}".encode(), hashlib.sha256).digest(), "big")
    raw = ""
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        raw += ALPHABET[digit]
    return _formatted(raw)


def _formatted(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def normalise(typed: str) -> str:
    """What a person typed, as the code: case, spaces and dashes do not matter."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def hash_code(typed: str, key: bytes) -> str:
    return hmac.new(key, normalise(typed).encode(), hashlib.sha256).hexdigest()


def looks_like_a_code(typed: str) -> bool:
    return len(normalise(typed)) == CODE_LENGTH
