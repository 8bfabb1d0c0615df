"""Matching household members to source records, set-based (pure: polars + ``jiuzhu.linkage``;
no Django). The same function serves one household's request, the re-verification of every
recipient and the benchmark:

1. **exact**: a record whose ID number is a valid 18-digit number equal to a member's;
2. **fuzzy**: records whose number is missing, malformed, 15-digit or has a wrong check
   character go to Splink through ``jiuzhu.linkage.link`` (preset ``person``: name with
   pinyin homophones, ID with transpositions and the 15-digit form, birth date, gender,
   phone, address), on DuckDB or Spark. A record is at most one person's: its most
   probable one.

Settings come from a versioned data file (``settings/matching.v5.yaml``): fuzzy pairs below
``review_threshold`` are not returned; ``decide`` then puts each pair on the ladder of
``ladder.judge`` — used without review, shown to the officer, or someone else's (dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from .keys import id_columns

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"
MATCHING_FILE = SETTINGS_DIR / "matching.v5.yaml"
PERSON_COLUMNS = ("person_id", "id_number", "name", "birth_date", "gender", "phone", "address")
RECORD_COLUMNS = ("record_id", "id_raw", "name", "birth_date", "gender", "phone", "address")
LINK_COLUMNS = ("name", "id_number", "birth_date", "gender", "phone", "address")
OUTPUT_SCHEMA = {
    "person_id": pl.Int64,
    "record_id": pl.Int64,
    "kind": pl.String,
    "probability": pl.Float64,
    "levels": pl.String,
}


@dataclass(frozen=True)
class MatchSettings:
    version: int
    preset: str
    review_threshold: float
    accept_threshold: float
    train: bool | str
    path: str
    term_frequencies: bool = False
    population: int = 1
    # jiuzhu.linkage's kinds file whose labels the ladder's lists name (versions 3 and 4 of
    # these settings were written for kinds.v6.yaml and say nothing)
    kinds: str = "kinds.v6.yaml"
    # the ladder's classes of levels (version 3; see the settings file and ``judge``)
    exact_name_levels: tuple[str, ...] = ()
    variant_name_levels: tuple[str, ...] = ()
    other_name_levels: tuple[str, ...] = ()
    same_id_levels: tuple[str, ...] = ()
    slip_id_levels: tuple[str, ...] = ()
    twin_id_levels: tuple[str, ...] = ()
    missing_id_levels: tuple[str, ...] = ()
    rejecting_id_levels: tuple[str, ...] = ()
    agreeing_birth_levels: tuple[str, ...] = ()
    agreeing_contact_levels: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        out: dict = {
            "version": self.version,
            "preset": self.preset,
            "review_threshold": self.review_threshold,
            "accept_threshold": self.accept_threshold,
            "train": self.train,
            "term_frequencies": self.term_frequencies,
            "population": self.population,
            "kinds": self.kinds,
        }
        out.update({name: list(getattr(self, name)) for name in LADDER_LISTS})
        out["file"] = Path(self.path).name
        return out


LADDER_LISTS = (
    "exact_name_levels",
    "variant_name_levels",
    "other_name_levels",
    "same_id_levels",
    "slip_id_levels",
    "twin_id_levels",
    "missing_id_levels",
    "rejecting_id_levels",
    "agreeing_birth_levels",
    "agreeing_contact_levels",
)


def load_settings(path: str | Path = MATCHING_FILE) -> MatchSettings:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    review, accept = float(doc["review_threshold"]), float(doc["accept_threshold"])
    if not 0 < review <= accept <= 1:
        raise ValueError(f"{path}: need 0 < review_threshold ≤ accept_threshold ≤ 1")
    if int(doc["version"]) < 3:
        # versions 1 and 2 are kept as the record of what older reports used; their gates
        # (agreeing_name_levels …) are not this ladder's
        raise ValueError(f"{path}: matching settings before version 3 cannot be judged by this ladder")
    return MatchSettings(
        version=int(doc["version"]),
        preset=str(doc.get("preset", "person")),
        review_threshold=review,
        accept_threshold=accept,
        train=doc.get("train", False),
        path=str(path),
        term_frequencies=bool(doc.get("term_frequencies", False)),
        population=int(doc.get("population") or 1),
        kinds=str(doc.get("kinds") or "kinds.v6.yaml"),
        exact_name_levels=_levels_of(doc, "exact_name_levels"),
        variant_name_levels=_levels_of(doc, "variant_name_levels"),
        other_name_levels=_levels_of(doc, "other_name_levels"),
        same_id_levels=_levels_of(doc, "same_id_levels"),
        slip_id_levels=_levels_of(doc, "slip_id_levels"),
        twin_id_levels=_levels_of(doc, "twin_id_levels"),
        missing_id_levels=_levels_of(doc, "missing_id_levels"),
        rejecting_id_levels=_levels_of(doc, "rejecting_id_levels"),
        agreeing_birth_levels=_levels_of(doc, "agreeing_birth_levels"),
        agreeing_contact_levels=_levels_of(doc, "agreeing_contact_levels"),
    )


def _levels_of(doc: dict, name: str) -> tuple[str, ...]:
    return tuple(str(x) for x in doc.get(name) or ())


@cache
def settings() -> MatchSettings:
    return load_settings()


@cache
def _kinds(term_frequencies: bool, kinds: str) -> dict:
    """jiuzhu.linkage's comparison settings from the kinds file ``kinds`` (a name in its
    settings folder), with the names' term-frequency adjustment off unless asked for."""
    import copy

    from jiuzhu.linkage.comparisons import SETTINGS_DIR as KINDS_DIR
    from jiuzhu.linkage.comparisons import load_kinds

    doc = copy.deepcopy(load_kinds(KINDS_DIR / Path(kinds).name))
    if not term_frequencies:
        for kind in doc["kinds"].values():
            for level in kind.get("levels", []):
                level.pop("tf", None)
    return doc


