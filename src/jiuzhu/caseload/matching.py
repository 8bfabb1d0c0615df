"""Matching a caseload file against the registry (set-based).

1. **Exact**: a file person whose ID number is a registry person's is that person. A file
   household whose code is a registry household's is that household; a household with a new
   code whose known members all live in one registry household is that household too.
2. **Fuzzy** (``jiuzhu.linkage``, Splink on DuckDB): the file's new persons against the
   registry on name (homophones, similar shapes), birth date, gender and address — not on
   the ID number, which differs by definition (two valid numbers are two people to the
   ``person`` preset). A pair at or above ``REVIEW_THRESHOLD`` is a possible duplicate an
   officer decides: the same person (not added) or a different one (added).

Exact resolution runs again inside the apply transaction, so what was added meanwhile is
matched, never doubled: a second run of the same file finds everything and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from jiuzhu.registry.models import Household, Person

REVIEW_THRESHOLD = 0.8
COMPARES = (("name", "name"), ("birth_date", "date"), ("gender", "exact"), ("address", "address"))
CHUNK = 10_000


@dataclass
class Resolution:
    households: dict[str, int] = field(default_factory=dict)  # file code -> registry household id
    persons: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # id number -> (person id, household id)
    conflicts: list[dict] = field(default_factory=list)  # member rows whose person lives elsewhere

    def household_of(self, code: str) -> int | None:
        return self.households.get(code)


def _chunks(items: list, n: int = CHUNK):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def resolve(rows: dict[str, list[dict]]) -> Resolution:
    """Exact matches of the file's households and persons (rows that passed validation)."""
    res = Resolution()
    members = [m for m in rows["members"] if m["ok"]]
    ids = [m["id_number"] for m in members]
    for part in _chunks(ids):
        for pid, number, hid in Person.objects.filter(id_number__in=part).values_list(
            "id", "id_number", "household_id"
        ):
            res.persons[number] = (pid, hid)
    codes = [h["code"] for h in rows["households"] if h["ok"]]
    for part in _chunks(codes):
        res.households.update(Household.objects.filter(code__in=part).values_list("code", "id"))
    known: dict[str, set[int]] = {}
    for m in members:
        if m["id_number"] in res.persons:
            known.setdefault(m["household"], set()).add(res.persons[m["id_number"]][1])
    for code, homes in known.items():
        if code not in res.households and len(homes) == 1:
            res.households[code] = next(iter(homes))
    codes_of: dict[int, str] = {}
    if res.households:
        for part in _chunks(sorted(set(res.households.values()))):
            codes_of.update(Household.objects.filter(pk__in=part).values_list("id", "code"))
    for m in members:
        found = res.persons.get(m["id_number"])
        target = res.households.get(m["household"])
        if found and found[1] != target:
            res.conflicts.append(
                {
                    "row": m["row"],
                    "id_number": m["id_number"],
                    "home": codes_of.get(found[1])
                    or Household.objects.filter(pk=found[1]).values_list("code", flat=True).first(),
                }
            )
    return res


def _frame(records: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        records,
        schema={
            "rid": pl.String,
            "name": pl.String,
            "birth_date": pl.String,
            "gender": pl.String,
            "address": pl.String,
        },
        orient="row",
    )


def possible_duplicates(
    rows: dict[str, list[dict]], res: Resolution, *, progress: bool = False
) -> pl.DataFrame:
    """``id_number, row, name, person_id, probability, levels`` for the file's new persons
    (in new households) that look like a registry person."""
    from jiuzhu.linkage import Compare, link

    address = {h["code"]: h["address"] for h in rows["households"] if h["ok"]}
    new = [
        (m["id_number"], m["name"], m["birth_date"].isoformat(), m["gender"], address.get(m["household"]))
        for m in rows["members"]
        if m["ok"] and m["id_number"] not in res.persons and m["household"] not in res.households
    ]
    empty = pl.DataFrame(
        schema={"id_number": pl.String, "person_id": pl.Int64, "probability": pl.Float64, "levels": pl.String}
    )
    if not new:
        return empty
    births = sorted({r[2] for r in new})
    registry = []
    for part in _chunks(births, 2000):  # only persons born on a day someone new was born
        registry += [
            (str(pk), name, b.isoformat(), g, addr)
            for pk, name, b, g, addr in Person.objects.filter(birth_date__in=part, deceased_on__isnull=True)
            .values_list("pk", "name", "birth_date", "gender", "household__address")
            .iterator(chunk_size=5000)
        ]
    if not registry:
        return empty
    pairs = link(
        _frame(new),
        _frame(registry),
        id_col="rid",
        compares=[Compare(c, k) for c, k in COMPARES],
        threshold=REVIEW_THRESHOLD,
        train=False,
        progress=progress,
        detail=True,
    )
    if pairs.height == 0:
        return empty
    level_cols = [c for c in pairs.columns if c.endswith("__level")]
    levels = pl.struct([pl.col(c).alias(c.removesuffix("__level")) for c in level_cols]).struct.json_encode()
    return (
        pairs.sort("match_probability", descending=True)
        .unique(subset="id_l", keep="first", maintain_order=True)
        .select(
            pl.col("id_l").cast(pl.String).alias("id_number"),
            pl.col("id_r").cast(pl.Int64).alias("person_id"),
            pl.col("match_probability").alias("probability"),
            levels.alias("levels"),
        )
    )
