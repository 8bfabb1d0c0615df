"""Charts as inline SVG drawn on the server: no script, no CDN, nothing leaves the machine.
Labels and texts are escaped here, so a view may mark the result safe.

``hbars`` draws horizontal bars, one row per ``Row`` (a label, one or more ``Bar``, and the
link to the list behind it); a row's bars stand one under the other (grouped) or end to end
(``stacked=True``, with a legend). ``vbars`` draws one vertical bar per row (months of a year);
``heat`` a grid shaded by count. Every app's chart is one of these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape

Number = Decimal | int | float


@dataclass(frozen=True)
class Bar:
    value: Number
    text: str | None = None  # printed after the bar; default: the value
    colour: str | None = None
    title: str | None = None  # hover text


@dataclass(frozen=True)
class Row:
    label: str
    bars: Sequence[Bar] = field(default_factory=tuple)
    href: str | None = None  # the bar links to the cases behind it
    title: str | None = None


def row(label: str, value: Number, *, text=None, href=None, title=None, colour=None) -> Row:
    """A row of one bar."""
    return Row(label, (Bar(value, text=text, colour=colour, title=title),), href=href, title=title)


def fmt(v) -> str:
    """A figure as printed beside its bar (thousands separated from 1,000)."""
    if isinstance(v, Decimal):
        return f"{v:,.0f}" if v >= 1000 else f"{v}"
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 1000 else f"{v:.1f}"
    return str(v)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    )


def _link(href: str | None, body: str, title: str | None) -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    if href:
        return f'<a href="{escape(href)}">{tip}{body}</a>'
    return f"<g>{tip}{body}</g>" if tip else body


def _scale(rows: Sequence[Row], stacked: bool) -> float:
    sizes = [
        float(sum((b.value for b in r.bars), Decimal(0)))
        if stacked
        else float(max((b.value for b in r.bars), default=0))
        for r in rows
    ]
    return max(sizes + [0.0]) or 1.0


def hbars(
    rows: Sequence[Row],
    *,
    title: str,
    width: int = 640,
    label_w: int = 150,
    bar_h: int = 16,
    gap: int = 6,
    colour: str = "#2f855a",
    stacked: bool = False,
    legend: Sequence[tuple[str, str]] = (),
    heading: bool = False,
    empty: str | None = "",
    label_chars: int = 15,
) -> str:
    """Horizontal bars; the longest row fills the width. ``legend`` is (colour, label) pairs;
    ``heading`` prints the title above the bars; ``empty`` is what an empty chart shows
    (``None``: the title and 暂无数据)."""
    if not rows:
        return f'<p class="muted">{escape(title)}：暂无数据</p>' if empty is None else empty
    top = _scale(rows, stacked)
    plot_w = width - label_w - 110
    per_row = bar_h if stacked else max(len(r.bars) for r in rows) * (bar_h + 2) - 2
    y0 = 24 if heading else 4
    height = y0 + len(rows) * (per_row + gap) + (22 if legend else 0) + 4
    out = [_open(width, height, title)]
    if heading:
        out.append(f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>')
    for i, r in enumerate(rows):
        y = y0 + i * (per_row + gap)
        out.append(
            f'<text x="0" y="{y + min(per_row, bar_h) - 3}" font-size="12">{escape(r.label[:label_chars])}</text>'
        )
        x, body, after = label_w, [], ""
        for j, b in enumerate(r.bars):
            w = int(plot_w * float(b.value) / top) if b.value > 0 else 0
            by = y if stacked else y + j * (bar_h + 2)
            rect = f'<rect x="{x}" y="{by}" width="{max(w, 1) if b.value > 0 else 0}" height="{bar_h}" fill="{b.colour or colour}"/>'
            body.append(_link(None, rect, b.title if stacked else None))
            text = b.text if b.text is not None else fmt(b.value)
            if stacked:
                x += w
                after = fmt(sum((bb.value for bb in r.bars), Decimal(0)))
            else:
                body.append(
                    f'<text x="{x + w + 4}" y="{by + bar_h - 3}" font-size="11">{escape(text)}</text>'
                )
        if stacked:
            body.append(f'<text x="{x + 4}" y="{y + bar_h - 3}" font-size="11">{escape(after)}</text>')
        out.append(_link(r.href, "".join(body), r.title and f"{r.label}：{r.title}"))
    ly = height - 8
    for j, (c, text) in enumerate(legend):
        lx = label_w + j * 100
        out.append(f'<rect x="{lx}" y="{ly - 10}" width="10" height="10" fill="{c}"/>')
        out.append(f'<text x="{lx + 14}" y="{ly}" font-size="11">{escape(text)}</text>')
    out.append("</svg>")
    return "".join(out)


def vbars(
    rows: Sequence[Row], *, title: str, width: int = 640, height: int = 220, colour: str = "#2b6cb0"
) -> str:
    """Vertical bars, one per row (its first bar), the value printed on top."""
    n = max(len(rows), 1)
    top = _scale(rows, False)
    pad, bw = 30, (width - 40) / n
    out = [_open(width, height, title)]
    for i, r in enumerate(rows):
        b = r.bars[0]
        h = (height - 2 * pad) * float(b.value) / top
        x = 30 + i * bw
        y = height - pad - h
        rect = f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" fill="{b.colour or colour}"/>'
        out.append(_link(r.href, rect, f"{r.label}：{r.title}" if r.title else r.label))
        out.append(
            f'<text x="{x + bw / 2:.1f}" y="{height - 12}" font-size="11" text-anchor="middle">{escape(r.label)}</text>'
        )
        text = b.text if b.text is not None else fmt(b.value)
        out.append(
            f'<text x="{x + bw / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{escape(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def heat(
    rows: list[str], cols: list[str], cells: dict, hrefs: dict, *, title: str, cell: int = 26, what: str = ""
) -> str:
    """A row × column grid shaded by count (``cells[(row, col)]``), each cell linking to
    ``hrefs[(row, col)]``; ``what`` names the count in the hover text."""
    left = 150
    width, height = left + cell * len(cols) + 10, 20 + cell * max(len(rows), 1)
    top = max([v for v in cells.values()] + [1])
    out = [_open(width, height, title)]
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
            out.append(_link(hrefs[(r, c)], rect, f"{r} {c}：{what} {v} 件") if v else rect)
    out.append("</svg>")
    return "".join(out)
