"""Facts that cannot be true on the evaluation date (DOMAIN §3 "Rulings": refused as input
errors, never evaluated). Each check is declared once — a stable code, the field it points at,
a message, and a predicate over epoch-day integers — and serves both paths:

- one household (``refuse_impossible``, called by ``rules.evaluate`` / ``Household``): the
  first impossible fact raises ``InvalidFacts(field=..., code=...)``;
- the batch path (``batch.evaluate_batch``): the same predicates over arrays mark the
  household refused (``refused_code``, ``refused_field``; every service not eligible), so one
  bad record never stops a run over a million households.

Values a fact can never take on any date (negative money, an age outside 0–130, a disability
grade without a kind) are refused where the facts are built (``facts``). Pure: no Django import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from ..facts import HouseholdFacts, InvalidFacts

NEVER = -(10**9)  # epoch day of an unknown date: never after anything
EPOCH = date(1970, 1, 1)


def epoch_day(d: date | None) -> int:
    return NEVER if d is None else (d - EPOCH).days


@dataclass(frozen=True)
class Impossible:
    """``test(x, as_of)`` is True where the fact is impossible; ``x`` has epoch-day columns
    (ints for one member or household, arrays for the batch). ``field`` is formatted with
    ``i`` (the member's index) for a member check."""

    code: str
    field: str
    member: bool
    message: str
    test: Callable[[Any, int], Any]


MEMBER_CHECKS = (
    Impossible(
        "born_after_as_of",
        "members[{i}].birth_date",
        True,
        "第 {n} 名成员的出生日期 {value} 晚于测算日期 {as_of}，请核实后再测算",
        lambda x, as_of: x.birth > as_of,
    ),
)
HOUSEHOLD_CHECKS = (
    Impossible(
        "income_rose_after_as_of",
        "dibao_status.income_rose_on",
        False,
        "收入增加日期 {value} 晚于测算日期 {as_of}，请核实后再测算",
        lambda x, as_of: x.income_rose > as_of,
    ),
    Impossible(
        "same_cause_after_as_of",
        "temporary.last_same_cause_on",
        False,
        "上次同一事由救助日期 {value} 晚于测算日期 {as_of}，请核实后再测算",
        lambda x, as_of: x.last_same_cause > as_of,
    ),
)


class _OneMember:
    def __init__(self, m):
        self.birth = epoch_day(m.birth_date)
        self.value = m.birth_date


class _OneHousehold:
    def __init__(self, f: HouseholdFacts):
        self.income_rose = epoch_day(f.dibao_status.income_rose_on)
        self.last_same_cause = epoch_day(f.temporary.last_same_cause_on if f.temporary else None)
        self.values = {
            "income_rose_after_as_of": f.dibao_status.income_rose_on,
            "same_cause_after_as_of": f.temporary.last_same_cause_on if f.temporary else None,
        }


def refuse_impossible(facts: HouseholdFacts, as_of: date) -> None:
    """Raise ``InvalidFacts`` (422, with the field and a stable code) for the first fact of
    ``facts`` that cannot be true on ``as_of``."""
    day = epoch_day(as_of)
    for i, m in enumerate(facts.members):
        x = _OneMember(m)
        for c in MEMBER_CHECKS:
            if bool(c.test(x, day)):
                raise InvalidFacts(
                    c.message.format(n=i + 1, value=x.value, as_of=as_of),
                    field=c.field.format(i=i),
                    code=c.code,
                )
    h = _OneHousehold(facts)
    for c in HOUSEHOLD_CHECKS:
        if bool(c.test(h, day)):
            raise InvalidFacts(
                c.message.format(value=h.values[c.code], as_of=as_of), field=c.field, code=c.code
            )


# --- the batch path ---------------------------------------------------------------------------


def _days(s) -> np.ndarray:
    """Epoch days of a polars Date series, ``NEVER`` where null."""
    return s.to_physical().cast(pl.Int64).fill_null(NEVER).to_numpy()


class _Columns:
    def __init__(self, **cols):
        self.__dict__.update(cols)


def refused(b) -> tuple[np.ndarray, np.ndarray]:
    """(code, field) per household of the batch ``b`` (``batch._Batch``): object arrays, None
    where nothing is impossible; the first check in declaration order wins, members first."""
    day = epoch_day(b.as_of)
    code = np.full(b.H, None, dtype=object)
    field = np.full(b.H, None, dtype=object)
    if b.H == 0:
        return code, field
    ps = b.ps
    index = ps.select(idx=pl.int_range(pl.len()).over("hh_id"))["idx"].to_numpy()
    xp = _Columns(birth=_days(ps["birth_date"]))
    for c in MEMBER_CHECKS:
        bad = np.asarray(c.test(xp, day), dtype=bool)
        if not bad.any():
            continue
        # the first offending member of each household (persons are in member order)
        for p in np.flatnonzero(bad)[::-1]:
            h = b.hidx[p]
            if code[h] is None or code[h] == c.code:
                code[h], field[h] = c.code, c.field.format(i=int(index[p]))
    h = b.h
    xh = _Columns(income_rose=_days(h["income_rose_on"]), last_same_cause=_days(h["temp_last_on"]))
    for c in HOUSEHOLD_CHECKS:
        bad = np.asarray(c.test(xh, day), dtype=bool) & np.array([v is None for v in code], dtype=bool)
        code[bad], field[bad] = c.code, c.field
    return code, field
