"""Demo data: the KPI snapshot of the demo year, computed from what the other areas seeded."""

from __future__ import annotations

from .services import snapshot_refresh


def seed(*, policy, today) -> str:
    """Refresh the snapshot for ``today``'s year (idempotent: it replaces that year's rows)."""
    n = snapshot_refresh(year=today.year)
    return f"绩效指标快照 {today.year} 年 {n} 行"
