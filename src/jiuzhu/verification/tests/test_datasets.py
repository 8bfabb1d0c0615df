"""Datasets: validate → report (row numbers) → refuse whole or quarantine → one transaction;
versions kept; reads take the latest version valid for the date asked."""

from datetime import date

import polars as pl
import pytest
from django.db import IntegrityError

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.registry.testing import make_id
from jiuzhu.verification import datasets, testing
from jiuzhu.verification.models import DatasetUpload, DatasetVersion, QuarantinedRow, SourceRecord

GOOD = {"name": "张三", "institution": "示范银行", "balance": "1,000.50", "balance_date": "2026/2/28"}


def rows():
    return [
        {**GOOD, "id_number": make_id(date(1980, 1, 1))},
        {
            "id_number": "",
            "name": "",
            "institution": "示范银行",
            "balance": "10",
            "balance_date": "2026-02-28",
        },
        {**GOOD, "id_number": make_id(date(1981, 1, 1)), "balance": "-5"},
        {**GOOD, "id_number": make_id(date(1982, 1, 1)), "balance_date": "2026-02-30"},
        {**GOOD, "id_number": "12345"},  # a malformed number would be loaded as nobody's
    ]


def upload(provider, data=None, name="banks.csv", as_of=date(2026, 3, 1)):
    return datasets.dataset_upload(
        actor=provider,
        source_code="banks",
        as_of=as_of,
        data=data or testing.csv_bytes("banks", rows()),
        filename=name,
    )


def test_validation_report_lists_errors_with_row_numbers(provider_of):
    up = upload(provider_of("banks"))
    assert (up.rows_total, up.rows_bad, up.error_count) == (5, 4, 5)
    errs = [(e["row"], e["column"], e["code"]) for e in up.errors]
    assert errs == [
        (3, "id_number", "missing_person_key"),
        (3, "name", "required"),
        (4, "balance", "negative_amount"),
        (5, "balance_date", "invalid_date"),
        (6, "id_number", "invalid_id_number"),
    ]
    assert up.errors[0]["message"].startswith("第 3 行：")
    assert not SourceRecord.objects.exists() and not DatasetVersion.objects.exists()  # nothing loaded yet


def test_refuse_whole_loads_nothing(provider_of):
    up = datasets.dataset_apply(actor=provider_of("banks"), upload=upload(provider_of("banks")), mode="whole")
    assert up.state == DatasetUpload.REFUSED
    assert not DatasetVersion.objects.exists() and not SourceRecord.objects.exists()


def test_quarantine_loads_good_rows_and_keeps_bad_ones(provider_of):
    up = datasets.dataset_apply(
        actor=provider_of("banks"), upload=upload(provider_of("banks")), mode="quarantine"
    )
    assert up.state == DatasetUpload.APPLIED
    v = up.version
    assert (v.number, v.rows, v.quarantined) == (1, 1, 4)
    recs = list(SourceRecord.objects.order_by("row_no").values_list("row_no", "amount", "id_valid", "item"))
    assert [(r, str(a), ok, i) for r, a, ok, i in recs] == [(2, "1000.50", True, "financial")]
    q = list(QuarantinedRow.objects.order_by("row_no"))
    assert [r.row_no for r in q] == [3, 4, 5, 6]
    assert q[1].raw["balance"] == "-5" and q[1].errors[0]["code"] == "negative_amount"


def test_file_level_problems_refuse_the_upload(provider_of):
    p = provider_of("banks")
    with pytest.raises(ValidationFailed) as exc:
        upload(p, data="客户姓名,余额\n张三,1\n".encode())
    assert exc.value.code == "missing_column" and "金融机构" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        upload(p, data=b"x", name="banks.pdf")
    assert exc.value.code == "file_type"


