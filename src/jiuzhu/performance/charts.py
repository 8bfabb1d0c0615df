"""Server-rendered inline SVG charts (nothing loaded from elsewhere). Every bar or cell is a
link to the list of the cases behind it."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape


def _a(href: str, body: str, title: str) -> str:
    return f'<a href="{escape(href)}"><title>{escape(title)}</title>{body}</a>'


def bars(items: list[tuple[str, float, str, str]], *, width=640, height=220, color="#2b6cb0", unit="") -> str:
    """Vertical bars: (label, value, href, title) each."""
    n = max(len(items), 1)
    top = max([float(v) for _, v, _, _ in items] + [1.0])
    pad, bw = 30, (width - 40) / n
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, href, title) in enumerate(items):
        h = (height - 2 * pad) * float(value) / top
        x = 30 + i * bw
        y = height - pad - h
        rect = f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" fill="{color}"/>'
        out.append(_a(href, rect, f"{label}：{title}"))
        out.append(
            f'<text x="{x + bw / 2:.1f}" y="{height - 12}" font-size="11" text-anchor="middle">{escape(label)}</text>'
        )
        out.append(
            f'<text x="{x + bw / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{escape(_fmt(value))}{unit}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def hbars(items: list[tuple[str, float, str, str]], *, width=640, row=22, color="#2f855a", suffix="") -> str:
    """Horizontal bars (label, value, href, title); the longest bar fills the width."""
    height = row * max(len(items), 1) + 10
    top = max([float(v) for _, v, _, _ in items] + [1.0])
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, href, title) in enumerate(items):
        y = 5 + i * row
        w = (width - 230) * float(value) / top
        out.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>')
        rect = f'<rect x="150" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 6}" fill="{color}"/>'
        out.append(_a(href, rect, f"{label}：{title}"))
        out.append(
            f'<text x="{155 + w:.1f}" y="{y + 15}" font-size="11">{escape(_fmt(value))}{suffix}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def heat(rows: list[str], cols: list[str], cells: dict, hrefs: dict, *, cell=26) -> str:
    """A unit × month grid shaded by count (``cells[(row, col)]``)."""
    left = 150
    width, height = left + cell * len(cols) + 10, 20 + cell * max(len(rows), 1)
    top = max([v for v in cells.values()] + [1])
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for j, c in enumerate(cols):
        out.append(
            f'<text x="{left + j * cell + cell / 2}" y="14" font-size="10" text-anchor="middle">{escape(c)}</text>'
        )
    for i, r in enumerate(rows):
        y = 20 + i * cell
        out.append(f'<text x="0" y="{y + cell * 0.65:.1f}" font-size="11">{escape(r)}</text>')
        for j, c in enumerate(cols):
            v = cells.get((r, c), 0)
            shade = 0.08 + 0.92 * v / top if v else 0.0
            rect = (
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="#c53030" fill-opacity="{shade:.2f}" stroke="#ddd"/>'
            )
            out.append(_a(hrefs[(r, c)], rect, f"{r} {c}：超期 {v} 件") if v else rect)
    out.append("</svg>")
    return "".join(out)


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        return f"{v:,.0f}" if v >= 1000 else f"{v}"
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 1000 else f"{v:.1f}"
    return str(v)
