"""Reading a source's file and validating it against the declared schema, vectorised in
polars. Pure: no Django. ``validate`` returns the normalised good rows (ready to load), the
errors with their row numbers and the bad rows as they were — the report the officer sees
before choosing to refuse the file or quarantine its bad rows.

Row numbers are those of a spreadsheet: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jiuzhu.common import values
from jiuzhu.common.errors import ValidationFailed

from .keys import fingerprints, id_columns, pinyin
from .sources import Source

SUFFIXES = (".csv", ".xlsx", ".parquet")
# Longest text each column may hold: the ``SourceRecord`` column it is loaded into (the test
# checks they agree), else ``DETAIL_MAX`` for a value kept in the record's detail.
TEXT_LIMITS = {"id_number": 40, "name": 60, "phone": 30, "address": 200}
REF_MAX = 80
DETAIL_MAX = 200
MAX_KEPT_ERRORS = 2000
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F", "1": "M", "2": "F", "男性": "M", "女性": "F"}
# The normalised record, as staged and loaded (money in cents, areas in hundredths of m²).
STAGED_SCHEMA = {
    "row_no": pl.Int64,
    "fingerprint": pl.String,
    "id_raw": pl.String,
    "id_key": pl.String,
    "id_valid": pl.Boolean,
    "id_birth": pl.String,
    "name": pl.String,
    "name_py": pl.String,
    "birth_date": pl.Date,
    "gender": pl.String,
    "phone": pl.String,
    "address": pl.String,
    "item": pl.String,
    "amount_cents": pl.Int64,
    "area_centi": pl.Int64,
    "vehicle_purpose": pl.String,
    "active": pl.Boolean,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "record_date": pl.Date,
    "ref": pl.String,
    "detail": pl.String,
}


@dataclass
class Validation:
    good: pl.DataFrame  # STAGED_SCHEMA
    bad: pl.DataFrame  # row_no + the file's columns as text
    errors: list[dict] = field(default_factory=list)  # {row, column, code, message}: the first ones
    error_frame: pl.DataFrame | None = None  # every error, row order
    error_count: int = 0
    rows_total: int = 0
    warnings: list[str] = field(default_factory=list)


def read_file(data: bytes, filename: str) -> pl.DataFrame:
    """Every column as text. CSV in UTF-8 or GB18030 (Excel's Chinese export)."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".csv":
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
            return pl.read_csv(io.StringIO(text), infer_schema=False)
        if suffix == ".xlsx":
            return pl.read_excel(io.BytesIO(data), engine="openpyxl", infer_schema_length=0)
        if suffix == ".parquet":
            df = pl.read_parquet(io.BytesIO(data))
            return df.with_columns(pl.all().cast(pl.String))
    except Exception as exc:  # any reader's error: the file is unreadable, say so
        raise ValidationFailed(f"无法读取文件：{exc}", field="file", code="file_unreadable") from None
    raise ValidationFailed(f"文件类型应为 {'、'.join(SUFFIXES)} 之一", field="file", code="file_type")


def _headers(frame: pl.DataFrame, src: Source) -> tuple[pl.DataFrame, list[str]]:
    """Rename the file's headers (label or code) to column codes; missing optional columns
    become empty; a missing required column refuses the file."""
    by_header = {h.strip(): h for h in frame.columns}
    renames, warnings = {}, []
    for c in src.columns:
        found = next((by_header[n] for n in c.header_names() if n in by_header), None)
        if found is None:
            if c.required:
                raise ValidationFailed(
                    f"缺少必填列“{c.label}”（{c.name}）", field="file", code="missing_column", column=c.name
                )
            continue
        renames[found] = c.name
    known = set(renames)
    extra = [h for h in frame.columns if h not in known]
    if extra:
        warnings.append(f"以下列不在数据结构中，已忽略：{'、'.join(extra)}")
    out = frame.select([pl.col(h).alias(n) for h, n in renames.items()])
    missing = [pl.lit(None, dtype=pl.String).alias(c.name) for c in src.columns if c.name not in out.columns]
    return out.with_columns(missing) if missing else out, warnings


def _text(name: str) -> pl.Expr:
    v = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(v.str.len_chars() > 0).then(v)


def _date(name: str) -> pl.Expr:
    """2025-01-31, 2025/1/31, 2025.1.31, 20250131, 2025年1月31日, an Excel date-time, or a
    year and month (2025-01 → the 1st)."""
    v = _text(name).str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$", "")
    v = v.str.replace_all(r"[年月/.]", "-").str.replace("日$", "")
    v = (
        pl.when(v.str.contains(r"^\d{8}$"))
        .then(v.str.slice(0, 4) + "-" + v.str.slice(4, 2) + "-" + v.str.slice(6, 2))
        .otherwise(v)
    )
    v = pl.when(v.str.contains(r"^\d{4}-\d{1,2}$")).then(v + "-1").otherwise(v)
    parts = v.str.split("-")
    padded = (
        parts.list.get(0, null_on_oob=True)
        + "-"
        + parts.list.get(1, null_on_oob=True).str.zfill(2)
        + "-"
        + parts.list.get(2, null_on_oob=True).str.zfill(2)
    )
    return padded.str.to_date("%Y-%m-%d", strict=False)


def _cents(name: str) -> pl.Expr:
    """Yuan with at most two decimals → integer cents; null when malformed (or negative)."""
    v = _text(name).str.replace_all(r"[,，¥￥元\s]", "")
    ok = v.str.contains(r"^\d{1,12}(\.\d{0,2})?$")
    whole = v.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    frac = v.str.extract(r"\.(\d{1,2})$", 1).fill_null("0").str.pad_end(2, "0").cast(pl.Int64, strict=False)
    return pl.when(ok).then(whole * 100 + frac)


def _months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Calendar months touched by a period, inclusive (2025-01-01 … 2025-12-31 → 12)."""
    return (
        (end.dt.year() - start.dt.year()) * 12
        + end.dt.month().cast(pl.Int32)
        - start.dt.month().cast(pl.Int32)
        + 1
    )


def _checks(src: Source, df: pl.DataFrame) -> list[tuple[pl.Expr, str, str, str]]:
    """(failing-row expression, column, code, message) for every rule of the schema."""
    checks = []
    has = lambda n: n in src.column_names  # noqa: E731
    key = pl.lit(False)
    for k in ("id_number", "name"):
        if has(k):
            key = key | _text(k).is_not_null()
    checks.append((~key, "id_number", "missing_person_key", "证件号码和姓名不能都为空"))
    period = set(src.period or ())
    for c in src.columns:
        present = _text(c.name).is_not_null()
        if c.required:
            checks.append((~present, c.name, "required", f"“{c.label}”不能为空"))
        # The same rules as every form and API (jiuzhu.common.values), so that a row passed
        # here is one the database takes.
        checks += _value_checks(src, c, present)
        if c.type == "date":
            checks.append(
                (present & _date(c.name).is_null(), c.name, "invalid_date", f"“{c.label}”不是有效日期")
            )
            if c.name not in period:  # a birth, a death, a registration: a fact that happened
                checks.append(
                    (
                        present & values.frame_date_in_future(_date(c.name)),
                        c.name,
                        "date_in_future",
                        f"“{c.label}”晚于今天，不可能",
                    )
                )
            checks.append(
                (
                    present & values.frame_date_too_early(_date(c.name)),
                    c.name,
                    "date_too_early",
                    f"“{c.label}”早于 {values.EARLIEST:%Y} 年，不可能",
                )
            )
        elif c.type in ("money", "area"):
            neg = _text(c.name).str.starts_with("-")
            checks.append((present & neg, c.name, "negative_amount", f"“{c.label}”不能为负数"))
            checks.append(
                (
                    present & ~neg & _cents(c.name).is_null(),
                    c.name,
                    "invalid_amount",
                    f"“{c.label}”应为数字（最多两位小数）",
                )
            )
            maximum, unit = (values.AREA_MAX, "平方米") if c.type == "area" else (values.MONEY_MAX, "元")
            checks.append(
                (
                    present & values.frame_amount_too_large(_cents(c.name), maximum=maximum),
                    c.name,
                    f"{c.type if c.type == 'area' else 'amount'}_out_of_range",
                    f"“{c.label}”超出合理范围（不超过 {maximum:,} {unit}）",
                )
            )
        elif c.type == "choice":
            allowed = list(c.choices) + list(dict.fromkeys(c.choices.values()))
            checks.append(
                (
                    present & ~_text(c.name).is_in(allowed),
                    c.name,
                    "invalid_choice",
                    f"“{c.label}”应为 {'/'.join(c.choices)} 之一",
                )
            )
        elif c.type == "gender":
            checks.append(
                (
                    present & ~_text(c.name).is_in(list(GENDERS)),
                    c.name,
                    "invalid_choice",
                    f"“{c.label}”应为 男/女",
                )
            )
    if src.period:
        a, b = src.period
        checks.append(
            (_date(b) < _date(a), b, "period_order", f"“{src.column(b).label}”早于“{src.column(a).label}”")
        )
    return checks


def _value_checks(src: Source, c, present: pl.Expr) -> list[tuple[pl.Expr, str, str, str]]:
    text = _text(c.name)
    limit = REF_MAX if c.name == src.ref else TEXT_LIMITS.get(c.name, DETAIL_MAX)
    checks = [
        (
            present & values.frame_control_chars(text),
            c.name,
            "control_characters",
            f"“{c.label}”含有不可见的控制字符",
        ),
        (present & values.frame_too_long(text, limit), c.name, "too_long", f"“{c.label}”超过 {limit} 个字"),
    ]
    if c.type == "id":
        checks.append(
            (
                present & values.frame_bad_id_number(text),
                c.name,
                "invalid_id_number",
                f"“{c.label}”不是有效的身份证号码（位数、出生日期或校验位不对）",
            )
        )
    if c.name == "phone":
        checks.append(
            (
                present & values.frame_bad_phone(text),
                c.name,
                "invalid_phone",
                f"“{c.label}”只能含数字、空格和“-”",
            )
        )
    return checks


def validate(src: Source, data: bytes, filename: str) -> Validation:
    """Validate a file against ``src``'s schema. File-level problems (unreadable, a required
    column missing, no rows) raise ``ValidationFailed``; row-level ones are returned."""
    raw, warnings = _headers(read_file(data, filename), src)
    if raw.height == 0:
        raise ValidationFailed("文件没有数据行", field="file", code="file_empty")
    raw = raw.with_row_index("row_no", offset=2).with_columns(pl.col("row_no").cast(pl.Int64))
    checks = _checks(src, raw)
    flags = raw.select("row_no", *[e.fill_null(False).alias(f"__e{i}") for i, (e, *_) in enumerate(checks)])
    long = (
        flags.unpivot(index="row_no", variable_name="check", value_name="failed")
        .filter(pl.col("failed"))
        .with_columns(pl.col("check").str.slice(3).cast(pl.Int64))
        .sort("row_no", "check")
    )
    table = pl.DataFrame(
        {
            "check": list(range(len(checks))),
            "column": [c[1] for c in checks],
            "code": [c[2] for c in checks],
            "text": [c[3] for c in checks],
        },
        schema={"check": pl.Int64, "column": pl.String, "code": pl.String, "text": pl.String},
    )
    error_frame = (
        long.join(table, on="check")
        .sort("row_no", "check")
        .select(
            pl.col("row_no").alias("row"),
            "column",
            "code",
            pl.format("第 {} 行：{}", pl.col("row_no"), pl.col("text")).alias("message"),
        )
    )
    bad_rows = long.get_column("row_no").unique()
    bad = raw.filter(pl.col("row_no").is_in(bad_rows.implode()))
    good = raw.filter(~pl.col("row_no").is_in(bad_rows.implode()))
    return Validation(
        good=normalise(src, good),
        bad=bad,
        errors=error_frame.head(MAX_KEPT_ERRORS).to_dicts(),
        error_frame=error_frame,
        error_count=error_frame.height,
        rows_total=raw.height,
        warnings=warnings,
    )


def normalise(src: Source, df: pl.DataFrame) -> pl.DataFrame:
    """Valid rows (text columns named by code) → the staged record schema."""
    has = lambda n: n in src.column_names  # noqa: E731
    null_s, null_d = pl.lit(None, dtype=pl.String), pl.lit(None, dtype=pl.Date)

    def choice(name: str) -> pl.Expr:
        c = src.column(name)
        mapping = {**{v: v for v in c.choices.values()}, **c.choices}
        return _text(name).replace_strict(mapping, default=None, return_dtype=pl.String)

    assert src.item or src.item_from  # the catalogue loader requires item or item_from
    item = pl.lit(src.item) if src.item else choice(src.item_from or "")
    amount = _cents(src.amount) if src.amount else pl.lit(None, dtype=pl.Int64)
    start = _date(src.period[0]) if src.period else null_d
    end = _date(src.period[1]) if src.period else null_d
    if src.amount and src.amount_basis == "period_total":
        months = _months(start, end)
        amount = (2 * amount + months) // (2 * months)  # monthly average, half-up to the cent
    reserved = set(src.person_keys) | {src.amount, src.record_date, src.ref, "floor_area", "use", "status"}
    reserved |= set(src.period or ()) | ({src.item_from} if src.item_from else set())
    extra = [c.name for c in src.columns if c.name not in reserved]
    detail = pl.struct([_text(n).alias(n) for n in extra]).struct.json_encode() if extra else pl.lit("{}")
    out = df.select(
        pl.col("row_no"),
        (_text("id_number") if has("id_number") else null_s).alias("id_raw"),
        (_text("name").str.replace_all(r"\s+", "") if has("name") else null_s).alias("name"),
        (_date("birth_date") if has("birth_date") else null_d).alias("birth_date"),
        (_text("gender").replace_strict(GENDERS, default=None) if has("gender") else null_s).alias("gender"),
        (_text("phone") if has("phone") else null_s).alias("phone"),
        (_text("address") if has("address") else null_s).alias("address"),
        item.alias("item"),
        amount.alias("amount_cents"),
        (_cents("floor_area") if has("floor_area") else pl.lit(None, dtype=pl.Int64)).alias("area_centi"),
        (choice("use") if has("use") else null_s).alias("vehicle_purpose"),
        ((choice("status") != "closed").fill_null(True) if has("status") else pl.lit(True)).alias("active"),
        start.alias("period_start"),
        end.alias("period_end"),
        (_date(src.record_date) if src.record_date else null_d).alias("record_date"),
        (_text(src.ref) if src.ref else null_s).alias("ref"),
        detail.alias("detail"),
    )
    out = id_columns(out)
    out = out.with_columns(name_py=pinyin(out.get_column("name")).str.slice(0, 120))  # the column's length
    out = out.with_columns(fingerprint=fingerprints(src.code, out))
    return out.select([pl.col(c).cast(t) for c, t in STAGED_SCHEMA.items()])


def rows_from_records(src: Source, rows: list[dict]) -> bytes:
    """A task answer typed as JSON rows → CSV bytes, validated by the same path as a file."""
    if not rows:
        raise ValidationFailed("请填写记录，或选择“查无记录”", field="records", code="no_rows")
    names = src.column_names
    unknown = sorted({k for r in rows for k in r} - set(names))
    if unknown:
        raise ValidationFailed(f"未知字段 {unknown[0]}", field="records", code="unknown_field")
    frame = pl.DataFrame([{n: (None if r.get(n) is None else str(r.get(n))) for n in names} for r in rows])
    return frame.write_csv().encode("utf-8")


def quarantine_rows(v: Validation) -> list[dict]:
    """The bad rows as they were, each with all its errors."""
    assert v.error_frame is not None  # set by every validation (``validate``)
    errs: dict[int, list[dict]] = {}
    for e in v.error_frame.iter_rows(named=True):
        errs.setdefault(e["row"], []).append(e)
    return [
        {
            "row_no": r["row_no"],
            # NUL shown as text: PostgreSQL's jsonb cannot hold it, the officer must see it
            "raw": {
                k: v.replace("\x00", "\\x00") if isinstance(v, str) else v
                for k, v in r.items()
                if k != "row_no"
            },
            "errors": errs.get(r["row_no"], []),
        }
        for r in v.bad.iter_rows(named=True)
    ]
