"""Synthetic city population and data-source records with known truth, vectorised (numpy +
polars), for the benchmark and tests. Pure: no Django.

``population(n)`` makes people in households (shared surname and address); ``records(pop,
n)`` draws source records of them, ``damaged_rate`` of which have a damaged ID number —
transposed or mistyped digits (the check character then fails), a dropped digit, the old
15-digit form, a wrong check character, or none at all — often with a homophone or dropped
name character, a missing birth date, phone or address as well. ``person_id`` on a record
is the truth; ``damage`` says what was done.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pypinyin import lazy_pinyin

from jiuzhu.linkage.synth import COMMON, COMMUNITIES, DIVISIONS, GIVEN, ROADS, SURNAMES, TOWNS

from .keys import CHECK_CHARS, WEIGHTS

SOURCES6 = {  # the bench's six sources and their share of the records
    "tax": 0.25,
    "social_insurance": 0.22,
    "banks": 0.25,
    "real_estate": 0.12,
    "vehicles": 0.08,
    "business": 0.08,
}
ITEM_OF = {
    "tax": "wages",
    "social_insurance": "transfer",
    "banks": "financial",
    "real_estate": "house",
    "vehicles": "vehicle",
    "business": "business_capital",
}
ID_DAMAGE = ("transposed", "digit", "dropped", "id15", "check", "missing")


def _check_chars(bodies: np.ndarray) -> np.ndarray:
    digits = bodies.view("U1").reshape(len(bodies), 17).astype(np.int64)
    return np.array(list(CHECK_CHARS))[(digits * np.array(WEIGHTS)).sum(axis=1) % 11]


def _zipf_choice(rng, items, size, s):
    w = 1 / (np.arange(len(items)) + 1) ** s
    return np.array(list(items))[rng.choice(len(items), size=size, p=w / w.sum())]


def population(n: int, *, seed: int = 1) -> pl.DataFrame:
    """About ``n`` people in households of 1–5: person_id, household, id_number, name,
    birth_date, gender (M/F), phone, address."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4, 5], size=n // 2, p=[0.15, 0.25, 0.3, 0.2, 0.1])
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]
    hh = np.repeat(np.arange(len(sizes)), sizes)[:n]
    n = len(hh)
    surname = _zipf_choice(rng, dict.fromkeys(SURNAMES), len(sizes), 0.9)[hh]
    g1 = _zipf_choice(rng, dict.fromkeys(GIVEN), n, 0.7)
    g2 = _zipf_choice(rng, dict.fromkeys(GIVEN), n, 0.7)
    given = np.where(rng.random(n) < 0.2, g1, np.char.add(g1, g2))
    birth = np.datetime64("1935-01-01") + rng.integers(0, 365 * 88, size=n).astype("timedelta64[D]")
    gender = np.where(rng.random(n) < 0.5, "M", "F")
    division = np.array(DIVISIONS)[rng.integers(0, len(DIVISIONS), size=len(sizes))][hh]
    town = np.array(TOWNS)[rng.integers(0, len(TOWNS), size=len(sizes))][hh]
    addr = (
        pl.DataFrame(
            {
                "t": town,
                "c": np.array(COMMUNITIES)[rng.integers(0, len(COMMUNITIES), size=len(sizes))][hh],
                "r": np.array(ROADS)[rng.integers(0, len(ROADS), size=len(sizes))][hh],
                "no": rng.integers(1, 300, size=len(sizes))[hh],
                "room": rng.integers(101, 3004, size=len(sizes))[hh],
            }
        )
        .select(pl.format("{}{}社区{}路{}号{}室", "t", "c", "r", "no", "room"))
        .to_series()
    )
    df = pl.DataFrame(
        {
            "person_id": np.arange(1, n + 1, dtype=np.int64),
            "household": hh.astype(np.int64),
            "name": np.char.add(surname, given),
            "birth_date": birth,
            "gender": gender,
            "division": division,
            "phone": np.char.add("1", rng.integers(3_000_000_000, 9_999_999_999, size=n).astype(str)),
            "address": addr,
        }
    ).with_columns(pl.col("birth_date").cast(pl.Date))
    # ID numbers unique: draw the sequence again for the few that collide
    seq = rng.integers(0, 500, size=n)
    for _ in range(20):
        parity = np.where(gender == "M", 1, 0)
        body = df.select(
            pl.col("division")
            + pl.col("birth_date").dt.strftime("%Y%m%d")
            + pl.Series(seq * 2 + parity).cast(pl.String).str.zfill(3)
        ).to_series()
        dup = body.is_duplicated().to_numpy()
        if not dup.any():
            break
        seq = np.where(dup, rng.integers(0, 500, size=n), seq)
    bodies = body.to_numpy().astype("U17")
    ids = np.char.add(bodies, _check_chars(bodies))
    return (
        df.with_columns(id_number=pl.Series(ids))
        .drop("division")
        .select("person_id", "household", "id_number", "name", "birth_date", "gender", "phone", "address")
    )


