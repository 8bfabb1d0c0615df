"""Helpers for tests and fixtures (no test framework imports)."""

from __future__ import annotations

import itertools
from datetime import date

from jiuzhu.common import idnumber

_seq = itertools.count(1)


def make_id(birth: date, *, gender: str = "M", division: str = "329901", seq: int | None = None) -> str:
    """A valid 18-digit ID number for a birth date and gender (unique per call by default)."""
    n = next(_seq) if seq is None else seq
    order = (n % 499) * 2 + (1 if gender == "M" else 2)
    body = f"{division}{birth:%Y%m%d}{order:03d}"
    return body + idnumber.check_char(body)
