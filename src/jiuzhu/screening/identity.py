"""One identity per human across the registry, rosters and department lists (pure: no Django).

IDs are compared after normalisation (spacing, case, a 15-digit number upgraded to 18), so the
cheap exact join handles most rows; what is left (typed-over, swapped or dropped digits, name
variants) goes through ``jiuzhu.linkage`` (Splink on DuckDB), so a damaged record still meets
its person.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.linkage import Compare, as_carded, clusters, link

from . import nearby_ids

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
DEDUPE_THRESHOLD = 0.9  # two registry records are one person from here
# A list row, relative or death record is taken to be a registry person from here: lower,
# because it only raises an alert a person checks (the evidence shows the probability), and a
# row whose ID and name are both damaged (陈洋 for 陈明洋, one digit off) scores about 0.4.
LINK_THRESHOLD = 0.3
# Score with the kinds' calibrated priors: the rows asked about are few (IDs failing the check,
# list rows without an exact ID). At 1M persons training took ~130 s of a 160 s run and found
# fewer planted cases than the priors (bench/screening.py: 103 s, recall 0.994/0.994/0.983).
TRAIN = False
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
    cols = [pl.col(id_col).cast(pl.String).alias("rid"), pl.col("name"), pl.col("id_number")]
    if "birth_date" in frame.columns:
        cols.append(pl.col("birth_date").cast(pl.String))
    else:
        cols.append(pl.lit(None, dtype=pl.String).alias("birth_date"))
    return frame.select(cols)


def _exact_person_edges(p: pl.DataFrame) -> pl.DataFrame:
    return (
        p.group_by("nid")
        .agg(pl.col("person_id").sort())
        .filter(pl.col("person_id").list.len() > 1)
        .select(pl.col("person_id").list.first().alias("id_l"), pl.col("person_id").alias("id_r"))
        .explode("id_r")
        .filter(pl.col("id_l") != pl.col("id_r"))
        .with_columns(match_probability=pl.lit(1.0))
    )


def _with_birth(rows: pl.DataFrame) -> pl.DataFrame:
    """A row without a birth date (a staff relative) takes the one its ID number spells, so
    the date still counts as evidence when the number is damaged elsewhere."""
    from_id = pl.col("nid").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    if "birth_date" not in rows.columns:
        return rows.with_columns(birth_date=from_id)
    return rows.with_columns(
        birth_date=pl.coalesce(pl.col("birth_date").cast(pl.Date, strict=False), from_id)
    )


def resolve(
    persons: pl.DataFrame,
    sources: dict[str, tuple[pl.DataFrame, str]],
    *,
    fuzzy: bool = True,
    progress: bool = False,
    report: dict | None = None,
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Every identity question of a run in one linkage pass (the register is prepared once).

    ``persons`` and the sources' rows may carry ``id_upgraded`` (the registry's and the
    relatives' declaration's flag for numbers taken from a 15-digit card: ``as_carded``).
    Returns ``person_id, identity`` for the register — persons registered more than once
    (same normalised ID, neither upgraded from 15 digits; or linked as the same human at
    ``DEDUPE_THRESHOLD``, each doubtful record to its best match only) share an
    ``identity``, the group's smallest person id — and for each source (``name -> (rows,
    row id column)``; rows have name, id_number[, birth_date]) ``<row id>, person_id, how``
    for its rows found in the register: exact on the normalised ID (a 15-digit number also on
    a registered number's 15-digit body: someone born in 2000 or later), else the best linkage
    match at or above ``LINK_THRESHOLD``, else the best such match among the registered numbers
    one typing error from the row's (``nearby_ids``); rows not found are left out. ``report`` (a dict)
    receives the linkage's run report (blocking rules, their pairs, what was tightened).
    """
    persons = as_carded(persons)
    sources = {name: (as_carded(rows), row_id) for name, (rows, row_id) in sources.items()}
    p = persons.select("person_id", "name", "id_number", "birth_date").with_columns(nid=normalised_id())
    keyed = p.select("person_id", "nid").unique("nid", keep="first")
    # An upgraded number equal to another record's is no proof either (a mistyped card can
    # spell another person's number): those records are scored by the linkage below.
    native = p.filter(pl.col("id_number").str.len_chars() != 15) if "id_upgraded" in persons.columns else p
    # Two different numbers that both pass the check are two people (the linkage settings
    # veto them), so a same-person pair always has a record without a valid 18-digit number:
    # only those are linked against the register, not the whole register against itself.
    doubtful = p.filter(~valid_id("nid") | (pl.col("id_number").str.len_chars() < 18))
    left = [_people(doubtful, "person_id").with_columns(rid=pl.format("p:{}", "rid"))]
    found: dict[str, list[pl.DataFrame]] = {}
    registered = nearby_ids.bodies(keyed)
    for name, (rows, row_id) in sources.items():
        r = _with_birth(rows.with_columns(nid=normalised_id()))
        exact = r.join(keyed, on="nid", how="inner").select(row_id, "person_id", how=pl.lit("证件号码一致"))
        rest = r.join(exact.select(row_id), on=row_id, how="anti")
        body = nearby_ids.body_matches(rest, registered, row_id)
        found[name] = [exact, body]
        rest = rest.join(body.select(row_id), on=row_id, how="anti")
        left.append(_people(rest, row_id).with_columns(rid=pl.format("{}:{}", pl.lit(name), "rid")))
    left_rows = pl.concat(left)
    edges = [_exact_person_edges(native)]
    if fuzzy and left_rows.height and p.height >= 2:
        pairs = link(
            left_rows,
            _people(p, "person_id"),
            id_col="rid",
            compares=COMPARES,
            threshold=LINK_THRESHOLD,
            progress=progress,
            prior=min(0.5, 5.0 / p.height),
            train=TRAIN,
            report=report,
        )
        pairs = pairs.with_columns(
            src=pl.col("id_l").str.split_exact(":", 1).struct.field("field_0"),
            lid=pl.col("id_l").str.split_exact(":", 1).struct.field("field_1"),
            id_r=pl.col("id_r").cast(pl.Int64),
        )
        # one record, one person: a doubtful record joins its best match only, so it never
        # groups two people whose valid numbers differ (ties: the smaller person id)
        edges.append(
            pairs.filter((pl.col("src") == "p") & (pl.col("match_probability") >= DEDUPE_THRESHOLD))
            .select(pl.col("lid").cast(pl.Int64).alias("id_l"), "id_r", "match_probability")
            .filter(pl.col("id_l") != pl.col("id_r"))
            .sort("match_probability", "id_r", descending=[True, False])
            .unique("id_l", keep="first", maintain_order=True)
        )
        best = (
            pairs.filter(pl.col("src") != "p")
            # ties: the register person with the smaller id (a total order, as in linkage)
            .sort("match_probability", "id_r", descending=[True, False])
            .unique(["src", "lid"], keep="first", maintain_order=True)
        )
        for name, (rows, row_id) in sources.items():
            b = best.filter(pl.col("src") == name)
            found[name].append(
                b.select(
                    pl.col("lid").cast(rows.schema[row_id]).alias(row_id),
                    pl.col("id_r").alias("person_id"),
                    pl.format("记录比对（匹配概率{}）", pl.col("match_probability").round(3)).alias("how"),
                )
            )
        unfound = left_rows.filter(~pl.col("rid").str.starts_with("p:")).join(
            best.select(pl.format("{}:{}", "src", "lid").alias("rid")), on="rid", how="anti"
        )
        # rows whose ID and name are both damaged and that have no birth date share no
        # blocking key with their person: compared with the registered numbers one typing
        # error from theirs, scored by the same model (nearby_ids)
        second = nearby_ids.second_look(
            unfound,
            _people(p, "person_id"),
            keyed,
            compares=COMPARES,
            threshold=LINK_THRESHOLD,
            prior=min(0.5, 5.0 / p.height),
        )
        for name, (rows, row_id) in sources.items():
            found[name].append(
                second.filter(pl.col("src") == name).select(
                    pl.col("lid").cast(rows.schema[row_id]).alias(row_id), "person_id", "how"
                )
            )
    e = pl.concat([x.select("id_l", "id_r", pl.col("match_probability").cast(pl.Float64)) for x in edges])
    if e.height == 0:
        ids = p.select("person_id", pl.col("person_id").alias("identity"))
    else:
        ids = (
            clusters(e, p["person_id"])
            .rename({"id": "person_id"})
            .with_columns(identity=pl.col("person_id").min().over("cluster_id"))
            .select("person_id", "identity")
        )
    out = {name: pl.concat(parts) for name, parts in found.items()}
    if report is not None:
        # rows found per source and way: exact number, 15-digit body, linkage, second look
        report["found"] = {
            name: {
                way: f.filter(pl.col("how").str.starts_with(prefix)).height
                for way, prefix in (
                    ("exact", "证件号码一致"),
                    ("body15", "15位号码"),
                    ("linkage", "记录比对（匹配"),
                    ("second_look", "记录比对（证件号码差一位"),
                )
            }
            for name, f in out.items()
        }
    return ids, out