def _text(frame: pl.DataFrame, names) -> pl.DataFrame:
    out = frame
    for n in names:
        if n not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(n))
        elif out.schema[n] != pl.String:
            out = out.with_columns(pl.col(n).cast(pl.String))
    return out


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=OUTPUT_SCHEMA)


def match_frames(
    persons: pl.DataFrame,
    records: pl.DataFrame,
    *,
    config: MatchSettings | None = None,
    engine: str = "duckdb",
    progress: bool = False,
) -> pl.DataFrame:
    """Pairs (person, record) with ``kind`` exact/fuzzy, ``probability`` (1.0 when exact) and
    ``levels`` (JSON: the comparison level of each field, for the reviewer), fuzzy pairs at or
    above the review threshold only.

    ``persons``: person_id (int), id_number (valid 18-digit), name, birth_date, gender (M/F),
    phone, address. ``records``: record_id (int), id_raw (as given), name, birth_date, gender,
    phone, address; ``id_key``/``id_valid`` are computed when absent.
    """
    config = config or settings()
    if persons.height == 0 or records.height == 0:
        return empty()
    if "id_valid" not in records.columns or "id_key" not in records.columns:
        records = id_columns(records)
    exact = (
        records.filter(pl.col("id_valid"))
        .select("record_id", "id_key")
        .join(
            persons.select("person_id", pl.col("id_number").cast(pl.String)),
            left_on="id_key",
            right_on="id_number",
        )
        .select(
            pl.col("person_id").cast(pl.Int64),
            pl.col("record_id").cast(pl.Int64),
            kind=pl.lit("exact"),
            probability=pl.lit(1.0),
            levels=pl.lit('{"id_number":"号码相同"}'),
        )
    )
    pool = records.filter(~pl.col("id_valid"))
    people = max(config.population, records.filter(pl.col("id_valid")).get_column("id_key").n_unique())
    fuzzy = _fuzzy(persons, pool, config, engine, progress, people) if pool.height else empty()
    return pl.concat([exact, fuzzy], how="vertical").select(
        [pl.col(c).cast(t) for c, t in OUTPUT_SCHEMA.items()]
    )


