"""Rows of a department list, a relative's declaration or a death record whose ID number is
damaged in a way the linkage's blocking cannot see (pure: no Django).

- **The 15-digit form of a number of someone born in 2000 or later** (the century and the
  check character left off): upgraded the usual way ("19") it names a person a century older,
  so the linkage compares it as the twin pattern with a wrong birth date. Its 15-digit body is
  the registered number's: linked exactly, like an exact number.
- **One character typed over, two swapped, one dropped or one added** when the name is
  damaged too (王/玉, 鹏/鸥) and the row has no birth date (a relative's declaration): none of
  the blocking keys (the ID's first 17 characters, area + sequence, the name's pinyin, the
  birth date) is shared, so the pair was never compared. The numbers one edit away from the
  row's that are registered are its candidates, and each candidate pair is scored by the same
  linkage model with the same prior and threshold as the main pass, so the second look decides
  exactly as the model would have, had blocking compared the pair.
"""

from __future__ import annotations

import copy
from typing import Any

import polars as pl

from jiuzhu.linkage import Compare, link
from jiuzhu.linkage.comparisons import load_kinds

DIGITS = "0123456789"
HOW = "记录比对（证件号码差一位，匹配概率{}）"


def _clean(column: str = "id_number") -> pl.Expr:
    return pl.col(column).cast(pl.String).str.to_uppercase().str.replace_all(r"[\s\-]", "")


def bodies(keyed: pl.DataFrame) -> pl.DataFrame:
    """``body, person_id, born``: the 15-digit body (area, 2-digit year, month, day,
    sequence) of each registered 18-character number; a body two numbers share (born a
    century apart) decides nothing and is left out."""
    b = keyed.filter(pl.col("nid").str.len_chars() == 18).select(
        "person_id",
        body=pl.col("nid").str.slice(0, 6) + pl.col("nid").str.slice(8, 9),
        born=pl.col("nid").str.slice(6, 4),
    )
    return b.filter(pl.len().over("body") == 1)


def body_matches(rows: pl.DataFrame, registered: pl.DataFrame, row_id: str) -> pl.DataFrame:
    """Rows given a 15-digit number whose body is a registered number's: ``row_id,
    person_id, how``."""
    r = rows.filter(_clean().str.contains(r"^\d{15}$")).select(row_id, body=_clean())
    return r.join(registered, on="body", how="inner").select(
        row_id, "person_id", how=pl.format("15位号码与登记号码一致（{}年出生）", "born")
    )


def one_edit(number: str) -> set[str]:
    """The 18-character numbers one typing error away from ``number``: a character typed
    over or two adjacent ones swapped (18 characters), one dropped (17), one added (19)."""
    n = len(number)
    out: set[str] = set()
    if n == 18:
        for i in range(17):
            out.update(number[:i] + c + number[i + 1 :] for c in DIGITS if c != number[i])
        for i in range(17):
            out.add(number[:i] + number[i + 1] + number[i] + number[i + 2 :])
    elif n == 17:
        for i in range(18):
            out.update(number[:i] + c + number[i:] for c in DIGITS + ("X" if i == 17 else ""))
    elif n == 19:
        out.update(number[:i] + number[i + 1 :] for i in range(19))
    out.discard(number)
    return out


def _pair_only_settings() -> dict[str, Any]:
    """The bundled kinds, with ``exact`` made a key that blocks and weighs nothing (both
    levels m = u): comparing a candidate pair adds no evidence for or against it."""
    doc = copy.deepcopy(load_kinds())
    doc["kinds"]["exact"] = {
        "columns": ["n"],
        "levels": [
            {"label": "候选对", "exact": "n", "m": 0.5, "u": 0.5},
            {"label": "其他", "else": True, "m": 0.5, "u": 0.5},
        ],
        "keys": {"n": {"strength": "strong"}},
    }
    return doc


def second_look(
    unfound: pl.DataFrame,
    register: pl.DataFrame,
    keyed: pl.DataFrame,
    *,
    compares: list[Compare],
    threshold: float,
    prior: float,
) -> pl.DataFrame:
    """``unfound``: rows (rid ``source:row id``, name, id_number, birth_date) the linkage
    found no one for; ``register``: rid (person id), name, id_number, birth_date; ``keyed``:
    person_id, nid (one a registered number). Returns ``src, lid, person_id, how`` for the
    rows whose candidate one typing error away scores at ``threshold`` or above."""
    empty = pl.DataFrame(schema={"src": pl.String, "lid": pl.String, "person_id": pl.Int64, "how": pl.String})
    if unfound.height == 0:
        return empty
    raw = unfound.select("rid", n=_clean()).drop_nulls("n")
    variants = [(rid, v) for rid, n in raw.iter_rows() for v in one_edit(n)]
    if not variants:
        return empty
    cand = (
        pl.DataFrame(variants, schema={"rid": pl.String, "nid": pl.String}, orient="row")
        .join(keyed.select("nid", "person_id"), on="nid", how="inner")
        .select("rid", "person_id")
        .unique()
    )
    if cand.height == 0:
        return empty
    left = unfound.join(cand, on="rid").select(
        pl.format("{}#{}", "rid", "person_id").alias("rid"),
        "name",
        "id_number",
        "birth_date",
        pl.col("person_id").cast(pl.String).alias("pair"),
    )
    right = register.join(
        cand.select(pl.col("person_id").cast(pl.String).alias("rid")).unique(), on="rid", how="inner"
    ).with_columns(pair=pl.col("rid"))
    pairs = link(
        left,
        right,
        id_col="rid",
        compares=[*compares, Compare("pair", "exact")],
        threshold=threshold,
        progress=False,
        prior=prior,
        train=False,
        settings=_pair_only_settings(),
    )
    if pairs.height == 0:
        return empty
    return (
        pairs.with_columns(
            src_lid=pl.col("id_l").str.split_exact("#", 1).struct.field("field_0"),
            cand=pl.col("id_l").str.split_exact("#", 1).struct.field("field_1"),
        )
        .filter(pl.col("cand") == pl.col("id_r").cast(pl.String))
        .with_columns(
            src=pl.col("src_lid").str.split_exact(":", 1).struct.field("field_0"),
            lid=pl.col("src_lid").str.split_exact(":", 1).struct.field("field_1"),
            person_id=pl.col("id_r").cast(pl.Int64),
        )
        .sort("match_probability", "person_id", descending=[True, False])
        .unique(["src", "lid"], keep="first", maintain_order=True)
        .select(
            "src",
            "lid",
            "person_id",
            pl.format(HOW, pl.col("match_probability").round(3)).alias("how"),
        )
    )
