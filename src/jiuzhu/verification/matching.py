"""Matching household members to source records, set-based (pure: polars + ``jiuzhu.linkage``;
no Django). The same function serves one household's request, the re-verification of every
recipient and the benchmark:

1. **exact**: a record whose ID number is a valid 18-digit number equal to a member's;
2. **fuzzy**: records whose number is missing, malformed, 15-digit or has a wrong check
   character go to Splink through ``jiuzhu.linkage.link`` (preset ``person``: name with
   pinyin homophones, ID with transpositions and the 15-digit form, birth date, gender,
   phone, address), on DuckDB or Spark. A record is at most one person's: its most
   probable one.

Thresholds come from a versioned data file (``settings/matching.v1.yaml``): pairs at or
above ``accept_threshold`` are certain; between ``review_threshold`` and it, an officer
decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from .keys import id_columns

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"
MATCHING_FILE = SETTINGS_DIR / "matching.v2.yaml"
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
    uncertain_name_levels: tuple[str, ...] = ()
    agreeing_name_levels: tuple[str, ...] = ()
    accepting_id_levels: tuple[str, ...] = ()
    rejecting_id_levels: tuple[str, ...] = ()
    twin_id_levels: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "preset": self.preset,
            "review_threshold": self.review_threshold,
            "accept_threshold": self.accept_threshold,
            "train": self.train,
            "term_frequencies": self.term_frequencies,
            "population": self.population,
            "uncertain_name_levels": list(self.uncertain_name_levels),
            "agreeing_name_levels": list(self.agreeing_name_levels),
            "accepting_id_levels": list(self.accepting_id_levels),
            "rejecting_id_levels": list(self.rejecting_id_levels),
            "twin_id_levels": list(self.twin_id_levels),
            "file": Path(self.path).name,
        }


def load_settings(path: str | Path = MATCHING_FILE) -> MatchSettings:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    review, accept = float(doc["review_threshold"]), float(doc["accept_threshold"])
    if not 0 < review <= accept <= 1:
        raise ValueError(f"{path}: need 0 < review_threshold ≤ accept_threshold ≤ 1")
    return MatchSettings(
        version=int(doc["version"]),
        preset=str(doc.get("preset", "person")),
        review_threshold=review,
        accept_threshold=accept,
        train=doc.get("train", False),
        path=str(path),
        term_frequencies=bool(doc.get("term_frequencies", False)),
        population=int(doc.get("population") or 1),
        uncertain_name_levels=tuple(doc.get("uncertain_name_levels") or ()),
        agreeing_name_levels=tuple(doc.get("agreeing_name_levels") or ()),
        accepting_id_levels=tuple(doc.get("accepting_id_levels") or ()),
        rejecting_id_levels=tuple(doc.get("rejecting_id_levels") or ()),
        twin_id_levels=tuple(doc.get("twin_id_levels") or ()),
    )


@cache
def settings() -> MatchSettings:
    return load_settings()


@cache
def _kinds(term_frequencies: bool) -> dict | None:
    """jiuzhu.linkage's comparison settings, with the names' term-frequency adjustment off
    unless asked for (None: the bundled settings as they are)."""
    if term_frequencies:
        return None
    import copy

    from jiuzhu.linkage.comparisons import load_kinds

    doc = copy.deepcopy(load_kinds())
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
    from jiuzhu.linkage import link

    if "id_upgraded" in persons.columns:
        # a member registered from an old 15-digit card is compared in that form: its check
        # character was computed, so a typo in it cannot be told (jiuzhu.linkage: no veto)
        old = pl.col("id_upgraded").fill_null(False) & (pl.col("id_number").str.len_chars() == 18)
        persons = persons.with_columns(
            id_number=pl.when(old)
            .then(pl.col("id_number").str.slice(0, 6) + pl.col("id_number").str.slice(8, 9))
            .otherwise(pl.col("id_number"))
        )
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
        settings=_kinds(config.term_frequencies),
        progress=progress,
        train=config.train,
        detail=True,
    )
    if pairs.height == 0:
        return empty()
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


def decide(pairs: pl.DataFrame, config: MatchSettings | None = None) -> pl.DataFrame:
    """Add ``state``: exact pairs accepted; a fuzzy pair accepted when its probability is at
    the accept threshold, its name agrees (``agreeing_name_levels``; version 1: any level but
    ``uncertain_name_levels``) and its number is the member's or a slip of it
    (``accepting_id_levels``); the rest pending review — except pairs whose number differs
    beyond a typo (``rejecting_id_levels``) or shows the twin pattern without an agreeing name
    (``twin_id_levels``), which are someone else's and dropped."""
    config = config or settings()
    name_level = pl.col("levels").str.json_path_match("$.name")
    id_level = pl.col("levels").str.json_path_match("$.id_number")
    if config.agreeing_name_levels:
        name_ok = name_level.is_in(list(config.agreeing_name_levels)).fill_null(False)
    else:
        name_ok = name_level.is_not_null() & ~name_level.is_in(list(config.uncertain_name_levels))
    id_ok = (
        id_level.is_null() | id_level.is_in(list(config.accepting_id_levels))
        if config.accepting_id_levels
        else pl.lit(True)
    )
    fuzzy = pl.col("kind") != "exact"
    rejected = fuzzy & (
        id_level.is_in(list(config.rejecting_id_levels)).fill_null(False)
        | (id_level.is_in(list(config.twin_id_levels)).fill_null(False) & ~name_ok)
    )
    certain = (pl.col("kind") == "exact") | (
        (pl.col("probability") >= config.accept_threshold) & name_ok & id_ok
    )
    return pairs.filter(~rejected).with_columns(
        state=pl.when(certain).then(pl.lit("accepted")).otherwise(pl.lit("pending"))
    )
