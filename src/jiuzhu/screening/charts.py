"""The screening overview's charts (drawn by ``jiuzhu.common.charts``)."""

from __future__ import annotations

from jiuzhu.common import charts

from .models import AlertStatus

COLOURS = {
    AlertStatus.OPEN: "#de2d26",
    AlertStatus.CONFIRMED: "#3182bd",
    AlertStatus.FALSE_POSITIVE: "#bdbdbd",
}
LABELS = dict(AlertStatus.choices)
STATUSES = tuple(AlertStatus)


def stacked_kinds(by_kind: list[tuple[str, dict]], width: int = 520) -> str:
    """One stacked bar per kind: open / confirmed / false positive."""
    rows = [
        charts.Row(
            name,
            tuple(
                charts.Bar(counts.get(s, 0), colour=COLOURS[s], title=f"{LABELS[s]} {counts.get(s, 0)}")
                for s in STATUSES
            ),
        )
        for name, counts in by_kind
    ]
    return charts.hbars(
        rows,
        title="预警按类型与状态",
        width=width,
        label_w=70,
        bar_h=22,
        gap=12,
        stacked=True,
        legend=[(COLOURS[s], LABELS[s]) for s in STATUSES],
        empty=None,
    )


def bars(items: list[tuple[str, int]], *, label: str, width: int = 520, colour: str = "#756bb1") -> str:
    """Horizontal bars, one per (name, count)."""
    return charts.hbars(
        [charts.row(name, n) for name, n in items], title=label, width=width, label_w=190, colour=colour
    )
