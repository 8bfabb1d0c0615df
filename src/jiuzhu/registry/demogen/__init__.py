"""A deterministic generator of a demo city's households, persons, incomes and assets.

Pure: no Django. ``generate(towns=..., households=N, seed=S)`` yields ``Chunk`` objects, each a
few thousand households as polars frames, so a million persons never sit in memory as Python
objects at once. The output depends only on (towns, seed, as_of, standards): households are
drawn in fixed blocks of ``BLOCK`` households, each from its own seeded numpy Generator, so
the chunk size does not change what is generated, and runs with the same seed share their
whole blocks (the first 4,096 households of a 5,000- and of a 1,000,000-household run agree).

What is realistic about it (2020 census and civil-affairs statistics, rounded):
- surnames by national frequency, given names of one or two characters by generation,
  members sharing the head's surname (children, grandchildren, the head's father);
- household sizes 1–6 (mean about 2.8), household types (single elderly, couples, three
  generations), about 20 % aged 60+, about 15 % under 15;
- ID numbers (GB 11643): the town's 6-digit county code, the birth date, a sequence whose
  parity is the gender, the ISO 7064 check character; unique over the whole run (a counter
  per county, birth date and gender, carried from block to block);
- disability (about 6 %, rising with age), serious illness (about 1.5 %), schooling by age,
  employment by age, area and household circumstances, self-care of the elderly and disabled;
- incomes by kind (wages, business, property, transfer, and the kinds that are not counted)
  and assets (savings, vehicles, houses with floor area, businesses);
- about 4 % of persons live in households whose per-capita counted income (wages, business,
  property, transfer, less 20 % of each earner's wages up to ¥300) is below the dibao
  standard, as in a real city: a household's chance of being poor rises with old age,
  disability, illness, single parenthood and rural residence, and is scaled per block so
  that the share of persons is ``POOR_TARGET``.

Money and floor areas are integers in cents (hundredths): ``*_cents`` columns.

Split (issue 15): ``tables`` (frequencies, names, schemas), ``generator`` and ``frames`` (one
block), ``chunks`` (``generate``). The names are re-exported here.
"""

from __future__ import annotations

from .chunks import _concat, generate
from .tables import (
    ASSET_SCHEMA,
    BLOCK,
    COUNTED_KINDS,
    DEMO_CODE_PREFIX,
    DIBAO_STANDARD_2026,
    DISABILITY_GRADE_WEIGHTS,
    DISABILITY_KINDS,
    DISABILITY_WEIGHTS,
    EMPLOYMENT,
    EMPLOYMENT_COST_CAP,
    EMPLOYMENT_COST_RATE,
    GIVEN_CHARS,
    HOUSEHOLD_SCHEMA,
    ILLNESSES,
    INCOME_SCHEMA,
    LABOUR,
    PERSON_SCHEMA,
    POOR_TARGET,
    RELATIONS,
    SCHOOL,
    SELF_CARE,
    SIZE_P,
    SURNAME_P,
    SURNAMES,
    Chunk,
    E,
    R,
    Town,
    _cents,
    counted_income_cents,
    towns_from_policy,
)

__all__ = [
    "BLOCK",
    "POOR_TARGET",
    "DIBAO_STANDARD_2026",
    "EMPLOYMENT_COST_RATE",
    "EMPLOYMENT_COST_CAP",
    "COUNTED_KINDS",
    "DEMO_CODE_PREFIX",
    "RELATIONS",
    "R",
    "LABOUR",
    "SELF_CARE",
    "SCHOOL",
    "EMPLOYMENT",
    "E",
    "DISABILITY_KINDS",
    "DISABILITY_WEIGHTS",
    "DISABILITY_GRADE_WEIGHTS",
    "ILLNESSES",
    "SURNAMES",
    "SURNAME_P",
    "GIVEN_CHARS",
    "Town",
    "towns_from_policy",
    "Chunk",
    "SIZE_P",
    "_cents",
    "counted_income_cents",
    "HOUSEHOLD_SCHEMA",
    "PERSON_SCHEMA",
    "INCOME_SCHEMA",
    "ASSET_SCHEMA",
    "generate",
    "_concat",
]
