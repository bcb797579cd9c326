"""Codes a respondent keeps: shape, randomness, normalising and hashing."""

from __future__ import annotations

import hashlib
import hmac
import re

from app.domain.codes import (
    ALPHABET,
    CODE_LENGTH,
    hash_code,
    looks_like_a_code,
    new_code,
    normalise,
)

CODE_SHAPE = re.compile(rf"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}")


def test_alphabet_has_31_distinct_symbols_without_lookalikes():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("01OIL") & set(ALPHABET)
    assert ALPHABET == ALPHABET.upper()


def test_new_code_is_two_groups_of_five_alphabet_symbols_joined_by_a_dash():
    for _ in range(50):
        assert CODE_SHAPE.fullmatch(new_code())


def test_new_code_has_code_length_symbols():
    assert len(normalise(new_code())) == CODE_LENGTH == 10


def test_new_codes_differ():
    assert len({new_code() for _ in range(100)}) == 100


def test_new_codes_use_every_symbol_of_the_alphabet():
    # 3,000 symbols drawn: a given symbol is missing with probability (30/31)**3000, about 1e-43.
    used = set("".join(normalise(new_code()) for _ in range(300)))
    assert used == set(ALPHABET)


def test_normalise_ignores_case_spaces_and_dashes():
    assert normalise(" abcde-fgh23 ") == "ABCDEFGH23"
    assert normalise("ABC DE FGH 23") == "ABCDEFGH23"
    assert normalise("abcdefgh23") == "ABCDEFGH23"


def test_normalise_drops_punctuation_and_non_ascii_characters():
    assert normalise("AB.C_D\u2013E/F\u00e9G\u05d0H\u00a023") == "ABCDEFGH23"


def test_normalise_of_a_new_code_is_the_code_without_its_dash():
    code = new_code()
    assert normalise(code) == code.replace("-", "")


KEY = b"server-side key"


def test_hash_code_is_the_hmac_sha256_of_the_normalised_code():
    expected = hmac.new(KEY, b"ABCDEFGH23", hashlib.sha256).hexdigest()
    assert hash_code("abcde-fgh23", KEY) == expected


def test_without_the_key_the_hash_cannot_be_recomputed():
    assert hash_code("ABCDE-FGH23", KEY) != hash_code("ABCDE-FGH23", b"another key")
    assert hash_code("ABCDE-FGH23", KEY) != hashlib.sha256(b"ABCDEFGH23").hexdigest()


def test_hash_code_is_the_same_however_the_code_is_typed():
    code = new_code()
    typed = f"  {code.lower().replace('-', ' ')} "
    assert hash_code(typed, KEY) == hash_code(code, KEY)


def test_hash_code_differs_for_different_codes():
    assert hash_code("ABCDE-FGH23", KEY) != hash_code("ABCDE-FGH24", KEY)


def test_hash_code_does_not_contain_the_code():
    code = new_code()
    digest = hash_code(code, KEY)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert normalise(code).lower() not in digest


def test_looks_like_a_code_accepts_a_new_code_however_it_is_typed():
    code = new_code()
    assert looks_like_a_code(code)
    assert looks_like_a_code(code.lower().replace("-", " "))


def test_looks_like_a_code_rejects_too_few_or_too_many_symbols():
    assert not looks_like_a_code("ABCDE-FGH2")
    assert not looks_like_a_code("ABCDE-FGH234")
    assert not looks_like_a_code("")
    assert not looks_like_a_code("----- -----")


def test_a_derived_code_is_the_same_for_the_same_seed_and_reads_like_any_other():
    from app.domain.codes import derived_code, looks_like_a_code

    one = derived_code(b"key", "receipt", "seed-1")
    assert one == derived_code(b"key", "receipt", "seed-1") and looks_like_a_code(one)
    assert one != derived_code(b"key", "receipt", "seed-2") != derived_code(b"other key", "receipt", "seed-1")
    assert one != derived_code(b"key", "resume", "seed-1")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", one)
