"""Inline SVG charts drawn on the server (nothing leaves the machine, no script)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape


def funds_svg(funds: list[dict], width: int = 560) -> str:
    """Horizontal bars per fund: received (light) and used (dark), to the same scale."""
    if not funds:
        return ""
    top = max([f["received"] for f in funds] + [Decimal("1")])
    row, label_w = 46, 150
    bar_w = width - label_w - 110
    h = row * len(funds) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
        f'aria-label="各项资金收支">'
    ]
    for i, f in enumerate(funds):
        y = 10 + i * row
        rw = int(bar_w * f["received"] / top)
        uw = int(bar_w * f["used"] / top)
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(f["name"][:11])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{rw}" height="14" fill="#9ecae1"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 17}" width="{uw}" height="14" fill="#3182bd"/>')
        parts.append(
            f'<text x="{label_w + rw + 4}" y="{y + 12}" font-size="11">收 {f["received"]:,.2f}</text>'
        )
        parts.append(f'<text x="{label_w + uw + 4}" y="{y + 29}" font-size="11">支 {f["used"]:,.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
