"""Reading inputs and checking what the caller asked for: tables from files or frames,
presets, compares against the columns, id columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from .comparisons import KINDS, SETTINGS_DIR, Compare, LinkageError


def as_carded(frame: pl.DataFrame, *, column: str = "id_number", flag: str = "id_upgraded") -> pl.DataFrame:
    """A number taken from an old 15-digit card and upgraded (its row flagged ``flag``) given
    back in the card's form: its check character was computed, so it proves nothing and vetoes
    nothing, and the kinds compare it on its 15-digit body. A frame without ``flag`` is as it was."""
    if flag not in frame.columns:
        return frame
    n = pl.col(column)
    old = pl.col(flag).fill_null(False) & (n.str.len_chars() == 18)
    return frame.with_columns(
        pl.when(old).then(n.str.slice(0, 6) + n.str.slice(8, 9)).otherwise(n).alias(column)
    )


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
    frame = None
    if module.startswith("pyarrow"):
        frame = pl.from_arrow(data)
    elif module.startswith("pandas"):
        frame = pl.from_pandas(data)
    if isinstance(frame, pl.DataFrame):  # a pyarrow Array or a pandas Series is not a table
        return frame
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
        out = [c for c in listed if all(has_column(f, c.column) for f in frames)]
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
            if not has_column(frame, name):
                where = "" if len(frames) == 1 else f" ({side} input)"
                raise LinkageError(
                    f"column {name!r} not found{where}; columns are: {', '.join(frame.columns)}"
                )
    return out


def joined_parts(frame: pl.DataFrame, name: str) -> list[str] | None:
    """``"given_name+surname"`` names the two columns read as one value (a full name whose
    parts may have been typed in each other's column): the parts, when the frame has no
    column of that name and has every part; else None."""
    if name in frame.columns or "+" not in name:
        return None
    parts = [p.strip() for p in name.split("+")]
    return parts if all(p in frame.columns for p in parts) else None


def has_column(frame: pl.DataFrame, name: str) -> bool:
    return name in frame.columns or joined_parts(frame, name) is not None


def column_of(frame: pl.DataFrame, name: str) -> pl.Series:
    """The column ``name``, or the parts of a joined name (``a+b``) joined by a space."""
    parts = joined_parts(frame, name)
    if parts is None:
        return frame.get_column(name)
    return frame.select(
        pl.concat_str([pl.col(p).cast(pl.String) for p in parts], separator=" ", ignore_nulls=True).alias(
            name
        )
    ).to_series()


def check_ids(frame: pl.DataFrame, id_col: str, side: str) -> pl.Series:
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
