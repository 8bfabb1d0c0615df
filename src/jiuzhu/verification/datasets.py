"""Datasets of the data sources: upload → validate → report → apply (DOMAIN §6). A file is
kept as uploaded; its validated rows are staged as Parquet; the officer then refuses it
whole or quarantines its bad rows, and the rest is loaded as a new ``DatasetVersion`` in one
transaction (set-based: ``COPY`` on PostgreSQL, ``bulk_create`` in batches elsewhere)."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import date
from pathlib import Path
from typing import cast

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, Max

from jiuzhu.common import clock
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.registry.models import User

from . import access, ingest
from .models import DatasetUpload, DatasetVersion, QuarantinedRow, SourceRecord
from .sources import catalogue, source

BATCH = 2000
RECORD_COLUMNS = (
    "source",
    "row_no",
    "fingerprint",
    "id_raw",
    "id_key",
    "id_valid",
    "id_birth",
    "name",
    "name_py",
    "birth_date",
    "gender",
    "phone",
    "address",
    "item",
    "amount",
    "floor_area",
    "vehicle_purpose",
    "active",
    "period_start",
    "period_end",
    "record_date",
    "ref",
    "detail",
)
TEXT_COLUMNS = (
    "id_raw",
    "id_key",
    "id_birth",
    "name",
    "name_py",
    "gender",
    "phone",
    "address",
    "vehicle_purpose",
    "ref",
)


def storage_dir() -> Path:
    path = Path(settings.DATA_DIR) / "verification"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keep(data: bytes, filename: str) -> tuple[str, str]:
    sha = hashlib.sha256(data).hexdigest()
    folder = storage_dir() / "uploads" / sha[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}{Path(filename).suffix.lower()}"
    if not path.exists():
        path.write_bytes(data)
    return sha, str(path)


def stage(v: ingest.Validation) -> str:
    """Write the validated rows and the bad rows (with their errors) for the apply step."""
    stem = storage_dir() / "staged" / uuid.uuid4().hex
    stem.parent.mkdir(parents=True, exist_ok=True)
    v.good.write_parquet(f"{stem}.good.parquet")
    pl.DataFrame(
        {"row": [json.dumps(r, ensure_ascii=False, default=str) for r in ingest.quarantine_rows(v)]},
        schema={"row": pl.String},
    ).write_parquet(f"{stem}.bad.parquet")
    return str(stem)


def dataset_upload_check(*, actor: User, source_code: str, as_of: date):
    """What an upload needs before its file is read (checked in the request before the file is
    queued, and again by the validation): a known source the actor provides, a past date."""
    src = source(source_code)
    access.ensure_provider(actor, src)
    if as_of > clock.today():
        raise ValidationFailed("数据日期不能晚于今天", field="as_of", code="as_of_in_future")
    return src


@transaction.atomic
def dataset_upload(
    *, actor: User, source_code: str, as_of: date, data: bytes, filename: str
) -> DatasetUpload:
    """Validate a file against the source's schema and keep the report; nothing is loaded."""
    src = dataset_upload_check(actor=actor, source_code=source_code, as_of=as_of)
    v = ingest.validate(src, data, filename)
    sha, path = _keep(data, filename)
    return DatasetUpload.objects.create(
        source=src.code,
        schema_version=catalogue().version,
        as_of=as_of,
        original_name=Path(filename).name[:200],
        sha256=sha,
        stored_path=path,
        staged_path=stage(v),
        uploaded_by=actor,
        rows_total=v.rows_total,
        rows_bad=v.bad.height,
        error_count=v.error_count,
        errors=v.errors
        + [{"row": None, "column": None, "code": "warning", "message": w} for w in v.warnings],
    )


def dataset_apply_check(*, actor: User, upload: DatasetUpload, mode: str):
    """What the officer's choice needs (checked in the request before the load is queued, and
    again by the load itself): the actor provides the source, the upload waits, a known mode."""
    src = source(upload.source)
    access.ensure_provider(actor, src)
    if upload.state != DatasetUpload.VALIDATED:
        raise IllegalTransition("该上传已处理", code="upload_decided")
    if mode not in (DatasetUpload.WHOLE, DatasetUpload.QUARANTINE):
        raise ValidationFailed("处理方式应为 whole 或 quarantine", field="mode", code="invalid_mode")
    return src


