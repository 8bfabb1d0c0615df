"""One identity per human across the registry, rosters and department lists (pure: no Django).

IDs are compared after normalisation (spacing, case, a 15-digit number upgraded to 18), so the
cheap exact join handles most rows; what is left (typed-over, swapped or dropped digits, name
variants) goes through ``jiuzhu.linkage`` (Splink on DuckDB), so a damaged record still meets
its person.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.linkage import Compare, clusters, link

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
DEDUPE_THRESHOLD = 0.9  # two registry records are one person from here
# A list row, relative or death record is taken to be a registry person from here: lower,
# because it only raises an alert a person checks (the evidence shows the probability), and a
# row whose ID and name are both damaged (陈洋 for 陈明洋, one digit off) scores about 0.4.
LINK_THRESHOLD = 0.3
COMPARES = [Compare("name", "name"), Compare("id_number", "id"), Compare("birth_date", "date")]


def normalised_id(column: str = "id_number") -> pl.Expr:
    """The ID as 18 characters (a 15-digit number gets ``19`` and its check character)."""
    raw = pl.col(column).cast(pl.String).str.to_uppercase().str.replace_all(r"[\s\-]", "")
    body = raw.str.slice(0, 6) + "19" + raw.str.slice(6)
    checksum = pl.sum_horizontal(
        [body.str.slice(k, 1).cast(pl.Int32, strict=False) * w for k, w in enumerate(WEIGHTS)]
    )
    check = (checksum % 11).replace_strict(dict(enumerate(CHECK_CHARS)), default=None, return_dtype=pl.String)
    return pl.when(raw.str.contains(r"^\d{15}$")).then(body + check).otherwise(raw)


def valid_id(column: str) -> pl.Expr:
    """An 18-character number whose check character is right."""
    n = pl.col(column)
    checksum = pl.sum_horizontal(
        [n.str.slice(k, 1).cast(pl.Int32, strict=False) * w for k, w in enumerate(WEIGHTS)]
    )
    check = (checksum % 11).replace_strict(dict(enumerate(CHECK_CHARS)), default=None, return_dtype=pl.String)
    return (n.str.contains(r"^\d{17}[\dX]$") & (n.str.slice(17, 1) == check)).fill_null(False)


def _people(frame: pl.DataFrame, id_col: str) -> pl.DataFrame:
    cols = [pl.col(id_col).alias("rid"), pl.col("name"), pl.col("id_number")]
    if "birth_date" in frame.columns:
        cols.append(pl.col("birth_date").cast(pl.String))
    else:
        cols.append(pl.lit(None, dtype=pl.String).alias("birth_date"))
    return frame.select(cols)


def person_identities(persons: pl.DataFrame, *, fuzzy: bool = True, progress: bool = False) -> pl.DataFrame:
    """``person_id, identity`` for every registry person: persons registered more than once
    (same normalised ID, or linked as the same human) share an ``identity`` (the smallest
    person id of the group)."""
    p = persons.select("person_id", "name", "id_number", "birth_date").with_columns(nid=normalised_id())
    exact = (
        p.group_by("nid")
        .agg(pl.col("person_id").sort())
        .filter(pl.col("person_id").list.len() > 1)
        .select(
            pl.col("person_id").list.first().alias("id_l"),
            pl.col("person_id").alias("id_r"),
        )
        .explode("id_r")
        .filter(pl.col("id_l") != pl.col("id_r"))
    )
    edges = [exact.with_columns(match_probability=pl.lit(1.0))]
    # Two different numbers that both pass the check are two people (the linkage settings
    # veto them), so a same-person pair always has a record without a valid 18-digit number:
    # only those are linked against the register, not the whole register against itself.
    doubtful = p.filter(~valid_id("nid") | (pl.col("id_number").str.len_chars() < 18))
    if fuzzy and doubtful.height and p.height >= 2:
        pairs = link(
            _people(doubtful, "person_id"),
            _people(p, "person_id"),
            id_col="rid",
            compares=COMPARES,
            threshold=DEDUPE_THRESHOLD,
            progress=progress,
            prior=min(0.5, 5.0 / p.height),
        )
        edges.append(
            pairs.select(
                pl.col("id_l").cast(pl.Int64), pl.col("id_r").cast(pl.Int64), "match_probability"
            ).filter(pl.col("id_l") != pl.col("id_r"))
        )
    e = pl.concat([x.select("id_l", "id_r", pl.col("match_probability").cast(pl.Float64)) for x in edges])
    if e.height == 0:
        return p.select("person_id", pl.col("person_id").alias("identity"))
    groups = clusters(e, p["person_id"])
    return (
        groups.rename({"id": "person_id"})
        .with_columns(identity=pl.col("person_id").min().over("cluster_id"))
        .select("person_id", "identity")
    )


def link_to_persons(
    rows: pl.DataFrame, persons: pl.DataFrame, *, row_id: str, progress: bool = False
) -> pl.DataFrame:
    """``<row_id>, person_id, how`` for the rows of a list (name, id_number[, birth_date])
    found in the registry: exact on the normalised ID, else by linkage (best match at or above
    ``LINK_THRESHOLD``). Rows not found are left out."""
    if rows.height == 0:
        return pl.DataFrame(schema={row_id: rows.schema[row_id], "person_id": pl.Int64, "how": pl.String})
    keyed = persons.select("person_id", nid=normalised_id()).unique("nid", keep="first")
    r = rows.with_columns(nid=normalised_id())
    # a row without a birth date (a staff relative) takes the one its ID number spells, so the
    # date still counts as evidence when the number is damaged elsewhere
    from_id = pl.col("nid").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    r = r.with_columns(birth_date=pl.coalesce(pl.col("birth_date").cast(pl.Date, strict=False), from_id))
    exact = r.join(keyed, on="nid", how="inner").select(row_id, "person_id", how=pl.lit("证件号码一致"))
    rest = r.join(exact.select(row_id), on=row_id, how="anti")
    found = [exact]
    if rest.height and persons.height:
        pairs = link(
            _people(rest, row_id),
            _people(persons, "person_id"),
            id_col="rid",
            compares=COMPARES,
            threshold=LINK_THRESHOLD,
            progress=progress,
            prior=min(0.5, 1.0 / max(persons.height, 1) * 5),
        )
        if pairs.height:
            best = (
                pairs.sort("match_probability", descending=True)
                .unique("id_l", keep="first")
                .select(
                    pl.col("id_l").cast(rows.schema[row_id]).alias(row_id),
                    pl.col("id_r").cast(pl.Int64).alias("person_id"),
                    pl.format("记录比对（匹配概率{}）", pl.col("match_probability").round(3)).alias("how"),
                )
            )
            found.append(best)
    return pl.concat(found)