def _fuzzy(
    persons: pl.DataFrame, pool: pl.DataFrame, config: MatchSettings, engine: str, progress: bool, people: int
) -> pl.DataFrame:
    from jiuzhu.linkage import as_carded, link

    given = persons
    # a member registered from an old 15-digit card is compared in that form (no veto)
    persons = as_carded(persons)
    left = _text(persons, LINK_COLUMNS).select("person_id", *LINK_COLUMNS)
    right = _text(pool.rename({"id_raw": "id_number"}), LINK_COLUMNS).select("record_id", *LINK_COLUMNS)
    # A column nobody filled on one side compares nothing: drop it on both (Splink needs both).
    for c in LINK_COLUMNS:
        if c in ("name", "id_number"):
            continue
        if left.get_column(c).null_count() == left.height or right.get_column(c).null_count() == right.height:
            left, right = left.drop(c), right.drop(c)
    pairs = link(
        left,
        right,
        id_col="person_id",
        right_id_col="record_id",
        preset=config.preset,
        threshold=config.review_threshold,
        # One household and the whole city give one answer: the prior is 1 / the people the
        # records are about, not Splink's share derived from the inputs' sizes.
        prior=1 / people,
        engine=engine,
        settings=_kinds(config.term_frequencies, config.kinds),
        progress=progress,
        train=config.train,
        detail=True,
    )
    if pairs.height == 0:
        return empty()
    pairs = _refine(pairs, given, pool)
    level_cols = [c for c in pairs.columns if c.endswith("__level")]
    levels = (
        pl.struct([pl.col(c).alias(c.removesuffix("__level")) for c in level_cols]).struct.json_encode()
        if level_cols
        else pl.lit("{}")
    )
    return (
        pairs.sort("match_probability", "id_l", descending=[True, False])
        .unique(subset="id_r", keep="first", maintain_order=True)  # a record is one person's
        .select(
            pl.col("id_l").cast(pl.Int64).alias("person_id"),
            pl.col("id_r").cast(pl.Int64).alias("record_id"),
            kind=pl.lit("fuzzy"),
            probability=pl.col("match_probability"),
            levels=levels,
        )
    )


TWIN_18 = "顺序码错一位（双胞胎特征）"
SURNAME_ONLY = "姓氏不同，名字相同"
BIRTH_IN_NUMBER = "记录未填，号码中的出生日期相同"
# the engine's one-edit levels of an 18-digit number (kinds v7; v6 had one)
_SLIP_18 = (
    "错一位、相邻对调或缺一位（校验位相同）",
    "前17位错一位或相邻对调（校验位不同）",
    "错一位、相邻对调或缺一位",
)


