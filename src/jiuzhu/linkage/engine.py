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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from .comparisons import (
    KINDS,
    SETTINGS_DIR,
    Built,
    Compare,
    Key,
    LinkageError,
    blocking_keys,
    build_comparisons,
    candidate_rules,
    col,
    settings_from,
)
from .prepare import prepare

ENGINES = ("duckdb", "spark")
MIN_TRAIN_RECORDS = 1000  # below this (per side) the priors are used as they are
MAX_RULES = 12
M_FLOOR = 1e-4  # no trained level may rule a pair out more than this (EM can drive m to ~0)
SURE_RULES = ({("id", "k17")}, {("name", "py"), ("date", "d")}, {("name", "py"), ("id", "birth")})

logger = logging.getLogger("jiuzhu.linkage")


# --- inputs ---------------------------------------------------------------------------------
def read_table(data: Any, *, what: str = "input") -> pl.DataFrame:
    """A polars DataFrame from a polars/pandas DataFrame, a pyarrow Table, or a CSV/Parquet
    path. CSV columns are read as text (ID numbers keep their leading zeros and X); a CSV
    that is not UTF-8 is read as GB18030 (Excel's Chinese exports)."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    if isinstance(data, (str, Path)):
        return _read_path(Path(data), what)
    module = type(data).__module__
    if module.startswith("pyarrow"):
        return pl.from_arrow(data)
    if module.startswith("pandas"):
        return pl.from_pandas(data)
    raise LinkageError(f"{what}: expected a DataFrame or a CSV/Parquet path, got {type(data).__name__}")


def _read_path(path: Path, what: str) -> pl.DataFrame:
    if not path.exists():
        raise LinkageError(f"{what}: file {path} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pl.read_parquet(path)
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else ","
            try:
                return pl.read_csv(path, infer_schema=False, separator=sep)
            except pl.exceptions.ComputeError:
                text = path.read_bytes().decode("gb18030")
                return pl.read_csv(text.encode("utf-8"), infer_schema=False, separator=sep)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise LinkageError(f"{what}: cannot read {path}: {exc}") from None
    raise LinkageError(f"{what}: {path} is neither .csv nor .parquet")


def load_preset(preset: str | Path) -> dict:
    """A preset's data: ``person`` (``settings/person.v1.yaml``), ``person.v1``, or a path."""
    import yaml

    path = Path(preset)
    if not path.exists():
        name = str(preset) if "." in str(preset) else f"{preset}.v1"
        path = SETTINGS_DIR / f"{name}.yaml"
        if not path.exists():
            found = sorted(p.stem for p in SETTINGS_DIR.glob("*.yaml") if not p.stem.startswith("kinds"))
            raise LinkageError(f"unknown preset {preset!r}; presets are: {', '.join(found)}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _as_compare(c: Any) -> Compare:
    if isinstance(c, Compare):
        return c
    if isinstance(c, str):
        return Compare.parse(c)
    if isinstance(c, (tuple, list)) and len(c) in (2, 3):
        return Compare(*c)
    raise LinkageError(f"cannot read compare {c!r}; use Compare(column, kind) or 'column:kind'")


def resolve_compares(
    compares: Iterable[Any] | dict | None, preset: str | Path | None, frames: Sequence[pl.DataFrame]
) -> list[Compare]:
    """Check the compares against the data; a preset's compares whose column is missing on
    either side are dropped, but one of its ``require_any`` columns must remain."""
    if isinstance(compares, dict):
        compares = list(compares.items())
    if compares:
        out = [_as_compare(c) for c in compares]
    elif preset is not None:
        data = load_preset(preset)
        listed = [Compare(c["column"], c["kind"]) for c in data["compares"]]
        out = [c for c in listed if all(c.column in f.columns for f in frames)]
        required = data.get("require_any") or []
        if required and not any(c.column in required for c in out):
            raise LinkageError(f"preset {preset!r} needs at least one of the columns {', '.join(required)}")
    else:
        raise LinkageError(
            f"nothing to compare: give compares (COLUMN:KIND, KIND one of {', '.join(KINDS)}) or a preset"
        )
    for side, frame in zip(("left", "right"), frames, strict=False):
        for c in out:
            name = c.right if side == "right" and c.right else c.column
            if name not in frame.columns:
                where = "" if len(frames) == 1 else f" ({side} input)"
                raise LinkageError(
                    f"column {name!r} not found{where}; columns are: {', '.join(frame.columns)}"
                )
    return out


def _ids(frame: pl.DataFrame, id_col: str, side: str) -> pl.Series:
    if id_col not in frame.columns:
        raise LinkageError(
            f"id column {id_col!r} not found ({side}); columns are: {', '.join(frame.columns)}"
        )
    ids = frame.get_column(id_col)
    if ids.null_count():
        raise LinkageError(f"id column {id_col!r} ({side}) has {ids.null_count()} empty values")
    if ids.n_unique() != ids.len():
        dup = ids.filter(ids.is_duplicated()).head(3).to_list()
        raise LinkageError(f"id column {id_col!r} ({side}) is not unique, e.g. {dup}")
    return ids


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
def _pairs_for(rule: tuple[Key, ...], frames: list[pl.DataFrame]) -> int:
    cols = [k.column for k in rule]
    counts = [f.select(cols).drop_nulls().group_by(cols).len() for f in frames]
    if len(frames) == 1:
        return int(counts[0].select((pl.col("len").cast(pl.Int64) * (pl.col("len") - 1) // 2).sum()).item())
    joined = counts[0].join(counts[1], on=cols)
    return int(joined.select((pl.col("len").cast(pl.Int64) * pl.col("len_right")).sum()).item())


@dataclass
class Plan:
    """Blocking rules chosen for prediction and training, with their pair counts."""

    predict: list[tuple[tuple[Key, ...], int]] = field(default_factory=list)
    em: list[tuple[Key, ...]] = field(default_factory=list)
    sure: list[tuple[Key, ...]] = field(default_factory=list)
    dropped: list[tuple[tuple[Key, ...], int]] = field(default_factory=list)

    @staticmethod
    def sql(rule: tuple[Key, ...]):
        from splink import block_on

        return block_on(*(k.column for k in rule))


def plan_blocking(compares: list[Compare], kinds: dict, frames: list[pl.DataFrame], budget: int) -> Plan:
    keys = blocking_keys(compares, kinds)
    plan = Plan()
    counted = []
    alone: set[Key] = set()
    for rule in candidate_rules(keys):
        n = _pairs_for(rule, frames)
        counted.append((rule, n))
        if len(rule) > 1 and alone & set(rule):
            continue  # a key of it already blocks alone: its pairs are all there
        if n > budget or len(plan.predict) >= MAX_RULES:
            plan.dropped.append((rule, n))
        elif n > 0:
            plan.predict.append((rule, n))
            if len(rule) == 1:
                alone.add(rule[0])
    # EM needs, for every compare, a session whose blocking rule does not use it.
    # Sessions whose pairs are mostly matches train best: the ID alone, then pairs of keys.
    uncovered = set(range(len(compares)))
    for level in (True, "fallback"):
        allowed = (True,) if level is True else (True, "fallback")
        em_ok = [r for r, n in counted if 0 < n <= budget and all(k.em in allowed for k in r)]
        em_ok.sort(key=lambda r: 0 if len(r) == 1 and compares[r[0].index].kind == "id" else 3 - len(r))
        for rule in em_ok:
            trains = set(range(len(compares))) - {k.index for k in rule}
            if trains & uncovered and rule not in plan.em:
                plan.em.append(rule)
                uncovered -= trains
            if not uncovered or len(plan.em) >= 3:
                break
    # Rules whose pairs are nearly all matches estimate the share of matches.
    for rule, n in counted:
        signature = {(compares[k.index].kind, k.derived) for k in rule}
        if 0 < n <= budget and signature in SURE_RULES:
            plan.sure.append(rule)
    return plan


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
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def _db_api(engine: str):
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        return DuckDBAPI(connection=duckdb.connect(":memory:"))
    if engine == "spark":
        from splink.backends.spark import SparkAPI

        spark = spark_session()
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
    exclusive: bool = True,
) -> pl.DataFrame:
    from splink import Linker, SettingsCreator

    if not 0 <= threshold <= 1:
        raise LinkageError(f"threshold must be between 0 and 1, got {threshold}")
    if engine not in ENGINES:
        raise LinkageError(f"unknown engine {engine!r}; engines are: {', '.join(ENGINES)}")
    is_link = len(frames) == 2
    sizes = [f.height for f in frames]
    do_train = (min(sizes) >= MIN_TRAIN_RECORDS) if train == "auto" else bool(train)
    bar = Progress(progress, 4 + (3 if do_train else 0), "link" if is_link else "dedupe")
    try:
        bar.stage(f"prepare {'+'.join(map(str, sizes))} records")
        prepared = [
            prepare(f, compares, side=side) for f, side in zip(frames, ("left", "right"), strict=False)
        ]
        budget = block_budget or max(2_000_000, 10 * sum(sizes))
        plan = plan_blocking(compares, doc["kinds"], prepared, budget)
        bar.stage(f"{len(plan.predict)} blocking rules, {sum(n for _, n in plan.predict):,} pairs")
        for rule, n in plan.dropped:
            if n > budget:
                bar.note(
                    f"blocking on {'+'.join(compares[k.index].column + '.' + k.derived for k in rule)} skipped: {n:,} pairs"
                )
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
            probability_two_random_records_match=min(0.1, expected / max(total_pairs, 1)),
            retain_matching_columns=detail,  # gamma columns come only with the matching columns
            retain_intermediate_calculation_columns=False,
        )
        with _quiet_splink():
            api = _db_api(engine)
            names = ("left", "right") if is_link else ("records",)
            tables = [
                api.register(p.to_arrow(), table_name=f"__jz_{n}_{id(p)}")
                for p, n in zip(prepared, names, strict=False)
            ]
            for t, n in zip(tables, names, strict=False):
                t.dataset_display_name = n
            linker = Linker(tables if is_link else tables[0], settings, log_level=None)
            if do_train:
                # u needs many random pairs, not all: 100 per record, within [2e5, 1e6]
                sample = max_pairs or min(1e6, max(2e5, 100.0 * sum(sizes)))
                _train(linker, plan, compares, sample, bar)
            bar.stage("predict")
            result = linker.inference.predict(threshold_match_probability=threshold).as_pyarrow_table()
            if model_out:
                linker.misc.save_model_to_json(str(model_out), overwrite=True)
        raw = _oriented(pl.from_arrow(result), is_link)
        if exclusive:
            raw = _exclusive(raw, prepared, compares, is_link)
        bar.stage(f"{raw.height:,} pairs ≥ {threshold}")
        return _output(raw, ids, built, detail)
    finally:
        bar.close()


def _train(linker, plan: Plan, compares: list[Compare], max_pairs: float, bar: Progress) -> None:
    bar.stage("train: u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs)
    bar.stage("train: share of matches")
    if plan.sure:
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


def _oriented(raw: pl.DataFrame, is_link: bool) -> pl.DataFrame:
    """Link results with the left input's record as ``uid_l`` whatever order Splink chose."""
    if not is_link or raw.height == 0 or "source_dataset_l" not in raw.columns:
        return raw
    swap = pl.col("source_dataset_l") == "right"
    return raw.with_columns(
        uid_l=pl.when(swap).then(pl.col("uid_r")).otherwise(pl.col("uid_l")),
        uid_r=pl.when(swap).then(pl.col("uid_l")).otherwise(pl.col("uid_r")),
    )


def _exclusive(
    raw: pl.DataFrame, prepared: list[pl.DataFrame], compares: list[Compare], is_link: bool
) -> pl.DataFrame:
    """One record cannot be the same person as two people whose valid ID numbers differ
    (a twin's mistyped record would otherwise join both twins): for each record keep only
    the partners whose valid ID, if any, is that of its most probable partner."""
    ids = [i for i, c in enumerate(compares) if c.kind == "id"]
    if not ids or raw.height == 0:
        return raw
    v, k17 = col(ids[0], "v"), col(ids[0], "k17")

    def identity(frame: pl.DataFrame, uid: str, name: str) -> pl.DataFrame:
        return frame.select(pl.col("uid").alias(uid), pl.when(pl.col(v) == 1).then(pl.col(k17)).alias(name))

    pairs = (
        raw.with_row_index("_row")
        .select("_row", "uid_l", "uid_r", "match_probability")
        .join(identity(prepared[0], "uid_l", "ident_l"), on="uid_l", how="left")
        .join(identity(prepared[-1], "uid_r", "ident_r"), on="uid_r", how="left")
    )
    sides = ("l", "r") if is_link else ("x", "x")
    long = pl.concat(
        [
            pairs.select("_row", "match_probability", side=pl.lit(sides[0]), me="uid_l", partner="ident_r"),
            pairs.select("_row", "match_probability", side=pl.lit(sides[1]), me="uid_r", partner="ident_l"),
        ]
    )
    best = (
        long.sort("match_probability", descending=True)
        .group_by("side", "me", maintain_order=True)
        .first()
        .select("side", "me", best="partner")
    )
    bad = long.join(best, on=["side", "me"]).filter(
        pl.col("partner").is_not_null() & pl.col("best").is_not_null() & (pl.col("partner") != pl.col("best"))
    )
    return raw.with_row_index("_row").join(bad.select("_row").unique(), on="_row", how="anti").drop("_row")


def _output(raw: pl.DataFrame, ids: list[pl.Series], built: list[Built], detail: bool) -> pl.DataFrame:
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
        settings: the kinds' settings data (path or dict); default ``settings/kinds.v1.yaml``.
        train: ``"auto"`` (train when there are ≥ 1000 records), ``True`` or ``False``
            (score with the settings' priors).
        max_pairs: pairs sampled to estimate u (default 100 per record, within
            [200,000, 1,000,000]); an EM session uses at most max(max_pairs, 1,000,000).
        block_budget: a blocking rule producing more pairs than this is skipped
            (default max(2,000,000, 10 × records)).
        detail: add a ``<column>__level`` column per compare with the level's label.
        model_out: write the trained Splink model (JSON) there, for audit.

    Returns:
        polars DataFrame ``id_l, id_r, match_probability`` (plus the ``__level`` columns),
        most probable first; ``id_l`` and ``id_r`` are ``id_col`` values.

    Raises:
        LinkageError: missing column, unknown kind, unreadable file, id not unique.
    """
    frame = read_table(data)
    ids = _ids(frame, id_col, "input")
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
    ids = [_ids(frames[0], id_col, "left"), _ids(frames[1], right_id_col or id_col, "right")]
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
    )