def _homophones() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for c in dict.fromkeys(SURNAMES + GIVEN + COMMON):
        groups.setdefault(lazy_pinyin(c)[0], []).append(c)
    return {c: [o for o in g if o != c] for g in groups.values() for c in g if len(g) > 1}


def _damage_id(rng, number: str, kind: str) -> str:
    d = list(number)
    if kind == "transposed":
        for _ in range(30):
            i = int(rng.integers(0, 16))
            if d[i] != d[i + 1]:
                d[i], d[i + 1] = d[i + 1], d[i]
                break
    elif kind == "digit":
        i = int(rng.integers(0, 17))
        d[i] = str((int(d[i]) + int(rng.integers(1, 10))) % 10)
    elif kind == "dropped":
        del d[int(rng.integers(0, 17))]
    elif kind == "id15" and number[6:8] == "19":  # the old form existed for those born in 19xx
        return number[:6] + number[8:17]
    elif kind == "id15":
        return _damage_id(rng, number, "digit")
    elif kind == "check":
        d[17] = CHECK_CHARS[(CHECK_CHARS.index(d[17]) + int(rng.integers(1, 11))) % 11]
    elif kind == "missing":
        return ""
    out = "".join(d)
    if len(out) == 18 and _check_chars(np.array([out[:17]]))[0] == out[17]:
        # the slip happened to keep the check right: a clerk's typo that is invisible is not
        # what this generator is about; make the check fail as well
        out = out[:17] + CHECK_CHARS[(CHECK_CHARS.index(out[17]) + 1) % 11]
    return out


def records(
    pop: pl.DataFrame,
    n: int,
    *,
    damaged_rate: float = 0.02,
    seed: int = 2,
    sources: dict[str, float] | None = None,
) -> pl.DataFrame:
    """``n`` records of people of ``pop``: record_id, source, item, person_id (truth), id_raw,
    name, birth_date, gender, phone, address, amount_cents, damaged, damage."""
    rng = np.random.default_rng(seed)
    sources = sources or SOURCES6
    names, shares = list(sources), np.array(list(sources.values()))
    who = rng.integers(0, pop.height, size=n)
    src = np.array(names)[rng.choice(len(names), size=n, p=shares / shares.sum())]
    base = pop.select("person_id", "id_number", "name", "birth_date", "gender", "phone", "address")[who]
    keep = lambda p: rng.random(n) < p  # noqa: E731
    df = base.with_columns(
        record_id=pl.Series(np.arange(1, n + 1, dtype=np.int64)),
        birth_full=pl.col("birth_date"),
        source=pl.Series(src),
        birth_date=pl.when(pl.Series(keep(0.7))).then(pl.col("birth_date")),
        phone=pl.when(pl.Series(keep(0.6))).then(pl.col("phone")),
        address=pl.when(pl.Series(keep(0.5))).then(pl.col("address")),
        amount_cents=pl.Series(rng.integers(10_000, 5_000_000, size=n)),
    ).rename({"id_number": "id_raw"})
    df = df.with_columns(item=pl.col("source").replace_strict(ITEM_OF, default="financial"))
    damaged_idx = np.flatnonzero(rng.random(n) < damaged_rate)
    df = df.with_columns(damaged=pl.lit(False), damage=pl.lit(""))
    if len(damaged_idx):
        df = _apply_damage(df, damaged_idx, rng)
    return df.select(
        "record_id",
        "source",
        "item",
        "person_id",
        "id_raw",
        "name",
        "birth_date",
        "gender",
        "phone",
        "address",
        "amount_cents",
        "damaged",
        "damage",
    )


def _apply_damage(df: pl.DataFrame, idx: np.ndarray, rng) -> pl.DataFrame:
    homo = _homophones()
    part = df[idx]
    ids, names, births, phones, notes = [], [], [], [], []
    kinds = np.array(ID_DAMAGE)[
        rng.choice(len(ID_DAMAGE), size=len(idx), p=[0.22, 0.22, 0.14, 0.16, 0.14, 0.12])
    ]
    for row, kind in zip(part.iter_rows(named=True), kinds, strict=True):
        note = [kind]
        ids.append(_damage_id(rng, row["id_raw"], kind))
        name = row["name"]
        if rng.random() < 0.3:
            pos = [i for i, ch in enumerate(name) if ch in homo]
            if pos:
                i = pos[int(rng.integers(0, len(pos)))]
                alt = homo[name[i]]
                name = name[:i] + alt[int(rng.integers(0, len(alt)))] + name[i + 1 :]
                note.append("homophone")
        names.append(name)
        # a record without any number still carries the birth date (else nothing could match it)
        births.append(row["birth_full"] if kind == "missing" else row["birth_date"])
        phones.append(row["phone"] if rng.random() > 0.15 else None)
        notes.append(";".join(note))
    damaged = pl.DataFrame(
        {
            "record_id": part.get_column("record_id"),
            "id_raw": ids,
            "name": names,
            "birth_date": pl.Series(births, dtype=pl.Date),
            "phone": pl.Series(phones, dtype=pl.String),
            "damage": notes,
        }
    ).with_columns(id_raw=pl.when(pl.col("id_raw") != "").then(pl.col("id_raw")), damaged=pl.lit(True))
    return df.update(damaged, on="record_id", include_nulls=True)


