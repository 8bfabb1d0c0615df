"""``dedupe`` and ``link``: prepare → block → train → predict, on Splink (DuckDB or Spark).

The model trains itself on the data given: u probabilities by random sampling (bounded by
``max_pairs``), the share of matches from deterministic rules, m probabilities by EM over
blocking rules derived from the compare kinds. Data too small to train on (a household looked
up in a data source) is scored with the priors of the kinds' settings file instead.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import uuid
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from . import partners
from .blocking import Plan, plan_blocking
from .comparisons import Built, Compare, LinkageError, build_comparisons, settings_from
from .inputs import check_ids, load_preset, read_table, resolve_compares
from .partners import DECIMALS, tie_order
from .prepare import prepare

__all__ = ["ENGINES", "dedupe", "link", "load_preset", "read_table", "spark_session", "tie_order"]

ENGINES = ("duckdb", "spark")
log = logging.getLogger("jiuzhu.linkage")
MIN_TRAIN_RECORDS = 1000  # below this (per side) the priors are used as they are
M_FLOOR = 1e-4  # no trained level may rule a pair out more than this (EM can drive m to ~0)
U_SEED = 1  # u is estimated on a hash-seeded sample: the same records give the same model
# Ties in probability are decided by the stronger evidence, compared kind by kind in this
# order (the higher level wins), then by the records' own ids.
EVIDENCE_ORDER = ("id", "name", "date", "phone", "address", "postcode", "exact", "text")
# dedupe: two records each matched to the same third record with at least this probability
# are the same person too (kept with the product of the two probabilities).
THROUGH = 0.99


# --- progress -------------------------------------------------------------------------------
class Progress:
    """Stage messages on stderr with a tqdm bar (or nothing when disabled)."""

    def __init__(self, enabled: bool, total: int, desc: str):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, file=sys.stderr, unit="step", leave=True)

    def stage(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(message, refresh=False)
            self.bar.update(1)

    def note(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextlib.contextmanager
def _quiet_splink():
    log = logging.getLogger("splink")
    before = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(before)


# --- blocking -------------------------------------------------------------------------------
# --- backends -------------------------------------------------------------------------------
@cache
def spark_session():
    """A local Spark session (2 cores, offline) with Splink's similarity functions."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise LinkageError("engine 'spark' needs pyspark, which is not installed") from None
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master("local[2]")
        .appName("jiuzhu-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def _db_api(engine: str):
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        return DuckDBAPI(connection=duckdb.connect(":memory:"))
    if engine == "spark":
        spark = spark_session()  # first: says so when pyspark is missing
        from splink.backends.spark import SparkAPI

        spark.sparkContext.setLogLevel("ERROR")
        return SparkAPI(spark_session=spark, break_lineage_method="persist")
    raise LinkageError(f"unknown engine {engine!r}; engines are: {', '.join(ENGINES)}")


# --- the run --------------------------------------------------------------------------------
def _run(
    frames: list[pl.DataFrame],
    ids: list[pl.Series],
    compares: list[Compare],
    *,
    doc: dict,
    threshold: float,
    engine: str,
    progress: bool,
    train: bool | str,
    max_pairs: float | None,
    block_budget: int | None,
    detail: bool,
    model_out: str | Path | None,
    prior: float | None = None,
    exclusive: bool = True,
    report: dict | None = None,
    through: float | None = None,
) -> pl.DataFrame:
    from splink import Linker, SettingsCreator

    if not 0 <= threshold <= 1:
        raise LinkageError(f"threshold must be between 0 and 1, got {threshold}")
    if engine not in ENGINES:
        raise LinkageError(f"unknown engine {engine!r}; engines are: {', '.join(ENGINES)}")
    if prior is not None and not 0 < prior < 1:
        raise LinkageError(f"prior must be strictly between 0 and 1, got {prior}")
    is_link = len(frames) == 2
    sizes = [f.height for f in frames]
    if (min(sizes) if is_link else sizes[0] - 1) < 1:  # nothing to pair
        return _output(pl.DataFrame(), ids, [], False)
    do_train = (min(sizes) >= MIN_TRAIN_RECORDS) if train == "auto" else bool(train)
    bar = Progress(progress, 4 + (3 if do_train else 0), "link" if is_link else "dedupe")
    try:
        bar.stage(f"prepare {'+'.join(map(str, sizes))} records")
        prepared = [
            prepare(f, compares, side=side, kinds=doc["kinds"])
            for f, side in zip(frames, ("left", "right"), strict=False)
        ]
        budget = block_budget or max(2_000_000, 10 * sum(sizes))
        plan = plan_blocking(compares, doc["kinds"], prepared, budget)
        prepared = plan.frames  # with the columns of parts of keys that rules block on
        bar.stage(f"{len(plan.predict)} blocking rules, {plan.scored:,} pairs to score")
        for line in plan.lines(compares):
            log.warning(line)
            bar.note(line)
        if report is not None:
            report["blocking"] = {"budget": budget, **plan.report(compares)}
        # splink types the parameter as an invariant list of creators, dicts or SQL text
        rules: list[Any]
        if not plan.predict:
            if sum(sizes) > 20_000:
                raise LinkageError(
                    "no compare gives a usable blocking key: add a name, id, phone, address or date compare"
                )
            rules = ["1=1"]
        else:
            rules = [Plan.sql(r) for r, _ in plan.predict]
        total_pairs = sizes[0] * sizes[1] if is_link else sizes[0] * (sizes[0] - 1) // 2
        # prior share of matches: each left record found once / one record in 20 a duplicate
        expected = min(sizes) if is_link else 0.05 * sizes[0]
        built = build_comparisons(compares, doc)
        settings = SettingsCreator(
            link_type="link_only" if is_link else "dedupe_only",
            unique_id_column_name="uid",
            comparisons=[b.comparison for b in built],
            blocking_rules_to_generate_predictions=rules,
            probability_two_random_records_match=(
                prior if prior is not None else min(0.1, expected / max(total_pairs, 1))
            ),
            retain_matching_columns=True,  # gamma columns (the tie order's evidence) come only with them
            retain_intermediate_calculation_columns=False,
        )
        with _quiet_splink():
            api = _db_api(engine)
            names = ("left", "right") if is_link else ("records",)
            tables = [
                api.register(p.to_arrow(), table_name=f"__jz_{n}_{uuid.uuid4().hex[:12]}")
                for p, n in zip(prepared, names, strict=False)
            ]
            for t, n in zip(tables, names, strict=False):
                t.dataset_display_name = n
            linker = Linker(tables if is_link else tables[0], settings, log_level=None)
            if do_train:
                # u needs many random pairs, not all: 100 per record, within [2e5, 1e6]
                sample = max_pairs or min(1e6, max(2e5, 100.0 * sum(sizes)))
                _train(linker, plan, compares, sample, bar, estimate_prior=prior is None)
            _monotone(linker, built)
            bar.stage("predict")
            result = linker.inference.predict(threshold_match_probability=threshold).as_pyarrow_table()
            if model_out:
                linker.misc.save_model_to_json(str(model_out), overwrite=True)
        frame = pl.from_arrow(result)
        assert isinstance(frame, pl.DataFrame)  # a pyarrow Table converts to a DataFrame
        raw = _oriented(frame, is_link)
        if raw.height:
            raw = raw.with_columns(pl.col("match_probability").round(DECIMALS))
        if exclusive:
            raw = partners.exclusive(raw, prepared, compares, is_link, ids, _evidence(built, compares))
        if not is_link and through is not None:
            scored = raw.height
            raw = partners.through_third(raw, prepared, compares, ids[0], through, threshold)
            if report is not None:
                report["through"] = {"min_probability": through, "pairs": raw.height - scored}
        bar.stage(f"{raw.height:,} pairs ≥ {threshold}")
        return _output(raw, ids, built, detail, is_link, via=not is_link and through is not None)
    finally:
        bar.close()


def _train(
    linker,
    plan: Plan,
    compares: list[Compare],
    max_pairs: float,
    bar: Progress,
    *,
    estimate_prior: bool = True,
) -> None:
    bar.stage("train: u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs)
    if estimate_prior and plan.sure:
        bar.stage("train: share of matches")
        try:
            linker.training.estimate_probability_two_random_records_match(
                [Plan.sql(r) for r in plan.sure], recall=0.8
            )
        except Exception as exc:  # keep the prior share; say why
            bar.note(f"share of matches not estimated ({exc}); prior kept")
    bar.stage(f"train: m by EM over {len(plan.em)} blocking rules")
    for rule in plan.em:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                Plan.sql(rule), estimate_without_term_frequencies=True, max_pairs=max(max_pairs, 1e6)
            )
        except Exception as exc:  # a rule with too few pairs: the priors stay
            bar.note(f"EM on {'+'.join(k.column for k in rule)} skipped ({exc})")
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            m = level.m_probability
            if m is not None and not level._fix_m_probability and m < M_FLOOR:
                level.m_probability = M_FLOOR


def _monotone(linker, built: list[Built]) -> None:
    """Levels marked ``monotone`` keep a Bayes factor between 1 (the value missing) and their
    kind's first level's: a near miss of an ID never proves more than the same number (EM can
    make it so when the exact level's pairs are mostly random agreements), nor less than
    nothing. Applied after training, and to the priors."""
    for b, comparison in zip(built, linker._settings_obj.comparisons, strict=True):
        if not b.specs or not any(s.get("monotone") for s in b.specs):
            continue
        levels = comparison._comparison_levels_excluding_null
        top = levels[0]
        if not top.m_probability or not top.u_probability:
            continue
        cap = top.m_probability / top.u_probability
        for spec, level in zip(b.specs, levels, strict=True):
            m, u = level.m_probability, level.u_probability
            if not spec.get("monotone") or not m or not u:
                continue
            bf = min(max(m / u, 1.0), cap)
            level.m_probability = min(1.0, bf * u)


def _oriented(raw: pl.DataFrame, is_link: bool) -> pl.DataFrame:
    """Link results with the left input's record as ``uid_l`` whatever order Splink chose."""
    if not is_link or raw.height == 0 or "source_dataset_l" not in raw.columns:
        return raw
    swap = pl.col("source_dataset_l") == "right"
    return raw.with_columns(
        uid_l=pl.when(swap).then(pl.col("uid_r")).otherwise(pl.col("uid_l")),
        uid_r=pl.when(swap).then(pl.col("uid_l")).otherwise(pl.col("uid_r")),
    )


def _evidence(built: list[Built], compares: list[Compare]) -> list[str]:
    """The gamma columns in the order the tie rule weighs them (ID first, then name, …)."""

    def rank(b: Built) -> int:
        kinds = [c.kind for c in compares if c.column == b.name or c.column in b.name.split("+")]
        return min((EVIDENCE_ORDER.index(k) for k in kinds), default=len(EVIDENCE_ORDER))

    return [b.gamma for b in sorted(built, key=rank)]


def _output(
    raw: pl.DataFrame,
    ids: list[pl.Series],
    built: list[Built],
    detail: bool,
    is_link: bool = True,
    *,
    via: bool = False,
) -> pl.DataFrame:
    if raw.height == 0:
        out = pl.DataFrame(
            {
                "id_l": ids[0].head(0),
                "id_r": ids[-1].head(0),
                "match_probability": pl.Series([], dtype=pl.Float64),
            }
        )
    else:
        out = pl.DataFrame(
            {
                "id_l": ids[0].gather(raw.get_column("uid_l")),
                "id_r": ids[-1].gather(raw.get_column("uid_r")),
                "match_probability": raw.get_column("match_probability"),
            }
        )
        if detail:
            for b in built:
                gamma = raw.get_column(b.gamma)
                label = gamma.replace_strict(b.labels, default=None, return_dtype=pl.String)
                out = out.with_columns(label.alias(f"{b.name}__level"))
            if via:  # the record through which a pair was found (partners.through_third)
                rows = raw.get_column("_via") if "_via" in raw.columns else pl.Series([None] * raw.height)
                out = out.with_columns(via=ids[0].gather(rows.cast(pl.Int64)))
    if not is_link and out.height:  # a pair of one file is named the same whatever the row order
        swap = pl.col("id_l") > pl.col("id_r")
        out = out.with_columns(
            id_l=pl.when(swap).then(pl.col("id_r")).otherwise(pl.col("id_l")),
            id_r=pl.when(swap).then(pl.col("id_l")).otherwise(pl.col("id_r")),
        )
    return out.sort("match_probability", "id_l", "id_r", descending=[True, False, False])


def dedupe(
    data: Any,
    *,
    id_col: str,
    compares: Iterable[Any] | dict | None = None,
    preset: str | Path | None = None,
    threshold: float = 0.5,
    engine: str = "duckdb",
    progress: bool = True,
    settings: str | Path | dict | None = None,
    train: bool | str = "auto",
    max_pairs: float | None = None,
    block_budget: int | None = None,
    detail: bool = False,
    model_out: str | Path | None = None,
    prior: float | None = None,
    report: dict | None = None,
    through: float | None = THROUGH,
) -> pl.DataFrame:
    """Pairs of records in one table that are probably the same person.

    Args:
        data: polars/pandas DataFrame, pyarrow Table, or a CSV/Parquet path.
        id_col: the column identifying a record (unique, not empty).
        compares: ``[Compare("name", "name"), "id_number:id", ("dob", "date")]`` or
            ``{"name": "name", "id_number": "id"}``; or use ``preset`` instead.
        preset: ``"person"`` (columns name, id_number, birth_date, gender, phone, address —
            those present are compared) or a preset file's path.
        threshold: keep pairs with match probability ≥ this.
        engine: ``"duckdb"`` (default, in process) or ``"spark"`` (pyspark, local[2]).
        progress: stage messages and a bar on stderr.
        settings: the kinds' settings data (path or dict); default ``settings/kinds.v7.yaml``.
        train: ``"auto"`` (train when there are ≥ 1000 records), ``True`` or ``False``
            (score with the settings' priors).
        max_pairs: pairs sampled to estimate u (default 100 per record, within
            [200,000, 1,000,000]); an EM session uses at most max(max_pairs, 1,000,000).
        block_budget: a blocking rule producing more pairs than this is narrowed by another
            key until it fits, or dropped with the reason (default max(2,000,000,
            10 × records)); each such change is logged and written to ``report``.
        detail: add a ``<column>__level`` column per compare with the level's label.
        model_out: write the trained Splink model (JSON) there, for audit.
        prior: the probability that two random records are the same person, when the caller
            knows it better than the inputs' sizes do (e.g. 1 / the city's population for a
            household against its candidate records). Given, it is used as is and not
            re-estimated in training. Default: one match per record of the smaller side
            (link) or one record in 20 a duplicate (dedupe), at most 0.1.
        report: a dict the run fills in: ``report["blocking"]`` = the budget, the rules
            used with their pair counts, and the rules over the budget tightened (into which
            rule, how many pairs) or dropped (why).
        through: two records each matched to the same third record with at least this
            probability are kept as a pair too (probability: the product of the two), even
            when they share too little to be matched directly; ``None`` turns it off.

    Returns:
        polars DataFrame ``id_l, id_r, match_probability`` (plus the ``__level`` columns
        and ``via``, the third record of a pair found through one, with ``detail``),
        most probable first; ``id_l`` and ``id_r`` are ``id_col`` values.

    Raises:
        LinkageError: missing column, unknown kind, unreadable file, id not unique.
    """
    frame = read_table(data)
    ids = check_ids(frame, id_col, "input")
    cmp = resolve_compares(compares, preset, [frame])
    return _run(
        [frame],
        [ids],
        cmp,
        doc=settings_from(settings),
        threshold=threshold,
        engine=engine,
        progress=progress,
        train=train,
        max_pairs=max_pairs,
        block_budget=block_budget,
        detail=detail,
        model_out=model_out,
        prior=prior,
        report=report,
        through=through,
    )


def link(
    left: Any,
    right: Any,
    *,
    id_col: str,
    right_id_col: str | None = None,
    compares: Iterable[Any] | dict | None = None,
    preset: str | Path | None = None,
    threshold: float = 0.5,
    engine: str = "duckdb",
    progress: bool = True,
    settings: str | Path | dict | None = None,
    train: bool | str = "auto",
    max_pairs: float | None = None,
    block_budget: int | None = None,
    detail: bool = False,
    model_out: str | Path | None = None,
    prior: float | None = None,
    report: dict | None = None,
) -> pl.DataFrame:
    """Pairs (left record, right record) that are probably the same person.

    Same arguments as :func:`dedupe`, with two inputs. ``id_l`` holds ``left[id_col]``
    values and ``id_r`` ``right[right_id_col or id_col]`` values; the two sides may use the
    same id values. ``Compare(column, kind, right=...)`` compares differently named columns.
    With ``train="auto"`` the model trains when both sides have ≥ 1000 records; a few persons
    against a data source are scored with the priors (the ``person`` preset's use in
    verification).
    """
    frames = [read_table(left, what="left input"), read_table(right, what="right input")]
    ids = [check_ids(frames[0], id_col, "left"), check_ids(frames[1], right_id_col or id_col, "right")]
    cmp = resolve_compares(compares, preset, frames)
    return _run(
        frames,
        ids,
        cmp,
        doc=settings_from(settings),
        threshold=threshold,
        engine=engine,
        progress=progress,
        train=train,
        max_pairs=max_pairs,
        block_budget=block_budget,
        detail=detail,
        model_out=model_out,
        prior=prior,
        report=report,
    )
