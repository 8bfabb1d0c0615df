"""Person keys of source records, computed vectorised in polars: the ID number as given and
as an 18-digit key, whether it is valid, its birth segment, the name's pinyin (for finding
homophone candidates) and a fingerprint that names a record across dataset versions.
Pure: no Django."""

from __future__ import annotations

import hashlib

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


def _check(body: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        [body.str.slice(k, 1).cast(pl.Int32, strict=False) * w for k, w in enumerate(WEIGHTS)]
    )
    return (total % 11).replace_strict(dict(enumerate(CHECK_CHARS)), default=None, return_dtype=pl.String)


def id_columns(frame: pl.DataFrame, column: str = "id_raw") -> pl.DataFrame:
    """Add ``id_key`` (the valid 18-digit number; a 15-digit one upgraded; else empty),
    ``id_valid`` (18 digits whose check character is right) and ``id_birth`` (the number's
    birth segment, for finding candidates)."""
    raw = pl.col(column).fill_null("").str.to_uppercase().str.replace_all(r"[\s\-]", "")
    df = frame.with_columns(__raw=raw)
    is18 = pl.col("__raw").str.contains(r"^\d{17}[\dX]$")
    is15 = pl.col("__raw").str.contains(r"^\d{15}$")
    body15 = pl.col("__raw").str.slice(0, 6) + "19" + pl.col("__raw").str.slice(6)
    df = df.with_columns(
        __ok=is18 & (_check(pl.col("__raw").str.slice(0, 17)) == pl.col("__raw").str.slice(17, 1)),
        __b15=pl.when(is15).then(body15),
    )
    return df.with_columns(
        id_valid=pl.col("__ok").fill_null(False),
        id_key=pl.when(pl.col("__ok"))
        .then(pl.col("__raw"))
        .when(is15)
        .then(pl.col("__b15") + _check(pl.col("__b15")))
        .otherwise(pl.lit("")),
        id_birth=pl.when(is15)
        .then(pl.col("__b15").str.slice(6, 8))
        .when(pl.col("__raw").str.len_chars() >= 14)
        .then(pl.col("__raw").str.slice(6, 8))
        .otherwise(pl.lit("")),
    ).drop("__raw", "__ok", "__b15")


def _pinyin_of(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def pinyin(names: pl.Series) -> pl.Series:
    """Toneless pinyin of each name, spaces and dots dropped (张伟 and 章伟 → zhangwei). The
    distinct characters go through pypinyin once; the rows are replaced vectorised."""
    clean = names.fill_null("").str.replace_all(r"[\s·•.]+", "")
    chars = clean.str.extract_all(_HAN).explode().drop_nulls().unique().to_list()
    table = {c: _pinyin_of(c) for c in chars}
    if not table:
        return clean.str.to_lowercase()
    return clean.str.split("").list.eval(pl.element().replace(table)).list.join("").str.to_lowercase()


FINGERPRINT_COLUMNS = ("id_raw", "name", "birth_date", "item", "ref")


def fingerprints(source: str, frame: pl.DataFrame) -> pl.Series:
    """A stable name for each record across versions: SHA-1 (32 hex) of the source, the ID as
    given, the name, the birth date, the item and the source's reference. Python's hashlib,
    not polars' hash, because it must not change with the polars version."""
    cols = [frame.get_column(c).cast(pl.String).fill_null("").to_list() for c in FINGERPRINT_COLUMNS]
    out = [
        hashlib.sha1("\x1f".join((source, *values)).encode("utf-8")).hexdigest()[:32]
        for values in zip(*cols, strict=True)
    ]
    return pl.Series("fingerprint", out, dtype=pl.String)
