"""Demo data: the KPI snapshot of the demo year, computed from what the other areas seeded."""

from __future__ import annotations

from .monitoring import monitoring_refresh
from .services import snapshot_refresh


def seed(*, policy, today) -> str:
    """Judge the monitored low-income population, then refresh the snapshot for ``today``'s
    year (idempotent: both replace their rows)."""
    monitored = monitoring_refresh(policy=policy, on=today)
    n = snapshot_refresh(year=today.year)
    return f"绩效指标快照 {today.year} 年 {n} 行；低收入监测家庭 {monitored} 户"
