"""One record, one person: the steps after scoring that make a record's partners agree —
a record is never the same person as two people with different valid ID numbers
(:func:`exclusive`), and two records each matched to the same third record are the same
person too (:func:`through_third`). Ties between partners are decided by a total order
(:func:`tie_order`), so the same input gives the same pairs file on every run."""

from __future__ import annotations

import polars as pl

from .comparisons import Compare, col

# Probabilities are rounded to this many decimals: DuckDB sums in parallel, so the last bits
# of a trained model (and of a pair's probability) can differ between two runs on the same
# input; rounded, equal evidence gives equal probabilities and the tie order decides.
DECIMALS = 12


def tie_order(frame: pl.DataFrame, evidence: list[str], keys: list[str]) -> pl.DataFrame:
    """``frame`` in the total order that decides between partners: most probable first, then
    the stronger evidence (``evidence``: gamma columns, weightiest first; a higher level is
    stronger), then the stable record ``keys`` (ascending). The same pairs come out in the
    same order whatever the input's row order or the engine's threads."""
    present = [c for c in evidence if c in frame.columns]
    by = ["match_probability", *present, *keys]
    return frame.sort(by, descending=[True] * (1 + len(present)) + [False] * len(keys), nulls_last=True)


def record_keys(ids: pl.Series, uid: str, name: str) -> pl.DataFrame:
    """Row number → the record's own id as text (the stable key of the tie order)."""
    return pl.DataFrame({uid: pl.int_range(ids.len(), eager=True, dtype=pl.Int64), name: ids.cast(pl.String)})


def exclusive(
    raw: pl.DataFrame,
    prepared: list[pl.DataFrame],
    compares: list[Compare],
    is_link: bool,
    ids: list[pl.Series],
    evidence: list[str],
) -> pl.DataFrame:
    """One record cannot be the same person as two people whose valid ID numbers differ
    (a twin's mistyped record would otherwise join both twins): for each record keep only
    the partners whose valid ID, if any, is that of its most probable partner with a valid
    ID. Between
    equally probable partners the stronger evidence, then the partner's id, decides
    (:func:`tie_order`)."""
    id_cols = [i for i, c in enumerate(compares) if c.kind == "id"]
    if not id_cols or raw.height == 0:
        return raw
    v, k17 = col(id_cols[0], "v"), col(id_cols[0], "k17")

    def identity(frame: pl.DataFrame, uid: str, name: str) -> pl.DataFrame:
        return frame.select(pl.col("uid").alias(uid), pl.when(pl.col(v) == 1).then(pl.col(k17)).alias(name))

    gammas = [c for c in evidence if c in raw.columns]
    pairs = (
        raw.with_row_index("_row")
        .select("_row", "uid_l", "uid_r", "match_probability", *gammas)
        .join(identity(prepared[0], "uid_l", "ident_l"), on="uid_l", how="left")
        .join(identity(prepared[-1], "uid_r", "ident_r"), on="uid_r", how="left")
        .join(record_keys(ids[0], "uid_l", "key_l"), on="uid_l", how="left")
        .join(record_keys(ids[-1], "uid_r", "key_r"), on="uid_r", how="left")
    )
    sides = ("l", "r") if is_link else ("x", "x")
    common = ["_row", "match_probability", *gammas]
    long = pl.concat(
        [
            pairs.select(*common, side=pl.lit(sides[0]), me="uid_l", partner="ident_r", key="key_r"),
            pairs.select(*common, side=pl.lit(sides[1]), me="uid_r", partner="ident_l", key="key_l"),
        ]
    )
    best = (  # among the partners with a valid number (a copy of the record itself has none)
        tie_order(long.filter(pl.col("partner").is_not_null()), gammas, ["key"])
        .group_by("side", "me", maintain_order=True)
        .first()
        .select("side", "me", best="partner")
    )
    bad = long.join(best, on=["side", "me"]).filter(
        pl.col("partner").is_not_null() & pl.col("best").is_not_null() & (pl.col("partner") != pl.col("best"))
    )
    return raw.with_row_index("_row").join(bad.select("_row").unique(), on="_row", how="anti").drop("_row")


def through_third(
    raw: pl.DataFrame,
    prepared: list[pl.DataFrame],
    compares: list[Compare],
    ids: pl.Series,
    through: float,
    threshold: float,
) -> pl.DataFrame:
    """One record, one person, the other way round: two records each matched to the same
    third record with probability ≥ ``through`` are the same person, although they may share
    too little to be matched to each other (two copies of one person, each damaged in other
    fields: a homophone name and no ID against a mistyped ID and a new address). The pair
    gets the product of the two probabilities (kept when it is ≥ ``threshold``) and
    ``_via``, the third record (between several, the one giving the highest product, then
    the smallest record id). Never between two different valid ID numbers."""
    if raw.height == 0:
        return raw
    edges = raw.filter(pl.col("match_probability") >= through).select("uid_l", "uid_r", "match_probability")
    both = pl.concat(
        [
            edges.select(me=pl.col("uid_l"), other=pl.col("uid_r"), p=pl.col("match_probability")),
            edges.select(me=pl.col("uid_r"), other=pl.col("uid_l"), p=pl.col("match_probability")),
        ]
    )
    found = (
        both.join(both, on="me", suffix="_2")
        .filter(pl.col("other") < pl.col("other_2"))
        .select(
            uid_l=pl.col("other"),
            uid_r=pl.col("other_2"),
            match_probability=(pl.col("p") * pl.col("p_2")).round(DECIMALS),
            _via=pl.col("me"),
        )
        .filter(pl.col("match_probability") >= threshold)
    )
    id_cols = [i for i, c in enumerate(compares) if c.kind == "id"]
    if id_cols:  # the exclusive step already keeps a record's partners to one valid number
        v, k17 = col(id_cols[0], "v"), col(id_cols[0], "k17")
        ident = prepared[0].select("uid", ident=pl.when(pl.col(v) == 1).then(pl.col(k17)))
        found = (
            found.join(ident.rename({"uid": "uid_l", "ident": "i_l"}), on="uid_l", how="left")
            .join(ident.rename({"uid": "uid_r", "ident": "i_r"}), on="uid_r", how="left")
            .filter(pl.col("i_l").is_null() | pl.col("i_r").is_null() | (pl.col("i_l") == pl.col("i_r")))
            .drop("i_l", "i_r")
        )
    if found.height == 0:
        return raw
    found = (
        found.join(record_keys(ids, "_via", "via_key"), on="_via", how="left")
        .sort(["match_probability", "via_key"], descending=[True, False])
        .unique(["uid_l", "uid_r"], keep="first", maintain_order=True)
        .drop("via_key")
    )
    # A pair also scored directly keeps the higher of its score and the product.
    scored = raw.with_row_index("_row").select(
        "_row",
        "match_probability",
        lo=pl.min_horizontal("uid_l", "uid_r"),
        hi=pl.max_horizontal("uid_l", "uid_r"),
    )
    both_ways = found.join(scored, left_on=["uid_l", "uid_r"], right_on=["lo", "hi"], suffix="_scored")
    better = both_ways.filter(pl.col("match_probability") > pl.col("match_probability_scored"))
    raw = raw.with_row_index("_row").join(
        better.select("_row", p_through="match_probability", _via="_via"), on="_row", how="left"
    )
    raw = raw.with_columns(match_probability=pl.coalesce("p_through", "match_probability")).drop(
        "_row", "p_through"
    )
    found = found.join(both_ways.select("uid_l", "uid_r"), on=["uid_l", "uid_r"], how="anti")
    return pl.concat([raw, found], how="diagonal_relaxed")
