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


# --- the one writer: write_xlsx / write_csv / download -----------------------------------------


def _cells(data: bytes, title: str):
    return list(load_workbook(io.BytesIO(data))[title].iter_rows(values_only=False))


def test_write_xlsx_formula_text_stays_text_numbers_stay_numbers():
    from jiuzhu.common.exports import Sheet, write_xlsx

    data = write_xlsx(
        [
            Sheet(
                title="名单",
                header=["姓名", "金额（元）", "人数", "日期", "账号"],
                rows=[
                    [
                        '=HYPERLINK("http://x","点此")',
                        Decimal("1234.50"),
                        3,
                        date(2026, 3, 1),
                        "6222020200001",
                    ],
                    ["张三", Decimal("-12.00"), 0, None, "-12.50"],
                ],
            )
        ]
    )
    header, hostile, plain = _cells(data, "名单")
    assert [c.value for c in header] == ["姓名", "金额（元）", "人数", "日期", "账号"]
    assert header[0].font.bold
    name, amount, count, day, account = hostile
    assert name.data_type == "s" and name.value == '\'=HYPERLINK("http://x","点此")'
    assert amount.data_type == "n" and amount.value == 1234.5 and amount.number_format == "#,##0.00"
    assert count.data_type == "n" and count.value == 3
    assert day.is_date and day.value.date() == date(2026, 3, 1) and day.number_format == "yyyy-mm-dd"
    assert account.data_type == "s" and account.value == "6222020200001"  # an account stays text
    assert plain[1].value == -12 and plain[3].value is None and plain[4].value == "-12.50"
    ws = load_workbook(io.BytesIO(data))["名单"]
    assert ws.freeze_panes == "A2"  # the header stays in view
    assert ws.column_dimensions["A"].width > ws.column_dimensions["C"].width  # as wide as the text


def test_write_xlsx_caption_notes_widths_and_many_sheets():
    from jiuzhu.common.exports import Sheet, write_xlsx

    data = write_xlsx(
        [
            Sheet("一", ["单位", "件数"], [["城东街道", 3]], caption="2026年3月", notes=["口径：当月"]),
            Sheet("二" * 40, ["项"], ((1,) for _ in range(3))),  # rows from a generator
        ]
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["一", "二" * 31]
    rows = list(wb["一"].iter_rows(values_only=True))
    assert rows[0][0] == "2026年3月" and rows[1] == ("单位", "件数") and rows[2] == ("城东街道", 3)
    assert rows[-1][0] == "口径：当月"
    assert wb["一"].freeze_panes == "A3"
    assert [r[0] for r in wb["二" * 31].iter_rows(values_only=True)] == ["项", 1, 1, 1]


def test_write_csv_bom_crlf_and_safe_cells():
    from jiuzhu.common.exports import write_csv

    data = write_csv(["姓名", "金额"], [["=1+1", Decimal("950.00")], [None, Decimal("-3.10")]])
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:3] == ["姓名,金额", "'=1+1,950.00", ",-3.10"]


def test_download_keeps_a_chinese_file_name():
    from urllib.parse import unquote

    from jiuzhu.common.exports import download

    response = download(b"x", "低保名单-2026年3月.xlsx")
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename=\"download.xlsx\"; filename*=UTF-8''")
    assert unquote(header.split("UTF-8''")[1]) == "低保名单-2026年3月.xlsx"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    plain = download(b"a,b", "report-7.csv", inline=True)
    assert plain["Content-Disposition"] == 'inline; filename="report-7.csv"'
    assert plain["Content-Type"] == "text/csv; charset=utf-8"
    sneaky = download(b"x", 'a"b.pdf')["Content-Disposition"]
    assert '"a"b' not in sneaky and "a%22b.pdf" in sneaky
