"""``common.xlsxread.values`` gives what openpyxl's ``iter_rows(values_only=True)`` gives, on
every kind of cell an uploaded list holds, only faster."""

import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from jiuzhu.caseload.reading import _xlsx
from jiuzhu.common import xlsxread


def _both(data: bytes):
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    slow = [_trim(list(r)) for r in ws.iter_rows(values_only=True)]
    fast = list(xlsxread.values(wb, ws))
    wb.close()
    return slow, fast


def _trim(row: list) -> list:
    """openpyxl pads a row to the sheet's width when the file declares it; the fast reader
    stops at the last value (the upload reader pads to the header's width either way)."""
    while row and row[-1] is None:
        row.pop()
    return row


def test_every_kind_of_cell_reads_as_openpyxl_reads_it():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "人数", "金额", "日期", "时间", "是否", "备注"])
    ws.append(
        ["张三", "32990119600101001X", 3, 12.5, date(2026, 3, 2), datetime(2026, 3, 2, 8, 30), True, None]
    )
    ws.append(["李四", "0012", 3.0, 1e-7, None, None, False, "=不是公式"])
    ws["A6"] = "隔行"  # rows 4 and 5 missing from the file
    ws["H6"] = "  带空格  "
    ws["C7"] = "=1+1"  # a formula: no cached value in a file openpyxl wrote
    buf = io.BytesIO()
    wb.save(buf)
    slow, fast = _both(buf.getvalue())
    assert fast == slow
    assert fast[1][4] == datetime(2026, 3, 2) and fast[1][1] == "32990119600101001X"


def test_inline_strings_and_rows_without_numbers():
    wb = Workbook()
    wb.active.append(["a"])
    buf = io.BytesIO()
    wb.save(buf)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row><c t="inlineStr"><is><t>户主</t></is></c><c t="inlineStr"><is><r><t>受灾</t></r><r><t>人口</t></r></is></c></row>'
        '<row><c t="inlineStr"><is><t>王五</t></is></c><c><v>4</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>'
        '<row r="5"><c r="C5" t="str"><v>公式结果</v></c></row>'
        "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, body)
    slow, fast = _both(out.getvalue())
    assert fast == slow
    assert fast[0][:2] == ["户主", "受灾人口"] and fast[4][2] == "公式结果"


def test_the_upload_reader_keeps_row_numbers_and_text():
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "人数", "日期"])
    ws.append(["张三", 3, date(2026, 3, 2)])
    ws["A4"] = "李四"
    buf = io.BytesIO()
    wb.save(buf)
    frame = _xlsx(buf.getvalue())["名单"]
    assert frame.rows() == [("张三", "3", "2026-03-02"), (None, None, None), ("李四", None, None)]
