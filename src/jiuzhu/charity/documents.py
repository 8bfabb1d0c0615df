"""Donation receipts (捐赠收据) as PDF with reportlab. Chinese needs a CJK font: the
WenQuanYi Micro Hei TrueType collection Debian installs (fonts-wqy-microhei), else
reportlab's built-in Adobe CID font STSong-Light (no file needed; the viewer supplies the
glyphs)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from jiuzhu.common.pdf import cjk_font

from .models import Donation, qty


def receipt_pdf(d: Donation) -> bytes:
    font = cjk_font()
    buf = io.BytesIO()
    size = landscape(A5)
    c = canvas.Canvas(buf, pagesize=size)
    c.setTitle(f"捐赠收据 {d.receipt_no}")
    w, h = size
    c.setFont(font, 18)
    c.drawCentredString(w / 2, h - 22 * mm, f"{d.partner.name} 捐赠收据")
    c.setFont(font, 10)
    c.drawRightString(w - 15 * mm, h - 30 * mm, f"收据编号：{d.receipt_no}")
    lines = [
        ("捐赠人", d.donor_display),
        ("接收日期", d.received_on.strftime("%Y年%m月%d日")),
    ]
    if d.kind == Donation.MONEY:
        assert d.fund is not None  # money is received into a fund (services.donation_receive)
        lines += [("捐赠金额", f"人民币 {d.amount:,.2f} 元"), ("存入", d.fund.name)]
    else:
        assert d.stock_item is not None  # goods are received into a stock item
        worth = f"（估值 {d.value:,.2f} 元）" if d.value else ""
        lines += [("捐赠物资", f"{d.stock_item.name} {qty(d.quantity)}{d.stock_item.unit}{worth}")]
    lines.append(("捐赠用途", d.purpose or "不限定用途"))
    y = h - 45 * mm
    c.setFont(font, 12)
    for label, value in lines:
        c.drawString(20 * mm, y, f"{label}：{value}")
        y -= 9 * mm
    c.setFont(font, 9)
    c.drawString(
        20 * mm,
        18 * mm,
        "感谢您的爱心捐赠。每一笔捐赠的使用去向可在本机构公开页面查询（不含受助人个人信息）。",
    )
    c.drawRightString(w - 20 * mm, 26 * mm, f"{d.partner.name}（盖章）")
    c.showPage()
    c.save()
    return buf.getvalue()
