"""Connected components of matched pairs: the groups of records that are one person."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from .comparisons import LinkageError


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Min-label propagation with pointer jumping, vectorised; returns a label per node."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        while True:  # pointer jumping: follow labels to their root
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def _series(ids: Any, name: str) -> pl.Series:
    if isinstance(ids, pl.Series):
        return ids.alias(name)
    if isinstance(ids, pl.DataFrame):
        if ids.width != 1:
            raise LinkageError(f"{name}: give one column of ids, not {ids.width}")
        return ids.to_series().alias(name)
    return pl.Series(name, list(ids))


def clusters(pairs: Any, ids: Any, right_ids: Any = None, *, threshold: float | None = None) -> pl.DataFrame:
    """Group records into clusters (connected components of the pairs).

    Args:
        pairs: ``id_l, id_r[, match_probability]`` as returned by ``dedupe``/``link`` (a
            DataFrame or a CSV/Parquet path).
        ids: every record's id (a Series, list or one-column DataFrame), so that records
            without a pair come out as clusters of one. For ``link`` results, the left ids.
        right_ids: for ``link`` results, the right ids; the output then has a ``source``
            column (``left``/``right``), since the two sides may share id values.
        threshold: use only pairs with ``match_probability`` ≥ this.

    Returns:
        ``id, cluster_id`` (``source, id, cluster_id`` for links, ids as text) in the order of ``ids``;
        ``cluster_id`` is 1, 2, … in order of each cluster's first record.
    """
    from .inputs import read_table

    edges = read_table(pairs, what="pairs")
    for c in ("id_l", "id_r"):
        if c not in edges.columns:
            raise LinkageError(f"pairs need columns id_l and id_r; got {', '.join(edges.columns)}")
    if threshold is not None:
        edges = edges.filter(pl.col("match_probability") >= threshold)
    left = _series(ids, "id")
    if right_ids is None:
        nodes = pl.DataFrame({"id": left}).unique(maintain_order=True).with_row_index("i")
        kl, kr = nodes.rename({"i": "a"}), nodes.rename({"i": "b"})
        e = edges.select(pl.col("id_l").cast(left.dtype), pl.col("id_r").cast(left.dtype))
        e = e.join(kl, left_on="id_l", right_on="id").join(kr, left_on="id_r", right_on="id")
    else:
        right = _series(right_ids, "id")
        nodes = pl.concat(
            [
                pl.DataFrame({"source": "left", "id": left.cast(pl.String)}),
                pl.DataFrame({"source": "right", "id": right.cast(pl.String)}),
            ]
        ).unique(maintain_order=True)
        nodes = nodes.with_row_index("i")
        e = edges.select(pl.col("id_l").cast(pl.String), pl.col("id_r").cast(pl.String))
        e = e.join(nodes.filter(pl.col("source") == "left").select(a="i", id_l="id"), on="id_l").join(
            nodes.filter(pl.col("source") == "right").select(b="i", id_r="id"), on="id_r"
        )
    if e.height < edges.height:
        raise LinkageError(f"{edges.height - e.height} pairs name ids that are not among the ids given")
    label = _components(nodes.height, e.get_column("a").to_numpy(), e.get_column("b").to_numpy())
    _, first, inverse = np.unique(label, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # renumber clusters by first appearance
    out = nodes.drop("i").with_columns(cluster_id=pl.Series(order[inverse] + 1, dtype=pl.Int64))
    return out
