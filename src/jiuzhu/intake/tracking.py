"""Tracking codes (查询码): 10 characters of Crockford base32 = 50 random bits, so a code
cannot be guessed (a guess also needs the last 4 characters of the ID number, and failed
look-ups are throttled). Pure: no Django import."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 10
# Characters people confuse, read the way Crockford prescribes.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """Upper case, hyphens and spaces dropped, I/L read as 1 and O as 0. Returns "" when the
    result is not a well-formed code."""
    code = "".join((raw or "").split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return ""
    return code


def display(code: str) -> str:
    """``ABCDE-FGHJK``: easier to read aloud and to copy."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code
