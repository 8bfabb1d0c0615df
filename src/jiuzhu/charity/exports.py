"""A partner's ledger as an Excel workbook (openpyxl): the money ledger of each fund with a
running balance, the goods ledger of each item, where each donation went, and the
reconciliation result. Recipients are masked for the role exporting."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from jiuzhu.common import masking as m
from jiuzhu.common.exports import safe_row

from . import selectors
from .models import Partner


def _header(ws, title: str, columns: list[str]) -> None:
    ws.append(safe_row([title]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(columns))
    for cell in ws[2]:
        cell.font = Font(bold=True)


def ledger_xlsx(partner: Partner, *, role: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "资金台账"
    _header(
        ws,
        f"{partner.name} 资金台账",
        ["资金", "日期", "摘要", "凭证", "收入（元）", "支出（元）", "余额（元）"],
    )
    for fund in partner.funds.all():
        rows = [
            (d.received_on, 0, f"捐赠：{d.donor_display}", d.receipt_no, d.amount, None)
            for d in fund.donations.all()
        ]
        rows += [
            (
                x.paid_on,
                1,
                f"资助：{x.referral.get_need_display()} {m.present('name', x.referral.person.name, role)}",
                f"转介#{x.referral_id}",
                None,
                x.amount,
            )
            for x in fund.disbursements.select_related("referral__person")
        ]
        balance = Decimal("0.00")
        for on, _, text, ref, inc, out in sorted(rows, key=lambda r: (r[0], r[1])):
            balance += (inc or 0) - (out or 0)
            ws.append(safe_row([fund.name, on, text, ref, inc, out, balance]))
    ws2 = wb.create_sheet("物资台账")
    _header(ws2, f"{partner.name} 物资台账", ["物资", "日期", "摘要", "入库", "出库", "结存"])
    for item in partner.stock.all():
        rows = [
            (d.received_on, 0, f"捐赠：{d.donor_display}（{d.receipt_no}）", d.quantity, None)
            for d in item.donations.all()
        ]
        rows += [
            (
                i.issued_on,
                1,
                f"发放：转介#{i.referral_id}" if i.referral_id else f"发放：{i.note}",
                None,
                i.quantity,
            )
            for i in item.issues.all()
        ]
        left = Decimal("0.00")
        for on, _, text, inc, out in sorted(rows, key=lambda r: (r[0], r[1])):
            left += (inc or 0) - (out or 0)
            ws2.append(safe_row([item.name, on, text, inc, out, left]))
    ws3 = wb.create_sheet("捐赠去向")
    _header(ws3, "每笔捐赠的去向", ["收据编号", "捐赠人", "日期", "金额或数量", "需求", "受助人/去向"])
    for d in partner.donations.all():
        for u in selectors.donation_trail(d, role):
            ws3.append(
                safe_row([d.receipt_no, d.donor_display, u["on"], u["size"], u["need"], u["recipient"]])
            )
    ws4 = wb.create_sheet("核对结果")
    _header(ws4, "台账核对", ["账户/物资", "结果", "差异"])
    for row in selectors.ledger_check(partner):
        ws4.append(
            safe_row([row["name"], "相符" if row["reconciled"] else "不符", "；".join(row["differences"])])
        )
    for sheet in (ws, ws2, ws3, ws4):
        sheet.column_dimensions["A"].width = 22
        sheet.column_dimensions["C"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
