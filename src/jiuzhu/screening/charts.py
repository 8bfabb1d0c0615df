"""Inline SVG charts drawn on the server (no script, no CDN, nothing leaves the machine)."""

from __future__ import annotations

from django.utils.html import escape

COLOURS = {"open": "#de2d26", "confirmed": "#3182bd", "false_positive": "#bdbdbd"}
LABELS = {"open": "待处理", "confirmed": "已核实", "false_positive": "误报"}


def stacked_kinds(by_kind: list[tuple[str, dict]], width: int = 520) -> str:
    """One stacked bar per kind: open / confirmed / false positive."""
    top = max([sum(v.values()) for _, v in by_kind] + [1])
    row, label_w = 34, 70
    bar_w = width - label_w - 60
    h = row * len(by_kind) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" aria-label="预警按类型与状态">'
    ]
    for i, (name, counts) in enumerate(by_kind):
        y = 6 + i * row
        out.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(name)}</text>')
        x = label_w
        for status in ("open", "confirmed", "false_positive"):
            w = int(bar_w * counts.get(status, 0) / top)
            if w:
                out.append(
                    f'<rect x="{x}" y="{y}" width="{w}" height="22" fill="{COLOURS[status]}">'
                    f"<title>{LABELS[status]} {counts.get(status, 0)}</title></rect>"
                )
            x += w
        out.append(f'<text x="{x + 4}" y="{y + 16}" font-size="12">{sum(counts.values())}</text>')
    ly = h - 8
    for j, status in enumerate(("open", "confirmed", "false_positive")):
        lx = label_w + j * 100
        out.append(f'<rect x="{lx}" y="{ly - 10}" width="10" height="10" fill="{COLOURS[status]}"/>')
        out.append(f'<text x="{lx + 14}" y="{ly}" font-size="11">{LABELS[status]}</text>')
    out.append("</svg>")
    return "".join(out)


def bars(items: list[tuple[str, int]], *, label: str, width: int = 520, colour: str = "#756bb1") -> str:
    """Horizontal bars, one per (name, count)."""
    if not items:
        return ""
    top = max([n for _, n in items] + [1])
    row, label_w = 24, 190
    bar_w = width - label_w - 50
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(items) + 6}" role="img" aria-label="{escape(label)}">'
    ]
    for i, (name, n) in enumerate(items):
        y = 3 + i * row
        w = max(1, int(bar_w * n / top))
        out.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(name[:15])}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="16" fill="{colour}"/>')
        out.append(f'<text x="{label_w + w + 4}" y="{y + 14}" font-size="11">{n}</text>')
    out.append("</svg>")
    return "".join(out)
