"""The payments pages' bar charts (drawn by ``jiuzhu.common.charts``)."""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.common import charts


def bars(rows: list[tuple[str, Decimal]], *, title: str, width: int = 640, bar_h: int = 22) -> str:
    """Horizontal bars, one per (label, amount), the amount printed in yuan."""
    return charts.hbars(
        [charts.row(str(label), value, text=f"¥{value:,.2f}") for label, value in rows],
        title=title,
        width=width,
        label_w=170,
        bar_h=bar_h,
        gap=4,
        colour="#a4161a",
        heading=True,
        empty=None,
        label_chars=14,
    )
