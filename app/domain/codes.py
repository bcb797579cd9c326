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
    return f"{raw[:5]}-{raw[5:]}"


def normalise(typed: str) -> str:
    """What a person typed, as the code: case, spaces and dashes do not matter."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def hash_code(typed: str, key: bytes) -> str:
    return hmac.new(key, normalise(typed).encode(), hashlib.sha256).hexdigest()


def looks_like_a_code(typed: str) -> bool:
    return len(normalise(typed)) == CODE_LENGTH