def test_excel_parquet_and_gb18030(provider_of):
    import io

    import openpyxl

    p = provider_of("banks")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户证件号码", "客户姓名", "金融机构", "余额", "余额日期"])
    ws.append([make_id(date(1970, 1, 1)), "王五", "某行", 12.5, date(2026, 2, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    assert upload(p, data=buf.getvalue(), name="b.xlsx").error_count == 0
    frame = pl.DataFrame(
        {"客户姓名": ["王五"], "金融机构": ["某行"], "余额": ["3"], "余额日期": ["2026-02-01"]}
    )
    pq = io.BytesIO()
    frame.write_parquet(pq)
    assert upload(p, data=pq.getvalue(), name="b.parquet").error_count == 0
    gb = "客户姓名,金融机构,余额,余额日期\n王五,某行,3,2026年2月1日\n".encode("gb18030")
    assert upload(p, data=gb, name="b.csv").error_count == 0


def test_only_the_sources_own_officers_upload(staff, provider_of):
    with pytest.raises(PermissionDenied):
        upload(provider_of("tax"))  # a tax officer cannot upload bank data
    with pytest.raises(PermissionDenied):
        upload(staff("verification_officer"))


def test_latest_version_valid_for_the_date_asked(provider_of):
    p = provider_of("banks")
    row = [{**GOOD, "id_number": make_id(date(1980, 1, 1))}]
    testing.load_dataset(p, "banks", row, as_of=date(2026, 1, 1))
    testing.load_dataset(p, "banks", row, as_of=date(2026, 3, 1))
    testing.load_dataset(p, "banks", row, as_of=date(2026, 2, 1))  # a late upload of an older extract
    assert datasets.version_for("banks", date(2025, 12, 31)) is None
    assert datasets.version_for("banks", date(2026, 2, 15)).number == 3
    assert datasets.version_for("banks", date(2026, 3, 2)).number == 2
    assert datasets.version_for("banks", date(2026, 9, 1)) is None  # older than the bank's 120 days
    assert DatasetVersion.objects.count() == 3 and SourceRecord.objects.count() == 3  # all kept


def test_a_failing_batch_leaves_nothing_half_loaded(provider_of, django_db_blocker):
    """A database error in the second batch of an apply rolls back the version and the first
    batch as well."""
    from django.db import transaction

    from jiuzhu.verification import ingest
    from jiuzhu.verification.sources import source

    p = provider_of("banks")
    up = upload(p, data=testing.csv_bytes("banks", [{**GOOD, "id_number": make_id(date(1980, 1, 1))}] * 5))
    good = pl.read_parquet(f"{up.staged_path}.good.parquet")
    broken = pl.concat(
        [good, good.head(1).with_columns(item=pl.lit(None, dtype=pl.String))]
    )  # NOT NULL violated
    assert broken.height == 6 and ingest.STAGED_SCHEMA["item"] == pl.String and source("banks")
    with pytest.raises(IntegrityError), transaction.atomic():
        datasets.load_records(broken, source_code="banks", batch_size=2)
    assert SourceRecord.objects.count() == 0


def test_what_the_database_would_refuse_is_reported_at_validation(provider_of):
    """The issue's inputs: a death dated 2099, an invalid ID, a wrong check digit, a birth date
    in 2099, text with NUL, a name longer than its column — each a row error; the rest loads."""
    good = make_id(date(1950, 5, 5))
    rows = [
        {"id_number": good, "name": "赵六", "death_date": "2026-02-01"},
        {"id_number": make_id(date(1951, 1, 1)), "name": "钱七", "death_date": "2099-01-01"},
        {"id_number": "12345", "name": "孙八", "death_date": "2026-02-01"},
        {
            "id_number": good[:17] + ("0" if good[17] != "0" else "1"),
            "name": "李九",
            "death_date": "2026-02-01",
        },
        {
            "id_number": make_id(date(1952, 1, 1)),
            "name": "周十",
            "birth_date": "2099-03-01",
            "death_date": "2026-02-01",
        },
        {"id_number": make_id(date(1953, 1, 1)), "name": "吴\x00一", "death_date": "2026-02-01"},
        {"id_number": make_id(date(1954, 1, 1)), "name": "郑" * 61, "death_date": "2026-02-01"},
    ]
    p = provider_of("deaths")
    up = datasets.dataset_upload(
        actor=p,
        source_code="deaths",
        as_of=date(2026, 3, 1),
        data=testing.csv_bytes("deaths", rows),
        filename="d.csv",
    )
    assert [(e["row"], e["column"], e["code"]) for e in up.errors] == [
        (3, "death_date", "date_in_future"),
        (4, "id_number", "invalid_id_number"),
        (5, "id_number", "invalid_id_number"),
        (6, "birth_date", "date_in_future"),
        (7, "name", "control_characters"),
        (8, "name", "too_long"),
    ]
    assert not SourceRecord.objects.exists()
    up = datasets.dataset_apply(actor=p, upload=up, mode="quarantine")  # loads (COPY on PostgreSQL)
    assert list(SourceRecord.objects.values_list("id_key", flat=True)) == [good]
    assert up.version.quarantined == 6


def test_text_limits_are_the_record_columns():
    from jiuzhu.verification import ingest

    for name, limit in ingest.TEXT_LIMITS.items():
        column = "id_raw" if name == "id_number" else name
        assert SourceRecord._meta.get_field(column).max_length == limit
    assert SourceRecord._meta.get_field("ref").max_length == ingest.REF_MAX
