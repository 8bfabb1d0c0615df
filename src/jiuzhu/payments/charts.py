"""Bar charts as inline SVG made on the server (no script, no CDN: nothing leaves the machine)."""

from __future__ import annotations

from decimal import Decimal
from html import escape


def bars(rows: list[tuple[str, Decimal]], *, title: str, width: int = 640, bar_h: int = 22) -> str:
    """Horizontal bars, one per (label, value), with the value printed. Returns SVG markup."""
    if not rows:
        return f'<p class="muted">{escape(title)}：暂无数据</p>'
    top = max((v for _, v in rows), default=Decimal(0)) or Decimal(1)
    label_w, pad = 170, 4
    plot_w = width - label_w - 110
    h = 28 + len(rows) * (bar_h + pad)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{h}" viewBox="0 0 {width} {h}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 28 + i * (bar_h + pad)
        w = max(int(plot_w * (value / top)), 0) if value > 0 else 0
        out.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 6}" font-size="12" text-anchor="end">{escape(str(label))[:14]}</text>'
        )
        out.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#a4161a"/>')
        out.append(f'<text x="{label_w + w + 4}" y="{y + bar_h - 6}" font-size="12">¥{value:,.2f}</text>')
    out.append("</svg>")
    return "".join(out)
