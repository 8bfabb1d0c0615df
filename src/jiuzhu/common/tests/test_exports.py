"""Spreadsheet cells cannot carry formulas; amounts and dates pass unchanged."""

import csv
import io
from datetime import date
from decimal import Decimal

import polars as pl
from openpyxl import Workbook, load_workbook

from jiuzhu.common.exports import safe_cell, safe_frame, safe_row


def test_formula_leading_text_becomes_text():
    for hostile in (
        '=HYPERLINK("http://x","点此")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "-cmd|' /C calc'!A0",
    ):
        assert safe_cell(hostile) == "'" + hostile


def test_numbers_dates_and_plain_text_untouched():
    values = [
        Decimal("-12.50"),
        -3,
        4.5,
        Decimal("0.00"),
        date(2026, 3, 1),
        None,
        "",
        "张三",
        "-12.50",
        "+86",
        "12",
    ]
    assert safe_row(values) == values
    assert isinstance(safe_row([Decimal("-1.00")])[0], Decimal)


def test_xlsx_cell_is_text_not_formula():
    wb = Workbook()
    wb.active.append(safe_row(['=HYPERLINK("http://x","点此")', Decimal("-950.00")]))
    buf = io.BytesIO()
    wb.save(buf)
    a, b = next(load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows(values_only=False))
    assert a.data_type == "s" and a.value.startswith("'=")
    assert b.data_type == "n" and b.value == -950


def test_polars_frame_text_columns_only():
    frame = safe_frame(
        pl.DataFrame({"name": ["=1+1", "李四", "-5.00", None], "amount": [Decimal("-1.5")] * 4})
    )
    assert frame["name"].to_list() == ["'=1+1", "李四", "-5.00", None]
    assert frame["amount"].to_list() == [Decimal("-1.5")] * 4
    rows = list(csv.reader(io.StringIO(frame.write_csv())))
    assert rows[1] == ["'=1+1", "-1.5"]