def truth(records_frame: pl.DataFrame, persons: pl.DataFrame, *, damaged_only: bool = True) -> pl.DataFrame:
    """The true (person_id, record_id) pairs for the persons given."""
    df = records_frame.filter(pl.col("damaged")) if damaged_only else records_frame
    return df.join(persons.select("person_id"), on="person_id").select("person_id", "record_id")


DECOY_KINDS = ("twin", "twin_check", "twin_card", "namesake", "similar_name")


def decoys(
    members: pl.DataFrame, *, seed: int = 3, start_id: int = 10**9, taken: set[str] | None = None
) -> pl.DataFrame:
    """Records of people who are *not* the members given (``person_id`` -1), the decoys
    automatic acceptance must never attribute; ``damage`` names the kind. Per member:

    - ``twin``: the twin's own number — valid, its own check character, one sequence digit
      away (same gender) — with another given name, the same birth date, phone and address;
    - ``twin_check``: the same twin's record as a source may carry it damaged, the check
      character mistyped (so it is not valid and is scored as probably the member's);
    - ``twin_card``: the twin's old 15-digit card (members born in 19xx only);
    - ``namesake``: the same name and birth date, another city's number (old card for 19xx,
      else 18 digits with a wrong check character), no phone or address;
    - ``similar_name``: one character different, no number, another phone.

    ``taken``: the 17-digit bodies of the residents' numbers; a twin's number is never one of
    them (else the twin would be another resident)."""
    rng = np.random.default_rng(seed)
    taken = taken or set()
    rows = []
    given = list(GIVEN)

    def check(body: str) -> str:
        return _check_chars(np.array([body]))[0]

    def wrong(body: str) -> str:
        return CHECK_CHARS[(CHECK_CHARS.index(check(body)) + 1) % 11]

    for m in members.iter_rows(named=True):
        n, name = m["id_number"], m["name"]
        sound = lazy_pinyin(name[-1])[0]
        start = int(rng.integers(0, len(given)))
        # another given-name character of another sound (a homophone would be the same name)
        other = name[:-1] + next(g for g in given[start:] + given if lazy_pinyin(g)[0] != sound)
        # the twin's sequence: the same gender (parity), the nearest free one
        body = next(
            b
            for step in (2, 4, 6, 8)
            if (b := n[:16] + str((int(n[16]) + step) % 10)) not in taken and b != n[:17]
        )
        twin_valid, twin_check = body + check(body), body + wrong(body)
        far = "440305" + n[6:14] + f"{int(rng.integers(0, 1000)):03d}"
        far = far[:6] + far[8:] if n[6:8] == "19" else far + wrong(far)
        base = {
            "source": "tax",
            "item": "wages",
            "person_id": -1,
            "birth_date": m["birth_date"],
            "gender": m["gender"],
            "amount_cents": int(rng.integers(10_000, 5_000_000)),
            "damaged": False,
        }
        twin = {**base, "name": other, "phone": m["phone"], "address": m["address"]}
        rows += [
            {**twin, "id_raw": twin_valid, "damage": "twin"},
            {**twin, "id_raw": twin_check, "damage": "twin_check"},
        ]
        if n[6:8] == "19":
            rows.append({**twin, "id_raw": body[:6] + body[8:], "damage": "twin_card"})
        rows += [
            {**base, "id_raw": far, "name": name, "phone": None, "address": None, "damage": "namesake"},
            {
                **base,
                "id_raw": None,
                "name": other,
                "phone": "1" + str(int(rng.integers(3_000_000_000, 10_000_000_000))),
                "address": None,
                "damage": "similar_name",
            },
        ]
    df = pl.DataFrame(rows, infer_schema_length=None)
    return df.with_columns(
        record_id=pl.int_range(start_id, start_id + df.height, dtype=pl.Int64),
        birth_date=pl.col("birth_date").cast(pl.Date),
    )
