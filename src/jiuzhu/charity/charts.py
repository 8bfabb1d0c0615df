"""The public page's funds chart (drawn by ``jiuzhu.common.charts``)."""

from __future__ import annotations

from jiuzhu.common import charts


def funds_svg(funds: list[dict], width: int = 560) -> str:
    """Horizontal bars per fund: received (light) and used (dark), to the same scale."""
    rows = [
        charts.Row(
            f["name"],
            (
                charts.Bar(f["received"], text=f"收 {f['received']:,.2f}", colour="#9ecae1"),
                charts.Bar(f["used"], text=f"支 {f['used']:,.2f}", colour="#3182bd"),
            ),
        )
        for f in funds
    ]
    return charts.hbars(rows, title="各项资金收支", width=width, bar_h=14, gap=14, label_chars=11)
