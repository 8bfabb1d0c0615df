"""``generate``: the households in fixed seeded blocks, gathered into chunks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date

import polars as pl

from .generator import _Generator
from .tables import BLOCK, DIBAO_STANDARD_2026, Chunk, Town


def generate(
    *,
    towns: Sequence[Town],
    households: int | None = None,
    persons: int | None = None,
    seed: int = 0,
    as_of: date | None = None,
    standards: dict | None = None,
    chunk_households: int = 20_000,
    city_name: str = "",
) -> Iterator[Chunk]:
    """Yield chunks of about ``chunk_households`` households until ``households`` households
    or (whole households up to) ``persons`` persons are made. ``as_of`` (default today) is the
    date ages, schooling and the 12-month income period are reckoned from; ``standards`` the
    dibao standard per area in yuan (default the demo city's 2026 values)."""
    if (households is None) == (persons is None):
        raise ValueError("give households or persons")
    gen = _Generator(
        towns=towns,
        seed=seed,
        as_of=as_of or date.today(),
        standards=standards or DIBAO_STANDARD_2026,
        city_name=city_name,
    )
    blocks_per_chunk = max(1, -(-chunk_households // BLOCK))
    made_h = made_p = 0
    pending: list[Chunk] = []
    for b in itertools.count():
        if households is not None:
            n = min(BLOCK, households - made_h)
            if n <= 0:
                break
        elif persons is not None and made_p >= persons:  # one of the two is given (above)
            break
        else:
            n = BLOCK
        chunk = gen.block(b, n, made_h)
        if persons is not None and made_p + chunk.persons.height > persons:
            chunk = _cut(chunk, persons - made_p)
            persons = made_p + chunk.persons.height  # stop after this one
        made_h += chunk.households.height
        made_p += chunk.persons.height
        pending.append(chunk)
        if len(pending) == blocks_per_chunk:
            yield _concat(pending)
            pending = []
    if pending:
        yield _concat(pending)


def _concat(chunks: list[Chunk]) -> Chunk:
    if len(chunks) == 1:
        return chunks[0]
    return Chunk(
        *(pl.concat([getattr(c, f) for c in chunks]) for f in ("households", "persons", "incomes", "assets"))
    )


def _cut(chunk: Chunk, limit: int) -> Chunk:
    """The first whole households of ``chunk`` with at most ``limit`` persons in all."""
    # Persons are grouped by household: the household of person ``limit`` is the first left out.
    stop_h = chunk.persons["household_idx"][limit] if limit > 0 else chunk.households["idx"][0]
    persons = chunk.persons.filter(pl.col("household_idx") < stop_h)
    last_person = persons["idx"].max() if persons.height else -1
    return Chunk(
        chunk.households.filter(pl.col("idx") < stop_h),
        persons,
        chunk.incomes.filter(pl.col("person_idx") <= last_person),
        chunk.assets.filter(pl.col("household_idx") < stop_h),
    )
