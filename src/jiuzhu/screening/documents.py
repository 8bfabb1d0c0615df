"""The Excel report of the alerts a user may see (masked per role, the export logged)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from jiuzhu.common.exports import safe_row

from .selectors import alert_view, overview

COLUMNS = [
    ("编号", "id"),
    ("类型", "kind_name"),
    ("规则", "rule_name"),
    ("严重程度", "severity_name"),
    ("责任单位", "unit"),
    ("家庭编号", "household"),
    ("人员", "person"),
    ("身份证号码", "person_id_number"),
    ("摘要", "summary"),
    ("预警日期", "raised_on"),
    ("处理期限", "due_on"),
    ("状态", "status_name"),
    ("处理措施", "action"),
    ("处理日期", "resolved_on"),
    ("处理说明", "resolution_note"),
]


def alerts_workbook(qs, role: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "预警清单"
    ws.append(safe_row([c for c, _ in COLUMNS] + ["证据"]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for alert in qs.iterator(chunk_size=1000):
        v = alert_view(alert, role)
        ev = v["evidence"]
        records = "；".join(str(x) for x in ev.get("records", []) or [])
        ws.append(safe_row([v[k] for _, k in COLUMNS] + [records]))
    summary = wb.create_sheet("汇总")
    ov = overview(qs)
    summary.append(safe_row(["类型", "待处理", "已核实", "误报"]))
    for name, c in ov["by_kind"]:
        summary.append(safe_row([name, c["open"], c["confirmed"], c["false_positive"]]))
    summary.append([])
    summary.append(safe_row(["规则", "预警数"]))
    for name, n in ov["by_rule"]:
        summary.append(safe_row([name, n]))
    summary.append([])
    summary.append(safe_row(["责任单位", "待处理", "其中逾期"]))
    for name, n, late in ov["by_unit"]:
        summary.append(safe_row([name, n, late]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