def _refine(pairs: pl.DataFrame, persons: pl.DataFrame, pool: pl.DataFrame) -> pl.DataFrame:
    """Two facts the ladder needs that jiuzhu.linkage's levels do not tell, read from the
    values themselves: an 18-digit number one digit off the member's *only in the sequence
    digits* is the twins' pattern, not a typing slip (the engine's one-edit levels cover
    both; a swap of two sequence digits stays a slip: twins' numbers never look like that);
    a record without a birth date whose number carries the member's has that birth date
    confirmed by its number; and a name one character off the member's *in the surname only*
    (范鑫伟 / 繁鑫伟) is not another given name — twins share a surname — so its level is
    ``SURNAME_ONLY``, a variant for the ladder (version 4)."""
    member = persons.select(
        pl.col("person_id").cast(pl.Int64).alias("id_l"),
        pl.col("id_number").cast(pl.String).fill_null("").alias("__m"),
        pl.col("birth_date").cast(pl.String).str.replace_all("-", "").alias("__mb"),
        pl.col("name").cast(pl.String).alias("__mn"),
    )
    rec = id_columns(
        pool.select(pl.col("record_id").cast(pl.Int64), pl.col("id_raw").cast(pl.String)).join(
            pairs.select(pl.col("id_r").cast(pl.Int64).alias("record_id")).unique(), on="record_id"
        )
    ).select(
        pl.col("record_id").alias("id_r"),
        pl.col("id_raw").fill_null("").str.to_uppercase().str.replace_all(r"[\s\-]", "").alias("__r"),
        pl.col("id_birth").alias("__rb"),
    )
    names = pool.select(
        pl.col("record_id").cast(pl.Int64).alias("id_r"), pl.col("name").cast(pl.String).alias("__rn")
    )
    out = pairs.with_columns(pl.col("id_l").cast(pl.Int64), pl.col("id_r").cast(pl.Int64))
    out = out.join(member, on="id_l", how="left").join(rec, on="id_r", how="left")
    out = out.join(names, on="id_r", how="left")
    m, r = pl.col("__m"), pl.col("__r")

    def d(e: pl.Expr, i: int) -> pl.Expr:
        return e.str.slice(i, 1)

    swap = ((d(r, 14) == d(m, 15)) & (d(r, 15) == d(m, 14)) & (d(r, 16) == d(m, 16))) | (
        (d(r, 14) == d(m, 14)) & (d(r, 15) == d(m, 16)) & (d(r, 16) == d(m, 15))
    )
    sequence_only = (
        (r.str.len_chars() == 18)
        & (m.str.len_chars() == 18)
        & (r.str.slice(0, 14) == m.str.slice(0, 14))
        & (r.str.slice(14, 3) != m.str.slice(14, 3))
        & ~swap
    ).fill_null(False)
    if "id_number__level" in out.columns:
        out = out.with_columns(
            id_number__level=pl.when(pl.col("id_number__level").is_in(_SLIP_18) & sequence_only)
            .then(pl.lit(TWIN_18))
            .otherwise(pl.col("id_number__level"))
        )
    birth = pl.col("birth_date__level") if "birth_date__level" in out.columns else pl.lit(None, pl.String)
    in_number = ((pl.col("__rb") != "") & (pl.col("__rb") == pl.col("__mb"))).fill_null(False)
    out = out.with_columns(
        birth_date__level=pl.when((birth.is_null() | (birth == "缺失")) & in_number)
        .then(pl.lit(BIRTH_IN_NUMBER))
        .otherwise(birth)
    )
    if "name__level" in out.columns:
        mn, rn = pl.col("__mn").str.strip_chars(), pl.col("__rn").str.strip_chars()
        surname_only = (
            (mn.str.len_chars() == rn.str.len_chars())
            & (mn.str.len_chars() >= 2)
            & (mn.str.slice(0, 1) != rn.str.slice(0, 1))
            & (mn.str.slice(1) == rn.str.slice(1))
        ).fill_null(False)
        out = out.with_columns(
            name__level=pl.when((pl.col("name__level") == "相差一字") & surname_only)
            .then(pl.lit(SURNAME_ONLY))
            .otherwise(pl.col("name__level"))
        )
    return out.drop("__m", "__mb", "__mn", "__r", "__rb", "__rn")


def decide(pairs: pl.DataFrame, config: MatchSettings | None = None) -> pl.DataFrame:
    """Add ``state`` (accepted / pending) and ``reason`` (a key of ``ladder.REASONS``) by the
    ladder of ``ladder.judge``; pairs it finds to be someone else's are dropped. The ladder
    runs once per distinct (kind, levels, at the accept line) — a few hundred at city scale."""
    import json

    from . import ladder

    config = config or settings()
    if pairs.height == 0:
        return pairs.with_columns(state=pl.lit(None, pl.String), reason=pl.lit(None, pl.String))
    sure = (pl.col("probability") >= config.accept_threshold).alias("__sure")
    keys = pairs.select("kind", "levels", sure).unique()
    verdicts = [
        # the probability enters the ladder only as "at the accept line or not"
        ladder.judge(k, 1.0 if s else 0.0, json.loads(lv or "{}"), config)
        for k, lv, s in keys.iter_rows()
    ]
    table = keys.with_columns(
        state=pl.Series([v.state for v in verdicts], dtype=pl.String),
        reason=pl.Series([v.reason for v in verdicts], dtype=pl.String),
    )
    return (
        pairs.with_columns(sure)
        .join(table, on=["kind", "levels", "__sure"], how="left", nulls_equal=True)
        .filter(pl.col("state") != ladder.REJECTED)
        .drop("__sure")
    )