@transaction.atomic
def dataset_apply(*, actor: User, upload: DatasetUpload, mode: str) -> DatasetUpload:
    """The officer's choice after reading the report. ``mode="whole"``: a file with errors is
    refused as a whole (nothing loaded); without errors it is loaded. ``mode="quarantine"``:
    the bad rows are kept aside and the rest loaded. All in this one transaction."""
    upload = DatasetUpload.objects.select_for_update().get(pk=upload.pk)
    src = dataset_apply_check(actor=actor, upload=upload, mode=mode)
    upload.mode, upload.decided_by, upload.decided_at = mode, actor, clock.now()
    if upload.rows_bad and mode == DatasetUpload.WHOLE:
        upload.state = DatasetUpload.REFUSED
        upload.save(update_fields=["mode", "decided_by", "decided_at", "state"])
        return upload
    good = pl.read_parquet(f"{upload.staged_path}.good.parquet")
    if good.height == 0:
        raise ValidationFailed("没有可导入的正确行", field="mode", code="nothing_to_load")
    number = (DatasetVersion.objects.filter(source=src.code).aggregate(n=Max("number"))["n"] or 0) + 1
    version = DatasetVersion.objects.create(
        source=src.code,
        number=number,
        schema_version=upload.schema_version,
        as_of=upload.as_of,
        upload=upload,
        rows=good.height,
        quarantined=upload.rows_bad,
        applied_by=actor,
    )
    load_records(good, source_code=src.code, dataset_id=version.pk)
    if upload.rows_bad:
        bad = pl.read_parquet(f"{upload.staged_path}.bad.parquet").get_column("row").to_list()
        QuarantinedRow.objects.bulk_create(
            [
                QuarantinedRow(upload=upload, row_no=r["row_no"], raw=r["raw"], errors=r["errors"])
                for r in map(_loads, bad)
            ],
            batch_size=BATCH,
        )
    upload.state = DatasetUpload.APPLIED
    upload.save(update_fields=["mode", "decided_by", "decided_at", "state"])
    return upload


def _loads(text: str) -> dict:
    return json.loads(text)


# --- set-based loading ------------------------------------------------------------------------


def _db_frame(staged: pl.DataFrame, source_code: str) -> pl.DataFrame:
    """Staged rows → the table's columns (yuan and m² as text with two places)."""

    def two_places(col: str) -> pl.Expr:
        c = pl.col(col)
        return pl.when(c.is_not_null()).then(
            (c // 100).cast(pl.String) + "." + (c % 100).cast(pl.String).str.zfill(2)
        )

    return staged.with_columns(
        source=pl.lit(source_code),
        amount=two_places("amount_cents"),
        floor_area=two_places("area_centi"),
        **{c: pl.col(c).fill_null("") for c in TEXT_COLUMNS},
    ).select(RECORD_COLUMNS)


def load_records(
    staged: pl.DataFrame,
    *,
    source_code: str,
    dataset_id: int | None = None,
    task_id: int | None = None,
    batch_size: int = BATCH,
) -> int:
    """Insert staged rows as ``SourceRecord``s inside the caller's transaction."""
    frame = _db_frame(staged, source_code)
    if connection.vendor == "postgresql":
        return _copy(frame, dataset_id, task_id)
    objs = (
        SourceRecord(
            dataset_id=dataset_id, task_id=task_id, **{**row, "detail": _loads(row["detail"] or "{}")}
        )
        for row in frame.iter_rows(named=True)
    )
    created = 0
    batch: list[SourceRecord] = []
    for obj in objs:
        batch.append(obj)
        if len(batch) >= batch_size:
            SourceRecord.objects.bulk_create(batch)
            created += len(batch)
            batch = []
    if batch:
        SourceRecord.objects.bulk_create(batch)
        created += len(batch)
    return created


def _copy(frame: pl.DataFrame, dataset_id: int | None, task_id: int | None) -> int:
    """PostgreSQL: one ``COPY … FROM STDIN (FORMAT csv)``; empty unquoted fields are NULL,
    quoted empty strings are ''."""
    frame = frame.with_columns(
        dataset_id=pl.lit(dataset_id, dtype=pl.Int64), task_id=pl.lit(task_id, dtype=pl.Int64)
    )
    cols = ["dataset_id", "task_id", *RECORD_COLUMNS]
    buf = io.BytesIO()
    frame.select(cols).write_csv(buf, include_header=False, null_value="", quote_style="non_numeric")
    table = SourceRecord._meta.db_table
    # every name in cols is a concrete column of SourceRecord, never a reverse relation
    names = ", ".join(f'"{cast(Field, SourceRecord._meta.get_field(c)).column}"' for c in cols)
    with connection.cursor() as cursor, connection.wrap_database_errors:  # driver errors as Django's
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT csv)') as copy:
            copy.write(buf.getvalue())
    return frame.height


# --- reads ----------------------------------------------------------------------------------


def version_for(source_code: str, on: date) -> DatasetVersion | None:
    """The latest version of a source valid on ``on``: the highest ``as_of`` not after it (the
    last applied among equals), unless older than the source's ``max_age_days``."""
    v = DatasetVersion.objects.filter(source=source_code, as_of__lte=on).order_by("-as_of", "-number").first()
    limit = source(source_code).max_age_days
    if v is not None and limit is not None and (on - v.as_of).days > limit:
        return None
    return v
