"""A partner's ledger as an Excel workbook: the money ledger of each fund with a
running balance, the goods ledger of each item, where each donation went, and the
reconciliation result. Recipients are masked for the role exporting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuzhu.common import masking as m
from jiuzhu.common.exports import Sheet, write_xlsx

from . import selectors
from .models import Partner


def _money_rows(partner: Partner, role: str):
    for fund in partner.funds.all():
        rows: list[tuple[date, int, str, str, Decimal | None, Decimal | None]] = [
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
            yield [fund.name, on, text, ref, inc, out, balance]


def _goods_rows(partner: Partner):
    for item in partner.stock.all():
        rows: list[tuple[date, int, str, Decimal | None, Decimal | None]] = [
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
            yield [item.name, on, text, inc, out, left]


def ledger_xlsx(partner: Partner, *, role: str) -> bytes:
    trail = (
        [d.receipt_no, d.donor_display, u["on"], u["size"], u["need"], u["recipient"]]
        for d in partner.donations.all()
        for u in selectors.donation_trail(d, role)
    )
    check = (
        [row["name"], "相符" if row["reconciled"] else "不符", "；".join(row["differences"])]
        for row in selectors.ledger_check(partner)
    )
    return write_xlsx(
        [
            Sheet(
                "资金台账",
                ["资金", "日期", "摘要", "凭证", "收入（元）", "支出（元）", "余额（元）"],
                _money_rows(partner, role),
                caption=f"{partner.name} 资金台账",
            ),
            Sheet(
                "物资台账",
                ["物资", "日期", "摘要", "入库", "出库", "结存"],
                _goods_rows(partner),
                caption=f"{partner.name} 物资台账",
            ),
            Sheet(
                "捐赠去向",
                ["收据编号", "捐赠人", "日期", "金额或数量", "需求", "受助人/去向"],
                trail,
                caption="每笔捐赠的去向",
            ),
            Sheet("核对结果", ["账户/物资", "结果", "差异"], check, caption="台账核对"),
        ]
    )
