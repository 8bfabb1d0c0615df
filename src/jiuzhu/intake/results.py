"""Published results (办理结果公开): parsing the month and the Excel export."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.exports import safe_row

from .selectors import RESULT_COLUMNS, published_results


def parse_month(raw: str) -> date:
    try:
        year, month = (int(x) for x in (raw or "").strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed("月份格式应为 YYYY-MM", field="month", code="invalid_month") from None


def results_xlsx(month: date, *, city: str = "") -> bytes:
    rows = published_results(month)
    wb = Workbook()
    ws = wb.active
    ws.title = month.strftime("%Y-%m")
    ws.append(safe_row([f"{city}社会救助“一门受理、协同办理”办理结果公开（{month:%Y年%m月}）"]))
    ws["A1"].font = Font(bold=True, size=13)
    header = ["单位", *[label for _, label in RESULT_COLUMNS]]  # units by name: no code shown
    ws.append(safe_row(header))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    totals = {k: 0 for k, _ in RESULT_COLUMNS}
    for r in rows:
        ws.append(safe_row([r["unit_name"], *[r[k] for k, _ in RESULT_COLUMNS]]))
        for k, _ in RESULT_COLUMNS:
            totals[k] += r[k]
    ws.append(safe_row(["合计", *[totals[k] for k, _ in RESULT_COLUMNS]]))
    ws.append([])
    ws.append(
        [
            "口径：收到=当月分办或转入；办结=当月办结（含转办）；按时办结=办结日不晚于期限；"
            "超期=期限在当月且未按期办结；补正期间停止计时。"
        ]
    )
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
